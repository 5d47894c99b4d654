"""The one place that decides access: a role x action policy and the scope of visible cases.

Deny by default: a view without a declared action is refused to everyone (see `verificar`),
so forgetting the decorator closes a route instead of opening it.
"""

from __future__ import annotations

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, select

from casos.extensiones import db, login_manager

TODOS = frozenset({"capturista", "supervisora", "gestora", "admin"})
PUBLICA = "publica"

POLITICA: dict[str, frozenset[str]] = {
    "inicio": TODOS,
    "cuenta.propia": TODOS,
    "casos.consultar": frozenset({"capturista", "supervisora"}),
    "casos.registrar": frozenset({"capturista", "supervisora"}),
    "aprobaciones.resolver": frozenset({"supervisora"}),
    "estadisticas.consultar": frozenset({"gestora"}),
    "administracion": frozenset({"admin"}),
    # Crypto-shredding by case id: the admin never opens the case to do it.
    "datos.eliminar": frozenset({"admin"}),
}


def puede(usuaria, accion: str) -> bool:
    return bool(getattr(usuaria, "is_authenticated", False)) and usuaria.rol in POLITICA[accion]


def permiso(accion: str):
    """Declare the action a view performs; `verificar` enforces it before the view runs."""
    if accion != PUBLICA and accion not in POLITICA:
        raise ValueError(f"acción desconocida: {accion}")

    def decorador(vista):
        vista.accion = accion
        return vista

    return decorador


def accion_de(endpoint: str | None) -> str | None:
    vista = current_app.view_functions.get(endpoint) if endpoint else None
    if endpoint == "static":
        return PUBLICA
    return getattr(vista, "accion", None)


def verificar():
    """before_request: anonymous -> login page; wrong role or undeclared route -> 403."""
    if request.endpoint is None:  # 404/405 are answered by the router
        return None
    accion = accion_de(request.endpoint)
    if accion == PUBLICA:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if accion is None or not puede(current_user, accion):
        abort(403)
    return None


def casos_visibles(usuaria) -> Select:
    """Every query for cases starts here: those owned by the user's institution.

    Cases shared by a live referral join this scope when referrals land (issue 4).
    """
    from casos.expedientes.modelos import Caso

    if not puede(usuaria, "casos.consultar"):
        return select(Caso).where(False)
    return select(Caso).where(Caso.institucion_id == usuaria.institucion_id)


def caso_visible_o_404(usuaria, caso_id):
    """404, not 403: a case outside the scope must not even be known to exist."""
    from casos.expedientes.modelos import Caso

    caso = db.session.scalar(casos_visibles(usuaria).where(Caso.id == caso_id))
    if caso is None:
        abort(404)
    return caso
