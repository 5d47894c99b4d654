"""Asking to read a blocked case (its institution's staff) and deciding (the admin)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from casos.acceso import ADMINISTRAR, BLOQUEADO, EN_SERVICIO, permiso
from casos.bd import ahora
from casos.conservacion import servicios
from casos.cuentas.formularios import FormularioVacio
from casos.formularios import Formulario
from casos.peticion import cambio

bp = Blueprint("conservacion", __name__)


class FormularioLectura(Formulario):
    fundamento = TextAreaField(
        "Fundamento: para qué necesita leerlo y con qué base legal",
        validators=[DataRequired("Escriba el fundamento de la lectura."), Length(max=500)],
        render_kw={"rows": 3})


@bp.route("/casos/<uuid:caso_id>/lectura-autorizada", methods=["GET", "POST"])
@permiso("casos.consultar", caso_id=BLOQUEADO, lectura="lectura_bloqueada.formulario", cambio=EN_SERVICIO)
def pedir_lectura(caso):
    """Nothing of her here: the case's folio and dates, her requests and their answers."""
    formulario = FormularioLectura()
    if formulario.validate_on_submit():
        with cambio("Solicitud enviada: el administrador la autoriza o la rechaza.",
                    campo=formulario.fundamento) as hecho:
            servicios.pedir_lectura(caso, current_user, formulario.fundamento.data)
        if hecho.ok:
            return redirect(url_for("conservacion.pedir_lectura", caso_id=caso.id))
    return render_template("conservacion/pedir_lectura.html", caso=caso, formulario=formulario,
                           lecturas=servicios.lecturas_de(caso, current_user), ahora=ahora())


@bp.route("/admin/lecturas-bloqueadas")
@permiso("administracion", lectura="lectura_bloqueada.consultar")
def lecturas():
    return render_template("conservacion/lecturas.html", lecturas=servicios.pendientes(),
                           horas=servicios.horas_de_lectura())


@bp.route("/admin/lecturas-bloqueadas/<uuid:lectura_id>", methods=["POST"])
@permiso("administracion", lectura_id=ADMINISTRAR, cambio=EN_SERVICIO)
def resolver(lectura):
    decision = request.form.get("decision")
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if decision not in ("autorizar", "rechazar"):
        flash("Elija autorizar o rechazar la lectura.", "error")
        return redirect(url_for("conservacion.lecturas"))
    autorizar = decision == "autorizar"
    with cambio("Lectura autorizada." if autorizar else "Lectura rechazada."):
        servicios.resolver_lectura(lectura, current_user, autorizar=autorizar)
    return redirect(url_for("conservacion.lecturas"))
