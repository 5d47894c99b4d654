"""Revoking consent in a real browser (issue 11): what the receiving institution had open
must stop showing the woman's data the moment her own institution records the revocation.

A's capturista refers a case to B with identity, contact and facts consented; A's supervisora
approves; B's capturista accepts and sees her name. Then, with B's session still open in a
second browser context, A's capturista revokes the consent on the case page. B reloads:
the referral keeps only its record (state, dates), the case is gone, and no page of B shows
her name, CURP, phones, address, narrative or the sender's motive.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso
from tests.navegador.test_intake_navegador import menu
from tests.navegador.test_ruta_navegador import INSTITUCION_B, aviso, entrar, salir

pytestmark = pytest.mark.navegador

NOMBRE = "Canaria Xochitl Pruebasintetica"  # tests/conftest.py datos_de_caso's canaries
MOTIVO = "Motivo canario de envio (sintetico)"
CANARIOS = {
    "nombre": NOMBRE,
    "CURP": "PEMA850101MZSRRN02",
    "teléfono": "4929990001",
    "teléfono seguro": "4929990002",
    "domicilio": "Calle Ficticia 123",
    "relato": "Relato canario sintetico",
    "lugar de los hechos": "Domicilio ficticio",
    "motivo del envío": MOTIVO,
}
NO_ENCONTRADO = "La página que busca no existe o no está disponible para su cuenta."


def _sin_canarios(pagina: Page, donde: str) -> None:
    """The page as the browser holds it now (the DOM, not just what is on screen)."""
    html = pagina.content()
    vistos = [f"{que} «{valor}»" for que, valor in CANARIOS.items() if valor in html]
    assert not vistos, f"{donde} ({pagina.url}) muestra a B tras la revocación: " + ", ".join(vistos)


def _buscar(pagina: Page, texto: str):
    """The search box of the case list; the typed term stays in the field, so only the
    results are checked."""
    menu(pagina, "Casos")
    pagina.get_by_label(re.compile("CURP o nombre", re.I)).fill(texto)
    pagina.get_by_role("button", name="Buscar").click()
    expect(pagina.get_by_role("heading", name="0 resultados")).to_be_visible()
    expect(pagina.get_by_role("link", name=NOMBRE)).to_have_count(0)


def test_revocar_el_consentimiento_corta_lo_que_ve_la_receptora(
        page: Page, new_context, correos, cuentas, capturar, base_url):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=["identidad", "contacto", "hechos"]))
    db.session.commit()
    caso_url = f"/casos/{caso.id}"
    db.session.rollback()  # the server's requests must not wait on the test's transaction

    # 1. A's capturista asks to refer the case to B.
    entrar(page, correos["capturista"])
    page.goto(caso_url)
    page.get_by_role("link", name="Canalizar a otra institución").click()
    page.get_by_label("Institución a la que se canaliza").select_option(label=INSTITUCION_B)
    page.get_by_role("group", name=re.compile("Servicios que se solicitan")).get_by_label(
        "Asesoría jurídica", exact=True).check()
    page.get_by_label("Motivo de la canalización").fill(MOTIVO)
    page.get_by_role("button", name="Solicitar canalización").click()
    aviso(page, "espera la aprobación de una supervisora")
    salir(page)

    # 2. A's supervisora approves the sending.
    entrar(page, correos["supervisora"])
    menu(page, "Aprobaciones")
    page.get_by_role("button", name="Aprobar").click()
    aviso(page, "Solicitud aprobada.")
    salir(page)

    # 3. B's capturista, in a browser of her own, accepts it and sees her name.
    receptora = new_context().new_page()
    entrar(receptora, correos["capturista_b"])
    menu(receptora, "Canalizaciones")
    receptora.get_by_role("link", name="Abrir").first.click()
    canalizacion_url = receptora.url
    expect(receptora.get_by_text(NOMBRE)).to_be_visible()  # identity was consented
    receptora.get_by_role("button", name="Aceptar").click()
    aviso(receptora, "Aceptada")
    receptora.get_by_role("link", name="Ver lo que la mujer aceptó compartir del caso").click()
    expect(receptora.get_by_role("heading", level=1)).to_have_text(NOMBRE)
    expect(receptora.get_by_text("4929990001")).to_be_visible()  # contact was consented
    capturar("receptora-ve-el-caso-antes-de-revocar", receptora)

    # 4. The woman withdraws her consent: A's capturista records it on the case page.
    entrar(page, correos["capturista"])
    page.goto(caso_url)
    # Revoking has its own page: it says what it changes (B stops seeing her data), then asks
    # the day, who informed and why, and a confirmation.
    page.get_by_role("link", name="Registrar que revoca su consentimiento").click()
    expect(page.get_by_text("dejan de ver sus datos de inmediato")).to_be_visible()
    page.get_by_label("Quién informó a su institución").select_option("ella_telefono")
    page.get_by_label("Motivo").fill("Ya no quiere que otras instituciones la contacten (sintético).")
    page.get_by_label("Confirmo que ella retiró su consentimiento").check()
    page.get_by_role("button", name="Sí, ella revoca su consentimiento").click()
    aviso(page, "Consentimiento revocado")
    expect(page.get_by_text(re.compile("Revocó su consentimiento el"))).to_be_visible()
    capturar("duena-registra-la-revocacion")

    # 5. B reloads what she had open: the referral keeps its record, nothing of her.
    receptora.goto(canalizacion_url)
    expect(receptora.get_by_role("heading", level=1)).to_contain_text("Canalización")
    expect(receptora.locator(".subtitulo").first).to_contain_text("Aceptada")
    capturar("receptora-recarga-la-canalizacion", receptora)
    _sin_canarios(receptora, "La canalización")

    receptora.goto(caso_url)
    expect(receptora.get_by_text(NO_ENCONTRADO)).to_be_visible()
    capturar("receptora-recarga-el-caso", receptora)
    _sin_canarios(receptora, "La página del caso")

    for enlace, donde in (("Casos", "La lista de casos"), ("Canalizaciones", "La bandeja"),
                          ("Pendientes", "Pendientes"), ("Inicio", "El inicio")):
        menu(receptora, enlace)
        _sin_canarios(receptora, donde)
    for texto in (NOMBRE, CANARIOS["CURP"]):
        _buscar(receptora, texto)
    capturar("receptora-busca-y-no-encuentra", receptora)
