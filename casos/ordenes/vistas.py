from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from casos.acceso import EN_SERVICIO, ESCRIBIR, permiso
from casos.ordenes import servicios
from casos.ordenes.formularios import FormularioAccionOrden, FormularioOrden
from casos.peticion import cambio, version_del_formulario

bp = Blueprint("ordenes", __name__)


def _local_a_utc(momento):
    """The form's date is the caseworker's (America/Mexico_City); stored in UTC."""
    if momento is None:
        return None
    return momento.replace(tzinfo=ZoneInfo(current_app.config["ZONA_HORARIA"]))


@bp.route("/casos/<uuid:caso_id>/ordenes/nueva", methods=["GET", "POST"])
@permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver", cambio=EN_SERVICIO)
def nueva(caso):
    formulario = FormularioOrden()
    if formulario.validate_on_submit():
        with cambio("Solicitud de orden registrada. La emisión debe ocurrir en 4 horas como máximo.",
                    campo=formulario.solicitada_en) as hecho:
            servicios.registrar_solicitud(
                caso, current_user, tipo=formulario.tipo.data, autoridad=formulario.autoridad.data,
                medidas=formulario.medidas.data, solicitada_en=_local_a_utc(formulario.solicitada_en.data),
                notas=formulario.notas.data)
        if hecho.ok:
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("ordenes/nueva.html", caso=caso, formulario=formulario)


@bp.route("/ordenes/<uuid:orden_id>/accion", methods=["POST"])
@permiso("casos.registrar", orden_id=ESCRIBIR, cambio=EN_SERVICIO)
def accion(orden):
    formulario = FormularioAccionOrden()
    if not formulario.validate_on_submit():
        flash(" ".join(e for errores in formulario.errors.values() for e in errores), "error")
        return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))
    with cambio("Orden de protección actualizada."):
        servicios.actuar(
            orden, formulario.evento.data, current_user, version_vista=version_del_formulario(),
            motivo=formulario.motivo.data, momento=_local_a_utc(formulario.momento.data),
            dias=formulario.dias.data)
    return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))


@bp.route("/ordenes/<uuid:orden_id>/seguimiento", methods=["POST"])
@permiso("casos.registrar", orden_id=ESCRIBIR, cambio=EN_SERVICIO)
def seguimiento(orden):
    if FormularioAccionOrden().validate_on_submit():
        with cambio("Contacto de seguimiento registrado."):
            servicios.registrar_seguimiento(orden, current_user)
    return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))
