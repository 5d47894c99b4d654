"""Each role's home page."""

from flask import Blueprint, render_template
from flask_login import current_user

from casos.acceso import permiso

bp = Blueprint("inicio", __name__)


@bp.route("/")
@permiso("inicio")
def inicio():
    return render_template(f"inicio/{current_user.rol}.html")
