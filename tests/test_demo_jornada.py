"""The demo's working day (casos/demo_jornada.py, issue 12 item 8): after `flask demo --casos N`
a newcomer finds every state of a referral and of a protection order, approvals waiting at each
institution for a supervisora who did not ask, services recorded, a handful of late
re-assessments per institution (not hundreds), and work waiting for every demo account. All of
it went through the services (history rows and audit events exist); nothing names a woman
outside her encrypted fields; running `demo` again changes nothing."""

from __future__ import annotations

import logging
import shlex
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casos.atenciones.modelos import Atencion
from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.cuentas.modelos import Institucion, Usuaria
from casos.demo import CONTRASENA_DEMO, CUENTAS, SECRETO_TOTP_DEMO
from casos.expedientes.modelos import Asignacion, Caso, ValoracionRiesgo, Victima
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.ordenes.modelos import OrdenProteccion
from casos.pendientes.servicios import calcular
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos import plazos
from flujos.canalizacion import FLUJO_CANALIZACION
from flujos.orden_proteccion import FLUJO_ORDEN
from tests.conftest import entrar

CASOS = 150
TABLAS = (Caso, Canalizacion, OrdenProteccion, SolicitudAprobacion, HistorialTransicion, Atencion,
          Asignacion, ValoracionRiesgo, EventoAuditoria)

pytestmark = pytest.mark.reloj  # ages, deadlines and due dates are counted from today


def _horas(n: float) -> timedelta:
    return timedelta(hours=n)


def _sembrar(runner):
    resultado = runner.invoke(args=["demo", "--casos", str(CASOS)])
    assert resultado.exit_code == 0, resultado.output
    db.session.rollback()
    return resultado.output


def _cuantos() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLAS}


def _institucion(siglas) -> Institucion:
    return db.session.scalar(select(Institucion).where(Institucion.siglas == siglas))


def _revaloraciones_atrasadas(institucion) -> int:
    momento = ahora()
    return sum(1 for p in calcular(institucion.id, momento=momento)
               if p.clase == "revaloracion" and p.atrasado(momento))


def test_un_dia_de_trabajo_creible_que_no_se_duplica_ni_nombra_a_nadie(app, runner, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, SQLAlchemy's rows included
    salida = _sembrar(runner)
    assert "Jornada de trabajo de demostración sembrada" in salida

    # Every state of both machines, reached through their services (each left history).
    canalizaciones = Counter(db.session.scalars(select(Canalizacion.estado)))
    assert set(canalizaciones) == set(FLUJO_CANALIZACION.estados), canalizaciones
    estados_orden = Counter(db.session.scalars(select(OrdenProteccion.estado)))
    assert set(estados_orden) == set(FLUJO_ORDEN.estados), estados_orden
    for fila in db.session.scalars(select(Canalizacion)):
        assert {h.evento for h in db.session.scalars(select(HistorialTransicion).where(
            HistorialTransicion.entidad_id == fila.id))} >= {"crear", "solicitar_envio"}
        historia = db.session.scalars(select(HistorialTransicion.momento).where(
            HistorialTransicion.entidad_id == fila.id)).all()
        assert all(m <= ahora() for m in historia) and fila.caso.creado_en < min(historia)

    # Referrals waiting for an answer: one past its deadline, one due within the day.
    momento = ahora()
    plazos_de_respuesta = db.session.scalars(select(Canalizacion.plazo_respuesta).where(
        Canalizacion.estado == "enviada")).all()
    assert any(p < momento for p in plazos_de_respuesta)
    assert any(momento < p < momento + _horas(24) for p in plazos_de_respuesta)

    # Orders: within the 4-hour window and late; a daily contact due; one about to expire.
    solicitadas = db.session.scalars(select(OrdenProteccion).where(OrdenProteccion.estado == "solicitada")).all()
    assert any(ordenes.limite_emision(o) > momento for o in solicitadas)
    assert any(ordenes.limite_emision(o) < momento for o in solicitadas)
    vigentes = db.session.scalars(select(OrdenProteccion).where(
        OrdenProteccion.estado.in_(("vigente", "prorrogada")))).all()
    assert any((s := ordenes.proximo_seguimiento(o)) and s < momento + _horas(24) for o in vigentes)
    assert any(o.vence_en < momento + _horas(24 * plazos.ORDEN_AVISO_VENCIMIENTO_DIAS) for o in vigentes)

    # Approvals wait at both institutions, each for a supervisora who did not ask for it.
    for siglas in ("FGJEZ", "CJM"):
        institucion = _institucion(siglas)
        pendientes = db.session.scalars(select(SolicitudAprobacion).where(
            SolicitudAprobacion.institucion_id == institucion.id, SolicitudAprobacion.estado == "pendiente")).all()
        assert {s.entidad for s in pendientes} == {"canalizacion", "caso", "valoracion_riesgo"}, siglas
        supervisoras = db.session.scalars(select(Usuaria.id).where(
            Usuaria.institucion_id == institucion.id, Usuaria.rol == "supervisora")).all()
        assert all(set(supervisoras) - {s.solicitante_id} for s in pendientes)

    # Services by the owning institutions and by receiving ones under their referral.
    assert db.session.scalar(select(func.count()).select_from(Atencion).where(Atencion.canalizacion_id.is_(None)))
    assert db.session.scalar(select(func.count()).select_from(Atencion).where(Atencion.canalizacion_id.is_not(None)))

    # Documents a receiving institution can open: an issued order's scan on the owner's case,
    # an ID sent with a referral, a receiver's own report on it; each one a real, readable image.
    from casos.adjuntos import servicios as adjuntos
    from casos.adjuntos.modelos import Adjunto

    documentos = db.session.scalars(select(Adjunto)).all()
    assert {(a.categoria, a.canalizacion_id is not None) for a in documentos} >= {
        ("orden_proteccion", False), ("identificacion", True)}
    assert all(adjuntos.contenido(a).startswith(b"\x89PNG") for a in documentos)

    # A handful of late re-assessments per institution, not hundreds.
    for siglas in ("FGJEZ", "CJM", "SEMUJER"):
        assert 1 <= _revaloraciones_atrasadas(_institucion(siglas)) <= 10, siglas

    # Cases are spread among each institution's people; not all "Registrado" any more.
    assert len(set(db.session.scalars(select(Caso.responsable_id)))) >= 6
    assert len(set(db.session.scalars(select(Caso.estado)))) >= 4

    # Every demo account that works cases finds something waiting for her.
    for correo, _nombre, rol, _siglas in CUENTAS:
        if rol in ("capturista", "supervisora"):
            usuaria = db.session.scalar(select(Usuaria).where(Usuaria.correo == correo))
            assert calcular(usuaria.institucion_id, usuaria=usuaria, solo_suyos=True), correo

    # Nothing names her outside her encrypted fields: not the output, the logs or the trail.
    nombres = {v.nombre for v in db.session.scalars(select(Victima))}
    assert len(nombres) > 20
    eventos = " ".join(str(fila) for fila in db.session.execute(select(EventoAuditoria)).all())
    registros = caplog.text
    for nombre in nombres:
        assert nombre not in salida and nombre not in registros and nombre not in eventos

    # Twice: nothing new, and it says so.
    antes = _cuantos()
    segunda = _sembrar(runner)
    assert "ya existía" in segunda and _cuantos() == antes


def test_las_paginas_de_la_jornada_se_abren(app, runner):
    """The seeded day is one the pages can show: each account's pendientes, inboxes, and the
    pages of every referral and of every case with an order, as the people who work them."""
    _sembrar(runner)
    clientes = {}
    for correo in ("capturista@fiscalia.demo", "capturista@cjm.demo", "supervisora@fiscalia.demo",
                   "supervisora2@cjm.demo", "capturista@semujer.demo"):
        cliente = app.test_client()
        assert entrar(cliente, correo, CONTRASENA_DEMO, secreto=SECRETO_TOTP_DEMO).status_code == 302
        clientes[correo] = cliente
        usuaria = db.session.scalar(select(Usuaria).where(Usuaria.correo == correo))
        for ruta in ("/", "/pendientes", "/canalizaciones/"):
            assert cliente.get(ruta).status_code == 200, (correo, ruta)
        if usuaria.rol == "supervisora":
            pagina = cliente.get("/aprobaciones/")
            assert pagina.status_code == 200
        for canalizacion in db.session.scalars(select(Canalizacion).where(
                Canalizacion.origen_id == usuaria.institucion_id)):
            assert cliente.get(f"/canalizaciones/{canalizacion.id}").status_code == 200
            assert cliente.get(f"/casos/{canalizacion.caso_id}").status_code == 200
        for orden in db.session.scalars(select(OrdenProteccion).where(
                OrdenProteccion.institucion_id == usuaria.institucion_id)):
            assert cliente.get(f"/casos/{orden.caso_id}").status_code == 200


def _pasos_de_make_run() -> list[list[str]]:
    """The flask commands `make run` runs before serving (the Makefile's own lines)."""
    texto = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    receta = texto.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    return [shlex.split(linea.split("--app wsgi", 1)[1]) for linea in receta.splitlines()
            if "flask --app wsgi" in linea and " run " not in linea + " "]


def test_tras_make_run_cada_rol_abre_su_inicio_con_trabajo(app, runner):
    """A newcomer's `make run`: the gestora finds figures, the admin the last verification."""
    pasos = _pasos_de_make_run()
    assert [p[0] for p in pasos] == ["init", "demo", "estadisticas", "auditoria"], pasos
    for paso in pasos[1:]:  # init: the test database is already migrated
        resultado = runner.invoke(args=["demo", "--casos", str(CASOS)] if paso[0] == "demo" else paso)
        assert resultado.exit_code == 0, resultado.output
        db.session.rollback()
    for correo, esperado in (("gestora@semujer.demo", "Mujeres atendidas"),
                             ("admin@semujer.demo", "Íntegra</span>")):
        cliente = app.test_client()
        assert entrar(cliente, correo, CONTRASENA_DEMO, secreto=SECRETO_TOTP_DEMO).status_code == 302
        html = cliente.get("/").get_data(as_text=True)
        assert esperado in html, correo
        assert "Todavía no hay cifras" not in html and "se ha verificado la cadena" not in html
