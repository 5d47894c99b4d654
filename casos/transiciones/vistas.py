"""Case transitions, the supervisora's approval inbox, and withdrawing one's own request."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from casos.acceso import EN_SERVICIO, ESCRIBIR, RESOLVER, RETIRAR, etiqueta, permiso, vista_de
from casos.expedientes import servicios as expedientes
from casos.peticion import cambio, version_del_formulario
from casos.transiciones import servicios
from flujos import FLUJOS, MovimientoIlegal

bp = Blueprint("flujo", __name__)


def _motivo() -> str | None:
    return (request.form.get("motivo") or "").strip()[:2000] or None


@bp.route("/casos/<uuid:caso_id>/transicion", methods=["POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, cambio=EN_SERVICIO)
def transicion_de_caso(caso):
    evento = request.form.get("evento", "")
    quien = servicios.actor(current_user, duena_id=caso.institucion_id)
    with cambio() as hecho:
        transicion = FLUJOS["caso"].transicion(evento)
        if transicion.requiere_aprobacion:
            if caso.version != version_del_formulario():
                raise servicios.Conflicto()
            servicios.solicitar(caso, evento, quien, current_user, motivo=_motivo())
            hecho.mensaje = f"Solicitud enviada a supervisión: «{transicion.etiqueta}»."
        else:
            servicios.disparar(caso, evento, quien, current_user,
                               version_vista=version_del_formulario(), motivo=_motivo())
            hecho.mensaje = f"Listo: {transicion.etiqueta.lower()}."
    return redirect(url_for("expedientes.ver", caso_id=caso.id))


@bp.route("/aprobaciones/")
@permiso("aprobaciones.resolver", lectura="aprobaciones.ver")  # names and reasons
def bandeja():
    """Two sections, each urgent first: what waits for her decision (her colleagues'
    requests: the count on her home), then her own, which only another supervisora resolves
    and she may withdraw. On a phone the one she can act on must not hide below her own."""
    solicitudes = servicios.pendientes_de_institucion(current_user.institucion_id)
    esperan = [s for s in solicitudes if s.solicitante_id != current_user.id]
    suyas = [s for s in solicitudes if s.solicitante_id == current_user.id]
    return render_template("aprobaciones/bandeja.html", esperan=esperan, suyas=suyas, FLUJOS=FLUJOS,
                           nombres={s.id: etiqueta(s.caso, vista_de(s.caso, current_user))
                                    for s in solicitudes},
                           que={s.id: servicios.describir(s) for s in solicitudes})


@bp.route("/solicitudes/<uuid:solicitud_id>/retirar", methods=["POST"])
@permiso("casos.registrar", solicitud_id=RETIRAR, cambio=EN_SERVICIO)
def retirar(solicitud):
    """Her own request, withdrawn before anyone resolved it (a supervisora alone in her
    institution would otherwise wait for ever)."""
    with cambio("Solicitud retirada: no se hará el cambio."):
        servicios.retirar(solicitud, servicios.entidad_de(solicitud), current_user,
                          version_vista=version_del_formulario(), motivo=_motivo())
    return redirect(url_for("expedientes.ver", caso_id=solicitud.caso_id))


@bp.route("/aprobaciones/<uuid:solicitud_id>", methods=["POST"])
@permiso("aprobaciones.resolver", solicitud_id=RESOLVER, cambio=EN_SERVICIO)
def resolver(solicitud):
    decision = request.form.get("decision")
    with cambio("Solicitud aprobada." if decision == "aprobar" else "Solicitud rechazada."):
        entidad = servicios.entidad_de(solicitud)
        if decision == "aprobar":
            servicios.aprobar(solicitud, entidad, current_user, version_vista=version_del_formulario(),
                              motivo=_motivo())
            if solicitud.entidad == "valoracion_riesgo":
                expedientes.aplicar_valoracion(entidad)
        elif decision == "rechazar":
            servicios.rechazar(solicitud, entidad, current_user, version_vista=version_del_formulario(),
                               motivo=_motivo())
        else:
            raise MovimientoIlegal("Elija aprobar o rechazar.")
    return redirect(url_for("flujo.bandeja"))
