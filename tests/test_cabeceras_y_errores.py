"""Security headers, error pages that reveal nothing, the health check and CSRF on login."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from casos.acceso import PUBLICA, permiso
from casos.cuentas.modelos import Sesion
from casos.extensiones import db
from tests.conftest import CONTRASENA, entrar

# What an error page must never show: traces, internals, versions.
DELATORES = ("Traceback", "sqlalchemy", "SQLAlchemy", "psycopg", "sqlite3", "Werkzeug",
             "werkzeug", "Flask", "Python", 'File "', ".py", "/work/", "/srv/", "/usr/",
             "site-packages", "Debugger")
VERSION = re.compile(r"\b\d+\.\d+\.\d+\b")


def _directivas(csp: str) -> dict[str, list[str]]:
    directivas = {}
    for parte in csp.split(";"):
        nombre, *valores = parte.split()
        directivas[nombre.lower()] = valores
    return directivas


def _revisar_cabeceras_comunes(respuesta):
    csp = respuesta.headers.get("Content-Security-Policy")
    assert csp, "falta Content-Security-Policy"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    directivas = _directivas(csp)
    assert directivas["frame-ancestors"] == ["'none'"]
    assert directivas["default-src"] == ["'self'"]
    assert directivas["script-src"] == ["'self'"]
    assert directivas["object-src"] == ["'none'"]
    assert respuesta.headers.get("X-Content-Type-Options") == "nosniff"
    assert respuesta.headers.get("Referrer-Policy") == "no-referrer"


def _no_revela_nada(respuesta, *extras):
    texto = respuesta.get_data(as_text=True)
    for delator in (*DELATORES, *extras):
        assert delator not in texto, f"la respuesta muestra {delator!r}"
    assert not VERSION.search(texto), "la respuesta muestra un número de versión"
    for nombre, valor in respuesta.headers.items():
        for delator in ("Werkzeug", "Python", "Flask", *extras):
            assert delator not in valor, f"la cabecera {nombre} muestra {delator!r}"


# ---- headers ------------------------------------------------------------------------------

def test_cabeceras_de_seguridad_en_la_pagina_de_entrada(client):
    respuesta = client.get("/entrar")
    assert respuesta.status_code == 200
    _revisar_cabeceras_comunes(respuesta)
    assert "Strict-Transport-Security" not in respuesta.headers  # development is plain HTTP


@pytest.mark.parametrize("rol,ruta", [("capturista", "/"), ("admin", "/admin/"),
                                      ("admin", "/admin/cuentas"),
                                      ("gestora", "/cuenta/contrasena")])
def test_paginas_con_sesion_no_se_guardan_en_cache(como, rol, ruta):
    respuesta = como(rol).get(ruta)
    assert respuesta.status_code == 200
    _revisar_cabeceras_comunes(respuesta)
    directivas = {d.strip() for d in respuesta.headers.get("Cache-Control", "").split(",")}
    assert "no-store" in directivas


def test_las_paginas_de_error_tambien_llevan_las_cabeceras(client, como):
    _revisar_cabeceras_comunes(client.get("/no-existe"))
    _revisar_cabeceras_comunes(como("capturista").get("/admin/"))  # 403


def test_sin_hsts_en_desarrollo(como):
    assert "Strict-Transport-Security" not in como("admin").get("/admin/").headers


def test_hsts_en_produccion(app_produccion, cuentas):
    cliente = app_produccion.test_client()
    for respuesta in (cliente.get("/entrar"), cliente.get("/no-existe")):
        hsts = respuesta.headers.get("Strict-Transport-Security", "")
        edad = re.search(r"max-age=(\d+)", hsts)
        assert edad and int(edad.group(1)) >= 31536000, hsts
        assert "includesubdomains" in hsts.lower()
        _revisar_cabeceras_comunes(respuesta)
    assert entrar(cliente, cuentas["admin"]).status_code == 302
    dentro = cliente.get("/admin/")
    assert dentro.status_code == 200
    assert "Strict-Transport-Security" in dentro.headers
    assert "no-store" in dentro.headers.get("Cache-Control", "")


def test_produccion_no_muestra_el_aviso_de_demostracion(app_produccion, app):
    assert "DEMOSTRACIÓN" not in app_produccion.test_client().get("/entrar").get_data(as_text=True)
    app.config["DEMO"] = True  # what development sets: there the banner shows
    assert "DEMOSTRACIÓN" in app.test_client().get("/entrar").get_data(as_text=True)


# ---- error pages --------------------------------------------------------------------------

def test_404_en_espanol_sin_detalles(client):
    respuesta = client.get("/expedientes/../../etc/passwd-no-existe")
    assert respuesta.status_code == 404
    texto = respuesta.get_data(as_text=True)
    assert "No encontrado" in texto
    assert "La página que busca no existe" in texto
    assert '<html lang="es-MX">' in texto
    assert "Not Found" not in texto
    assert "passwd" not in texto
    _no_revela_nada(respuesta)


def test_404_en_json_tambien_en_espanol(client):
    respuesta = client.get("/no-existe", headers={"Accept": "application/json"})
    assert respuesta.status_code == 404
    assert respuesta.get_json() == {
        "error": "No encontrado",
        "mensaje": "La página que busca no existe o no está disponible para su cuenta."}


def test_403_en_espanol(como):
    respuesta = como("gestora").get("/admin/cuentas")
    assert respuesta.status_code == 403
    assert "Acceso denegado" in respuesta.get_data(as_text=True)
    _no_revela_nada(respuesta)


def _registrar_ruta_que_falla(app, canario: str, motivo: str):
    if motivo == "excepcion":
        @permiso(PUBLICA)
        def falla():
            raise RuntimeError(f"{canario} en /srv/ruta_violeta/casos/secreto.py línea 42")
    else:
        @permiso(PUBLICA)
        def falla():
            db.session.execute(sa.text(f"SELECT * FROM tabla_{canario.lower()}"))
            return "no llega"

    app.add_url_rule("/prueba-de-error", "prueba_de_error", falla)


@pytest.mark.parametrize("motivo", ["excepcion", "sql"])
def test_500_en_espanol_sin_traza_ni_rutas(app, motivo):
    canario = f"CANARIO{uuid.uuid4().hex}"
    _registrar_ruta_que_falla(app, canario, motivo)
    cliente = app.test_client()

    respuesta = cliente.get("/prueba-de-error")
    assert respuesta.status_code == 500
    texto = respuesta.get_data(as_text=True)
    assert "Error del sistema" in texto
    assert "Ocurrió un error" in texto
    _no_revela_nada(respuesta, canario, canario.lower(), "secreto", "tabla_")

    como_json = cliente.get("/prueba-de-error", headers={"Accept": "application/json"})
    assert como_json.status_code == 500
    assert como_json.get_json()["error"] == "Error del sistema"
    _no_revela_nada(como_json, canario, canario.lower(), "secreto", "tabla_")

    # The app keeps answering after the failure.
    assert cliente.get("/salud").status_code == 200


def test_un_error_en_una_peticion_no_deja_cambios_a_medias(app, cuentas):
    usuaria = cuentas["capturista"]

    @permiso(PUBLICA)
    def falla_a_medias():
        db.session.get(type(usuaria), usuaria.id).nombre = "Cambio a medias"
        db.session.flush()
        raise RuntimeError("falla después de escribir")

    app.add_url_rule("/prueba-a-medias", "prueba_a_medias", falla_a_medias,
                     methods=["GET"])
    assert app.test_client().get("/prueba-a-medias").status_code == 500
    db.session.rollback()
    assert db.session.get(type(usuaria), usuaria.id).nombre == "Persona capturista"


# ---- health ---------------------------------------------------------------------------------

def test_salud_sin_sesion_y_sin_versiones(client):
    respuesta = client.get("/salud")
    assert respuesta.status_code == 200
    assert respuesta.is_json
    assert respuesta.get_json() == {"aplicacion": "ok", "base_de_datos": "ok"}
    _no_revela_nada(respuesta)
    assert client.get_cookie("rv_sesion") is None  # a monitor does not open sessions


def test_salud_no_tiene_limite_de_peticiones(client):
    for _ in range(30):
        assert client.get("/salud").status_code == 200


# ---- CSRF on login ------------------------------------------------------------------------

def test_post_a_entrar_sin_csrf_da_400_en_espanol_y_no_entra(app, cuentas):
    cliente = app.test_client()
    respuesta = cliente.post("/entrar", data={"correo": cuentas["admin"].correo,
                                              "contrasena": CONTRASENA})
    assert respuesta.status_code == 400
    texto = respuesta.get_data(as_text=True)
    assert "Solicitud no válida" in texto
    assert "El formulario caducó o no es válido" in texto
    assert "CSRF" not in texto and "token is missing" not in texto
    seguimiento = cliente.get("/admin/")
    assert seguimiento.status_code == 302
    assert urlsplit(seguimiento.location).path == "/entrar"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sesion)
                             .where(Sesion.usuaria_id == cuentas["admin"].id)) == 0
