"""The working pages on a 390 × 844 phone and on a 1280 px desktop (issue 12, item 9).

Each role logs in through the pages and opens what she works with: home, the case list, a case,
pendientes, the intake form, the approval and referral inboxes, the admin and audit lists. A page
fails if it scrolls sideways (document wider than the window); the message names the element that
sticks out. Every page leaves a screenshot in artefactos/capturas/<test>/ (gitignored).

On a phone the header is one bar (brand, "Menú", "Salir") and list tables become cards
(casos/estaticos/estilo.css, "Tablas apilables")."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

import pytest
from playwright.sync_api import Page, expect

from casos.bd import ahora
from casos.cuentas import servicios as cuentas_servicios
from casos.expedientes import servicios
from casos.expedientes.servicios import guardar_borrador
from casos.extensiones import db
from tests.conftest import CONTRASENA, datos_de_caso
from tests.navegador.test_entrar_navegador import llenar_entrada
from tests.navegador.test_ruta_navegador import entrar
from tests.test_movimientos_ilegales import (
    canalizacion_unica,
    pedir_canalizacion,
    resolver,
    responder,
    solicitud_de,
)
from tests.test_ordenes_y_pendientes import GRAVES, pedir_orden, valorar

pytestmark = pytest.mark.navegador

TELEFONO = {"width": 390, "height": 844}
ESCRITORIO = {"width": 1280, "height": 800}
EN_TELEFONO = pytest.mark.browser_context_args(viewport=TELEFONO, is_mobile=True, has_touch=True)
EN_ESCRITORIO = pytest.mark.browser_context_args(viewport=ESCRITORIO)
# A long name, as many are: it must wrap, never widen the page.
NOMBRE_LARGO = "María Guadalupe Concepción Berumen Castañeda de la Torre Pruebasintética"

# What each role opens ("{caso}", "{canalizacion}"… are filled from the seeded data). Every page
# the app serves is here or in NO_SE_ABREN_AQUI: test_cada_pagina_de_la_app_se_prueba_en_telefono
# fails for a page added without either.
PAGINAS = {
    "capturista": {
        "inicio": "/", "casos": "/casos/", "caso": "/casos/{caso}", "pendientes": "/pendientes",
        "registrar": "/casos/nuevo", "borrador": "/casos/nuevo/{borrador}",
        "canalizaciones": "/canalizaciones/", "valorar": "/casos/{caso}/valoracion",
        "canalizar": "/canalizaciones/nueva/{caso}", "orden": "/casos/{caso}/ordenes/nueva",
        "atencion": "/casos/{caso}/atenciones/nueva", "revocar": "/casos/{caso}/consentimiento/revocar",
        "contrasena": "/cuenta/contrasena", "dos_pasos": "/cuenta/segundo-factor", "avisos": "/cuenta/avisos"},
    "supervisora": {
        "inicio": "/", "casos": "/casos/", "caso": "/casos/{caso}", "pendientes": "/pendientes",
        "aprobaciones": "/aprobaciones/", "canalizaciones": "/canalizaciones/",
        "accesos": "/casos/{caso}/accesos", "asignar": "/casos/{caso}/asignar"},
    "capturista_b": {
        "inicio": "/", "canalizaciones": "/canalizaciones/", "canalizacion": "/canalizaciones/{canalizacion}",
        "caso_recibido": "/casos/{caso}", "atencion": "/canalizaciones/{canalizacion}/atenciones/nueva"},
    "gestora": {"inicio": "/", "estadistica": "/estadisticas/"},
    "admin": {
        "inicio": "/", "instituciones": "/admin/instituciones", "institucion": "/admin/instituciones/{institucion}",
        "institucion_nueva": "/admin/instituciones/nueva", "cuentas": "/admin/cuentas",
        "cuenta": "/admin/cuentas/{cuenta}", "cuenta_nueva": "/admin/cuentas/nueva",
        "bitacora": "/admin/auditoria", "tokens": "/admin/api/tokens", "eliminar": "/casos/eliminar-datos"},
}
# The GET routes that are not a page a person works on once logged in, and why.
NO_SE_ABREN_AQUI = {
    "static": "archivos", "salud.salud": "comprobación de salud (JSON)",
    "api.catalogos": "API JSON", "api.estadisticas": "API JSON", "api.openapi": "API JSON",
    "estadisticas.exportar_csv": "descarga CSV", "estadisticas.exportar_json": "descarga JSON",
    "admin.panel": "redirige a la página de cuentas",
    "cuentas.entrar": "sin sesión: test_entrar_en_un_telefono",
    "segundo_factor.codigo": "sin sesión: cada prueba entra por ella a lo ancho del teléfono (entrar)",
    "segundo_factor.alta": "sin sesión, solo la primera vez: tests/navegador/test_entrar_navegador.py",
    "cuentas.activar": "sin sesión, con un enlace de un solo uso: tests/navegador/test_entrar_navegador.py",
}
# Finds what sticks out: of the visible elements whose right edge passes the window (and that no
# scrolling box of their own clips), the one reaching furthest right, the outermost on a tie.
_DESBORDE = """() => {
  const ancho = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= ancho) return null;
  const recortado = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const estilo = getComputedStyle(a);
      if (estilo.overflowX !== "visible" && a.getBoundingClientRect().right <= ancho + 1) return true;
    }
    return false;
  };
  const describir = (el) => {
    const ruta = [];
    for (let e = el; e && e !== document.body && ruta.length < 5; e = e.parentElement) {
      ruta.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + [...e.classList].map((c) => "." + c).join(""));
    }
    return ruta.join(" > ");
  };
  let peor = null;
  for (const el of document.body.querySelectorAll("*")) {
    const caja = el.getBoundingClientRect();
    if (caja.width === 0 || caja.height === 0 || caja.right <= ancho + 1 || recortado(el)) continue;
    if (!peor || caja.right > peor.derecha + 1) {
      peor = {derecha: caja.right, ancho_el: caja.width, el: el};
    }
  }
  return {
    documento: document.documentElement.scrollWidth, ventana: ancho,
    elemento: peor ? describir(peor.el) : "(ninguno visible)",
    derecha: peor ? Math.round(peor.derecha) : null, ancho_el: peor ? Math.round(peor.ancho_el) : null,
    texto: peor ? (peor.el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 60) : "",
  };
}"""

# A box that must be scrolled sideways to read what it holds: on a phone a list table becomes
# cards (table.apilable); only statistics grids (table.numeros) scroll inside their own box.
_RECORTADOS = """() => [...document.body.querySelectorAll("*")]
  .filter((el) => !el.matches("input, textarea, select, pre, svg, svg *"))
  .filter((el) => getComputedStyle(el).overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1)
  .filter((el) => !el.querySelector("table.numeros") && el.getBoundingClientRect().width > 2)
  .map((el) => {
    const ruta = [];
    for (let e = el; e && e !== document.body && ruta.length < 5; e = e.parentElement) {
      ruta.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + [...e.classList].map((c) => "." + c).join(""));
    }
    const encabezados = [...el.querySelectorAll("th")].map((th) => th.innerText.trim()).slice(0, 4).join(", ");
    return `${ruta.join(" > ")} (muestra ${el.clientWidth} de ${el.scrollWidth} px`
      + (encabezados ? `; columnas ${encabezados}…)` : ")");
  })
"""

# Controls a caseworker taps: header, list cards, buttons. Inline links inside running text are
# exempt (WCAG 2.5.8), as are controls hidden in a closed menu.
_TOQUES_CHICOS = """() => [...document.querySelectorAll(
    "header a, header button, header summary, table.apilable a, table.apilable button, .boton")]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
  .map((el) => ({el, caja: el.getBoundingClientRect()}))
  .filter(({caja}) => caja.width > 0 && caja.height < 44 - 0.5)
  .map(({el, caja}) => `${el.tagName.toLowerCase()} «${el.innerText.trim().slice(0, 30)}» ${Math.round(caja.height)} px`)
"""

# Text smaller than 13 px is hard to read on a phone.
_LETRA_CHICA = """() => [...document.body.querySelectorAll("*")]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .filter((el) => el.getClientRects().length && parseFloat(getComputedStyle(el).fontSize) < 13)
  .filter((el) => !el.closest(".oculto, .saltar, svg"))
  .map((el) => `${el.tagName.toLowerCase()} «${el.innerText.trim().slice(0, 30)}» ${getComputedStyle(el).fontSize}`)
"""


@pytest.fixture
def mundo(app, cuentas, como) -> dict:
    """A lived-in day for institutions A and B, through the pages where a person would act:
    an urgent case with a risk assessment, a protection order to issue and a referral to B
    already sent; another case whose referral waits for A's supervisora."""
    app.config["DEMO"] = True  # the demo banner is part of the phone's header
    urgente = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE_LARGO))
    otro = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        nombre="Ana Sintética Pruebas", tipos_institucion=["cjm"]))
    for numero in range(3):
        servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Sintética Relleno {numero}"))
    db.session.commit()
    capturista, supervisora = como("capturista"), como("supervisora")
    valorar(capturista, urgente, si=GRAVES)
    assert pedir_orden(capturista, urgente, ahora()).status_code == 302
    assert pedir_canalizacion(capturista, urgente, cuentas.institucion_b).status_code == 302
    assert resolver(supervisora, solicitud_de("enviar")).status_code == 302
    canalizacion = canalizacion_unica()
    assert pedir_canalizacion(capturista, otro, cuentas.institucion_b,
                              servicios_=("juridica", "psicologica")).status_code == 302
    # B accepted the first one: it records its services under it.
    assert responder(como("capturista_b"), canalizacion, "aceptar").status_code == 302
    borrador = guardar_borrador(cuentas["capturista"], None, {"nombre": ["Borrador sintético"]})
    db.session.commit()
    datos = {"caso": urgente.id, "canalizacion": canalizacion.id, "borrador": borrador.id,
             "cuenta": cuentas["capturista"].id, "institucion": cuentas.institucion_a.id}
    db.session.rollback()  # the browser's requests never wait on this test's transaction
    return datos


def _casos(anchura: str):
    for rol, paginas in PAGINAS.items():
        for pagina in paginas:
            yield pytest.param(rol, pagina, id=f"{rol}-{pagina}")


def _desborde(page: Page) -> str | None:
    hallado = page.evaluate(_DESBORDE)
    if hallado is None:
        return None
    return (f"{page.url}: el documento mide {hallado['documento']} px en una ventana de "
            f"{hallado['ventana']} px; sobresale {hallado['elemento']} (borde derecho en "
            f"{hallado['derecha']} px, {hallado['ancho_el']} px de ancho) «{hallado['texto']}»")


def _abrir(page: Page, mundo: dict, rol: str, pagina: str):
    respuesta = page.goto(PAGINAS[rol][pagina].format(**mundo))
    assert respuesta is not None and respuesta.status == 200, f"{rol} no abre {pagina}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@EN_TELEFONO
@pytest.mark.parametrize(("rol", "pagina"), list(_casos("telefono")))
def test_en_un_telefono_nada_se_desplaza_a_lo_ancho(page: Page, correos, mundo, capturar, rol, pagina):
    entrar(page, correos[rol])
    _abrir(page, mundo, rol, pagina)
    capturar(f"{rol}-{pagina}")
    assert (desborde := _desborde(page)) is None, desborde
    assert not (recortados := page.evaluate(_RECORTADOS)), f"se leen desplazando a lo ancho: {recortados}"
    assert not (chicos := page.evaluate(_TOQUES_CHICOS)), f"controles de menos de 44 px: {chicos}"
    assert not (letra := page.evaluate(_LETRA_CHICA)), f"letra de menos de 13 px: {letra}"


@EN_ESCRITORIO
@pytest.mark.parametrize("rol", PAGINAS)
def test_en_el_escritorio_nada_se_desplaza_a_lo_ancho(page: Page, correos, mundo, capturar, rol):
    entrar(page, correos[rol])
    # The whole menu is in the bar, with no "Menú" button in the way.
    expect(page.get_by_role("navigation", name="Principal").get_by_role("link", name="Inicio")).to_be_visible()
    expect(page.locator(".menu > summary")).to_be_hidden()
    desbordes = []
    for pagina in PAGINAS[rol]:
        _abrir(page, mundo, rol, pagina)
        capturar(f"{rol}-{pagina}")
        if desborde := _desborde(page):
            desbordes.append(desborde)
    assert not desbordes, "\n".join(desbordes)


@EN_TELEFONO
def test_la_cabecera_del_telefono_es_una_barra_y_el_menu_se_abre(page: Page, correos, mundo, capturar):
    entrar(page, correos["supervisora"])
    cabecera = page.get_by_role("banner")
    aviso_demo = page.get_by_role("note").filter(has_text="DEMOSTRACIÓN")
    expect(aviso_demo).to_be_visible()
    # One bar: brand, "Menú" and "Salir" on a single line; the links wait behind "Menú".
    alto = cabecera.bounding_box()["height"]
    assert alto <= 64, f"la cabecera mide {alto} px de alto en un teléfono"
    alto_aviso = aviso_demo.bounding_box()["height"]
    assert alto + alto_aviso <= 0.125 * TELEFONO["height"], (
        f"cabecera y aviso ocupan {alto + alto_aviso} px de {TELEFONO['height']}")
    principal = page.get_by_role("navigation", name="Principal")
    expect(principal).to_be_hidden()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()
    capturar("menu-cerrado")

    page.locator(".menu > summary").click()
    expect(principal.get_by_role("link", name="Aprobaciones")).to_be_visible()
    expect(cabecera).to_contain_text("Persona supervisora")
    capturar("menu-abierto")
    assert (desborde := _desborde(page)) is None, desborde
    assert not (chicos := page.evaluate(_TOQUES_CHICOS)), f"controles de menos de 44 px: {chicos}"

    principal.get_by_role("link", name="Canalizaciones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Canalizaciones recibidas")
    expect(principal).to_be_hidden()  # a new page opens with the menu closed

    # A flash message shows under the bar, and leaving is one tap.
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("status")).to_have_text("Cerró su sesión.")
    expect(aviso_demo).to_be_visible()
    capturar("salio")
    assert (desborde := _desborde(page)) is None, desborde


@EN_TELEFONO
def test_las_listas_son_tarjetas_en_un_telefono(page: Page, correos, mundo, capturar):
    entrar(page, correos["capturista_b"])
    page.goto("/canalizaciones/")
    fila = page.locator("table.apilable tbody tr").first
    # A card: the cells stack, each with its column's title before the value.
    celdas = fila.locator("td")
    cajas = [celdas.nth(i).bounding_box() for i in range(celdas.count())]
    assert all(abajo["y"] >= arriba["y"] + arriba["height"] - 1 for arriba, abajo in zip(cajas, cajas[1:])), cajas
    etiqueta = fila.locator("td[data-etiqueta='Servicios']").evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert etiqueta == '"Servicios"'
    expect(fila.get_by_role("link", name="Abrir")).to_be_visible()
    capturar("tarjetas")


def test_cada_pagina_de_la_app_se_prueba_en_telefono(app):
    """A page added next year is opened on a phone here, or says in NO_SE_ABREN_AQUI why not."""
    enlazador = app.url_map.bind("localhost")
    cualquiera = defaultdict(lambda: uuid.UUID(int=1))  # any id: only the route is matched
    probadas = {enlazador.match(ruta.format_map(cualquiera), method="GET")[0]
                for paginas in PAGINAS.values() for ruta in paginas.values()}
    servidas = {regla.endpoint for regla in app.url_map.iter_rules() if "GET" in regla.methods}
    sin_prueba = servidas - probadas - NO_SE_ABREN_AQUI.keys()
    assert not sin_prueba, f"páginas que nadie abre en un teléfono: {sorted(sin_prueba)}"
    assert not (sobran := NO_SE_ABREN_AQUI.keys() - servidas), f"ya no existen: {sorted(sobran)}"
    assert not (ambas := NO_SE_ABREN_AQUI.keys() & probadas), f"excluidas y probadas: {sorted(ambas)}"


@EN_TELEFONO
def test_las_paginas_sin_sesion_caben_en_un_telefono(page: Page, app, cuentas, capturar):
    """Before a session exists: the activation link, the second step and its first enrolment."""
    nueva = cuentas_servicios.crear_usuaria(correo="nueva.supervisora@prueba.example", rol="supervisora",
                                            nombre="Nueva Supervisora Sintetica", institucion=cuentas.institucion_a,
                                            contrasena=CONTRASENA)
    token = cuentas_servicios.crear_activacion(nueva)
    db.session.commit()
    correo_conocida = cuentas["supervisora"].correo
    db.session.rollback()

    page.goto(f"/activar/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Establecer su contraseña")
    capturar("activar")
    assert (desborde := _desborde(page)) is None, desborde

    for correo, titulo in ((correo_conocida, "Verificación en dos pasos"), (nueva.correo, None)):
        page.context.clear_cookies()
        page.goto("/entrar")
        llenar_entrada(page, correo, CONTRASENA)
        page.get_by_role("button", name="Entrar").click()
        encabezado = page.get_by_role("heading", level=1)
        if titulo:
            expect(encabezado).to_have_text(titulo)
        else:  # the first login of a supervisora: she enrols an authenticator app
            expect(page).to_have_url(re.compile(r"/entrar/alta-codigo$"))
        capturar(page.url.rsplit("/", 1)[-1])
        assert (desborde := _desborde(page)) is None, desborde
        assert not (chicos := page.evaluate(_TOQUES_CHICOS)), f"controles de menos de 44 px: {chicos}"
