from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from casos.acceso import caso_visible_o_404, casos_visibles, permiso
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.ordenes import servicios
from casos.ordenes.formularios import FormularioAccionOrden, FormularioOrden
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones.vistas import ejecutar, version_del_formulario
from flujos import MovimientoIlegal

bp = Blueprint("ordenes", __name__)


def _local_a_utc(momento):
    """The form's date is the caseworker's (America/Mexico_City); stored in UTC."""
    if momento is None:
        return None
    return momento.replace(tzinfo=ZoneInfo(current_app.config["ZONA_HORARIA"]))


@bp.route("/casos/<uuid:caso_id>/ordenes/nueva", methods=["GET", "POST"])
@permiso("casos.registrar")
def nueva(caso_id: uuid.UUID):
    caso = caso_visible_o_404(current_user, caso_id)
    formulario = FormularioOrden()
    if formulario.validate_on_submit():
        try:
            servicios.registrar_solicitud(
                caso, current_user, tipo=formulario.tipo.data, autoridad=formulario.autoridad.data,
                medidas=formulario.medidas.data, solicitada_en=_local_a_utc(formulario.solicitada_en.data),
                notas=formulario.notas.data)
        except MovimientoIlegal as error:
            db.session.rollback()
            formulario.solicitada_en.errors.append(str(error))
        else:
            db.session.commit()
            flash("Solicitud de orden registrada. La emisión debe ocurrir en 4 horas como máximo.", "exito")
            return redirect(url_for("expedientes.ver", caso_id=caso.id))
    return render_template("ordenes/nueva.html", caso=caso, formulario=formulario)


def _orden_o_404(orden_id) -> OrdenProteccion:
    orden = db.session.scalar(select(OrdenProteccion).where(
        OrdenProteccion.id == orden_id,
        OrdenProteccion.caso_id.in_(casos_visibles(current_user).with_only_columns(Caso.id))))
    if orden is None:
        abort(404)
    return orden


@bp.route("/ordenes/<uuid:orden_id>/accion", methods=["POST"])
@permiso("casos.registrar")
def accion(orden_id: uuid.UUID):
    orden = _orden_o_404(orden_id)
    formulario = FormularioAccionOrden()
    if not formulario.validate_on_submit():
        flash(" ".join(e for errores in formulario.errors.values() for e in errores), "error")
        return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))
    ejecutar(lambda: servicios.actuar(
        orden, formulario.evento.data, current_user, version_vista=version_del_formulario(),
        motivo=formulario.motivo.data, momento=_local_a_utc(formulario.momento.data),
        dias=formulario.dias.data), "Orden de protección actualizada.")
    return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))


@bp.route("/ordenes/<uuid:orden_id>/seguimiento", methods=["POST"])
@permiso("casos.registrar")
def seguimiento(orden_id: uuid.UUID):
    orden = _orden_o_404(orden_id)
    if FormularioAccionOrden().validate_on_submit():
        ejecutar(lambda: servicios.registrar_seguimiento(orden, current_user),
                 "Contacto de seguimiento registrado.")
    return redirect(url_for("expedientes.ver", caso_id=orden.caso_id))
