"""The Pendientes page: what is due and late for her institution, or for her."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from casos.acceso import etiquetas, permiso
from casos.bd import ahora
from casos.pendientes.servicios import calcular

bp = Blueprint("pendientes", __name__)


@bp.route("/pendientes")
@permiso("casos.consultar", lectura="pendientes.ver")  # her cases' names
def pagina():
    mias = request.args.get("ver") == "mios"
    momento = ahora()
    items = calcular(current_user.institucion_id, usuaria_id=current_user.id if mias else None,
                     momento=momento)
    nombres = etiquetas({p.caso_id for p in items}, current_user)
    return render_template("pendientes.html", items=items, nombres=nombres, momento=momento, mias=mias)
