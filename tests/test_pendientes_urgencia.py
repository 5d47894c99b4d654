"""Pendientes by legal urgency (issue 12, item 3): protection orders before referral answers
before approvals before re-assessments; within a kind, late first (most overdue first), then
due soonest, urgent cases ahead on ties; grouped under a heading per kind with its count;
filtered by kind and situation; in pages whose count does not move; the same statements with
one pendiente or hundreds; cards, not a wide table, on a phone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from casos.bd import ahora
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.pendientes import servicios as pendientes_servicios
from tests.conftest import datos_de_caso
from tests.test_consultas_por_pagina import sentencias
from tests.test_movimientos_ilegales import (
    canalizacion_unica,
    mover_caso,
    pedir_canalizacion,
    resolver,
    solicitud_de,
)
from tests.test_ordenes_y_pendientes import EMITIR, mover, pedir_orden, pendientes, situacion

pytestmark = pytest.mark.reloj  # deadlines counted from now

REVALORAR = "Revalorar el riesgo"


def registrar(usuaria, nombre, **cambios) -> Caso:
    caso = servicios.registrar_caso(usuaria, datos_de_caso(nombre=nombre, **cambios))
    db.session.commit()
    return caso


def html_de(cliente, **consulta) -> str:
    respuesta = cliente.get("/pendientes", query_string=consulta)
    assert respuesta.status_code == 200
    return unescape(respuesta.get_data(as_text=True))


def encabezados(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h)).strip()
            for h in re.findall(r'<h2 id="grupo-[a-z]+">(.*?)</h2>', html, re.S)]


def una_de_cada_tipo(cuentas, como) -> dict[str, Caso]:
    """One pendiente of each kind for institution A's capturista, every one of them late but
    the order: a re-assessment overdue since 2024, an approval waiting two days, a referral
    unanswered an hour past its deadline, and an order requested an hour ago (3 hours left)."""
    capturista = como("capturista")
    casos = {n: registrar(cuentas["capturista"], f"Mujer {n} Sintetica")
             for n in ("Revalorar", "Aprobar", "Canalizar", "Orden")}
    mover(casos["Revalorar"], proxima_valoracion=datetime.fromisoformat("2024-03-01T12:00:00+00:00"))
    mover_caso(capturista, casos["Aprobar"], "cerrar", motivo="Concluyó")
    mover(solicitud_de("cerrar"), creada_en=ahora() - timedelta(days=2))
    assert pedir_canalizacion(capturista, casos["Canalizar"], cuentas.institucion_b).status_code == 302
    resolver(como("supervisora"), solicitud_de("enviar"))
    mover(canalizacion_unica(), plazo_respuesta=ahora() - timedelta(hours=1))
    assert pedir_orden(capturista, casos["Orden"], ahora() - timedelta(hours=1)).status_code == 302
    return casos


def test_una_orden_en_plazo_va_antes_que_todo_lo_atrasado(cuentas, como):
    """The complaint of the issue: re-assessments overdue since 2024 came before a protection
    order to be issued within 4 hours today."""
    una_de_cada_tipo(cuentas, como)
    filas = pendientes(como("capturista"))
    assert [(situacion(f), f[1], f[2]) for f in filas] == [
        ("Por vencer", EMITIR, "Mujer Orden Sintetica"),
        ("Atrasado", "Canalización sin respuesta de INSTB", "Mujer Canalizar Sintetica"),
        ("Atrasado", "Su solicitud espera aprobación: cierre del caso", "Mujer Aprobar Sintetica"),
        ("Atrasado", REVALORAR, "Mujer Revalorar Sintetica")]
    assert encabezados(html_de(como("capturista"))) == [
        "Órdenes de protección (1)", "Canalizaciones en espera de respuesta (1)", "Aprobaciones (1)",
        "Revaloraciones del riesgo (1)"]
    # The class order is data, with the deadlines in flujos/plazos.py.
    assert pendientes_servicios.CLASES == ("orden", "canalizacion", "aprobacion", "revaloracion")


def test_dentro_de_un_tipo_lo_mas_atrasado_primero_y_lo_urgente_en_un_empate(cuentas, como):
    autora = cuentas["capturista"]
    mismo = ahora() + timedelta(hours=3)
    casos = [("Muy atrasada", ahora() - timedelta(days=300), False),
             ("Poco atrasada", ahora() - timedelta(hours=1), False),
             ("Empate normal", mismo, False), ("Empate urgente", mismo, True),
             ("Vence despues", ahora() + timedelta(hours=20), True)]
    for nombre, vence, urgente in casos:
        mover(registrar(autora, f"{nombre} Sintetica"), proxima_valoracion=vence, urgente=urgente)
    filas = pendientes(como("capturista"))
    assert [(f[0], f[2]) for f in filas] == [
        ("Atrasado", "Muy atrasada Sintetica"), ("Atrasado", "Poco atrasada Sintetica"),
        ("Por vencer URGENTE", "Empate urgente Sintetica"), ("Por vencer", "Empate normal Sintetica"),
        ("Por vencer URGENTE", "Vence despues Sintetica")]


def test_se_filtra_por_tipo_y_por_situacion_con_sus_conteos(cuentas, como):
    una_de_cada_tipo(cuentas, como)
    capturista = como("capturista")
    assert [f[1] for f in pendientes(capturista, tipo="revaloracion")] == [REVALORAR]
    assert [f[1] for f in pendientes(capturista, tipo="orden")] == [EMITIR]
    assert [f[1] for f in pendientes(capturista, situacion="atrasados")] == [
        "Canalización sin respuesta de INSTB", "Su solicitud espera aprobación: cierre del caso", REVALORAR]
    assert [f[1] for f in pendientes(capturista, situacion="por_vencer")] == [EMITIR]
    assert pendientes(capturista, situacion="atrasados", tipo="orden") == []
    assert "Nada atrasado ni por vencer con estos filtros." in html_de(capturista, situacion="atrasados", tipo="orden")
    # Each filter says how many it would show, given the other.
    html = html_de(capturista, situacion="atrasados")
    for texto in ("Todos los tipos (3)", "Órdenes de protección (0)", "Revaloraciones del riesgo (1)",
                  "Atrasados y por vencer (4)", "Atrasados (3)", "Por vencer (1)"):
        assert texto in html, texto
    # The links keep the other filter and the view.
    assert 'href="/pendientes?ver=institucion&amp;tipo=orden&amp;situacion=por_vencer"' in \
        capturista.get("/pendientes?ver=institucion&situacion=por_vencer").get_data(as_text=True)
    # Anything else is ignored: the page's defaults, never an error.
    for consulta in ({"tipo": "x' OR 1=1"}, {"situacion": "<script>"}, {"pagina": "-3"},
                     {"pagina": "9" * 40}, {"ver": "todas"}):
        assert len(pendientes(capturista, **consulta)) == 4, consulta


def test_las_paginas_no_pierden_ni_repiten_y_su_conteo_no_cambia(cuentas, como):
    autora = cuentas["capturista"]
    for i in range(60):  # hours late: 60, 59, ... 1
        caso = servicios.registrar_caso(autora, datos_de_caso(nombre=f"Persona {i:02d} Sintetica"))
        caso.proxima_valoracion = ahora() - timedelta(hours=60 - i)
    db.session.commit()
    capturista = como("capturista")
    vistos = []
    for pagina in (1, 2, 3):
        html = html_de(capturista, pagina=pagina)
        assert f"Página {pagina} de 3 (60 pendientes)" in html
        # The heading counts the kind, not the page; a kind that goes on says so.
        assert encabezados(html) == ["Revaloraciones del riesgo (60)" + (" (continuación)" if pagina > 1 else "")]
        vistos += [f[2] for f in pendientes(capturista, pagina=pagina)]
    assert vistos == [f"Persona {i:02d} Sintetica" for i in range(60)]
    assert [len(pendientes(capturista, pagina=p)) for p in (1, 2, 3)] == [25, 25, 10]
    # Past the last page: the last one; not a number: the first.
    assert pendientes(capturista, pagina=99) == pendientes(capturista, pagina=3)
    assert pendientes(capturista, pagina="abc") == pendientes(capturista, pagina=1)
    # Digits to str.isdigit that int() refuses or that are not ASCII: the first page, no error.
    for raro in ("²", "٣", "１", "-1", "1.5", "9" * 30):
        assert pendientes(capturista, pagina=raro) == pendientes(capturista, pagina=1), raro
    html = capturista.get("/pendientes?pagina=2&situacion=atrasados").get_data(as_text=True)
    assert 'href="/pendientes?situacion=atrasados&amp;pagina=3"' in html and 'rel="prev"' in html


def _sentencias(cliente, ruta: str) -> list[str]:
    cliente.get(ruta)
    with sentencias() as vistas:
        assert cliente.get(ruta).status_code == 200
    return vistas


def test_la_pagina_y_el_inicio_hacen_las_mismas_consultas_con_uno_o_con_cientos(cuentas, como):
    una_de_cada_tipo(cuentas, como)
    capturista, supervisora = como("capturista"), como("supervisora")
    pocas = {r: len(_sentencias(c, r)) for c in (capturista,) for r in ("/pendientes", "/")}
    pocas_sup = len(_sentencias(supervisora, "/"))
    autora = cuentas["capturista"]
    for i in range(40):
        caso = servicios.registrar_caso(autora, datos_de_caso(nombre=f"Persona {i} Sintetica"))
        caso.proxima_valoracion, caso.urgente = ahora() - timedelta(hours=i), i % 2 == 0
    db.session.commit()
    for caso in db.session.scalars(db.select(Caso).limit(5)).all():
        pedir_orden(capturista, caso, ahora() - timedelta(hours=2))
    for caso in db.session.scalars(db.select(Caso).offset(5).limit(5)).all():
        mover_caso(capturista, caso, "cerrar", motivo="Concluyó")
    muchas = {r: len(_sentencias(capturista, r)) for r in ("/pendientes", "/")}
    assert len(pendientes(capturista)) == 25  # a full page
    assert muchas == pocas
    assert len(_sentencias(supervisora, "/")) == pocas_sup
    # Session and account (1), the read event (3), one per kind (4), the names (2).
    assert muchas["/pendientes"] <= 10, muchas
    # Session and account, her pendientes (4), referrals received, her urgent cases; and
    # for a supervisora, the requests waiting for her.
    assert muchas["/"] <= 7 and pocas_sup <= 8, (muchas, pocas_sup)


def test_en_un_telefono_cada_pendiente_es_una_tarjeta(cuentas, como):
    """No four-column table to scroll sideways: each pendiente is a list item whose parts
    stack (casos/estaticos/estilo.css, .pendiente); the browser check is
    tests/navegador/test_telefono.py."""
    una_de_cada_tipo(cuentas, como)
    html = html_de(como("capturista"))
    assert "<table" not in html
    assert html.count('<li class="pendiente') == 4
    from pathlib import Path

    estilo = (Path(__file__).resolve().parent.parent / "casos/estaticos/estilo.css").read_text()
    assert ".pendiente {" in estilo and "@media (min-width: 48rem)" in estilo


@pytest.mark.parametrize("urgente_al_enviar", [False, True])
def test_la_receptora_ve_la_urgencia_con_que_se_envio_no_la_de_hoy(cuentas, como, urgente_al_enviar):
    """A later assessment of the owner (or its revocation) must not reach the receiving
    institution through a URGENTE mark: it may not see her risk at all ("hechos" only)."""
    from tests.test_ordenes_y_pendientes import GRAVES, valorar

    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=["hechos"]))
    db.session.commit()
    capturista, supervisora, receptora = como("capturista"), como("supervisora"), como("capturista_b")
    if urgente_al_enviar:
        valorar(capturista, caso, si=GRAVES)
    assert pedir_canalizacion(capturista, caso, cuentas.institucion_b).status_code == 302
    assert resolver(supervisora, solicitud_de("enviar")).status_code == 302

    def marcas() -> tuple[bool, bool]:
        return ("URGENTE" in html_de(receptora, ver="institucion"),
                "URGENTE" in receptora.get("/canalizaciones/").get_data(as_text=True))

    assert marcas() == (urgente_al_enviar, urgente_al_enviar)
    # The owner's case changes its urgency afterwards: the receiver's marks stay as sent.
    if urgente_al_enviar:
        db.session.execute(sa.update(Caso).where(Caso.id == caso.id).values(urgente=False))
        db.session.commit()
    else:
        valorar(capturista, caso, si=GRAVES)
    assert db.session.get(Caso, caso.id).urgente is not urgente_al_enviar
    assert marcas() == (urgente_al_enviar, urgente_al_enviar)
    # The owner sees the case as it is now, on the referral's page too.
    pagina = capturista.get(f"/canalizaciones/{canalizacion_unica().id}").get_data(as_text=True)
    assert ("URGENTE" in pagina) is not urgente_al_enviar
