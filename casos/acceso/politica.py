"""Route permission: a role x action policy, declared on every view with `@permiso`.

Deny by default: a view without a declared action is refused to everyone (see `verificar`),
so forgetting the decorator closes a route instead of opening it. The same declaration names
the objects the route loads (casos/acceso/objetos.py) and the audit events it leaves
(casos/peticion.py), so that neither depends on the view remembering them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from flask import abort, current_app, g, jsonify, request
from flask_login import current_user

from casos.extensiones import login_manager

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
    # Put a person of her institution in charge of a case (casos/expedientes/asignacion.py).
    "casos.asignar": frozenset({"supervisora"}),
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
    # Requests over her personal data (derechos ARCO, casos/arco/): the admin registers and
    # answers them for every institution, as its transparency officer; she reads the request,
    # and of the case only what a granted acceso or rectificación exercises (casos/arco/).
    "arco.tramitar": frozenset({"admin"}),
    # What is due and late: a caseworker's cases, and the admin's ARCO requests.
    "pendientes.consultar": frozenset({"capturista", "supervisora", "admin"}),
}


def puede(usuaria, accion: str) -> bool:
    return bool(getattr(usuaria, "is_authenticated", False)) and usuaria.rol in POLITICA[accion]


# Audit declarations (casos/peticion.py): the event is written by the service the view calls.
EN_SERVICIO = "en_servicio"


@dataclass(frozen=True)
class Regla:
    """What a route declares: the action (role policy), the objects it loads by URL argument
    and purpose, and its audit events — `lectura` when it shows personal data, `cambio` when
    a successful POST changes something."""

    accion: str
    objetos: dict = field(default_factory=dict)
    lectura: str | None = None
    cambio: str | None = None


def permiso(accion: str, *, lectura: str | None = None, cambio: str | None = None, **objetos: str):
    """Declare the action a view performs; `verificar` enforces it before the view runs.
    `objetos` maps URL arguments to a purpose (`caso_id=LEER`): the view then receives the
    object loaded through its scoped loader (`caso`), never the id."""
    if accion not in (PUBLICA, TOKEN_API) and accion not in POLITICA:
        raise ValueError(f"acción desconocida: {accion}")
    regla = Regla(accion, objetos, lectura, cambio)
    _validar(regla)

    def decorador(vista):
        if objetos or lectura or cambio:
            from casos.peticion import atender

            @wraps(vista)
            def envoltura(**argumentos):
                return atender(regla, vista, argumentos)
        else:
            envoltura = vista
        envoltura.accion, envoltura.regla = accion, regla
        return envoltura

    return decorador


def _validar(regla: Regla) -> None:
    from casos.acceso.objetos import CARGADORES
    from casos.auditoria.acciones import ACCIONES

    desconocidos = set(regla.objetos) - CARGADORES.keys()
    if desconocidos:
        raise ValueError(f"sin cargador para {desconocidos}: añádalo en casos/acceso/objetos.py")
    for codigo in (regla.lectura, regla.cambio):
        if codigo not in (None, EN_SERVICIO) and codigo not in ACCIONES:
            raise ValueError(f"acción de auditoría desconocida: {codigo}")


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
