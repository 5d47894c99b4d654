"""Browser tests: Playwright (pytest-playwright) on Debian's Chromium, against a live server.

Every test here gets:
- `servidor`: the test's own `app` (tests/conftest.py: migrated, clean database) served by
  Werkzeug on 127.0.0.1 at a free port, in a daemon thread; `base_url` is its address, so
  `page.goto("/entrar")` works;
- `page`, `context`, `browser` from pytest-playwright, launched from /usr/bin/chromium
  (`apt-get install chromium`; `playwright install` is never used);
- `capturar("paso")`: a full-page screenshot in artefactos/capturas/<test>/<n>-<paso>.png;
- a check at teardown that the page had no JavaScript error, no console error and no failed
  stylesheet, script or image.

Every test in this folder is marked `navegador` (`pytest -m "not navegador"` leaves them out).
Without Chromium the tests are skipped, but with CI=true they fail: CI must run them.
`RUTA_VIOLETA_CHROMIUM` points at another Chromium binary.

Seeding: after writing to the database, end the test's own transaction (`db.session.rollback()`)
before the browser acts, so the server's requests never wait on the test's locks; `correos`
does it for the `cuentas` accounts.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from werkzeug.serving import make_server

from casos.extensiones import db
from tests.conftest import _en_ci

CHROMIUM = os.environ.get("RUTA_VIOLETA_CHROMIUM", "/usr/bin/chromium")
AQUI = Path(__file__).resolve().parent
_RESULTADO = pytest.StashKey()  # the test's "call" report, for the capture on failure


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `navegador`, whatever its file."""
    for item in items:
        if AQUI in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.navegador)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    reporte = yield
    if reporte.when == "call":
        item.stash[_RESULTADO] = reporte
    return reporte


# ---- the browser -----------------------------------------------------------------------------

# What a person would wait for, on a machine also running the rest of the suite: the default
# 5 s made assertions fail intermittently under load, though each passes at once when alone.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options (--headed, --slowmo) plus Debian's Chromium."""
    if not os.access(CHROMIUM, os.X_OK):
        mensaje = (f"No hay Chromium en {CHROMIUM}: instálelo con `apt-get install chromium` "
                   "(o indique otro con RUTA_VIOLETA_CHROMIUM).")
        if _en_ci():
            pytest.fail("CI=true exige las pruebas de navegador. " + mensaje, pytrace=False)
        pytest.skip(mensaje)
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


class _CerrarAlTerminar:
    """The response, closed as soon as its body has been written. Werkzeug's server closes it
    (and so runs Flask's `call_on_close`: the e-mails sent after the response) only if draining
    the request afterwards does not fail; when Chromium resets the connection meanwhile, the
    close is skipped and the e-mail never leaves (werkzeug 3.1 serving.py, `execute`). gunicorn
    always closes it. Closing twice does nothing."""

    def __init__(self, respuesta):
        self.respuesta = respuesta
        self.cerrada = False

    def __iter__(self):
        try:
            yield from self.respuesta
        finally:
            self.close()

    def close(self):
        if not self.cerrada and hasattr(self.respuesta, "close"):
            self.cerrada = True
            self.respuesta.close()


@pytest.fixture
def servidor(app):
    """The test's app on a real HTTP server; yields its base address."""
    servidor = make_server("127.0.0.1", 0, lambda entorno, responder: _CerrarAlTerminar(
        app(entorno, responder)), threaded=True)
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
    hilo = threading.Thread(target=servidor.serve_forever, kwargs={"poll_interval": 0.05},
                            name="servidor-de-pruebas", daemon=True)
    hilo.start()
    yield f"http://127.0.0.1:{servidor.server_port}"
    servidor.shutdown()
    servidor.server_close()
    hilo.join(timeout=5)


@pytest.fixture
def base_url(servidor):
    """Replaces pytest-playwright's session-wide base_url: each test has its own server."""
    return servidor


@pytest.fixture
def browser_context_args(base_url):
    """Replaces pytest-playwright's session fixture, which can't use a per-test base_url.
    Per-test options: @pytest.mark.browser_context_args(viewport=...)."""
    return {"base_url": base_url, "locale": "es-MX", "timezone_id": "America/Mexico_City"}


# ---- data ------------------------------------------------------------------------------------

@pytest.fixture
def correos(cuentas) -> dict[str, str]:
    """The e-mail of every `cuentas` account, with the test's transaction already ended."""
    resultado = {clave: usuaria.correo for clave, usuaria in cuentas.por_clave.items()}
    db.session.rollback()
    return resultado


# ---- evidence --------------------------------------------------------------------------------

def _nombre_de_carpeta(nombre: str) -> str:
    return re.sub(r"[^\w.-]+", "-", nombre).strip("-")[:120]


@pytest.fixture
def capturar(page, request):
    """`capturar("paso")` saves artefactos/capturas/<test>/<n>-<paso>.png (full page).
    If the test fails, one more capture, `<n>-fallo.png`, shows where it stopped."""
    carpeta = (request.config.rootpath / "artefactos" / "capturas"
               / _nombre_de_carpeta(request.node.name))
    shutil.rmtree(carpeta, ignore_errors=True)
    carpeta.mkdir(parents=True)
    pasos = itertools.count(1)

    def _capturar(paso: str, pagina=None) -> Path:
        pagina = pagina or page
        pagina.wait_for_load_state()  # stylesheet in place before the picture
        ruta = carpeta / f"{next(pasos)}-{_nombre_de_carpeta(paso)}.png"
        pagina.screenshot(path=ruta, full_page=True)
        return ruta

    yield _capturar
    reporte = request.node.stash.get(_RESULTADO, None)
    if reporte is not None and reporte.failed and not page.is_closed():
        try:  # best effort: the test's own failure is what matters
            page.screenshot(path=carpeta / f"{next(pasos)}-fallo.png", full_page=True,
                            timeout=5000)
        except PlaywrightError:
            pass


@pytest.fixture(autouse=True)
def _sin_errores_en_la_pagina(request):
    """Fails the test if its page had a JavaScript error, a console error (a Content Security
    Policy violation, a stylesheet refused) or a failed stylesheet, script or image.
    A document may answer 403 or 404 on purpose: the test itself checks those."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    problemas: list[str] = []
    documentos: set[str] = set()

    def respuesta(resp):
        if resp.request.resource_type == "document":
            documentos.add(resp.url)
        elif resp.status >= 400:
            problemas.append(f"{resp.status} {resp.request.resource_type} {resp.url}")

    def consola(mensaje):
        if mensaje.type != "error":
            return
        direccion = mensaje.location.get("url", "")
        if mensaje.text.startswith("Failed to load resource") and (
                direccion in documentos  # an intended 403/404 page, checked by the test
                or direccion.endswith("/favicon.ico")):  # asked for by the browser itself
            return
        problemas.append(f"consola: {mensaje.text} ({direccion})")

    def fallida(peticion):
        # ERR_ABORTED is also what a request gets when the test navigates on before it
        # ends; a stylesheet refused for real is reported on the console (see above).
        if peticion.failure != "net::ERR_ABORTED":
            problemas.append(f"falló {peticion.resource_type} {peticion.url}: {peticion.failure}")

    page.on("response", respuesta)
    page.on("console", consola)
    page.on("pageerror", lambda error: problemas.append(f"JavaScript: {error}"))
    page.on("requestfailed", fallida)
    yield
    assert not problemas, "La página tuvo errores:\n" + "\n".join(problemas)
