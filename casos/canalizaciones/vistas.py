from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from casos.acceso import EN_SERVICIO, ESCRIBIR, LEER, RESPONDER, permiso, puede
from casos.acceso.casos import vista_de_canalizacion
from casos.acceso.objetos import impedimento_al_adjuntar
from casos.adjuntos import servicios as adjuntos
from casos.atenciones import servicios as atenciones
from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios
from casos.canalizaciones.formularios import FormularioCanalizacion, FormularioRespuesta
from casos.formularios import opciones
from casos.peticion import cambio, uuid_o_none, version_del_formulario
from casos.transiciones.servicios import actor, historia_de
from flujos import FLUJOS, MovimientoIlegal
from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA, VE_LA_RECEPTORA

bp = Blueprint("canalizaciones", __name__, url_prefix="/canalizaciones")


@bp.route("/")
@permiso("casos.consultar")  # institutions, services and dates: no personal data
def bandeja():
    """Received referrals: first those waiting for her institution's answer (the count on her
    home, soonest deadline first), then the others still shared with it; then those it sent."""
    recibidas = servicios.recibidas(current_user.institucion_id)
    return render_template("canalizaciones/bandeja.html",
                           esperan=[c for c in recibidas if c.estado in EN_ESPERA_DE_RESPUESTA],
                           otras=[c for c in recibidas if c.estado not in EN_ESPERA_DE_RESPUESTA],
                           enviadas=servicios.enviadas(current_user.institucion_id),
                           ahora=ahora(), FLUJO=FLUJOS["canalizacion"])


@bp.route("/nueva/<uuid:caso_id>", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def nueva(caso):
    destinos = servicios.destinos_posibles(caso, hoy_local())
    formulario = FormularioCanalizacion()
    formulario.destino_id.choices = opciones([("", "— Elija —")] + [(i.id, i.nombre) for i in destinos])
    if formulario.validate_on_submit():
        with cambio("Canalización solicitada: espera la aprobación de una supervisora.",
                    campo=formulario.destino_id) as hecho:
            destino = next((i for i in destinos if str(i.id) == formulario.destino_id.data), None)
            if formulario.destino_id.data == str(caso.institucion_id):
                raise MovimientoIlegal("No se puede canalizar un caso a su propia institución.")
            if destino is None:
                raise MovimientoIlegal(servicios.por_que_no_a(caso, uuid_o_none(formulario.destino_id.data)))
            servicios.solicitar(caso, current_user, destino=destino, servicios=formulario.servicios.data,
                                motivo=formulario.motivo.data, hoy=hoy_local())
        if hecho.ok:
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("canalizaciones/nueva.html", caso=caso, formulario=formulario,
                           sin_destinos=not destinos)


@bp.route("/<uuid:canalizacion_id>")
@permiso("casos.consultar", canalizacion_id=LEER, lectura="canalizacion.ver")
def ver(canalizacion):
    """Each institution sees its side: the sender the whole referral; the receiver what the
    woman consented to share while the referral is live and her consent in force, and
    afterwards a record without personal data (casos/acceso/casos.py `compartidas`)."""
    quien = actor(current_user, duena_id=canalizacion.origen_id, receptora_id=canalizacion.destino_id)
    historia = historia_de(canalizacion)
    if canalizacion.destino_id == current_user.institucion_id:  # not the sender's internal steps
        historia = [h for h in historia if h.evento in VE_LA_RECEPTORA]
    return render_template(
        "canalizaciones/ver.html", canalizacion=canalizacion, caso=canalizacion.caso,
        # Moves that need approval are asked for elsewhere (the draft's "Solicitar envío"
        # asks); an erased case takes none.
        acciones=[] if canalizacion.caso.datos_eliminados else [
            t for t in FLUJOS["canalizacion"].disponibles(canalizacion.estado, quien)
            if not t.requiere_aprobacion],
        formulario=FormularioRespuesta(), historia=historia,
        vista=vista_de_canalizacion(canalizacion, current_user),
        ahora=ahora(), estados=FLUJOS["canalizacion"].estados, suceso=FLUJOS["canalizacion"].suceso,
        # Both institutions see the services given under it; the notes, only the one that gave them.
        atenciones=atenciones.atenciones_de_canalizacion(canalizacion), ve_notas=atenciones.ve_notas,
        nueva_atencion=url_for("atenciones.nueva_en_canalizacion", canalizacion_id=canalizacion.id)
        if atenciones.impedimento(canalizacion.caso, current_user, canalizacion) is None else None,
        **_documentos(canalizacion))


def _documentos(canalizacion) -> dict:
    """The files she may open here: the sender those that go with this referral (the case's
    others are on the case page); the receiver every one her referral lets her open. Where
    she attaches one: where the route's loader lets her (the same rule)."""
    receptora = canalizacion.destino_id == current_user.institucion_id
    adjunta = (puede(current_user, "casos.registrar")
               and impedimento_al_adjuntar(canalizacion, current_user) is None)
    nuevo = url_for("adjuntos.nuevo_en_canalizacion", canalizacion_id=canalizacion.id) if adjunta else None
    return {"adjuntos": adjuntos.que_abre(canalizacion.caso, current_user,
                                          canalizacion=None if receptora else canalizacion),
            "nuevo_adjunto": nuevo}


@bp.route("/<uuid:canalizacion_id>/responder", methods=["POST"])
@permiso("casos.registrar", canalizacion_id=RESPONDER, cambio=EN_SERVICIO)
def responder(canalizacion):
    formulario = FormularioRespuesta()
    if not formulario.validate_on_submit():  # services from the catalogue, texts within limits
        flash(" ".join(e for errores in formulario.errors.values() for e in errores), "error")
        return redirect(url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))
    with cambio(lambda: f"Canalización actualizada: {FLUJOS['canalizacion'].estados[canalizacion.estado]}."):
        servicios.responder(
            canalizacion, formulario.evento.data, current_user, version_vista=version_del_formulario(),
            motivo=formulario.motivo.data, servicios_prestados=formulario.servicios_prestados.data,
            nota=formulario.nota.data)
    return redirect(url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))
