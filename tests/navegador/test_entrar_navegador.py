"""Logging in and out in a real browser, as each role, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import CONTRASENA, codigo_totp, olvidar_ultimo_codigo

pytestmark = pytest.mark.navegador

# The heading of each role's home page (plantillas/inicio/<rol>.html).
ENCABEZADOS = {
    "capturista": "Casos de su institución",
    "supervisora": "Supervisión",
    "gestora": "Estadística estatal",
    "admin": "Administración",
}
TELEFONO = {"width": 375, "height": 740}


def llenar_entrada(page: Page, correo: str, contrasena: str):
    page.get_by_label("Correo electrónico").fill(correo)
    page.get_by_label("Contraseña", exact=True).fill(contrasena)


def entrar(page: Page, correo: str, contrasena: str = CONTRASENA):
    page.goto("/entrar")
    llenar_entrada(page, correo, contrasena)
    page.get_by_role("button", name="Entrar").click()


def dar_codigo(page: Page, correo: str, capturar=None):
    """The second step, as she would type it from her authenticator app."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Verificación en dos pasos")
    if capturar:
        capturar("pide-codigo")
    olvidar_ultimo_codigo(correo)
    page.get_by_label("Código de 6 dígitos", exact=False).fill(codigo_totp())
    page.get_by_role("button", name="Verificar").click()


@pytest.mark.parametrize("rol", ENCABEZADOS)
def test_cada_rol_entra_ve_su_inicio_y_sale(page: Page, correos, capturar, base_url, rol):
    page.goto("/")
    expect(page).to_have_url(f"{base_url}/entrar?next=/")  # anonymous: sent to log in
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")
    llenar_entrada(page, correos[rol], CONTRASENA)
    capturar("formulario-lleno")

    page.get_by_role("button", name="Entrar").click()
    if rol != "capturista":  # supervisora, gestora and admin need their second factor
        expect(page).to_have_url(f"{base_url}/entrar/codigo")
        dar_codigo(page, correos[rol], capturar)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENCABEZADOS[rol])
    expect(page.get_by_role("banner")).to_contain_text("Persona " + rol)
    capturar("inicio")

    page.get_by_role("button", name="Salir").click()
    expect(page).to_have_url(f"{base_url}/entrar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")
    expect(page.get_by_role("status")).to_have_text("Cerró su sesión.")
    expect(page.get_by_role("button", name="Salir")).to_have_count(0)
    capturar("salio")

    page.goto("/")  # the session is really over
    expect(page).to_have_url(f"{base_url}/entrar?next=/")


def test_contrasena_equivocada_muestra_el_error_y_conserva_el_correo(page: Page, correos,
                                                                      capturar, base_url):
    entrar(page, correos["capturista"], "esta no es la contraseña de la cuenta")

    expect(page).to_have_url(f"{base_url}/entrar")
    expect(page.get_by_role("alert")).to_have_text("Correo o contraseña incorrectos.")
    expect(page.get_by_label("Correo electrónico")).to_have_value(correos["capturista"])
    expect(page.get_by_label("Contraseña", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Salir")).to_have_count(0)
    capturar("error")


def test_capturista_en_administracion_ve_acceso_denegado(page: Page, correos, capturar,
                                                          base_url):
    entrar(page, correos["capturista"])
    expect(page).to_have_url(f"{base_url}/")

    respuesta = page.goto("/admin/")
    assert respuesta is not None and respuesta.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Acceso denegado")
    expect(page.get_by_text("Su cuenta no tiene permiso para esta acción.")).to_be_visible()
    expect(page.get_by_role("link", name="Volver al inicio")).to_be_visible()
    capturar("acceso-denegado")


def _ancho_del_documento(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.browser_context_args(viewport=TELEFONO, is_mobile=True, has_touch=True)
def test_entrar_en_un_telefono(page: Page, correos, capturar, base_url):
    page.goto("/entrar")
    capturar("entrar")
    assert _ancho_del_documento(page) <= TELEFONO["width"], "la página se desplaza a lo ancho"

    contrasena = page.get_by_label("Contraseña", exact=True)
    expect(contrasena).to_have_attribute("type", "password")
    expect(contrasena).to_have_attribute("autocomplete", "current-password")
    expect(contrasena).not_to_have_attribute("onpaste", r".*")
    # Nothing cancels a paste: a paste event dispatched on the field is not prevented.
    assert contrasena.evaluate("""campo => {
        const datos = new DataTransfer();
        datos.setData("text/plain", "pegada");
        return campo.dispatchEvent(new ClipboardEvent("paste",
            {clipboardData: datos, bubbles: true, cancelable: true}));
    }""") is True

    llenar_entrada(page, correos["supervisora"], CONTRASENA)
    page.get_by_role("button", name="Entrar").click()
    dar_codigo(page, correos["supervisora"], capturar)
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENCABEZADOS["supervisora"])
    capturar("inicio")
    assert _ancho_del_documento(page) <= TELEFONO["width"], "el inicio se desplaza a lo ancho"
