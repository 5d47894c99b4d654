"""Issue 13's "Done when" in a real browser: a caseworker uploads a scanned protection order;
the referral reaches institution B, whose supervisora gets an e-mail with no personal data and
a link that works (it asks for login, then opens her inbox, where the referral waits); B opens the order only while the
woman's consent allows it, never the complaint she did not agree to share; the oficio printed
as PDF carries only the consented data. The SMTP server is real (aiosmtpd, tests/test_avisos.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from casos.expedientes import servicios
from casos.extensiones import db
from tests.conftest import datos_de_caso
from tests.navegador.test_ruta_navegador import aviso, entrar, salir
from tests.test_adjuntos import MARCA, jpeg_con_gps, pdf
from tests.test_avisos import CANARIOS, correo  # noqa: F401  (the SMTP server fixture)

pytestmark = pytest.mark.navegador

NOMBRE = "Canaria Xochitl Pruebasintetica"  # tests/conftest.py datos_de_caso
RELATO = "Relato canario sintetico"  # "hechos": not shared with B
HIJA = "Hija Sintetica Uno"  # "nna": not shared with B
INSTITUCION_B = "Institución de prueba INSTB"


def _adjuntar(page: Page, categoria: str, nombre: str, datos: bytes, mime: str):
    page.get_by_role("link", name="Adjuntar documento").first.click()
    page.get_by_label("Qué documento es").select_option(label=categoria)
    page.get_by_label("Archivo (PDF, JPEG o PNG)").set_input_files(
        {"name": nombre, "mimeType": mime, "buffer": datos})
    page.get_by_role("button", name="Adjuntar").click()


def _descargar(page: Page, enlace) -> bytes:
    with page.expect_download() as descarga:
        enlace.click()
    return Path(descarga.value.path()).read_bytes()


def _texto_pdf(datos: bytes) -> str:
    return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(datos)).pages)


def test_un_documento_llega_a_la_receptora_solo_bajo_su_consentimiento(page: Page, app, cuentas, correos,
                                                                         capturar, base_url, correo):  # noqa: F811
    app.config["URL_PUBLICA"] = base_url  # the e-mail's link must open this very server
    # She agreed to share with a CJM her identity, her risk and the aggressor's data: not the facts.
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=["identidad", "riesgo", "agresor"]))
    db.session.commit()
    caso_url = f"/casos/{caso.id}"
    db.session.rollback()

    # 1. A's caseworker uploads the scanned order (a phone photo, GPS and all) and the complaint.
    entrar(page, correos["capturista"])
    page.goto(caso_url)
    _adjuntar(page, "Denuncia", "denuncia.pdf", b"MZ\x90\x00" * 64, "application/pdf")
    expect(page.get_by_text("aunque su nombre diga otra cosa")).to_be_visible()  # a renamed executable
    expect(page.get_by_label("Qué documento es")).to_have_value("denuncia")  # her choice is kept
    capturar("ejecutable-renombrado-rechazado")
    page.get_by_label("Archivo (PDF, JPEG o PNG)").set_input_files(
        {"name": "denuncia.pdf", "mimeType": "application/pdf", "buffer": pdf(2)})
    page.get_by_role("button", name="Adjuntar").click()
    aviso(page, "Documento guardado, cifrado.")
    _adjuntar(page, "Orden de protección", "orden escaneada.jpg", jpeg_con_gps(), "image/jpeg")
    aviso(page, "Documento guardado, cifrado.")
    documentos = page.locator("#titulo-adjuntos").locator("xpath=..")
    expect(documentos.get_by_role("cell", name="Orden de protección")).to_be_visible()
    expect(documentos.get_by_role("cell", name="Denuncia")).to_be_visible()
    capturar("documentos-del-caso")

    # 2. She asks to refer the case to B; her supervisora approves the sending.
    page.get_by_role("link", name="Canalizar a otra institución").click()
    page.get_by_label("Institución a la que se canaliza").select_option(label=INSTITUCION_B)
    page.get_by_role("group", name=re.compile("Servicios que se solicitan")).get_by_label(
        "Asesoría jurídica", exact=True).check()
    page.get_by_label("Motivo de la canalización").fill("Necesita asesoría jurídica (sintético).")
    page.get_by_role("button", name="Solicitar canalización").click()
    aviso(page, "espera la aprobación de una supervisora")
    salir(page)
    entrar(page, correos["supervisora"])
    page.goto("/aprobaciones/")
    page.get_by_role("button", name="Aprobar").click()
    aviso(page, "Solicitud aprobada.")
    salir(page)

    # 3. B's supervisora is told by e-mail: nothing of her, a link that asks for login first.
    mensajes = correo.para(correos["supervisora_b"])
    for _ in range(300):  # up to 30 s: the e-mail leaves after the commit, slower on a loaded machine
        if mensajes:
            break
        page.wait_for_timeout(100)
        mensajes = correo.para(correos["supervisora_b"])
    [mensaje] = mensajes
    cuerpo = mensaje.get_body(preferencelist=("plain",)).get_content()
    texto = f"{mensaje['Subject']}\n{cuerpo}"
    assert not [c for c in CANARIOS if c.lower() in texto.lower()], texto
    [enlace] = re.findall(r"http://\S+", cuerpo)
    page.goto(enlace)
    expect(page).to_have_url(re.compile(r"/entrar"))
    entrar(page, correos["supervisora_b"])
    page.goto(enlace)  # after login the same link opens her inbox, where the referral waits
    page.get_by_role("region", name=re.compile("Esperan su respuesta")).get_by_role("link", name="Abrir").click()
    expect(page.get_by_role("heading", name=re.compile("Canalización de"))).to_be_visible()
    canalizacion_url = page.url

    # 4. She opens the order (her shared data cover it), not the complaint (it needs the facts).
    documentos = page.locator("#titulo-adjuntos").locator("xpath=..")
    expect(documentos.get_by_role("cell", name="Orden de protección")).to_be_visible()
    expect(documentos.get_by_role("cell", name="Denuncia")).to_have_count(0)
    capturar("la-receptora-ve-la-orden")
    orden = _descargar(page, documentos.get_by_role("link", name="Descargar"))
    with Image.open(io.BytesIO(orden)) as imagen:
        assert imagen.format == "JPEG" and not imagen.getexif()  # no GPS, no device
    assert MARCA.encode() not in orden and b"TelefonoCanario" not in orden

    # 5. The oficio she prints carries her name, never what was not shared with B.
    oficio = _texto_pdf(_descargar(page, page.get_by_role("link", name="Descargar oficio (PDF)")))
    assert "Pruebasintetica" in oficio.replace("\n", " ")
    assert RELATO not in oficio and HIJA not in oficio
    assert "Impreso por" in oficio
    enlaces = set(re.findall(r'href="(/adjuntos/[0-9a-f-]{36})"', page.content()))
    salir(page)

    # 6. She withdraws her consent at A: B keeps the referral's record, and opens no document.
    entrar(page, correos["capturista"])
    page.goto(caso_url)
    page.get_by_role("link", name="Registrar que revoca su consentimiento").click()
    page.get_by_label("Quién informó a su institución").select_option(label="Ella misma, en persona")
    page.get_by_label("Motivo").fill("Prefiere no compartir su caso (sintético).")
    page.get_by_label("Confirmo que ella retiró su consentimiento").check()
    page.get_by_role("button", name="Sí, ella revoca su consentimiento").click()
    salir(page)
    entrar(page, correos["supervisora_b"])
    page.goto(canalizacion_url)
    expect(page.get_by_text("ella revocó su consentimiento")).to_be_visible()
    expect(page.locator("#titulo-adjuntos")).to_have_count(0)
    capturar("tras-la-revocacion")
    for ruta in enlaces:
        assert page.goto(ruta).status == 404
    assert NOMBRE not in page.content()
