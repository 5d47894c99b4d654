"""The whole route of care in a real browser: intake at one institution, a referral its
supervisora approves, acceptance and counter-referral at another, closure with approval.
Every step leaves a screenshot and shows in the case history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import CONTRASENA, codigo_totp, olvidar_ultimo_codigo
from tests.navegador.test_intake_navegador import NOMBRE, llenar_intake, menu

pytestmark = pytest.mark.navegador
INSTITUCION_B = "Institución de prueba INSTB"


def entrar(page: Page, correo: str):
    page.goto("/entrar")
    page.get_by_label("Correo electrónico").fill(correo)
    page.get_by_label("Contraseña", exact=True).fill(CONTRASENA)
    page.get_by_role("button", name="Entrar").click()
    if page.url.endswith("/entrar/codigo"):
        olvidar_ultimo_codigo(correo)
        page.get_by_label("Código de 6 dígitos", exact=False).fill(codigo_totp())
        page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def salir(page: Page):
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("status")).to_have_text("Cerró su sesión.")


def aviso(page: Page, texto: str):
    expect(page.get_by_role("status").filter(has_text=texto).first).to_be_visible()


def test_la_ruta_completa_en_el_navegador(page: Page, correos, capturar, base_url):
    # 1. Intake at institution A.
    entrar(page, correos["capturista"])
    menu(page, "Registrar caso")
    llenar_intake(page)
    page.get_by_role("button", name="Registrar caso").click()
    expect(page).to_have_url(re.compile(r"/casos/[0-9a-f-]{36}/valoracion$"))
    caso_url = page.url.removesuffix("/valoracion")
    page.goto(caso_url)
    capturar("caso-registrado")

    # 2. She asks to refer it to institution B.
    page.get_by_role("link", name="Canalizar a otra institución").click()
    page.get_by_label("Institución a la que se canaliza").select_option(label=INSTITUCION_B)
    page.get_by_role("group", name=re.compile("Servicios que se solicitan")).get_by_label(
        "Asesoría jurídica", exact=True).check()
    page.get_by_label("Motivo de la canalización").fill("Necesita asesoría jurídica (sintético).")
    capturar("canalizacion-solicitada")
    page.get_by_role("button", name="Solicitar canalización").click()
    aviso(page, "espera la aprobación de una supervisora")
    salir(page)

    # 3. Her supervisora approves the sending (second factor included).
    entrar(page, correos["supervisora"])
    menu(page, "Aprobaciones")
    expect(page.get_by_role("heading", name="Enviar")).to_be_visible()
    capturar("bandeja-de-aprobaciones")
    page.get_by_role("button", name="Aprobar").click()
    aviso(page, "Solicitud aprobada.")
    salir(page)

    # 4. Institution B sees it with only what was consented, and accepts it.
    entrar(page, correos["capturista_b"])
    menu(page, "Canalizaciones")
    page.get_by_role("link", name="Abrir").first.click()
    expect(page.get_by_text(NOMBRE)).to_be_visible()  # identity was consented
    capturar("canalizacion-recibida")
    page.get_by_role("button", name="Aceptar").click()
    aviso(page, "Aceptada")

    # 5. …and reports back what it did (counter-referral).
    page.get_by_label("Asesoría jurídica").check()
    page.get_by_label("Contrarreferencia: qué se hizo y qué sigue").fill("Se brindó asesoría (sintético).")
    page.get_by_role("button", name="Registrar contrarreferencia").click()
    aviso(page, "Atendida")
    capturar("contrarreferencia")
    salir(page)

    # 6. The caseworker asks to close the case; her supervisora approves.
    entrar(page, correos["capturista"])
    page.goto(caso_url)
    # Closing sits in "Acciones del caso", its form folded until she asks for it.
    expect(page.get_by_label("Motivo para «cerrar el caso»")).to_be_hidden()
    page.get_by_text("Cerrar el caso…").click()
    page.get_by_label("Motivo para «cerrar el caso»").fill("Atención concluida (sintético).")
    page.get_by_role("button", name="Solicitar: cerrar el caso").click()
    aviso(page, "Solicitud enviada a supervisión")
    salir(page)
    entrar(page, correos["supervisora"])
    menu(page, "Aprobaciones")
    page.get_by_role("button", name="Aprobar").click()
    aviso(page, "Solicitud aprobada.")
    page.goto(caso_url)
    expect(page.locator(".subtitulo").first).to_contain_text("Cerrado")
    historial = page.get_by_role("table").filter(has_text="Qué pasó")
    for paso in ("Registró el caso", "Pidió a una supervisora aprobar el envío de la canalización a",
                 "Envió la canalización a", "Aceptó la canalización a",
                 "Registró la contrarreferencia de la canalización a", "Cerró el caso"):
        expect(historial).to_contain_text(paso)
    capturar("caso-cerrado-con-historial")


def test_la_gestora_ve_el_tablero_y_ningun_caso(page: Page, correos, capturar, base_url, app, cuentas):
    from datetime import datetime, timezone

    from casos.bd import hoy_local
    from casos.estadisticas import ediciones
    from casos.expedientes.servicios import registrar_caso
    from casos.extensiones import db
    from tests.conftest import datos_de_caso

    # Registered in the last month an edition may publish: the dashboard shows editions only.
    mes = ediciones.ultimo_mes_publicable(hoy_local(), ediciones.gracia_dias())
    en_el_mes = datetime(int(mes[:4]), int(mes[5:7]), 15, 18, tzinfo=timezone.utc)
    for numero in range(12):
        registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Sintetica Tablero {numero}")
                       ).creado_en = en_el_mes
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(nombre="Sintetica Tablero Ultima"))
    caso.creado_en = en_el_mes
    db.session.commit()
    caso_id = caso.id
    db.session.rollback()
    assert ediciones.publicar().edicion is not None

    entrar(page, correos["gestora"])
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Estadística").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Estadística estatal")
    # It opens on the summary: the first section after the form, the others closed.
    primeras = page.evaluate("""() => [...document.querySelectorAll("main > section, main > details")]
        .slice(0, 3).map((s) => s.id || s.tagName.toLowerCase() + (s.querySelector("form") ? ":form" : ""))""")
    assert primeras[:2] == ["section:form", "resumen"], primeras
    resumen = page.get_by_role("region", name="Resumen")
    expect(resumen.get_by_role("heading", name="Mujeres atendidas")).to_be_visible()
    expect(resumen.locator("#r-mujeres_atendidas .resumen-valor")).to_have_text("13")
    for titulo in ("Órdenes de protección emitidas en 4 horas o menos", "Canalizaciones respondidas a tiempo",
                   "Revaloraciones de riesgo hechas a tiempo"):
        expect(resumen.get_by_role("heading", name=titulo)).to_be_visible()
    secciones = page.locator("details.seccion")
    assert secciones.count() >= 5
    assert page.evaluate("() => [...document.querySelectorAll('details.seccion')].every((d) => !d.open)")
    expect(page.locator("svg.grafica").first).to_be_hidden()
    capturar("tablero-resumen")
    # A section opens with a tap: its chart beside its table.
    page.locator("#s-municipio > summary").click()
    municipio = page.locator("#s-municipio")
    expect(municipio.locator("svg.grafica").first).to_be_visible()  # charts, drawn by the server
    expect(municipio.get_by_role("table").first).to_be_visible()  # …with their numbers beside them
    grafica, tabla = (municipio.locator(sel).first.bounding_box() for sel in ("svg.grafica", ".tabla-desplazable"))
    assert tabla["x"] >= grafica["x"] + grafica["width"], "en el escritorio, la tabla va junto a su gráfica"
    expect(page.get_by_text("Sintetica Tablero")).to_have_count(0)
    capturar("tablero")
    # Printing opens every section (imprimir.js, on the browser's "beforeprint").
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("() => [...document.querySelectorAll('details.seccion')].every((d) => d.open)")
    expect(page.get_by_role("button", name="Imprimir")).to_be_hidden()  # on paper, no buttons
    capturar("tablero-impreso")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.evaluate("() => document.querySelector('#s-municipio').open")  # hers stays open
    expect(page.get_by_role("button", name="Imprimir")).to_be_visible()
    # A gestora never reaches a case, even knowing its address.
    page.goto(f"/casos/{caso_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acceso denegado")
    capturar("caso-denegado")
