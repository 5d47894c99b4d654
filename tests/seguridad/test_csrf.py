"""Every POST route refuses a missing or wrong CSRF token: 400, the Spanish message, no change.

The routes come from the URL map, so a new POST route is covered the day it is added. Each is
called as an identity the policy lets through, so the refusal is about the token, not about
access (access, and IDOR across institutions, are tests/test_rutas_por_rol.py). The
token-authenticated API under /api/ is exempt from CSRF, so it must stay read-only (GET).
"""

from __future__ import annotations

import pytest

from casos import acceso
from tests.conftest import entrar, token_csrf
from tests.test_rutas_por_rol import AUTORA, _argumentos, _huella_de_datos

MENSAJE = "El formulario caducó o no es válido"


def _rutas_post(app):
    return [regla for regla in app.url_map.iter_rules() if "POST" in regla.methods]


def _identidad(accion, regla) -> str | None:
    """Who may call the route (None: anonymous)."""
    if accion == acceso.PUBLICA:
        return None
    roles = sorted(acceso.POLITICA[accion])
    return AUTORA if AUTORA in roles else roles[0]


def test_la_api_sin_cookie_solo_acepta_get(app):
    for regla in app.url_map.iter_rules():
        if regla.rule.startswith("/api/"):
            assert regla.methods - {"HEAD", "OPTIONS"} == {"GET"}, regla.rule


@pytest.mark.parametrize("variante", ["sin_token", "token_falso", "token_de_otra_sesion"])
def test_cada_post_sin_token_valido_responde_400_sin_cambiar_nada(app, cuentas, objetos, variante):
    ajeno = token_csrf(app.test_client())  # valid, but bound to another session
    fallos, probadas = [], 0
    for regla in _rutas_post(app):
        accion = acceso.accion_de(regla.endpoint)
        assert accion is not None, f"{regla.rule} sin acción declarada"
        with app.test_request_context():
            ruta = app.url_for(regla.endpoint, **_argumentos(regla, objetos))
        cliente = app.test_client()
        quien = _identidad(accion, regla)
        if quien is not None:
            assert entrar(cliente, cuentas[quien]).status_code == 302
        else:
            token_csrf(cliente)  # an anonymous session exists, as in a browser
        datos = {"sin_token": {}, "token_falso": {"csrf_token": "falso" + "A" * 80},
                 "token_de_otra_sesion": {"csrf_token": ajeno}}[variante]
        antes = _huella_de_datos()
        respuesta = cliente.post(ruta, data={**datos, "motivo": "x", "evento": "aceptar"})
        texto = respuesta.get_data(as_text=True)
        if respuesta.status_code != 400 or MENSAJE not in texto:
            fallos.append(f"POST {regla.rule} ({quien or 'anónima'}): {respuesta.status_code}")
        if _huella_de_datos() != antes:
            fallos.append(f"POST {regla.rule} ({quien or 'anónima'}) cambió datos sin token")
        assert "Traceback" not in texto
        probadas += 1
    assert not fallos, "\n".join(fallos)
    assert probadas >= 20
