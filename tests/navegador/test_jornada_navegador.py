"""A caseworker's working day in a real browser, at desktop and at phone width (issue 12,
"Done when"): the supervisora sees on her home what waits for her and assigns a case; the
capturista finds it in "Mis casos", records a service given to her (and is told, in Spanish,
what was wrong with a date in the future, without losing what she typed), reads her
pendientes in order of legal urgency and asks for a referral; the supervisora approves it from
an item that says what it approves.

On a phone the header's links wait behind "Menú" (plantillas/base.html): every page is reached
by opening it, as she would. Every step leaves a screenshot in artefactos/capturas/<test>/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from casos.bd import ahora
from casos.catalogos import NIVELES_RIESGO
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso, ValoracionRiesgo
from casos.extensiones import db
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import datos_de_caso
from tests.navegador.test_ruta_navegador import aviso, entrar, salir
from tests.reloj import hoy_en_mexico
from tests.test_movimientos_ilegales import (
    canalizacion_unica,
    mover_caso,
    pedir_canalizacion,
    resolver,
    solicitud_de,
)
from tests.test_ordenes_y_pendientes import EMITIR, GRAVES, mover, pedir_orden, valorar

pytestmark = pytest.mark.navegador

MX = ZoneInfo("America/Mexico_City")
VENTANAS = {"escritorio": {"width": 1280, "height": 800}, "telefono": {"width": 390, "height": 844}}

ANA = "Ana Capturista Sintetica"
SARA = "Sara Supervisora Sintetica"
LUZ = "Luz Asignada Sintetica"  # the case of the day: assigned, served, referred
INSTITUCION_B = "Institución de prueba INSTB"  # tests/conftest.py: crear_institucion("INSTB")
EMPODERAMIENTO = "Empoderamiento económico (capacitación o apoyo productivo)"  # casos/datos/tipos_atencion.csv
NOTA = "Taller de oficio acordado con ella (sintético)."
REVALORAR = "Revalorar el riesgo"


# ---- the day's data: what was already waiting when it began ------------------------------------

def _nombrar(usuaria, nombre: str) -> None:
    usuaria.nombre = nombre
    db.session.commit()


def _caso(autora, nombre: str) -> Caso:
    caso = servicios.registrar_caso(autora, datos_de_caso(nombre=nombre, curp=None))
    db.session.commit()
    return caso


@pytest.fixture
def jornada(app, cuentas, como) -> dict:
    """Institution A at the start of the day, built through the pages' services:
    - LUZ, registered by the supervisora (so in her charge), to be assigned;
    - cases of the capturista with one pendiente each: a protection order requested an hour ago
      (4 hours to issue it), a referral to B unanswered past its deadline, a re-assessment
      overdue since 2024;
    - two requests of the capturista waiting for the supervisora: closing a case, and lowering
      a case's risk level (the instrument gave a high level; her new answers, a low one)."""
    _nombrar(cuentas["capturista"], ANA)
    _nombrar(cuentas["supervisora"], SARA)
    ana = cuentas["capturista"]
    luz = _caso(cuentas["supervisora"], LUZ)
    casos = {clave: _caso(ana, f"Mujer {clave} Sintetica")
             for clave in ("Orden", "Canalizar", "Revalorar", "Cierre", "Nivel")}
    capturista, supervisora = como("capturista"), como("supervisora")

    assert pedir_orden(capturista, casos["Orden"], ahora() - timedelta(hours=1)).status_code == 302
    assert pedir_canalizacion(capturista, casos["Canalizar"], cuentas.institucion_b).status_code == 302
    assert resolver(supervisora, solicitud_de("enviar")).status_code == 302
    mover(canalizacion_unica(), plazo_respuesta=ahora() - timedelta(hours=2))
    mover(casos["Revalorar"], proxima_valoracion=datetime(2024, 3, 1, 12, tzinfo=MX))
    assert mover_caso(capturista, casos["Cierre"], "cerrar", motivo="Concluyó la atención").status_code == 302
    valorar(capturista, casos["Nivel"], si=GRAVES)
    valorar(capturista, casos["Nivel"])  # every answer "no": a lower level, for a supervisora to approve

    db.session.rollback()
    nivel = db.session.get(Caso, casos["Nivel"].id)
    propuesta = db.session.scalars(sa.select(ValoracionRiesgo).where(
        ValoracionRiesgo.caso_id == nivel.id, ValoracionRiesgo.estado == "por_aprobar")).one()
    datos = {
        "luz": str(luz.id),
        "casos_de_ana": len(casos),
        # What the approval of the level must say: from which level to which.
        "nivel_de": NIVELES_RIESGO[nivel.nivel_riesgo], "nivel_a": NIVELES_RIESGO[propuesta.nivel],
        "por_aprobar": db.session.scalar(sa.select(sa.func.count()).select_from(SolicitudAprobacion).where(
            SolicitudAprobacion.estado == "pendiente")),
    }
    assert datos["por_aprobar"] == 2 and datos["nivel_de"] != datos["nivel_a"]
    db.session.rollback()  # the browser's requests never wait on this test's transaction
    return datos


# ---- how she moves through the pages ------------------------------------------------------------

def menu(page: Page, anchura: str, enlace: str) -> None:
    """A link of the header's menu; on a phone, "Menú" opens it first."""
    principal = page.get_by_role("navigation", name="Principal")
    if anchura == "telefono":
        expect(principal).to_be_hidden()
        page.locator(".menu > summary").click()
    principal.get_by_role("link", name=enlace, exact=True).click()


def fila_de_caso(page: Page, nombre: str) -> Locator:
    return page.locator("table.apilable tbody tr").filter(
        has=page.get_by_role("link", name=nombre, exact=True))


def responsable_en_el_caso(page: Page) -> Locator:
    return page.locator(".resumen-caso > div").filter(has_text="Persona responsable").locator("dd")


def historial(page: Page, que: str) -> Locator:
    """The history's row whose "Qué pasó" is exactly `que`."""
    return page.locator("table.historial tbody tr").filter(
        has=page.locator("td[data-etiqueta='Qué pasó']", has_text=re.compile(rf"^{re.escape(que)}$")))


def hacia_abajo(locators: list[Locator]) -> list[float]:
    return [caja["y"] for caja in (loc.bounding_box() for loc in locators)]


def solicitada_en(evento: str) -> str:
    """When the request was made, as the page shows it (Mexico City, to the minute)."""
    momento = db.session.scalars(sa.select(SolicitudAprobacion.creada_en).where(
        SolicitudAprobacion.evento == evento, SolicitudAprobacion.estado == "pendiente")).one()
    db.session.rollback()
    return momento.astimezone(MX).strftime("%d/%m/%Y %H:%M")


# ---- the day -------------------------------------------------------------------------------------

@pytest.mark.parametrize("anchura", list(VENTANAS))
def test_la_jornada_de_una_capturista(page: Page, correos, jornada, capturar, anchura):
    page.set_viewport_size(VENTANAS[anchura])
    luz_url = f"/casos/{jornada['luz']}"

    # 1. The supervisora's home: what waits for her, as counts that are links.
    entrar(page, correos["supervisora"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervisión")
    por_aprobar = page.get_by_role(
        "link", name=f"{jornada['por_aprobar']} solicitudes de su equipo esperan su aprobación", exact=True)
    expect(por_aprobar).to_be_visible()
    capturar("supervisora-inicio")
    por_aprobar.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aprobaciones pendientes")
    expect(page.locator("article.solicitud")).to_have_count(jornada["por_aprobar"])
    # A risk level's approval says from which level to which.
    expect(page.get_by_role("heading", level=3, name=(
        f"Aplicar el nivel de riesgo {jornada['nivel_a']} propuesto "
        f"(el caso está en {jornada['nivel_de']})."))).to_be_visible()
    capturar("supervisora-aprobaciones-al-empezar")

    # 2. She opens a case from "Casos" and assigns it to the capturista.
    menu(page, anchura, "Casos")
    fila = fila_de_caso(page, LUZ)
    expect(fila.locator("td[data-etiqueta='Responsable']")).to_have_text(f"{SARA} (usted)")
    fila.get_by_role("link", name=LUZ, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LUZ)
    expect(responsable_en_el_caso(page)).to_have_text(SARA)
    page.get_by_role("link", name="Asignar responsable", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(luz_url)}/asignar$"))
    expect(page.get_by_text("Responsable actual:")).to_contain_text(f"{SARA} (supervisora)")
    lista = page.get_by_label("Persona responsable")
    opcion = lista.locator("option").filter(has_text=ANA)
    casos_de_ana = jornada["casos_de_ana"]
    expect(opcion).to_have_text(f"{ANA} — Capturista · {casos_de_ana} casos abiertos")
    lista.select_option(label=f"{ANA} — Capturista · {casos_de_ana} casos abiertos")
    capturar("asignar")
    page.get_by_role("button", name="Asignar", exact=True).click()
    aviso(page, f"Caso asignado a {ANA}.")
    expect(page).to_have_url(re.compile(rf"{re.escape(luz_url)}$"))
    expect(responsable_en_el_caso(page)).to_have_text(ANA)
    asignado = historial(page, f"Asignó el caso a {ANA}")
    expect(asignado).to_have_count(1)
    expect(asignado.locator("td[data-etiqueta='Quién']")).to_have_text(f"{SARA} (Supervisora, INSTA)")
    expect(asignado.locator("td[data-etiqueta='Detalle']")).to_have_text(f"Antes: {SARA}")
    capturar("caso-asignado")
    menu(page, anchura, "Casos")
    expect(fila_de_caso(page, LUZ).locator("td[data-etiqueta='Responsable']")).to_have_text(ANA)
    capturar("lista-con-responsable")
    salir(page)

    # 3. The capturista finds it in "Mis casos" and records a service given to her.
    entrar(page, correos["capturista"])
    menu(page, anchura, "Casos")
    page.get_by_role("navigation", name="Qué casos ver").get_by_role("link", name="Mis casos").click()
    expect(page.get_by_role("heading", level=2, name="Mis casos")).to_be_visible()
    expect(fila_de_caso(page, LUZ).locator("td[data-etiqueta='Responsable']")).to_have_text(f"{ANA} (usted)")
    capturar("mis-casos")
    fila_de_caso(page, LUZ).get_by_role("link", name=LUZ, exact=True).click()
    atenciones = page.get_by_role("region", name="Atenciones brindadas")
    expect(atenciones).to_contain_text("Sin atenciones registradas.")
    page.get_by_role("region", name="Acciones del caso").get_by_role(
        "link", name="Registrar atención", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar una atención brindada")
    hoy = hoy_en_mexico()
    tipo, fecha = page.get_by_label("Tipo de atención"), page.get_by_label("Fecha en que se brindó")
    duracion, notas = page.get_by_label("Duración en minutos"), page.get_by_label("Notas", exact=True)
    brindada_por = page.get_by_label("Quién la brindó")
    expect(fecha).to_have_value(hoy.isoformat())  # today, as she would most often write
    expect(brindada_por.locator("option:checked")).to_have_text(f"{ANA} (capturista)")
    tipo.select_option(label=EMPODERAMIENTO)
    fecha.fill((hoy + timedelta(days=1)).isoformat())  # a slip: tomorrow
    duracion.fill("45")
    notas.fill(NOTA)
    page.get_by_role("button", name="Registrar atención").click()
    expect(page.locator("#fecha-error")).to_have_text("La fecha de la atención no puede ser futura.")
    expect(fecha).to_have_attribute("aria-invalid", "true")
    # Nothing else she typed was lost.
    expect(tipo.locator("option:checked")).to_have_text(EMPODERAMIENTO)
    expect(duracion).to_have_value("45")
    expect(notas).to_have_value(NOTA)
    expect(brindada_por.locator("option:checked")).to_have_text(f"{ANA} (capturista)")
    capturar("atencion-con-error")
    fecha.fill(hoy.isoformat())
    page.get_by_role("button", name="Registrar atención").click()
    aviso(page, "Atención registrada.")
    expect(page).to_have_url(re.compile(rf"{re.escape(luz_url)}$"))
    servicio = page.get_by_role("region", name="Atenciones brindadas").locator("tbody tr")
    expect(servicio).to_have_count(1)
    expect(servicio.locator("td.principal")).to_have_text(hoy.strftime("%d/%m/%Y"))
    expect(servicio.locator("td[data-etiqueta='Atención']")).to_contain_text(EMPODERAMIENTO)
    expect(servicio.locator("td[data-etiqueta='Atención']")).to_contain_text(NOTA)  # her institution's notes
    expect(servicio.locator("td[data-etiqueta='Quién la brindó']")).to_have_text(ANA)
    expect(servicio.locator("td[data-etiqueta='Duración']")).to_have_text("45 min")
    brindada = historial(page, f"Atención brindada: {EMPODERAMIENTO}")
    expect(brindada).to_have_count(1)
    expect(brindada.locator("td[data-etiqueta='Quién']")).to_have_text(f"{ANA} (Capturista, INSTA)")
    expect(brindada.locator("td[data-etiqueta='Detalle']")).to_have_text(f"El {hoy:%d/%m/%Y}, 45 min")
    capturar("atencion-registrada")

    # 4. Her pendientes, in order of legal urgency: the order to issue within 4 hours comes
    #    first although it is not late yet; the re-assessment overdue since 2024 comes last.
    menu(page, anchura, "Pendientes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis pendientes")
    grupos = page.locator("h2[id^='grupo-']")
    expect(grupos).to_have_text(["Órdenes de protección (1)", "Canalizaciones en espera de respuesta (1)",
                                 "Aprobaciones (2)", "Revaloraciones del riesgo (1)"])
    alturas = hacia_abajo([grupos.nth(i) for i in range(4)])
    assert alturas == sorted(alturas), f"los grupos no se leen de arriba abajo: {alturas}"
    pendientes = page.locator("li.pendiente")
    expect(pendientes.locator(".pendiente-que")).to_have_text([
        EMITIR, "Canalización sin respuesta de INSTB", "Su solicitud espera aprobación: bajar el nivel de riesgo",
        "Su solicitud espera aprobación: cierre del caso", REVALORAR])
    expect(pendientes.locator(".pendiente-caso")).to_have_text([
        "Mujer Orden Sintetica", "Mujer Canalizar Sintetica", re.compile("Mujer (Cierre|Nivel) Sintetica"),
        re.compile("Mujer (Cierre|Nivel) Sintetica"), "Mujer Revalorar Sintetica"])
    expect(pendientes.first.locator(".pendiente-situacion")).to_have_text("Por vencer URGENTE")
    expect(pendientes.nth(1).locator(".pendiente-situacion")).to_contain_text("Atrasado")
    expect(pendientes.last.locator(".pendiente-situacion")).to_contain_text("Atrasado")
    filas = hacia_abajo([pendientes.nth(i) for i in range(5)])
    assert filas == sorted(filas), f"los pendientes no se leen de arriba abajo: {filas}"
    capturar("pendientes")

    # 5. She asks to refer the case to institution B; it needs her supervisora's approval.
    page.goto(luz_url)
    page.get_by_role("link", name="Canalizar a otra institución").click()
    page.get_by_label("Institución a la que se canaliza").select_option(label=INSTITUCION_B)
    servicios_pedidos = page.get_by_role("group", name=re.compile("Servicios que se solicitan"))
    servicios_pedidos.get_by_label("Asesoría jurídica", exact=True).check()
    servicios_pedidos.get_by_label("Atención psicológica", exact=True).check()
    page.get_by_label("Motivo de la canalización").fill("Acompañamiento jurídico y psicológico (sintético).")
    capturar("canalizacion-pedida")
    page.get_by_role("button", name="Solicitar canalización").click()
    aviso(page, "espera la aprobación de una supervisora")
    # In the catalogue's order, whatever the order she ticked them in.
    que_aprueba = (f"Enviar la canalización a {INSTITUCION_B}. Servicios: Atención psicológica, Asesoría "
                   "jurídica. Verá: Nombre, CURP y fecha de nacimiento; Relato de los hechos.")
    expect(page.get_by_text(f"Pendiente de aprobación: {que_aprueba}")).to_be_visible()
    cuando = solicitada_en("enviar")
    salir(page)

    entrar(page, correos["supervisora"])
    mas_una = page.get_by_role(
        "link", name=f"{jornada['por_aprobar'] + 1} solicitudes de su equipo esperan su aprobación", exact=True)
    expect(mas_una).to_be_visible()
    mas_una.click()
    solicitud = page.locator("article.solicitud").filter(
        has=page.get_by_role("heading", level=3, name=que_aprueba, exact=True))
    expect(solicitud).to_have_count(1)
    expect(solicitud).to_contain_text(f"Caso: {LUZ} · solicitó {ANA} el {cuando}")
    capturar("aprobacion-que-dice-que")
    solicitud.get_by_role("button", name="Aprobar", exact=True).click()
    aviso(page, "Solicitud aprobada.")
    expect(page.locator("article.solicitud")).to_have_count(jornada["por_aprobar"])
    expect(page.get_by_role("heading", level=3, name=que_aprueba)).to_have_count(0)
    capturar("aprobada")
    menu(page, anchura, "Inicio")
    expect(por_aprobar).to_be_visible()  # back to what was waiting before

    page.goto(luz_url)
    canalizaciones = page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name="Canalizaciones", exact=True))
    expect(canalizaciones.locator("li")).to_have_text(
        f"{INSTITUCION_B} · Enviada · Atención psicológica, Asesoría jurídica")
    enviada = historial(page, f"Envió la canalización a {INSTITUCION_B}")
    expect(enviada.locator("td[data-etiqueta='Quién']")).to_have_text(f"{SARA} (Supervisora, INSTA)")
    expect(enviada.locator("td[data-etiqueta='Detalle']")).to_have_text("Por aprobar → Enviada")
    capturar("caso-al-final-del-dia")
