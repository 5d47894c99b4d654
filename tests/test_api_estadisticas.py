"""The statistics API: tokens made by an admin (shown once, stored hashed, revocable,
audited), bearer authentication, and every answer validated against the OpenAPI document
the app serves."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from casos import demo
from casos.demo_casos import sembrar_casos
from casos.estadisticas import tokens
from casos.estadisticas.modelos import TokenApi
from casos.extensiones import db
from tests.conftest import enviar
from tests.test_estadisticas import publicar_edicion

TOKEN = re.compile(r"rv_[A-Za-z0-9_-]{40,}")


def _crear_por_la_pagina(cliente, nombre="Modelo para la Igualdad") -> str:
    respuesta = enviar(cliente, "/admin/api/tokens", {"nombre": nombre})
    assert respuesta.status_code == 200
    encontrado = TOKEN.search(respuesta.get_data(as_text=True))
    assert encontrado, "la página de creación muestra el token"
    assert respuesta.headers["Cache-Control"] == "no-store"
    return encontrado.group(0)


def _api(app, ruta, token=None):
    cabeceras = {"Authorization": f"Bearer {token}"} if token else {}
    return app.test_client().get(ruta, headers=cabeceras)


def test_el_admin_crea_un_token_que_se_muestra_una_vez_y_se_guarda_con_hash(app, como):
    admin = como("admin")
    token = _crear_por_la_pagina(admin)
    fila = db.session.scalars(sa.select(TokenApi)).one()
    assert fila.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert fila.nombre == "Modelo para la Igualdad" and fila.ultimo_uso is None and fila.activo
    # Nowhere again: not in the list, not in any column of the database.
    lista = admin.get("/admin/api/tokens").get_data(as_text=True)
    assert token not in lista and "Modelo para la Igualdad" in lista and "Nunca" in lista
    volcado = repr(db.session.execute(sa.select(TokenApi.__table__)).all())
    assert token not in volcado
    # The creation is in the audit trail.
    from casos.auditoria.modelos import EventoAuditoria

    acciones = db.session.scalars(sa.select(EventoAuditoria.accion)).all()
    assert "api.token.crear" in acciones


def test_sin_token_o_con_uno_falso_401(app, cuentas, como):
    for cabecera in ({}, {"Authorization": "Bearer rv_falso"}, {"Authorization": "Basic x"},
                     {"Authorization": "Bearer " + "rv_" + "a" * 200}):
        respuesta = app.test_client().get("/api/v1/estadisticas", headers=cabecera)
        assert respuesta.status_code == 401
        assert respuesta.headers["WWW-Authenticate"].startswith("Bearer")
        assert respuesta.get_json()["error"]
    # A logged-in gestora's session opens nothing there either.
    assert como("gestora").get("/api/v1/estadisticas").status_code == 401


def test_usar_y_revocar(app, como):
    admin = como("admin")
    token = _crear_por_la_pagina(admin)
    assert _api(app, "/api/v1/catalogos", token).status_code == 200
    fila = db.session.scalars(sa.select(TokenApi)).one()
    assert fila.ultimo_uso is not None
    assert "Nunca" not in admin.get("/admin/api/tokens").get_data(as_text=True)
    enviar(admin, f"/admin/api/tokens/{fila.id}/revocar", pagina="/admin/api/tokens")
    db.session.expire_all()
    assert db.session.get(TokenApi, fila.id).revocado_en is not None
    assert _api(app, "/api/v1/catalogos", token).status_code == 401
    from casos.auditoria.modelos import EventoAuditoria

    assert "api.token.revocar" in db.session.scalars(sa.select(EventoAuditoria.accion)).all()


def test_no_se_crea_un_token_sin_nombre(app, como):
    admin = como("admin")
    respuesta = enviar(admin, "/admin/api/tokens", {"nombre": "  "})
    assert respuesta.status_code == 200 and not TOKEN.search(respuesta.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TokenApi)) == 0


# ---- the OpenAPI document, and every answer against it ----------------------------------------

@pytest.fixture
def documento(app):
    respuesta = app.test_client().get("/api/v1/openapi.json")
    assert respuesta.status_code == 200
    documento = respuesta.get_json()
    assert documento["openapi"].startswith("3.1")
    for esquema in documento["components"]["schemas"].values():
        Draft202012Validator.check_schema(esquema)
    return documento


def _validar(documento, ruta, metodo, respuesta):
    operacion = documento["paths"][ruta][metodo]
    codigo = str(respuesta.status_code)
    assert codigo in operacion["responses"], f"{metodo} {ruta}: {codigo} no documentado"
    contenido = operacion["responses"][codigo]["content"]["application/json"]
    assert respuesta.mimetype == "application/json"
    esquema = {**contenido["schema"], "components": documento["components"]}
    errores = sorted(Draft202012Validator(esquema).iter_errors(respuesta.get_json()), key=str)
    assert not errores, f"{metodo} {ruta} ({codigo}): {errores[0].message} en {list(errores[0].path)}"


def test_cada_respuesta_cumple_el_documento_openapi(app, documento):
    demo.sembrar()
    sembrar_casos(120, semilla=11)
    from casos.cuentas.modelos import Usuaria

    admin = db.session.scalar(sa.select(Usuaria).where(Usuaria.correo == "admin@semujer.demo"))
    _, token = tokens.crear("validación", admin)
    db.session.commit()
    base = documento["servers"][0]["url"]
    # Before any edition: a 404 that says so, as the document describes.
    _validar(documento, "/estadisticas", "get", _api(app, f"{base}/estadisticas", token))
    assert _api(app, f"{base}/estadisticas", token).status_code == 404
    _validar(documento, "/catalogos", "get", _api(app, f"{base}/catalogos", token))
    publicar_edicion()
    anio = _api(app, f"{base}/catalogos", token).get_json()["anios"][0]
    consultas = {
        "/estadisticas": ["", f"?anio={anio}", f"?anio={anio}&granularidad=trimestre",
                          f"?anio={anio}&granularidad=anio&municipio=32010",
                          f"?anio={anio}&institucion=CJM", "?anio=1999", "?granularidad=semana",
                          "?municipio=32056&institucion=CJM", "?edicion=1", "?edicion=99",
                          "?edicion=uno"],
        "/catalogos": [""],
    }
    probadas = set()
    for ruta, operaciones in documento["paths"].items():
        for metodo, operacion in operaciones.items():
            protegida = operacion.get("security", documento["security"]) != []
            for consulta in consultas.get(ruta, [""]):
                respuesta = _api(app, f"{base}{ruta}{consulta}", token)
                if ruta != "/openapi.json":
                    _validar(documento, ruta, metodo, respuesta)
                probadas.add((ruta, respuesta.status_code))
            if protegida:
                _validar(documento, ruta, metodo, _api(app, f"{base}{ruta}"))
    assert {("/estadisticas", 200), ("/estadisticas", 400), ("/estadisticas", 404),
            ("/catalogos", 200)} <= probadas
    # Every route of the blueprint is in the document.
    rutas_app = {r.rule.removeprefix(base) for r in app.url_map.iter_rules() if r.rule.startswith(base)}
    assert rutas_app == set(documento["paths"])
