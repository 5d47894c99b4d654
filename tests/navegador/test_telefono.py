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
from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect

from casos.adjuntos.servicios import adjuntar
from casos.arco import servicios as arco
from casos.bd import ahora, hoy_local
from casos.conservacion import servicios as conservacion
from casos.cuentas import servicios as cuentas_servicios
from casos.estadisticas import ediciones
from casos.expedientes import servicios
from casos.expedientes.servicios import guardar_borrador
from casos.extensiones import db
from tests.conftest import CONTRASENA, datos_de_caso
from tests.navegador.test_entrar_navegador import llenar_entrada
from tests.navegador.test_ruta_navegador import entrar
from tests.reloj import hoy_en_mexico
from tests.test_adjuntos import pdf
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
        "contrasena": "/cuenta/contrasena", "dos_pasos": "/cuenta/segundo-factor", "avisos": "/cuenta/avisos",
        "adjuntar": "/casos/{caso}/adjuntos/nuevo", "resumen": "/casos/{caso}/resumen",
        "oficio": "/canalizaciones/{canalizacion}/oficio", "pedir_lectura": "/casos/{bloqueado}/lectura-autorizada"},
    "supervisora": {
        "inicio": "/", "casos": "/casos/", "caso": "/casos/{caso}", "pendientes": "/pendientes",
        "aprobaciones": "/aprobaciones/", "canalizaciones": "/canalizaciones/",
        "accesos": "/casos/{caso}/accesos", "asignar": "/casos/{caso}/asignar"},
    "capturista_b": {
        "inicio": "/", "canalizaciones": "/canalizaciones/", "canalizacion": "/canalizaciones/{canalizacion}",
        "caso_recibido": "/casos/{caso}", "atencion": "/canalizaciones/{canalizacion}/atenciones/nueva",
        "adjuntar": "/canalizaciones/{canalizacion}/adjuntos/nuevo",
        "oficio_recibido": "/canalizaciones/{canalizacion}/oficio", "resumen_recibido": "/casos/{caso}/resumen"},
    "gestora": {"inicio": "/", "estadistica": "/estadisticas/"},
    "admin": {
        "inicio": "/", "instituciones": "/admin/instituciones", "institucion": "/admin/instituciones/{institucion}",
        "institucion_nueva": "/admin/instituciones/nueva", "cuentas": "/admin/cuentas",
        "cuenta": "/admin/cuentas/{cuenta}", "cuenta_nueva": "/admin/cuentas/nueva",
        "bitacora": "/admin/auditoria", "tokens": "/admin/api/tokens", "eliminar": "/casos/eliminar-datos",
        "lecturas": "/admin/lecturas-bloqueadas", "pendientes": "/pendientes", "arco": "/arco/",
        "arco_nueva": "/arco/nueva", "arco_solicitud": "/arco/{arco}",
        "arco_acceso": "/arco/{arco_acceso}/acceso", "arco_rectificar": "/arco/{arco_rectificacion}/rectificar"},
}
# The GET routes that are not a page a person works on once logged in, and why.
NO_SE_ABREN_AQUI = {
    "static": "archivos", "salud.salud": "comprobación de salud (JSON)",
    "api.catalogos": "API JSON", "api.estadisticas": "API JSON", "api.openapi": "API JSON",
    "estadisticas.exportar_csv": "descarga CSV", "estadisticas.exportar_json": "descarga JSON",
    "admin.panel": "redirige a la página de cuentas",
    "adjuntos.descargar": "descarga de un documento (PDF o imagen), no una página",
    "impresos.oficio_pdf": "descarga del oficio en PDF, no una página: tests/test_impresos.py",
    "impresos.resumen_pdf": "descarga del resumen en PDF, no una página: tests/test_impresos.py",
    "impresos.acceso_pdf": "descarga en PDF de sus datos (acceso ARCO), no una página: tests/test_arco_derechos.py",
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

# The same for a chart's text (excluded above): an SVG drawn wider than a phone shrinks with its
# text; what counts is its font size times the scale its SVG is drawn at.
_LETRA_CHICA_EN_SVG = """() => [...document.querySelectorAll("svg text")]
  .filter((t) => t.getClientRects().length)
  .map((t) => ({t, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a}))
  .filter(({px}) => px < 11 - 0.05)
  .map(({t, px}) => `«${t.textContent.trim().slice(0, 30)}» ${px.toFixed(1)} px`)
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
    # Three in the last month an edition may publish, and its edition: the dashboard's tables.
    mes = ediciones.ultimo_mes_publicable(hoy_local(), ediciones.gracia_dias())
    for numero in range(3):
        servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Sintética Relleno {numero}")
                                 ).creado_en = datetime(int(mes[:4]), int(mes[5:7]), 15, 18, tzinfo=timezone.utc)
    db.session.commit()
    assert ediciones.publicar().edicion is not None
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
    # Her ID, which she shared with B: listed on both sides' pages.
    adjuntar(db.session.get(type(urgente), urgente.id), cuentas["capturista"], datos=pdf(), nombre="ine.pdf",
             categoria="identificacion")
    # A case the retention schedule blocked, and a read of it asked for (the admin's list).
    bloqueado = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre="Sintética Bloqueada"))
    db.session.commit()
    conservacion.bloquear(bloqueado, motivo="Plazo de conservación (sintético).")
    conservacion.pedir_lectura(bloqueado, cuentas["supervisora"], "Requerimiento judicial sintético, exp. 45/2026")
    borrador = guardar_borrador(cuentas["capturista"], None, {"nombre": ["Borrador sintético"]})
    db.session.commit()
    concedidas = {}
    # A request over her data (ARCO) whose requester's identity was accredited: the admin's
    # page then shows the most (the case's facts and every answer).
    solicitud_arco = arco.registrar(cuentas["admin"], arco.DatosSolicitud(
        institucion_id=urgente.institucion_id, caso_id=urgente.id, derecho="cancelacion",
        recibida_el=hoy_en_mexico(), medio="plataforma", presentada_por="representante", identificacion="ine",
        descripcion="Pide que se eliminen sus datos (sintético)", folio="UT/2026/000123"))
    db.session.commit()
    arco.mover(solicitud_arco, "acreditar_identidad", cuentas["admin"], version_vista=solicitud_arco.version,
               datos=arco.DatosMovimiento(cotejo=True, representacion="carta_poder"))
    db.session.commit()
    # Granted requests of acceso and rectificación: her data printed, her data to correct.
    for derecho in ("acceso", "rectificacion"):
        concedida = arco.registrar(cuentas["admin"], arco.DatosSolicitud(
            institucion_id=urgente.institucion_id, caso_id=urgente.id, derecho=derecho, recibida_el=hoy_en_mexico(),
            medio="presencial", presentada_por="titular", identificacion="ine", descripcion="Sintética"))
        for evento in ("acreditar_identidad", "conceder"):
            arco.mover(concedida, evento, cuentas["admin"], version_vista=concedida.version,
                       datos=arco.DatosMovimiento(cotejo=True))
        db.session.commit()
        concedidas[f"arco_{derecho}"] = concedida.id
    datos = {**concedidas, "arco": solicitud_arco.id, "bloqueado": bloqueado.id, "caso": urgente.id, "canalizacion": canalizacion.id, "borrador": borrador.id,
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
    assert not (letra := page.evaluate(_LETRA_CHICA_EN_SVG)), f"gráficas con letra de menos de 11 px: {letra}"


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


# ---- the work on the first screen; filters and long help one tap away --------------------------

def _abajo(caja: dict) -> float:
    return caja["y"] + caja["height"]


@EN_TELEFONO
def test_en_un_telefono_la_lista_de_casos_empieza_en_la_primera_pantalla(page: Page, correos, mundo, capturar):
    """Search, the view switch and "Filtros" come first; the filters wait behind "Filtros" until
    tapped, and a filter in use (or refused) opens them by itself."""
    entrar(page, correos["supervisora"])
    page.goto("/casos/")
    primera = page.locator("table.apilable > tbody > tr").first
    nombre = primera.locator("td.principal a")
    expect(nombre).to_have_attribute("href", re.compile(r"^/casos/[0-9a-f-]{36}$"))  # a case, not "No hay"
    caja = nombre.bounding_box()
    assert _abajo(caja) <= TELEFONO["height"], (
        f"el primer caso termina en y={_abajo(caja):.0f} px, fuera de la primera pantalla ({TELEFONO['height']} px)")
    filtros = page.locator("details.plegable > summary", has_text="Filtros")
    expect(filtros).to_have_text("Filtros")  # none in use: no count
    expect(filtros).to_be_visible()
    assert filtros.bounding_box()["height"] >= 44 - 0.5  # one obvious tap
    estado = page.get_by_label("Estado", exact=True)
    expect(estado).to_be_hidden()
    capturar("casos-filtros-cerrados")

    filtros.click()
    for control in (estado, page.get_by_label("Riesgo"), page.get_by_label("Municipio"),
                    page.get_by_label("Registrado desde"), page.get_by_label("hasta", exact=True),
                    page.get_by_label("Orden"), page.get_by_label("Solo urgentes abiertos"),
                    page.get_by_role("button", name="Filtrar")):
        expect(control).to_be_visible()
    capturar("casos-filtros-abiertos")
    assert (desborde := _desborde(page)) is None, desborde

    # What she chose is applied and shown, the filters open, the summary counting them.
    page.get_by_label("Riesgo").select_option(label="Alto")
    page.get_by_label("Registrado desde").fill("2026-11-01")
    page.get_by_role("button", name="Filtrar").click()
    expect(page).to_have_url(re.compile(r"nivel=alto"))
    expect(filtros).to_have_text("Filtros (2)")
    expect(page.get_by_label("Riesgo")).to_have_value("alto")
    expect(page.get_by_label("Registrado desde")).to_have_value("2026-11-01")
    expect(page.locator("table.apilable > tbody > tr")).to_have_count(1)
    expect(page.locator("table.apilable td.principal")).to_have_text(NOMBRE_LARGO)
    capturar("casos-filtrados")

    # A refused filter: the message and the filters, open, without a tap.
    page.goto("/casos/?estado=inexistente")
    expect(page.get_by_text("Se ignoró un filtro no válido (estado).")).to_be_visible()
    expect(estado).to_be_visible()
    expect(filtros).to_have_text("Filtros")


@EN_TELEFONO
def test_en_un_telefono_los_pendientes_empiezan_en_la_primera_pantalla(page: Page, correos, mundo, capturar):
    entrar(page, correos["capturista"])
    page.goto("/pendientes")
    primero = page.locator("li.pendiente").first
    expect(primero).to_be_visible()
    caja = primero.bounding_box()
    assert _abajo(caja) <= TELEFONO["height"], (
        f"el primer pendiente termina en y={_abajo(caja):.0f} px, fuera de la primera pantalla")
    filtros = page.locator("details.plegable > summary", has_text="Filtros")
    ayuda = page.locator("details.plegable > summary", has_text="Qué aparece")
    por_tipo = page.get_by_role("list", name="Por tipo")
    orden = page.get_by_text("Primero las órdenes de protección")
    expect(filtros).to_have_text("Filtros")
    expect(por_tipo).to_be_hidden()
    expect(orden).to_be_hidden()
    capturar("pendientes-cerrados")

    ayuda.click()
    expect(orden).to_be_visible()
    filtros.click()
    expect(por_tipo.get_by_role("link", name=re.compile(r"^Todos los tipos \(2\)$"))).to_be_visible()
    expect(page.get_by_role("list", name="Por situación").get_by_role("link")).to_have_count(4)
    capturar("pendientes-abiertos")
    assert (desborde := _desborde(page)) is None, desborde
    assert not (chicos := page.evaluate(_TOQUES_CHICOS)), f"controles de menos de 44 px: {chicos}"

    # A filter in use: the filters open by themselves, the chosen one marked.
    page.get_by_role("link", name=re.compile(r"^Vencen hoy \(1\)$")).click()
    expect(page).to_have_url(re.compile(r"situacion=hoy"))
    expect(filtros).to_have_text("Filtros (1)")
    expect(page.get_by_role("link", name=re.compile(r"^Vencen hoy"))).to_have_attribute("aria-current", "true")
    expect(page.locator("li.pendiente")).to_have_count(1)
    expect(orden).to_be_hidden()  # the help stays folded
    capturar("pendientes-filtrados")


@EN_ESCRITORIO
def test_en_el_escritorio_los_filtros_se_ven_sin_abrirlos(page: Page, correos, mundo, capturar):
    entrar(page, correos["capturista"])
    page.goto("/casos/")
    expect(page.get_by_label("Estado", exact=True)).to_be_visible()
    expect(page.locator("details.plegable > summary")).to_be_hidden()
    capturar("casos")
    page.goto("/pendientes")
    expect(page.get_by_role("list", name="Por tipo")).to_be_visible()
    expect(page.get_by_text("Primero las órdenes de protección")).to_be_visible()
    expect(page.locator("details.plegable > summary")).to_have_count(2)
    for summary in page.locator("details.plegable > summary").all():
        expect(summary).to_be_hidden()
    capturar("pendientes")


# Each chart's text as drawn (font size times its SVG's scale) and whether it stays inside its SVG.
_TEXTO_DE_GRAFICAS = """() => [...document.querySelectorAll("svg.grafica text")].map((t) => {
  const caja = t.getBoundingClientRect(), svg = t.ownerSVGElement.getBoundingClientRect();
  return {texto: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
          dentro: caja.left >= svg.left - 0.5 && caja.right <= svg.right + 0.5
                  && caja.top >= svg.top - 0.5 && caja.bottom <= svg.bottom + 0.5};
})"""
# Each scrolling statistics grid: does its caption's text show whole inside the box, at the start
# and scrolled to the end?
_TITULOS_DE_TABLAS = """() => [...document.querySelectorAll(".tabla-desplazable")]
  .filter((caja) => caja.querySelector(":scope > table.numeros > caption"))
  .map((caja) => {
    const texto = document.createRange();
    texto.selectNodeContents(caja.querySelector(":scope > table.numeros > caption"));
    const visible = () => {
      const t = texto.getBoundingClientRect(), c = caja.getBoundingClientRect();
      return t.left >= c.left - 0.5 && t.right <= c.right + 0.5;
    };
    const alInicio = visible();
    caja.scrollLeft = caja.scrollWidth;
    const alFinal = visible();
    caja.scrollLeft = 0;
    return {titulo: texto.toString().trim(), desplaza: caja.scrollWidth > caja.clientWidth + 1,
            alInicio, alFinal};
  })"""


@EN_TELEFONO
def test_las_graficas_y_sus_tablas_se_leen_en_un_telefono(page: Page, correos, mundo, capturar):
    entrar(page, correos["gestora"])
    page.goto("/estadisticas/")
    # The summary first, in one column; every section closed, each a 44 px tap target.
    expect(page.locator("#resumen")).to_be_visible()
    # Its title and first figure on the first screen (the filters folded behind a button).
    assert page.locator("#r-mujeres_atendidas").bounding_box()["y"] + 100 < TELEFONO["height"], "el resumen, en la primera pantalla"
    capturar("estadisticas-resumen")
    assert (desborde := _desborde(page)) is None, desborde
    cifras = page.locator(".resumen-cifra")
    assert cifras.count() == 4
    assert len({round(c.bounding_box()["x"]) for c in cifras.all()}) == 1, "en un teléfono, una cifra por renglón"
    for resumen in page.locator("details.seccion > summary").all():
        assert resumen.bounding_box()["height"] >= 44 - 0.5
    expect(page.locator("svg.grafica").first).to_be_hidden()
    for resumen in page.locator("details.seccion > summary").all():
        resumen.click()
    expect(page.locator("svg.grafica").first).to_be_visible()
    textos = page.evaluate(_TEXTO_DE_GRAFICAS)
    assert textos, "el tablero no tiene gráficas con texto"
    chicos = [f"«{t['texto']}» {t['px']:.1f} px" for t in textos if t["px"] < 11 - 0.05]
    assert not chicos, f"texto de gráficas de menos de 11 px a 390 px: {chicos}"
    assert not (fuera := [t["texto"] for t in textos if not t["dentro"]]), f"texto recortado: {fuera}"
    for grafica in page.locator("svg.grafica").all():
        assert grafica.bounding_box()["width"] <= TELEFONO["width"]
    tablas = page.evaluate(_TITULOS_DE_TABLAS)
    assert any(t["desplaza"] for t in tablas), "ninguna tabla se desplaza: la prueba no prueba nada"
    cortados = [t["titulo"] for t in tablas if not (t["alInicio"] and t["alFinal"])]
    assert not cortados, f"títulos de tabla cortados por su caja desplazable: {cortados}"
    ruta = capturar("estadisticas")
    page.locator("figure.cuadro:has(svg.grafica)").first.screenshot(path=ruta.with_name("grafica.png"))
    assert (desborde := _desborde(page)) is None, desborde
