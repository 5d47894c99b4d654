"""Logs carry no personal data (issue 6, item 5).

A caseworker's whole day — intake, the case page, searches by CURP and by name, the risk
assessment, an autosaved draft, the duplicate check, and one unexpected error whose message
quotes a name — goes through a real Werkzeug server, so its request log is the real one, while
every logger (the app's, Werkzeug's, SQLAlchemy's statements and rows) records at DEBUG. None
of the woman's data may appear in any record: requests carry form bodies, never logged, and
search terms travel by POST, never in a URL.
"""

from __future__ import annotations

import http.cookiejar
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from casos.expedientes import servicios as expedientes
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from tests.conftest import CONTRASENA
from tests.test_intake import CURP, FORMULARIO, NARRATIVA, NOMBRE

CANARIOS = (NOMBRE, "Xóchitl", "Xochitl", "Pruebasint", CURP, NARRATIVA, "Zafiro-7731",
            "492 999 0001", "4929990001", "4929990002", "Calle Ficticia", "Hija Sintetica",
            "Agresor Sintetico", "Hermana, vía la tienda", "Decir que llaman de la escuela",
            "Domicilio ficticio", "9 a 11 de la mañana")
_TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')


@pytest.fixture
def servidor(app):
    """The test's app on a real Werkzeug server (its request log is what we check)."""
    servidor = make_server("127.0.0.1", 0, app, threaded=True)
    hilo = threading.Thread(target=servidor.serve_forever, kwargs={"poll_interval": 0.05},
                            daemon=True)
    hilo.start()
    yield f"http://127.0.0.1:{servidor.server_port}"
    servidor.shutdown()
    servidor.server_close()
    hilo.join(timeout=5)


class Navegante:
    """A browser without JavaScript: cookies, redirects, the form's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.abridor = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def pedir(self, ruta: str, datos: dict | None = None) -> tuple[int, str, str]:
        cuerpo = urllib.parse.urlencode(datos, doseq=True).encode() if datos is not None else None
        try:
            with self.abridor.open(self.base + ruta, data=cuerpo, timeout=30) as respuesta:
                return respuesta.status, respuesta.geturl(), respuesta.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def enviar(self, ruta: str, datos: dict, pagina: str | None = None) -> tuple[int, str, str]:
        _, _, html = self.pedir(pagina or ruta)
        campo = _TOKEN.search(html)
        assert campo, f"sin token CSRF en {pagina or ruta}"
        token = re.search(r'value="([^"]+)"', campo.group(0)).group(1)
        return self.pedir(ruta, {**datos, "csrf_token": token})


def test_los_registros_de_un_dia_de_trabajo_no_llevan_datos_personales(
        app, cuentas, servidor, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    for nombre in ("werkzeug", "sqlalchemy.engine", "casos", app.logger.name):
        caplog.set_level(logging.DEBUG, logger=nombre)
    correo = cuentas["capturista"].correo
    db.session.rollback()  # the server's requests must not wait on the test's transaction

    ella = Navegante(servidor)
    codigo, _, _ = ella.enviar("/entrar", {"correo": correo, "contrasena": CONTRASENA})
    assert codigo == 200
    codigo, _, _ = ella.enviar("/casos/borradores/guardar",
                               {"nombre": NOMBRE, "curp": CURP, "narrativa": NARRATIVA},
                               pagina="/casos/nuevo")
    assert codigo == 200
    codigo, _, _ = ella.enviar("/casos/duplicados", {"curp": CURP, "nombre": NOMBRE},
                               pagina="/casos/nuevo")
    assert codigo == 200
    codigo, direccion, html = ella.enviar("/casos/nuevo", FORMULARIO)
    assert codigo == 200 and direccion.endswith("/valoracion"), html[-1500:]
    caso = direccion.removeprefix(servidor).removesuffix("/valoracion")
    respuestas = {f"r_{i.clave}": "si" for i in instrumento().indicadores}
    codigo, _, html = ella.enviar(f"{caso}/valoracion", respuestas)
    assert codigo == 200 and NOMBRE in html  # back on the case page
    for texto in (CURP, NOMBRE):
        codigo, _, html = ella.enviar("/casos/buscar", {"texto": texto}, pagina="/casos/")
        assert codigo == 200 and caso in html

    # An unexpected error whose message quotes what she typed: the log says where, not what.
    def falla(_usuaria, texto):
        raise ValueError(f"no se pudo buscar {texto!r}")

    monkeypatch.setattr(expedientes, "buscar", falla)
    codigo, _, html = ella.enviar("/casos/buscar", {"texto": NOMBRE}, pagina="/casos/")
    assert codigo == 500 and NOMBRE not in html

    texto = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records)
    texto = re.sub(r"\x1b\[[0-9;]*m", "", texto)  # Werkzeug colours its request lines
    # The capture really saw every source: the request log, SQL and the error.
    assert '"POST /casos/nuevo HTTP/1.1" 302' in texto
    assert '"POST /casos/buscar HTTP/1.1" 500' in texto
    assert "INSERT INTO victima" in texto
    assert "Error no controlado en expedientes.buscar: ValueError" in texto
    minusculas = texto.lower()
    for canario in CANARIOS:
        assert canario.lower() not in minusculas, f"dato personal en los registros: {canario!r}"
