"""The one place that decides access: a role x action policy and the scope of visible cases.

Deny by default: a view without a declared action is refused to everyone (see `verificar`),
so forgetting the decorator closes a route instead of opening it.
"""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import Select, and_, false, or_, select

from casos.extensiones import db, login_manager

TODOS = frozenset({"capturista", "supervisora", "gestora", "admin"})
PUBLICA = "publica"
# Machine access to the statistics API: a bearer token, never a session, for no role. Without
# a valid token every caller, logged in or not, gets 401.
TOKEN_API = "token_api"

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
    # Audit metadata (who, when, from where; never contents): a case's accesses for the
    # supervisora of its institution, the whole trail for the admin.
    "auditoria.caso": frozenset({"supervisora"}),
    "auditoria.consultar": frozenset({"admin"}),
    # Create and revoke the statistics API's tokens (they read aggregates only).
    "api.tokens": frozenset({"admin"}),
}


def puede(usuaria, accion: str) -> bool:
    return bool(getattr(usuaria, "is_authenticated", False)) and usuaria.rol in POLITICA[accion]


def permiso(accion: str):
    """Declare the action a view performs; `verificar` enforces it before the view runs."""
    if accion not in (PUBLICA, TOKEN_API) and accion not in POLITICA:
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
    if accion == TOKEN_API:
        return _verificar_token()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if accion is None or not puede(current_user, accion):
        abort(403)
    return None


def _verificar_token():
    from casos.estadisticas import tokens

    token = tokens.autenticar(tokens.de_cabecera(request.headers.get("Authorization")))
    if token is None:
        return (jsonify(error="No autorizado", mensaje="Falta un token válido: Authorization: Bearer <token>."),
                401, {"WWW-Authenticate": 'Bearer realm="ruta-violeta"'})
    g.token_api = token
    return None


def casos_visibles(usuaria) -> Select:
    """Every query for cases starts here: those owned by the user's institution, and those
    another institution referred to hers once she accepted (a live referral)."""
    from casos.expedientes.modelos import Caso

    if not puede(usuaria, "casos.consultar"):
        return select(Caso).where(false())
    return select(Caso).where(or_(*_partes_visibles(usuaria)))


def casos_visibles_por_partes(usuaria) -> list[Select]:
    """The same scope as `casos_visibles`, as disjoint queries whose union it is. A query that
    orders and cuts (the case list) runs each part on its own index and merges the few rows:
    on the OR of both, PostgreSQL reads and sorts every visible case to return 50."""
    from casos.expedientes.modelos import Caso

    if not puede(usuaria, "casos.consultar"):
        return [select(Caso).where(false())]
    return [select(Caso).where(parte) for parte in _partes_visibles(usuaria)]


def _partes_visibles(usuaria) -> list:
    from casos.canalizaciones.modelos import Canalizacion
    from casos.expedientes.modelos import Caso
    from flujos.canalizacion import VIGENTES

    compartidos = select(Canalizacion.caso_id).where(
        Canalizacion.destino_id == usuaria.institucion_id, Canalizacion.estado.in_(VIGENTES))
    # Disjoint: a case of her own institution counts once even if it were referred back.
    return [Caso.institucion_id == usuaria.institucion_id,
            and_(Caso.id.in_(compartidos), Caso.institucion_id != usuaria.institucion_id)]


def caso_visible_o_404(usuaria, caso_id, *opciones):
    """404, not 403: a case outside the scope must not even be known to exist. `opciones`
    are loader options (what the page will read, loaded with the case)."""
    from casos.expedientes.modelos import Caso

    caso = db.session.scalar(casos_visibles(usuaria).where(Caso.id == caso_id).options(*opciones))
    if caso is None:
        abort(404)
    return caso
