"""Protection orders through the case page, legal deadlines as data, the "Pendientes" page and
`flask --app wsgi pendientes`. Time passing is simulated by moving dates back in the database;
everything a person does goes through the pages, with the versions the pages show."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from casos.bd import ahora
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso, ValoracionRiesgo
from casos.extensiones import db
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones.modelos import HistorialTransicion
from flujos import plazos
from tests.conftest import crear_usuaria, datos_de_caso, entrar, enviar
from tests.test_movimientos_ilegales import (
    CONFLICTO,
    canalizacion_unica,
    errores,
    foto,
    mensajes,
    mover_caso,
    pedir_canalizacion,
    resolver,
    responder,
    solicitud_de,
)

pytestmark = pytest.mark.reloj  # legal deadlines counted from now

MX = ZoneInfo("America/Mexico_City")
FORMATO = "%Y-%m-%dT%H:%M"
NOMBRE = "Canaria Xochitl Pruebasintetica"  # datos_de_caso's canary
EMITIR_FUERA = "La fecha de emisión debe estar entre la solicitud y ahora."
SIN_VALORACION = "Antes de levantar la orden registre una nueva valoración de riesgo."
CONTACTAR = "Contactar a la mujer: seguimiento diario de la orden"
EMITIR = "Emitir la orden de protección (plazo legal de 4 horas)"
# Answers of the risk instrument (casos/datos/valoracion_riesgo.json) that give "alto" (16 points).
GRAVES = ("amenazas_muerte", "uso_arma", "estrangulamiento")


def local(momento: datetime) -> str:
    """How a caseworker types a date and time: her own clock (Mexico City), to the minute."""
    return momento.astimezone(MX).strftime(FORMATO)


def de_local(texto: str) -> datetime:
    return datetime.strptime(texto, FORMATO).replace(tzinfo=MX)


def registrar_caso(usuaria, **cambios) -> Caso:
    caso = servicios.registrar_caso(usuaria, datos_de_caso(**cambios))
    db.session.commit()
    return caso


def pedir_orden(cliente, caso, solicitada_en: datetime | str, **extra):
    valor = solicitada_en if isinstance(solicitada_en, str) else local(solicitada_en)
    return enviar(cliente, f"/casos/{caso.id}/ordenes/nueva", {
        "tipo": "administrativa", "autoridad": "ministerio_publico",
        "medidas": ["prohibicion_acercarse", "proteccion_policial"], "solicitada_en": valor,
        "notas": "", **extra})


def version_de_orden(html: str, orden_id, evento: str) -> str:
    for formulario in re.findall(rf'action="/ordenes/{orden_id}/accion"(.*?)</form>', html, re.S):
        if f'name="evento" value="{evento}"' in formulario:
            return re.search(r'name="version" value="(\d+)"', formulario).group(1)
    raise AssertionError(f"la página no ofrece «{evento}» para la orden {orden_id}")


def actuar(cliente, orden, evento: str, version: str | None = None, **datos):
    """Press an order's button on the case page (its version taken from the page)."""
    pagina = f"/casos/{orden.caso_id}"
    if version is None:
        version = version_de_orden(cliente.get(pagina).get_data(as_text=True), orden.id, evento)
    return enviar(cliente, f"/ordenes/{orden.id}/accion",
                  {"evento": evento, "version": version, **datos}, pagina=pagina)


def seguimiento(cliente, orden):
    return enviar(cliente, f"/ordenes/{orden.id}/seguimiento", {}, pagina=f"/casos/{orden.caso_id}")


def valorar(cliente, caso, si=()):
    from casos.expedientes.riesgo import instrumento

    respuestas = {f"r_{i.clave}": ("si" if i.clave in si else "no") for i in instrumento().indicadores}
    respuesta = enviar(cliente, f"/casos/{caso.id}/valoracion", respuestas)
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-800:]


def ordenes() -> list[OrdenProteccion]:
    db.session.rollback()
    return list(db.session.scalars(select(OrdenProteccion).order_by(OrdenProteccion.solicitada_en)))


def la_orden() -> OrdenProteccion:
    (orden,) = ordenes()
    return orden


def mover(fila, **valores):
    """Time passes: rewrite dates directly in the database."""
    db.session.rollback()
    fila = db.session.get(type(fila), fila.id)
    for nombre, valor in valores.items():
        setattr(fila, nombre, valor)
    db.session.commit()
    return fila


def _texto(fragmento: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragmento))).strip()


def pendientes(cliente, institucion=False, **filtros) -> list[list[str]]:
    """The items of the Pendientes page, in order: [situación, qué hacer, caso, vence]. Hers
    by default (the page's default), her institution's with `institucion`."""
    consulta = {**({"ver": "institucion"} if institucion else {}), **filtros}
    html = cliente.get("/pendientes", query_string=consulta).get_data(as_text=True)
    items = re.findall(r'<li class="pendiente[ "a-z-]*">(.*?)</li>', html, re.S)
    if not items:
        assert "Nada atrasado ni por vencer" in html
        return []

    def parte(item, clase):
        return _texto(re.search(rf'class="{clase}"[^>]*>(.*?)</(?:span|a)>', item, re.S).group(1))

    return [[parte(i, "pendiente-situacion"), parte(i, "pendiente-que"), parte(i, "pendiente-caso"),
             parte(i, "pendiente-fecha")] for i in items]


def situacion(fila) -> str:
    return fila[0].split(" URGENTE")[0]


@pytest.fixture
def caso(app, cuentas) -> Caso:
    return registrar_caso(cuentas["capturista"], tipos_institucion=["cjm", "salud"],
                          datos_compartibles=["identidad"])


@pytest.fixture
def solicitada(caso, como) -> OrdenProteccion:
    """An order requested two hours ago, as the caseworker typed it."""
    assert pedir_orden(como("capturista"), caso, ahora() - timedelta(hours=2)).status_code == 302
    return la_orden()


@pytest.fixture
def vigente(solicitada, como) -> OrdenProteccion:
    """The same order, issued an hour ago for 60 days."""
    capturista = como("capturista")
    respuesta = actuar(capturista, solicitada, "emitir", momento=local(ahora() - timedelta(hours=1)),
                       dias="60")
    assert mensajes(capturista, respuesta, "exito") == ["Orden de protección actualizada."]
    orden = la_orden()
    assert orden.estado == "vigente"
    return orden


# ---- protection orders through the case page --------------------------------------------------

def test_la_solicitud_se_escribe_en_hora_local_y_se_guarda_en_utc(caso, como, motor_bd):
    capturista = como("capturista")
    escrita = local(ahora() - timedelta(hours=3))
    respuesta = pedir_orden(capturista, caso, escrita)
    assert "La emisión debe ocurrir en 4 horas como máximo." in mensajes(capturista, respuesta)[0]
    orden = la_orden()
    esperada = de_local(escrita)
    assert orden.solicitada_en == esperada  # the same instant…
    assert orden.solicitada_en.astimezone(timezone.utc).replace(tzinfo=None) == (
        esperada.astimezone(timezone.utc).replace(tzinfo=None))
    assert esperada.utcoffset() == timedelta(hours=-6)  # …six hours behind UTC (no DST since 2022)
    if motor_bd == "sqlite":  # stored as UTC wall time, not as the caseworker's
        crudo = db.session.execute(text("SELECT solicitada_en FROM orden_proteccion")).scalar_one()
        assert str(crudo).startswith(esperada.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M"))
    else:
        crudo = db.session.execute(text(
            "SELECT to_char(solicitada_en AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
            "FROM orden_proteccion")).scalar_one()
        assert crudo == esperada.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    # The page shows it back in local time, with the 4-hour limit.
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert f"Solicitada el {esperada.strftime('%d/%m/%Y %H:%M')}" in pagina
    assert f"Debe emitirse a más tardar el {(esperada + timedelta(hours=4)).strftime('%d/%m/%Y %H:%M')}" in pagina
    historia = db.session.scalars(select(HistorialTransicion).where(
        HistorialTransicion.entidad == "orden_proteccion")).all()
    assert [(h.evento, h.destino) for h in historia] == [("solicitar", "solicitada")]


def test_una_solicitud_con_fecha_futura_se_rechaza(caso, como):
    respuesta = pedir_orden(como("capturista"), caso, ahora() + timedelta(hours=2))
    assert respuesta.status_code == 200
    assert "La fecha de solicitud no puede ser futura." in respuesta.get_data(as_text=True)
    assert ordenes() == []


def test_la_emision_debe_caer_entre_la_solicitud_y_ahora(solicitada, como):
    capturista = como("capturista")
    antes = foto()
    for momento in (solicitada.solicitada_en - timedelta(hours=1), ahora() + timedelta(hours=1)):
        respuesta = actuar(capturista, solicitada, "emitir", momento=local(momento), dias="30")
        assert errores(capturista, respuesta) == [EMITIR_FUERA]
    assert foto() == antes
    # Within the dates: in force, with its expiry date computed from the issue date.
    emitida = local(ahora() - timedelta(minutes=30))
    assert errores(capturista, actuar(capturista, solicitada, "emitir", momento=emitida, dias="30")) == []
    orden = la_orden()
    assert orden.estado == "vigente" and orden.version == 2
    assert orden.emitida_en == de_local(emitida)
    assert orden.vence_en == de_local(emitida) + timedelta(days=30)


@pytest.mark.parametrize("dias", ["61", "90", "0", "-5"])
def test_una_vigencia_mayor_a_60_dias_se_rechaza(solicitada, como, dias):
    capturista = como("capturista")
    antes = foto()
    respuesta = actuar(capturista, solicitada, "emitir", momento=local(ahora() - timedelta(hours=1)),
                       dias=dias)
    assert errores(capturista, respuesta) == ["Número de días no válido."]
    assert foto() == antes


def test_se_prorroga_una_sola_vez(vigente, como):
    capturista = como("capturista")
    vence = vigente.vence_en
    antes = foto()
    assert errores(capturista, actuar(capturista, vigente, "prorrogar", dias="31")) == [
        "La prórroga es de 1 a 30 días."]
    assert foto() == antes
    pagina = capturista.get(f"/casos/{vigente.caso_id}").get_data(as_text=True)
    version = version_de_orden(pagina, vigente.id, "prorrogar")
    assert errores(capturista, actuar(capturista, vigente, "prorrogar", version=version, dias="30")) == []
    orden = la_orden()
    assert (orden.estado, orden.prorrogas, orden.vence_en) == ("prorrogada", 1, vence + timedelta(days=30))
    # The button is gone; the old page's form (or one with today's version) is refused.
    pagina = capturista.get(f"/casos/{vigente.caso_id}").get_data(as_text=True)
    assert ">Registrar prórroga</button>" not in pagina and "(prorrogada)" in pagina
    antes = foto()
    assert errores(capturista, actuar(capturista, vigente, "prorrogar", version=version, dias="10")) == [
        CONFLICTO]
    assert errores(capturista, actuar(capturista, vigente, "prorrogar", version=str(orden.version),
                                      dias="10")) == [
        "No se puede «registrar prórroga» cuando el estado es «Prorrogada»."]
    assert foto() == antes


def test_levantar_requiere_una_valoracion_posterior_a_la_emision(caso, como):
    capturista = como("capturista")
    # A risk assessment made before the order was issued does not count.
    valorar(capturista, caso)
    mover(db.session.scalars(select(ValoracionRiesgo)).one(), creada_en=ahora() - timedelta(hours=4))
    assert pedir_orden(capturista, caso, ahora() - timedelta(hours=3)).status_code == 302
    orden = la_orden()
    actuar(capturista, orden, "emitir", momento=local(ahora() - timedelta(hours=2)), dias="60")
    antes = foto()
    assert errores(capturista, actuar(capturista, orden, "levantar", motivo="Cesó el riesgo")) == [
        SIN_VALORACION]
    assert errores(capturista, actuar(capturista, orden, "levantar", motivo="  ")) == ["Escriba el motivo."]
    assert foto() == antes
    # After a new assessment it may be lifted, with its reason in the history.
    valorar(capturista, caso)
    assert errores(capturista, actuar(capturista, orden, "levantar", motivo="Cesó el riesgo")) == []
    orden = la_orden()
    assert orden.estado == "levantada"
    levantamiento = db.session.scalars(select(HistorialTransicion).where(
        HistorialTransicion.evento == "levantar")).one()
    assert (levantamiento.origen, levantamiento.destino, levantamiento.motivo) == (
        "vigente", "levantada", "Cesó el riesgo")
    assert ">Registrar levantamiento</button>" not in capturista.get(f"/casos/{caso.id}").get_data(as_text=True)


def test_otra_institucion_no_actua_sobre_una_orden_ajena(vigente, como):
    ajena = como("capturista_b")
    antes = foto()
    respuesta = enviar(ajena, f"/ordenes/{vigente.id}/accion",
                       {"evento": "levantar", "version": str(vigente.version), "motivo": "x"}, pagina="/")
    assert respuesta.status_code == 404
    assert enviar(ajena, f"/ordenes/{vigente.id}/seguimiento", {}, pagina="/").status_code == 404
    assert foto() == antes


def test_seguimiento_diario_durante_seis_dias(vigente, como):
    """Contact every 24 hours during the first 6 days after issue drives "Contactar a la mujer"."""
    capturista = como("capturista")

    def contactar():
        return [situacion(f) for f in pendientes(capturista) if f[1] == CONTACTAR]

    # Just issued: the first contact is due within 24 hours.
    assert contactar() == ["Por vencer"]
    for dia in range(1, 7):
        # The k-th contact is due 24·k hours after issue, however late the previous one was.
        # The day's contact is an hour late: late.
        emitida = ahora() - timedelta(days=dia, hours=1)
        mover(vigente, emitida_en=emitida, solicitada_en=emitida - timedelta(hours=1),
              seguimientos=dia - 1)
        assert contactar() == ["Atrasado"], dia
        assert "atrasado</strong>" in capturista.get(f"/casos/{vigente.caso_id}").get_data(as_text=True)
        # Ten minutes before it is due instead: coming up.
        emitida = ahora() - timedelta(days=dia) + timedelta(minutes=10)
        mover(vigente, emitida_en=emitida, solicitada_en=emitida - timedelta(hours=1),
              seguimientos=dia - 1)
        assert contactar() == ["Por vencer"], dia
        # She calls, and records it: nothing is due now; the next one, a day later, shows on
        # the case page until the sixth.
        assert mensajes(capturista, seguimiento(capturista, vigente), "exito") == [
            "Contacto de seguimiento registrado."]
        assert contactar() == [], dia
        pagina = capturista.get(f"/casos/{vigente.caso_id}").get_data(as_text=True)
        assert ("Próximo contacto de seguimiento" in pagina) == (dia < 6), dia
    pagina = capturista.get(f"/casos/{vigente.caso_id}").get_data(as_text=True)
    assert "Próximo contacto de seguimiento" not in pagina
    assert db.session.query(HistorialTransicion).filter_by(evento="seguimiento").count() == 6


def test_no_se_da_seguimiento_a_una_orden_que_no_esta_vigente(solicitada, como):
    capturista = como("capturista")
    antes = foto()
    assert errores(capturista, seguimiento(capturista, solicitada)) == [
        "Solo se da seguimiento a una orden vigente."]
    assert foto() == antes


# ---- Pendientes ------------------------------------------------------------------------------

def test_una_orden_no_emitida_en_4_horas_aparece_atrasada_y_primero(caso, cuentas, como):
    capturista = como("capturista")
    # Something else due, but not late: a risk re-assessment due in 12 hours.
    otro = registrar_caso(cuentas["capturista"], nombre="Segunda Mujer Sintetica")
    mover(otro, proxima_valoracion=ahora() + timedelta(hours=12))
    assert pedir_orden(capturista, caso, ahora()).status_code == 302
    filas = pendientes(capturista)
    assert [(situacion(f), f[1]) for f in filas] == [("Por vencer", EMITIR),
                                                     ("Por vencer", "Revalorar el riesgo")]
    # Five hours pass without the order being issued.
    mover(la_orden(), solicitada_en=ahora() - timedelta(hours=5))
    filas = pendientes(capturista)
    assert filas[0][0] == "Atrasado URGENTE"
    assert "plazo legal de 4 horas" in filas[0][1] and filas[0][2] == NOMBRE
    assert [situacion(f) for f in filas] == ["Atrasado", "Por vencer"]
    assert "plazo legal vencido" in capturista.get(f"/casos/{caso.id}").get_data(as_text=True)


def test_una_canalizacion_sin_respuesta_se_ve_atrasada_en_ambas_instituciones(caso, cuentas, como):
    assert pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b).status_code == 302
    supervisora = como("supervisora")
    resolver(supervisora, solicitud_de("enviar"))
    canalizacion = canalizacion_unica()
    envia, recibe = como("capturista"), como("capturista_b")
    # Within its deadline: the receiver has it to answer; the sender waits quietly.
    assert [(situacion(f), f[1]) for f in pendientes(recibe)] == [
        ("Por vencer", "Responder la canalización recibida")]
    assert pendientes(envia) == []
    mover(canalizacion, plazo_respuesta=ahora() - timedelta(hours=2))
    assert [(situacion(f), f[1], f[2]) for f in pendientes(envia)] == [
        ("Atrasado", "Canalización sin respuesta de INSTB", NOMBRE)]
    filas = pendientes(recibe)
    assert [(situacion(f), f[1]) for f in filas] == [("Atrasado", "Responder la canalización recibida")]
    # The receiver does not learn the woman's name from her to-do list.
    assert filas[0][2] == "Caso canalizado a su institución"
    assert NOMBRE not in recibe.get("/pendientes").get_data(as_text=True)
    assert "atrasada" in recibe.get("/canalizaciones/").get_data(as_text=True)
    assert "sin respuesta en plazo" in envia.get(f"/casos/{caso.id}").get_data(as_text=True)
    # Once accepted it is no longer pending for either.
    responder(recibe, canalizacion, "aceptar")
    assert pendientes(envia) == [] and pendientes(recibe) == []


def test_una_revaloracion_vencida_aparece(caso, como):
    capturista = como("capturista")
    valorar(capturista, caso, si=GRAVES)
    db.session.rollback()
    registrado = db.session.get(Caso, caso.id)
    assert registrado.nivel_riesgo == "alto" and registrado.urgente
    # Alto is re-assessed every 7 days: shown once due within 24 hours, late once past.
    assert pendientes(capturista) == []
    mover(registrado, proxima_valoracion=ahora() + timedelta(hours=3))
    assert [(f[0], f[1]) for f in pendientes(capturista)] == [("Por vencer URGENTE", "Revalorar el riesgo")]
    mover(registrado, proxima_valoracion=ahora() - timedelta(days=1))
    assert [(f[0], f[1]) for f in pendientes(capturista)] == [("Atrasado URGENTE", "Revalorar el riesgo")]
    assert "La revaloración del riesgo venció" in capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    # A new assessment clears it.
    valorar(capturista, caso, si=GRAVES)
    assert pendientes(capturista) == []


def test_pendientes_van_por_urgencia_legal_y_dentro_de_cada_tipo_de_lo_mas_atrasado(cuentas, como):
    capturista = como("capturista")
    casos = {n: registrar_caso(cuentas["capturista"], nombre=f"Mujer {n} Sintetica")
             for n in ("Uno", "Dos", "Tres", "Cuatro", "Cinco")}
    # Orders typed with their real request time: late by 6 h and by 1 h; one just requested.
    pedir_orden(capturista, casos["Uno"], ahora() - timedelta(hours=10))
    pedir_orden(capturista, casos["Tres"], ahora() - timedelta(hours=5))
    pedir_orden(capturista, casos["Cinco"], ahora())
    # Re-assessments: late by 3 h; due in 2 h.
    mover(casos["Dos"], proxima_valoracion=ahora() - timedelta(hours=3))
    mover(casos["Cuatro"], proxima_valoracion=ahora() + timedelta(hours=2))
    filas = pendientes(capturista)
    # Every order (4 hours to issue, by law) before any re-assessment, even one late.
    assert [(situacion(f), f[1], f[2]) for f in filas] == [
        ("Atrasado", EMITIR, "Mujer Uno Sintetica"), ("Atrasado", EMITIR, "Mujer Tres Sintetica"),
        ("Por vencer", EMITIR, "Mujer Cinco Sintetica"),
        ("Atrasado", "Revalorar el riesgo", "Mujer Dos Sintetica"),
        ("Por vencer", "Revalorar el riesgo", "Mujer Cuatro Sintetica")]
    for tipo in (EMITIR, "Revalorar el riesgo"):
        vencimientos = [datetime.strptime(f[3], "%d/%m/%Y %H:%M") for f in filas if f[1] == tipo]
        assert vencimientos == sorted(vencimientos)


def test_mis_pendientes_son_los_de_mis_casos_y_lo_que_yo_pedi(app, cuentas, como):
    """Hers by default: the re-assessments and orders of the cases in her charge, whoever
    registered the order; her institution's behind a link."""
    colega = crear_usuaria("capturista", cuentas.institucion_a)
    capturista = como("capturista")
    otra = app.test_client()
    assert entrar(otra, colega).status_code == 302
    suyo = registrar_caso(cuentas["capturista"], nombre="Mujer Suya Sintetica")
    ajeno = registrar_caso(colega, nombre="Mujer Ajena Sintetica")
    mover(ajeno, proxima_valoracion=ahora() - timedelta(hours=1))  # the colleague's case
    pedir_orden(capturista, suyo, ahora() - timedelta(hours=6))  # her order on her case
    pedir_orden(capturista, ajeno, ahora() - timedelta(hours=5))  # her order on the colleague's
    pedir_orden(otra, suyo, ahora() - timedelta(hours=1))  # the colleague's order on hers

    def vista(cliente, institucion):
        return sorted((f[1], f[2]) for f in pendientes(cliente, institucion=institucion))

    institucion = sorted([(EMITIR, "Mujer Suya Sintetica"), (EMITIR, "Mujer Ajena Sintetica"),
                          ("Revalorar el riesgo", "Mujer Ajena Sintetica"), (EMITIR, "Mujer Suya Sintetica")])
    assert vista(capturista, True) == vista(otra, True) == institucion
    assert vista(capturista, False) == [(EMITIR, "Mujer Suya Sintetica")] * 2
    assert vista(otra, False) == sorted([(EMITIR, "Mujer Ajena Sintetica"),
                                         ("Revalorar el riesgo", "Mujer Ajena Sintetica")])
    html = unescape(capturista.get("/pendientes").get_data(as_text=True))
    assert "Mis pendientes" in html and "Todos los de mi institución" in html
    html = unescape(capturista.get("/pendientes?ver=institucion").get_data(as_text=True))
    assert "Pendientes de INSTA" in html and "Solo los míos" in html
    # Another institution sees none of it.
    assert pendientes(como("capturista_b"), institucion=True) == []


def test_una_aprobacion_pendiente_aparece_para_quien_la_pidio_y_para_quien_la_resuelve(caso, como):
    capturista, supervisora = como("capturista"), como("supervisora")
    mover_caso(capturista, caso, "cerrar", motivo="Concluyó")
    assert [f[1] for f in pendientes(capturista)] == ["Su solicitud espera aprobación: cierre del caso"]
    # Hers to resolve: among a supervisora's own pendientes, linked to the approval inbox.
    assert [f[1] for f in pendientes(supervisora)] == ["Aprobar el cierre del caso"]
    assert [f[1] for f in pendientes(supervisora, institucion=True)] == ["Aprobar el cierre del caso"]
    html = supervisora.get("/pendientes").get_data(as_text=True)
    assert 'href="/aprobaciones/">Aprobar el cierre del caso' in html
    # Who asked sees it on the case's page (the inbox is not hers: 403).
    html = unescape(capturista.get("/pendientes").get_data(as_text=True))
    assert f'href="/casos/{caso.id}">Su solicitud espera aprobación: cierre del caso' in html


# ---- the command for a scheduled job -----------------------------------------------------------

def _lineas_json(salida: str) -> list[dict]:
    return [json.loads(linea) for linea in salida.splitlines() if linea.startswith("  {")]


def test_el_comando_pendientes_imprime_conteos_y_casos_sin_nombres(caso, cuentas, como, runner):
    capturista = como("capturista")
    pedir_orden(capturista, caso, ahora() - timedelta(hours=6))  # late
    otro = registrar_caso(cuentas["capturista"], nombre="Otra Canaria Sintetica")
    mover(otro, proxima_valoracion=ahora() + timedelta(hours=5))  # due soon
    db.session.rollback()
    resultado = runner.invoke(args=["pendientes"])
    assert resultado.exit_code == 0, resultado.output
    salida = resultado.output
    assert "INSTA: 1 atrasados, 1 por vencer" in salida
    assert "INSTB: 0 atrasados, 0 por vencer" in salida
    lineas = _lineas_json(salida)
    assert [(p["estado"], p["tipo"], p["caso"]) for p in lineas] == [
        ("atrasado", EMITIR, str(caso.id)), ("por_vencer", "Revalorar el riesgo", str(otro.id))]
    assert all(p["vence"].endswith("-06:00") for p in lineas)  # local time, as the people read it
    # No personal data: neither name, nor anything else of the intake.
    for canario in (NOMBRE, "Canaria", "Xochitl", "Pruebasintetica", "PEMA850101", "4929990001",
                    "Calle Ficticia", "Agresor Sintetico"):
        assert canario not in salida
    assert "Órdenes marcadas" not in salida


def test_el_comando_pendientes_vencer_marca_las_ordenes_caducadas(vigente, caso, como, runner):
    capturista = como("capturista")
    # A second order, extended, and a third still in force.
    pedir_orden(capturista, caso, ahora() - timedelta(hours=1))
    segunda = ordenes()[1]
    actuar(capturista, segunda, "emitir", momento=local(ahora() - timedelta(minutes=30)), dias="10")
    actuar(capturista, segunda, "prorrogar", dias="5")
    pedir_orden(capturista, caso, ahora() - timedelta(minutes=40))
    tercera = ordenes()[2]
    actuar(capturista, tercera, "emitir", momento=local(ahora() - timedelta(minutes=20)), dias="60")
    mover(vigente, vence_en=ahora() - timedelta(hours=1))
    mover(segunda, vence_en=ahora() - timedelta(minutes=5))
    versiones = {o.id: o.version for o in ordenes()}
    db.session.rollback()
    resultado = runner.invoke(args=["pendientes", "--vencer"])
    assert resultado.exit_code == 0, resultado.output
    assert "Órdenes marcadas como vencidas: 2" in resultado.output
    estados = {o.id: (o.estado, o.version) for o in ordenes()}
    assert estados == {vigente.id: ("vencida", versiones[vigente.id] + 1),
                       segunda.id: ("vencida", versiones[segunda.id] + 1),
                       tercera.id: ("vigente", versiones[tercera.id])}
    historia = db.session.scalars(select(HistorialTransicion).where(
        HistorialTransicion.evento == "vencer").order_by(HistorialTransicion.origen)).all()
    assert [(h.entidad_id, h.origen, h.destino, h.usuaria_id, h.rol) for h in historia] == [
        (segunda.id, "prorrogada", "vencida", None, "sistema"),
        (vigente.id, "vigente", "vencida", None, "sistema")]
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Venció la orden de protección" in pagina and "Sistema" in pagina
    # Run again: nothing left to expire.
    db.session.rollback()
    assert "Órdenes marcadas como vencidas: 0" in runner.invoke(args=["pendientes", "--vencer"]).output


# ---- the referral's response deadline ----------------------------------------------------------

@pytest.mark.parametrize("tipos, servicios_, urgente, horas", [
    (["fisica"], ["juridica"], False, 72),
    (["fisica"], ["medica"], False, 72),
    (["sexual"], ["juridica"], False, 72),
    (["fisica"], ["juridica"], True, 24),
    (["sexual"], ["medica", "psicologica"], False, 12),
    (["sexual", "fisica"], ["medica"], True, 12),
], ids=["normal", "medica-sin-violencia-sexual", "sexual-sin-medica", "urgente", "salud-sexual",
        "salud-sexual-urgente"])
def test_el_plazo_de_respuesta_se_fija_al_enviar(cuentas, como, tipos, servicios_, urgente, horas):
    capturista, supervisora = como("capturista"), como("supervisora")
    caso = registrar_caso(cuentas["capturista"], tipos=tipos, tipos_institucion=["cjm"])
    if urgente:
        valorar(capturista, caso, si=GRAVES)
    assert pedir_canalizacion(capturista, caso, cuentas.institucion_b, servicios_).status_code == 302
    # The request waited a day for its approval: the clock starts when it is sent.
    mover(canalizacion_unica(), creada_en=ahora() - timedelta(days=1))
    assert canalizacion_unica().plazo_respuesta is None
    antes = ahora()
    assert mensajes(supervisora, resolver(supervisora, solicitud_de("enviar")), "exito") == [
        "Solicitud aprobada."]
    despues = ahora()
    canalizacion = canalizacion_unica()
    assert antes <= canalizacion.enviada_en <= despues
    assert canalizacion.plazo_respuesta - canalizacion.enviada_en == timedelta(hours=horas)
    assert horas == plazos.horas_respuesta_canalizacion(
        urgente=urgente, salud_por_violencia_sexual="sexual" in tipos and "medica" in servicios_)
    # Both sides see the deadline, in local time.
    limite = canalizacion.plazo_respuesta.astimezone(MX).strftime("%d/%m/%Y %H:%M")
    assert limite in como("capturista_b").get("/canalizaciones/").get_data(as_text=True)
    assert limite in capturista.get(f"/canalizaciones/{canalizacion.id}").get_data(as_text=True)


def test_la_urgencia_se_toma_al_aprobar_no_al_pedir(caso, cuentas, como):
    capturista, supervisora = como("capturista"), como("supervisora")
    assert pedir_canalizacion(capturista, caso, cuentas.institucion_b).status_code == 302
    # Between the request and its approval the risk is assessed as alto: the case is urgent.
    valorar(capturista, caso, si=GRAVES)
    resolver(supervisora, solicitud_de("enviar"))
    canalizacion = canalizacion_unica()
    assert canalizacion.plazo_respuesta - canalizacion.enviada_en == timedelta(
        hours=plazos.CANALIZACION_RESPUESTA_HORAS["urgente"])
