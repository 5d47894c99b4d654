"""Admin pages for API tokens: create (shown once), list, revoke. casos/estadisticas/tokens.py
audits each change with its token; the views commit through `casos.peticion.cambio`."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from casos.acceso import ADMINISTRAR, permiso
from casos.cuentas.formularios import FormularioVacio
from casos.estadisticas import tokens
from casos.estadisticas.modelos import TokenApi
from casos.extensiones import db
from casos.formularios import Formulario
from casos.peticion import cambio

bp = Blueprint("tokens_api", __name__, url_prefix="/admin/api")


class FormularioToken(Formulario):
    nombre = StringField("Nombre (quién y para qué lo usa)", validators=[
        DataRequired("Escriba un nombre que diga quién usará el token."), Length(max=120)])


@bp.route("/tokens", methods=["GET", "POST"])
@permiso("api.tokens", cambio="api.token.crear")  # the service names the token
def lista():
    formulario = FormularioToken()
    if formulario.validate_on_submit():
        with cambio() as hecho:
            fila, token = tokens.crear(formulario.nombre.data, current_user)
        if hecho.ok:
            # Shown once, in this answer only (no-store): the table keeps its hash.
            return render_template("estadisticas/token_creado.html", fila=fila, token=token)
    filas = db.session.scalars(select(TokenApi).order_by(TokenApi.creado_en.desc())).all()
    return render_template("estadisticas/tokens.html", formulario=formulario, filas=filas,
                           vacio=FormularioVacio())


@bp.route("/tokens/<uuid:token_id>/revocar", methods=["POST"])
@permiso("api.tokens", cambio="api.token.revocar", token_id=ADMINISTRAR)  # the service names the token
def revocar(token_api: TokenApi):
    fila = token_api
    if not FormularioVacio().validate_on_submit():
        abort(400)
    if fila.activo:
        with cambio(f"Token «{fila.nombre}» revocado: deja de funcionar desde ahora."):
            tokens.revocar(fila)
    return redirect(url_for("tokens_api.lista"))
