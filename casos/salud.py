"""Liveness for load balancers and monitors: no authentication, no versions, no details."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from casos.acceso import PUBLICA, permiso
from casos.extensiones import db, limiter

bp = Blueprint("salud", __name__)


@bp.route("/salud")
@permiso(PUBLICA)
@limiter.exempt
def salud():
    try:
        db.session.execute(text("SELECT 1"))
        base = "ok"
    except SQLAlchemyError:
        base = "sin conexión"
    finally:
        db.session.rollback()
    codigo = 200 if base == "ok" else 503
    return jsonify(aplicacion="ok", base_de_datos=base), codigo
