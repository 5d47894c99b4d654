"""The intake as a capturista does it in a real browser (issue 3, "Done when").

A whole intake, every section filled, then the risk assessment and the case page; the case
found again by CURP and by its name typed without accents; the duplicate notice a colleague of
another institution sees; the draft saved as she types and reopened from the case list; a
validation error that keeps everything typed; the intake page on a phone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from casos.expedientes.curp import digito_verificador
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import CONTRASENA, datos_de_caso

pytestmark = pytest.mark.navegador

TELEFONO = {"width": 375, "height": 740}
HOY = datetime.now(ZoneInfo("America/Mexico_City")).date()

CURP17 = "NUPM900312MZSXRR0"  # synthetic: born 1990-03-12, a woman, Zacatecas
CURP = CURP17 + str(digito_verificador(CURP17))
CURP_DIGITO_ERRONEO = CURP17 + str((digito_verificador(CURP17) + 1) % 10)
NOMBRE = "María Fernanda Núñez Pruebasintética"
NOMBRE_SIN_ACENTOS = "maria fernanda nunez pruebasintetica"
INSTITUCION_A = "Institución de prueba INSTA"  # tests/conftest.py: crear_institucion("INSTA")

# Everything the capturista types, section by section (labels as plantillas/expedientes/nuevo.html
# and casos/expedientes/formularios.py show them).
MUJER = {
    "Nombre completo": NOMBRE,
    "CURP (opcional)": CURP,
    "Fecha de nacimiento": "1990-03-12",
    "Teléfono": "492 555 0101",
    "Domicilio": "Calle Inventada 12, Colonia Ficticia",
    "Lengua indígena (si habla alguna)": "Wixárika",
    "Discapacidad (si tiene alguna)": "Ninguna",
    "Nacionalidad": "Mexicana",
}
MUNICIPIO = "Zacatecas"
CONTACTO = {
    "Teléfono seguro": "492 555 0199",
    "Horario seguro para llamarle": "Martes y jueves de 10 a 12",
    "Persona de confianza y cómo localizarla": "Su hermana Rosa, en la tienda de la esquina",
    "Otras indicaciones para contactarla": "Decir que llaman de la escuela de su hija.",
}
NUNCA_CASA = "Nunca llamar ni acudir a su domicilio"
HIJA = {"Nombre": "Hija Sintética Uno", "Edad": "7"}
AGRESOR = {"Nombre (si se conoce)": "Agresor Sintético Canario"}
RELACION = "Expareja"
FECHA_HECHOS = (HOY - timedelta(days=3)).isoformat()
MUNICIPIO_HECHOS = "Guadalupe"
LUGAR = "Domicilio de ella"
NARRATIVA = ("Relato sintético para pruebas: la empujó y la amenazó frente a su hija; "
             "ella salió de la casa esa noche.")
TIPOS = ("Física", "Psicológica")
MODALIDAD = "Familiar"
INSTITUCIONES = ("Centro de Justicia para las Mujeres", "Secretaría de Salud")
DATOS = ("Nombre, CURP y fecha de nacimiento", "Relato de los hechos")
CONSENTIMIENTO_HASTA = HOY + timedelta(days=365)

# Four "Sí" answers: 5 + 5 + 6 + 5 = 21 points, "alto" (casos/datos/valoracion_riesgo.json).
RESPUESTAS_SI = (
    "La ha amenazado de muerte a ella o a sus hijas e hijos",
    "Ha usado o amenazado con usar un arma",
    "Ha intentado estrangularla o asfixiarla",
    "Ella cree que él podría matarla",
)


# ---- what a person does ----------------------------------------------------------------------

def entrar(page: Page, correo: str):
    page.goto("/entrar")
    page.get_by_label("Correo electrónico").fill(correo)
    page.get_by_label("Contraseña", exact=True).fill(CONTRASENA)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def menu(page: Page, enlace: str):
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name=enlace, exact=True).click()


def grupo(page: Page, nombre: str) -> Locator:
    """A fieldset by its legend."""
    return page.get_by_role("group", name=nombre, exact=True)


def estado_del_borrador(page: Page) -> Locator:
    return page.locator("#estado-borrador")


def llenar_intake(page: Page, curp: str = CURP):
    for etiqueta, valor in {**MUJER, "CURP (opcional)": curp}.items():
        page.get_by_label(etiqueta, exact=True).fill(valor)
    page.get_by_label("Municipio de residencia").select_option(label=MUNICIPIO)

    for etiqueta, valor in CONTACTO.items():
        page.get_by_label(etiqueta, exact=True).fill(valor)
    page.get_by_label(NUNCA_CASA).check()

    hija = grupo(page, "Hija o hijo 1")
    for etiqueta, valor in HIJA.items():
        hija.get_by_label(etiqueta, exact=True).fill(valor)
    hija.get_by_label("También vivió violencia").check()

    agresor = grupo(page, "Persona agresora 1")
    for etiqueta, valor in AGRESOR.items():
        agresor.get_by_label(etiqueta, exact=True).fill(valor)
    agresor.get_by_label("Relación con ella").select_option(label=RELACION)
    agresor.get_by_label("Vive con ella").check()
    agresor.get_by_label("Tiene acceso a armas").check()

    page.get_by_label("Fecha de los hechos (la más reciente)").fill(FECHA_HECHOS)
    page.get_by_label("Municipio donde ocurrieron").select_option(label=MUNICIPIO_HECHOS)
    page.get_by_label("Lugar", exact=True).fill(LUGAR)
    page.get_by_role("textbox", name="Relato de los hechos").fill(NARRATIVA)
    for tipo in TIPOS:
        grupo(page, "Tipos de violencia").get_by_label(tipo, exact=True).check()
    grupo(page, "Modalidades").get_by_label(MODALIDAD, exact=True).check()

    page.get_by_label("Acepta que su caso se canalice a otras instituciones").check()
    for institucion in INSTITUCIONES:
        grupo(page, "Con qué tipo de instituciones").get_by_label(institucion, exact=True).check()
    for dato in DATOS:
        grupo(page, "Qué datos se pueden compartir").get_by_label(dato, exact=True).check()
    page.get_by_label("Vigente hasta (opcional)").fill(CONSENTIMIENTO_HASTA.isoformat())


def comprobar_intake(page: Page, curp: str = CURP):
    """Every value llenar_intake typed is still in the page."""
    for etiqueta, valor in {**MUJER, "CURP (opcional)": curp, **CONTACTO}.items():
        expect(page.get_by_label(etiqueta, exact=True)).to_have_value(valor)
    expect(page.get_by_label("Municipio de residencia").locator("option:checked")).to_have_text(MUNICIPIO)
    expect(page.get_by_label(NUNCA_CASA)).to_be_checked()

    hija = grupo(page, "Hija o hijo 1")
    for etiqueta, valor in HIJA.items():
        expect(hija.get_by_label(etiqueta, exact=True)).to_have_value(valor)
    expect(hija.get_by_label("También vivió violencia")).to_be_checked()

    agresor = grupo(page, "Persona agresora 1")
    for etiqueta, valor in AGRESOR.items():
        expect(agresor.get_by_label(etiqueta, exact=True)).to_have_value(valor)
    expect(agresor.get_by_label("Relación con ella").locator("option:checked")).to_have_text(RELACION)
    expect(agresor.get_by_label("Vive con ella")).to_be_checked()
    expect(agresor.get_by_label("Tiene acceso a armas")).to_be_checked()

    expect(page.get_by_label("Fecha de los hechos (la más reciente)")).to_have_value(FECHA_HECHOS)
    expect(page.get_by_label("Municipio donde ocurrieron").locator("option:checked")).to_have_text(
        MUNICIPIO_HECHOS)
    expect(page.get_by_label("Lugar", exact=True)).to_have_value(LUGAR)
    expect(page.get_by_role("textbox", name="Relato de los hechos")).to_have_value(NARRATIVA)
    for tipo in TIPOS:
        expect(grupo(page, "Tipos de violencia").get_by_label(tipo, exact=True)).to_be_checked()
    expect(grupo(page, "Modalidades").get_by_label(MODALIDAD, exact=True)).to_be_checked()
    expect(page.get_by_label("Acepta que su caso se canalice a otras instituciones")).to_be_checked()
    for institucion in INSTITUCIONES:
        expect(grupo(page, "Con qué tipo de instituciones").get_by_label(
            institucion, exact=True)).to_be_checked()
    for dato in DATOS:
        expect(grupo(page, "Qué datos se pueden compartir").get_by_label(dato, exact=True)).to_be_checked()
    expect(page.get_by_label("Vigente hasta (opcional)")).to_have_value(CONSENTIMIENTO_HASTA.isoformat())


def buscar(page: Page, texto: str):
    menu(page, "Casos")
    page.get_by_label("CURP o nombre completo exacto").fill(texto)
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Buscar caso")


def _ancho_del_documento(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# ---- the tests -------------------------------------------------------------------------------

def test_captura_completa_valoracion_y_busqueda(page: Page, correos, capturar, base_url):
    entrar(page, correos["capturista"])
    menu(page, "Registrar caso")
    expect(page).to_have_url(f"{base_url}/casos/nuevo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar caso")

    llenar_intake(page)
    # She took a moment: the autosave ran, so registering must also discard that draft.
    expect(estado_del_borrador(page)).to_contain_text("Borrador guardado a las")
    expect(page.locator("#aviso-duplicado")).to_be_hidden()  # nobody else has this CURP
    capturar("intake-lleno")

    page.get_by_role("button", name="Registrar caso").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/casos/[0-9a-f-]{{36}}/valoracion$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Valoración de riesgo")
    expect(page.get_by_role("status").filter(has_text="Caso registrado")).to_have_text(
        "Caso registrado. Ahora valore el riesgo.")
    expect(page.get_by_text(NOMBRE)).to_be_visible()
    for no_sabe in page.locator('.cuestionario input[value="no_sabe"]').all():
        no_sabe.check()  # every question needs an explicit answer
    for pregunta in RESPUESTAS_SI:
        grupo(page, pregunta).get_by_label("Sí", exact=True).check()
    grupo(page, "Ella lo dejó o está por dejarlo").get_by_label("No", exact=True).check()
    capturar("valoracion")

    page.get_by_role("button", name="Registrar valoración").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/casos/[0-9a-f-]{{36}}$"))
    expect(page.get_by_role("status").filter(has_text="Valoración registrada")).to_have_text(
        "Valoración registrada: riesgo alto.")
    encabezado = page.locator(".encabezado-caso")
    expect(encabezado.get_by_role("heading", level=1)).to_have_text(NOMBRE)
    expect(encabezado.locator(".nivel")).to_have_text("Alto")
    expect(encabezado.locator(".urgente")).to_have_text("URGENTE")
    expect(encabezado).to_contain_text("Riesgo alto: valore solicitar una orden de protección.")
    contacto = page.get_by_role("region", name="Antes de contactarla")
    expect(contacto.locator(".alerta-contacto")).to_have_text(NUNCA_CASA + ".")
    expect(contacto).to_contain_text(CONTACTO["Teléfono seguro"])
    expect(contacto).to_contain_text(CONTACTO["Horario seguro para llamarle"])
    expect(contacto).to_contain_text(CONTACTO["Persona de confianza y cómo localizarla"])
    pagina = page.get_by_role("main")
    for texto in (CURP, "12/03/1990", MUNICIPIO, "Wixárika", NARRATIVA, "Modalidades: Familiar.", "Hija Sintética Uno, 7 años", "también vivió violencia",
                  "Agresor Sintético Canario · Expareja · vive con ella",
                  "tiene acceso a armas", "Centro de Justicia para las Mujeres",
                  "Vigente hasta el " + CONSENTIMIENTO_HASTA.strftime("%d/%m/%Y")):
        expect(pagina).to_contain_text(texto)
    # Both types, in whatever order the database returns them (not the same on SQLite and
    # PostgreSQL: Hecho.tipos_rel has no order_by).
    expect(pagina).to_contain_text(re.compile(r"Tipos: (Física, Psicológica|Psicológica, Física)\."))
    capturar("caso")

    menu(page, "Casos")  # the autosaved draft went away with the registration
    expect(page.get_by_role("heading", name="Sus borradores sin terminar")).to_have_count(0)
    fila = page.locator("tbody tr").filter(has_text=NOMBRE)
    expect(fila).to_have_count(1)
    expect(fila).to_contain_text("URGENTE")

    buscar(page, CURP)
    expect(page.get_by_role("heading", level=2)).to_have_text("1 resultado")
    expect(page.get_by_role("link", name=NOMBRE)).to_be_visible()
    expect(page).not_to_have_url(re.compile(CURP))  # never in a URL
    capturar("busqueda-por-curp")

    buscar(page, NOMBRE_SIN_ACENTOS)
    expect(page.get_by_role("heading", level=2)).to_have_text("1 resultado")
    page.get_by_role("link", name=NOMBRE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NOMBRE)
    capturar("busqueda-por-nombre-y-caso")


def test_la_colega_de_otra_institucion_ve_solo_el_aviso_de_duplicado(page: Page, cuentas, correos,
                                                                     capturar):
    # The case of test 1, registered by institution A (through the same service as the form).
    registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE, curp=CURP))
    db.session.commit()
    db.session.rollback()

    entrar(page, correos["capturista_b"])
    menu(page, "Registrar caso")
    page.get_by_label("Nombre completo").fill("Otra forma de escribir su nombre")
    aviso = page.locator("#aviso-duplicado")
    expect(aviso).to_be_hidden()
    with page.expect_response("**/casos/duplicados") as respuesta:
        page.get_by_label("CURP (opcional)").fill(CURP.lower())  # typed as she hears it
        page.keyboard.press("Tab")
    assert respuesta.value.json() == {"instituciones": [INSTITUCION_A]}
    expect(aviso).to_be_visible()
    expect(aviso).to_have_text(
        f"Posible duplicado: ya existe un caso en {INSTITUCION_A}. "
        "Puede solicitarlo por canalización en lugar de registrarlo de nuevo.")
    cuerpo = page.locator("body").inner_text()
    for secreto in ("María Fernanda", "Maria Fernanda", "Núñez", "Pruebasint", "Relato canario", "Agresor Sint",
                    "Hija Sint", "Calle Ficticia", "4929990001", CURP17[:10]):
        assert secreto not in cuerpo, secreto
    capturar("aviso-de-duplicado")

    # Nor can she find it by searching: it is not a case her institution may see.
    buscar(page, CURP)
    expect(page.get_by_role("heading", level=2)).to_have_text("0 resultados")
    expect(page.get_by_role("main")).not_to_contain_text(NOMBRE)
    capturar("busqueda-sin-resultados")


def test_el_borrador_se_guarda_solo_y_se_continua_desde_casos(page: Page, correos, capturar,
                                                               base_url):
    entrar(page, correos["capturista"])
    menu(page, "Registrar caso")
    expect(estado_del_borrador(page)).to_have_text("")
    parcial = "Llegó acompañada de su hermana. Dice que él"
    page.get_by_label("Nombre completo").fill(NOMBRE)
    page.get_by_role("textbox", name="Relato de los hechos").press_sequentially(parcial)

    expect(estado_del_borrador(page)).to_have_text(re.compile(r"^Borrador guardado a las \d{1,2}:\d{2}"))
    capturar("borrador-guardado")

    menu(page, "Casos")  # without registering
    expect(page.get_by_role("heading", name="Sus borradores sin terminar")).to_be_visible()
    expect(page.get_by_role("cell", name="No hay casos con estos filtros.")).to_be_visible()
    capturar("casos-con-borrador")

    page.get_by_role("link", name="Continuar").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/casos/nuevo/[0-9a-f-]+$"))
    expect(page.get_by_label("Nombre completo")).to_have_value(NOMBRE)
    expect(page.get_by_role("textbox", name="Relato de los hechos")).to_have_value(parcial)
    expect(estado_del_borrador(page)).to_have_text("Borrador guardado.")
    capturar("borrador-continuado")


def test_un_error_se_explica_junto_al_campo_y_nada_se_pierde(page: Page, correos, capturar,
                                                              base_url):
    entrar(page, correos["capturista"])
    menu(page, "Registrar caso")
    llenar_intake(page, curp=CURP_DIGITO_ERRONEO)
    page.get_by_role("button", name="Registrar caso").click()

    expect(page).to_have_url(f"{base_url}/casos/nuevo")
    # One alert names the field to fix and links to it; a quieter note says the draft is safe.
    resumen = page.get_by_role("alert").filter(has_text="por corregir")
    expect(resumen).to_have_text("Hay 1 campo por corregir: CURP (opcional).")
    expect(resumen.get_by_role("link", name="CURP (opcional)")).to_have_attribute("href", "#curp")
    expect(page.get_by_role("status").filter(has_text="Lo que escribió")).to_have_text(
        "Lo que escribió quedó guardado como borrador.")
    curp = page.get_by_label("CURP (opcional)")
    expect(curp).to_have_attribute("aria-invalid", "true")
    expect(curp).to_have_accessible_description(
        "El dígito verificador de la CURP no coincide; revise que esté bien escrita.")
    expect(page.locator("#curp-error")).to_be_visible()
    expect(page.locator(".con-error")).to_have_count(1)  # only the CURP is marked
    comprobar_intake(page, curp=CURP_DIGITO_ERRONEO)
    expect(estado_del_borrador(page)).to_have_text("Borrador guardado.")
    capturar("error-de-curp")

    curp.fill(CURP)  # corrected, the same intake goes through and its draft goes away
    page.get_by_role("button", name="Registrar caso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Valoración de riesgo")
    menu(page, "Casos")
    expect(page.get_by_role("heading", name="Sus borradores sin terminar")).to_have_count(0)
    expect(page.locator("tbody tr").filter(has_text=NOMBRE)).to_have_count(1)


@pytest.mark.browser_context_args(viewport=TELEFONO, is_mobile=True, has_touch=True)
def test_la_captura_en_un_telefono_no_se_desplaza_a_lo_ancho(page: Page, correos, capturar,
                                                              base_url):
    entrar(page, correos["capturista"])
    page.goto("/casos/nuevo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar caso")
    capturar("intake-en-telefono")
    assert _ancho_del_documento(page) <= TELEFONO["width"], "la captura se desplaza a lo ancho"

    page.get_by_role("button", name="Registrar caso").click()  # empty: every error shown
    expect(page.get_by_role("alert").filter(has_text="por corregir")).to_be_visible()
    capturar("errores-en-telefono")
    assert _ancho_del_documento(page) <= TELEFONO["width"], "los errores se desplazan a lo ancho"
