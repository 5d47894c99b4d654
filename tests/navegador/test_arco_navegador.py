"""An ARCO request from its receipt to its end in a real browser, at desktop width (issue 16,
"Done when"): the admin, as the transparency officer, registers a request to cancel a woman's
data (first with no identification and a case of another institution: told why, in Spanish,
with what she typed kept), reads the reminder that the requester may be the aggressor and sees
nothing of the case until she accredits the identity and the representation, answers it and
carries it out: the case's data are crypto-shredded, its statistics kept. The deadlines on the
page are counted in días hábiles. Every step leaves a screenshot in artefactos/capturas/<test>/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from casos.arco.calendario import calendario
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from tests.conftest import datos_de_caso
from tests.navegador.test_ruta_navegador import aviso, entrar
from tests.reloj import hoy_en_mexico
from tests.test_acceso_por_estructura import CANARIOS

pytestmark = [pytest.mark.navegador, pytest.mark.reloj]

ESCRITORIO = {"width": 1280, "height": 800}
INSTITUCION_A = "Institución de prueba INSTA"  # tests/conftest.py: crear_institucion("INSTA")


def _dia(d) -> str:
    return d.strftime("%d/%m/%Y")


@pytest.mark.browser_context_args(viewport=ESCRITORIO)
def test_una_solicitud_de_cancelacion_de_la_recepcion_a_su_fin(page: Page, app, cuentas, correos, capturar):
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso())
    ajeno = servicios.registrar_caso(cuentas["capturista_b"], datos_de_caso(nombre="Otra Sintetica"))
    db.session.commit()
    caso_id, ajeno_id, municipio = str(caso.id), str(ajeno.id), caso.municipio
    db.session.rollback()
    hoy = hoy_en_mexico()

    # 1. Her home: nothing waiting yet; the menu leads to the requests.
    entrar(page, correos["admin"])
    expect(page.get_by_text("solicitudes ARCO atrasadas")).to_be_visible()
    capturar("inicio")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Solicitudes ARCO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicitudes ARCO abiertas")
    page.get_by_role("link", name="Registrar solicitud").click()

    # 2. The request as it arrived: no identification, and the id of another institution's case.
    expect(page.get_by_text("puede ser la persona agresora")).to_be_visible()
    page.get_by_label("Institución ante la que se presentó").select_option(label=INSTITUCION_A)
    page.get_by_label("Identificador del caso").fill(ajeno_id)
    page.get_by_label("Derecho que ejerce").select_option("cancelacion")
    page.get_by_label("Cómo llegó").select_option("escrito")
    page.get_by_label("Quién la presenta").select_option("representante")
    page.get_by_label("Folio de la solicitud (si tiene)").fill("UT/2026/0077")
    page.get_by_label("Qué pide").fill("Que se eliminen los datos que la institución tiene de ella (sintético).")
    capturar("formulario")
    page.get_by_role("button", name="Registrar solicitud").click()
    expect(page.get_by_text(f"Ese caso no es de {INSTITUCION_A}")).to_be_visible()
    expect(page.get_by_text("Sin una identificación oficial no hay identidad verificable")).to_be_visible()
    expect(page.get_by_label("Qué pide")).to_have_value(re.compile("Que se eliminen"))  # kept
    capturar("errores")
    page.get_by_label("Identificador del caso").fill(caso_id)
    page.get_by_label("Identificación oficial que presentó").select_option("ine")
    page.get_by_role("button", name="Registrar solicitud").click()

    # 3. Registered: the terms in días hábiles; nothing of the case before identity.
    expect(page).to_have_url(re.compile(r"/arco/[0-9a-f-]{36}$"))
    aviso(page, "Solicitud ARCO registrada")
    expect(page.locator("#estado-arco")).to_have_text("Recibida")
    respuesta = calendario().sumar(hoy, 20)
    expect(page.locator("#plazos-arco")).to_contain_text(f"Responder (20){_dia(respuesta)}")
    expect(page.locator("#plazos-arco")).to_contain_text(_dia(calendario().sumar(hoy, 5)))
    expect(page.locator("#caso-oculto")).to_be_visible()
    expect(page.get_by_text(caso_id)).to_have_count(0)
    capturar("recibida")

    # 4. Identity: a representative without what makes her one is refused; then accredited.
    formulario = page.locator("#accion-acreditar_identidad")
    formulario.get_by_label("Cotejé la identificación").check()
    formulario.get_by_role("button", name="Acreditar la identidad").click()
    expect(page.get_by_role("alert")).to_contain_text("Elija el documento que acredita la representación")
    expect(page.locator("#estado-arco")).to_have_text("Recibida")
    formulario = page.locator("#accion-acreditar_identidad")
    formulario.get_by_label("Cotejé la identificación").check()
    formulario.get_by_label("Documento que acredita la representación").select_option("instrumento_publico")
    formulario.get_by_label("Notas del cotejo").fill("Poder notarial sintético cotejado")
    formulario.get_by_role("button", name="Acreditar la identidad").click()
    expect(page.locator("#estado-arco")).to_have_text("Identidad acreditada")
    expect(page.locator("#del-caso")).to_contain_text(caso_id)
    for canario in CANARIOS:  # the admin never reads the case
        expect(page.get_by_text(canario)).to_have_count(0)
    capturar("identidad-acreditada")

    # 5. The answer, then carrying it out: her data are erased.
    page.locator("#accion-conceder").get_by_role("button", name="Responder: procedente").click()
    expect(page.locator("#estado-arco")).to_have_text("Procedente")
    expect(page.locator("#plazos-arco")).to_contain_text(_dia(calendario().sumar(hoy, 15)))
    capturar("procedente")
    efectiva = page.locator("#accion-hacer_efectivo")
    expect(efectiva).to_contain_text("Se eliminarán para siempre los datos personales del caso")
    efectiva.get_by_label("Entiendo que no se puede deshacer").check()
    efectiva.get_by_role("button", name="Hacerla efectiva: eliminar los datos del caso").click()
    expect(page.locator("#estado-arco")).to_have_text("Hecha efectiva")
    expect(page.get_by_text("ilegible")).to_be_visible()
    expect(page.get_by_role("heading", name="Acciones")).to_have_count(0)
    capturar("hecha-efectiva")
    db.session.rollback()
    borrado = db.session.get(Caso, caso.id)
    assert borrado.datos_eliminados and borrado.municipio == municipio
    db.session.rollback()

    # 6. The list keeps it, finished.
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Solicitudes ARCO").click()
    expect(page.get_by_text("No hay solicitudes ARCO abiertas.")).to_be_visible()
    page.get_by_role("link", name="Ver también las terminadas").click()
    expect(page.locator("#solicitudes-arco")).to_contain_text("Hecha efectiva")
    capturar("lista")
