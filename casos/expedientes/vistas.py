from __future__ import annotations

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.validators import InputRequired

from casos.acceso import EN_SERVICIO, ESCRIBIR, LEER, permiso
from casos.bd import ahora, hoy_local
from casos.catalogos import NIVELES_RIESGO
from casos.cuentas.formularios import FormularioVacio
from casos.expedientes import asignacion, listado, pagina_de_caso, riesgo, servicios
from casos.expedientes.curp import fecha_de_nacimiento
from casos.expedientes.formularios import (
    FormularioBusqueda,
    FormularioEliminacion,
    FormularioIntake,
    FormularioRevocacion,
    formulario_valoracion,
)
from casos.expedientes.riesgo import instrumento
from casos.extensiones import limiter
from casos.formularios import Formulario
from casos.peticion import cambio, uuid_o_none, version_del_formulario
from flujos import FLUJOS
from flujos.aprobacion import PROPUESTA

bp = Blueprint("expedientes", __name__, url_prefix="/casos")


@bp.route("/")
@permiso("casos.consultar", lectura="casos.listar")  # the list shows decrypted names
def lista():
    filtros = listado.Filtros.de_consulta(request.args)
    pagina = listado.pagina(current_user, filtros)
    return render_template("expedientes/lista.html", pagina=pagina, filtros=filtros,
                           filas=listado.filas(pagina.casos, ahora(), current_user),
                           busqueda=FormularioBusqueda(),
                           borradores=servicios.borradores_de(current_user))


@bp.route("/buscar", methods=["POST"])
@permiso("casos.consultar", lectura="busqueda")  # that one happened, never the term
@limiter.limit("30 per minute")
def buscar():
    """POST, not GET: a CURP or a name must never travel in a URL (logs, history)."""
    formulario = FormularioBusqueda()
    resultados = None
    if formulario.validate_on_submit():
        resultados = servicios.buscar(current_user, formulario.texto.data)
    return render_template("expedientes/busqueda.html", busqueda=formulario, resultados=resultados,
                           con_riesgo=servicios.riesgo_visible(resultados or [], current_user))


def _datos_de(formulario: FormularioIntake) -> servicios.DatosIntake:
    f = formulario
    return servicios.DatosIntake(
        nombre=f.nombre.data.strip(), municipio=f.municipio.data, curp=f.curp.data or None,
        fecha_nacimiento=f.fecha_nacimiento.data, edad_aproximada=f.edad_aproximada.data,
        telefono=f.telefono.data or None, domicilio=f.domicilio.data or None,
        lengua_indigena=f.lengua_indigena.data or None, discapacidad=f.discapacidad.data or None,
        nacionalidad=f.nacionalidad.data or None,
        # `or ""`: a field missing from the POST (not a browser's) has data None, not "".
        nna=[servicios.DatosNna((n.nombre.data or "").strip(), n.edad.data, n.violencia_directa.data)
             for n in f.nna if not n.form.vacio()],
        agresores=[servicios.DatosAgresor((a.nombre.data or "").strip() or None, a.relacion.data,
                                          a.vive_con_ella.data, a.acceso_armas.data)
                   for a in f.agresores],
        fecha_hechos=f.fecha_hechos.data, municipio_hechos=f.municipio_hechos.data or None,
        lugar_hechos=f.lugar_hechos.data or None, narrativa=f.narrativa.data,
        tipos=f.tipos.data, modalidades=f.modalidades.data,
        autoriza_canalizar=f.autoriza_canalizar.data, tipos_institucion=f.tipos_institucion.data,
        datos_compartibles=f.datos_compartibles.data,
        consentimiento_hasta=f.consentimiento_hasta.data,
        contacto_seguro={k: v for k, v in {
            "telefono": f.telefono_seguro.data, "horario": f.horario_seguro.data,
            "nunca_casa": f.nunca_llamar_casa.data, "persona_confianza": f.persona_confianza.data,
            "indicaciones": f.indicaciones_contacto.data}.items() if v},
    )


def _datos_de_formulario() -> dict:
    """The raw form as typed, for the draft: even invalid values are kept, nothing is lost."""
    return {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}


def _algo_escrito() -> bool:
    """A blank form submitted by mistake is not worth a draft."""
    return any((request.form.get(campo) or "").strip()
               for campo in ("nombre", "curp", "telefono", "domicilio", "narrativa", "lugar_hechos"))


@bp.route("/nuevo", methods=["GET", "POST"])
@permiso("casos.registrar", cambio=EN_SERVICIO)  # a case registered, or a draft saved
def nuevo():
    formulario = FormularioIntake()
    if formulario.validate_on_submit():
        with cambio("Caso registrado. Ahora valore el riesgo.") as hecho:
            caso = servicios.registrar_caso(current_user, _datos_de(formulario))
            borrador = servicios.borrador_de(current_user, uuid_o_none(formulario.borrador_id.data))
            if borrador is not None:
                servicios.descartar_borrador(borrador)
        if hecho.ok:
            return redirect(url_for("expedientes.valoracion", caso_id=caso.id))
    if request.method == "POST":
        if formulario.csrf_token.errors:
            abort(400)
        if _algo_escrito():
            with cambio("Lo que escribió quedó guardado como borrador.", categoria="info"):
                borrador = servicios.guardar_borrador(
                    current_user, uuid_o_none(formulario.borrador_id.data), _datos_de_formulario())
            formulario.borrador_id.data = str(borrador.id)
    return render_template("expedientes/nuevo.html", formulario=formulario, duplicados=[])


@bp.route("/nuevo/<uuid:borrador_id>")
@permiso("casos.registrar", borrador_id=LEER, lectura="borrador.abrir")
def continuar_borrador(borrador):
    formulario = FormularioIntake(formdata=MultiDict(
        [(k, v) for k, valores in borrador.datos.items() for v in valores]))
    formulario.borrador_id.data = str(borrador.id)
    return render_template("expedientes/nuevo.html", formulario=formulario, duplicados=[])


@bp.route("/borradores/guardar", methods=["POST"])
@permiso("casos.registrar", cambio="borrador.guardar")
def guardar_borrador():
    """Autosave from the intake page (casos/estaticos/borrador.js)."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    with cambio():
        borrador = servicios.guardar_borrador(
            current_user, uuid_o_none(request.form.get("borrador_id")), _datos_de_formulario())
    return jsonify(borrador_id=str(borrador.id),
                   guardado=borrador.actualizado_en.isoformat())


@bp.route("/borradores/<uuid:borrador_id>/descartar", methods=["POST"])
@permiso("casos.registrar", borrador_id=ESCRIBIR, cambio="borrador.descartar")
def descartar_borrador(borrador):
    if FormularioVacio().validate_on_submit():
        with cambio("Borrador descartado.", categoria="info"):
            servicios.descartar_borrador(borrador)
    return redirect(url_for("expedientes.lista"))


@bp.route("/duplicados", methods=["POST"])
@permiso("casos.registrar", lectura="duplicados.consultar")
@limiter.limit("30 per minute")  # which institution holds a CURP is itself sensitive
def duplicados():
    """Asked by the intake page when the CURP or the name and birth date are filled in."""
    if not FormularioVacio().validate_on_submit():
        abort(400)
    formulario = FormularioIntake()
    formulario.validate()
    curp = formulario.curp.data if formulario.curp.data and not formulario.curp.errors else None
    nacimiento = formulario.fecha_nacimiento.data or (fecha_de_nacimiento(curp) if curp else None)
    return jsonify(instituciones=servicios.posibles_duplicados(curp, formulario.nombre.data, nacimiento))


@bp.route("/<uuid:caso_id>")
@permiso("casos.consultar", caso_id=LEER, lectura="caso.ver")
def ver(caso):
    # The one-to-one rows came with the case (casos/acceso/objetos.py); the rest after the
    # audit event (pagina_de_caso.py says how, and why so). `ahora` comes from the context
    # processor (casos/registro.py): one instant per page.
    return render_template("expedientes/caso.html", caso=caso, instrumento=instrumento(),
                           explicar=riesgo.explicar,  # each assessment, with its own version
                           hoy=hoy_local(), **pagina_de_caso.contexto(caso, current_user, g.vista))


@bp.route("/<uuid:caso_id>/valoracion", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio="valoracion.registrar")
def valoracion(caso):
    # What the intake already recorded answers some questions "si": they come checked and
    # marked "tomado del registro"; she can still change them.
    registro = riesgo.del_registro(caso)
    marcas = riesgo.prellenado(instrumento(), registro)
    formulario = formulario_valoracion(marcas)()
    if formulario.validate_on_submit():
        respuestas = {i.clave: getattr(formulario, f"r_{i.clave}").data
                      for i in instrumento().indicadores}
        with cambio(campo=formulario.motivo) as hecho:
            registrada = servicios.registrar_valoracion(
                caso, current_user, respuestas, formulario.nivel.data or None, formulario.motivo.data)
            hecho.mensaje = _resultado_de_valoracion(registrada, caso)
            hecho.categoria = "aviso" if registrada.estado == PROPUESTA or caso.urgente else "exito"
        if hecho.ok:
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("expedientes/valoracion.html", caso=caso, formulario=formulario,
                           instrumento=instrumento(), registro=registro, marcas=marcas)


def _resultado_de_valoracion(registrada, caso) -> str:
    if registrada.estado == PROPUESTA:
        return (f"Valoración registrada. El nivel propuesto ({NIVELES_RIESGO[registrada.nivel]}) "
                "espera la aprobación de una supervisora; mientras tanto el caso queda en "
                f"{NIVELES_RIESGO.get(caso.nivel_riesgo, 'su nivel actual')}.")
    return f"Valoración registrada: riesgo {NIVELES_RIESGO[registrada.nivel].lower()}."


@bp.route("/<uuid:caso_id>/consentimiento/revocar", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def revocar_consentimiento(caso):
    """Only the owning institution records what the woman decided. The page says what it
    will change (referrals cancelled, institutions that stop reading her data) before she
    confirms, and asks the day, who informed and why."""
    consentimiento = caso.consentimiento
    if not servicios.revocable(consentimiento):
        # Another tab recorded it first, or there was never one: nothing to confirm here.
        if request.method == "POST":
            flash("El consentimiento ya estaba revocado o no se otorgó.", "error")
        return redirect(url_for("expedientes.ver", caso_id=caso.id))
    formulario = FormularioRevocacion(registrado_el=servicios.dia_local(consentimiento.registrado_en))
    if formulario.validate_on_submit():
        with cambio("Consentimiento revocado: el caso ya no se compartirá con otras instituciones, "
                    "y las que lo recibieron dejan de ver sus datos.") as hecho:
            servicios.revocar_consentimiento(
                caso, current_user, revocada_el=formulario.revocada_el.data,
                informada_por=formulario.informada_por.data, motivo=formulario.motivo.data)
        if hecho.ok or not servicios.revocable(caso.consentimiento):
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    elif formulario.csrf_token.errors:
        abort(400)
    return render_template("expedientes/revocar_consentimiento.html", caso=caso, formulario=formulario,
                           efectos=servicios.efectos_de_revocar(caso), estados=FLUJOS["canalizacion"].estados)


class FormularioAsignacion(Formulario):
    """Whom to put in charge. Choices are not checked by WTForms: the service says, in
    Spanish, why an account can't be responsible (another institution, inactive, a role
    that does not work cases)."""

    responsable = SelectField("Persona responsable", validate_choice=False,
                              validators=[InputRequired(message="Elija a quién asignar el caso.")])


@bp.route("/<uuid:caso_id>/asignar", methods=["GET", "POST"])
@permiso("casos.asignar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def asignar(caso):
    """A supervisora puts a capturista or a supervisora of her institution (herself too) in
    charge of the case; casos/expedientes/asignacion.py says what is refused and why."""
    personal = asignacion.elegibles(caso.institucion_id)
    formulario = FormularioAsignacion()
    formulario.responsable.choices = [("", "— Elija a una persona —")] + [
        (str(e.usuaria.id), e.etiqueta + (" (responsable actual)" if e.usuaria.id == caso.responsable_id else ""))
        for e in personal]
    if request.method == "GET" and caso.responsable_id is not None:
        formulario.responsable.data = str(caso.responsable_id)
    if formulario.validate_on_submit():
        with cambio(campo=formulario.responsable) as hecho:
            elegida = asignacion.cuenta(uuid_o_none(formulario.responsable.data))
            if asignacion.asignar(caso, elegida, current_user, version_vista=version_del_formulario()):
                hecho.mensaje = f"Caso asignado a {elegida.nombre}."
            else:
                hecho.mensaje, hecho.categoria = (
                    f"{elegida.nombre} ya es responsable del caso; no cambió nada.", "info")
        if hecho.ok:
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("expedientes/asignar.html", caso=caso, formulario=formulario,
                           cerrado=None if caso.estado in asignacion.ABIERTOS else asignacion.CERRADO,
                           historial=asignacion.historial(caso))


@bp.route("/eliminar-datos", methods=["GET", "POST"])
@permiso("datos.eliminar", cambio=EN_SERVICIO)
def eliminar_datos():
    """Crypto-shredding by case id (ARCO cancellation, retention expiry). The admin never
    sees the case: she types the id she was given and the legal ground."""
    formulario = FormularioEliminacion()
    if formulario.validate_on_submit():
        with cambio("Datos personales eliminados. Las cifras estadísticas del caso se conservan.",
                    campo=formulario.caso_id) as hecho:
            servicios.eliminar_datos_personales_por_id(
                uuid_o_none(formulario.caso_id.data.strip()), current_user, motivo=formulario.motivo.data)
        if hecho.ok:
            return redirect(url_for("expedientes.eliminar_datos"))
    return render_template("expedientes/eliminar_datos.html", formulario=formulario)
