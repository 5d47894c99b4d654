"""Retention (casos/conservacion/, issue 16 item 4): the schedule blocks exactly the closed
cases whose period ended, later shreds exactly the ones blocked long enough, and keeps their
statistical record; a blocked case is read only through a read the admin authorized, by the
one who asked, for a while, and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora
from casos.conservacion import plazos
from casos.conservacion import servicios as conservacion
from casos.cripto.campos import DatosBloqueados
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from casos.transiciones.modelos import HistorialTransicion
from tests.conftest import datos_de_caso, enviar, token_csrf

NOMBRE = "Canaria Xochitl Pruebasintetica"


def _caso(cuentas, quien="capturista", **cambios) -> Caso:
    caso = expedientes.registrar_caso(cuentas[quien], datos_de_caso(**cambios))
    db.session.commit()
    return caso


def _cerrado_hace(cuentas, dias: int, quien="capturista", reabierto=False) -> Caso:
    """A case closed `dias` ago (its closure moved back in its history, as time would)."""
    caso = _caso(cuentas, quien)
    usuaria, supervisora = cuentas[quien], cuentas["supervisora" + quien.removeprefix("capturista")]
    solicitud = transiciones.solicitar(caso, "cerrar", transiciones.actor(usuaria, duena_id=caso.institucion_id),
                                       usuaria, motivo="Concluyó la atención (sintético)")
    transiciones.aprobar(solicitud, caso, supervisora, version_vista=solicitud.version)
    if reabierto:
        transiciones.disparar(caso, "reabrir", transiciones.actor(usuaria, duena_id=caso.institucion_id), usuaria,
                              version_vista=caso.version, motivo="Regresó (sintético)")
    db.session.execute(sa.update(HistorialTransicion).where(
        HistorialTransicion.entidad_id == caso.id, HistorialTransicion.evento == "cerrar")
        .values(momento=ahora() - timedelta(days=dias)))
    db.session.commit()
    return caso


def _estado() -> dict:
    db.session.rollback()
    return {c.id: (c.bloqueado_en is not None, c.datos_eliminados) for c in db.session.scalars(sa.select(Caso))}


def _registro_estadistico() -> list:
    """What statistics read of every case: its plaintext categorical columns."""
    db.session.rollback()
    return db.session.execute(sa.select(Caso.id, Caso.institucion_id, Caso.municipio, Caso.rango_edad,
                                        Caso.estado, Caso.nivel_riesgo, Caso.creado_en)
                              .order_by(Caso.id)).all()


def _acciones(accion: str) -> list:
    db.session.rollback()
    return db.session.execute(sa.select(EventoAuditoria.caso_id, EventoAuditoria.motivo)
                              .where(EventoAuditoria.accion == accion).order_by(EventoAuditoria.secuencia)).all()


def test_los_plazos_vienen_de_los_datos(cuentas):
    # INSTA is a fiscalía, INSTB a CJM (tests/conftest.py); an unknown kind takes the default.
    assert plazos.de(cuentas.institucion_a) == plazos.Plazos(10, 10)
    assert plazos.de(cuentas.institucion_b) == plazos.Plazos(10, 5)
    assert plazos.de(type("I", (), {"siglas": "X", "tipo": "refugio"})()) == plazos.Plazos(5, 5)


def test_el_calendario_bloquea_y_despues_elimina_exactamente_lo_que_nombra(app, runner, cuentas):
    a_vencido = _cerrado_hace(cuentas, 3660 + 30)  # fiscalía: 10 years after closure
    a_a_tiempo = _cerrado_hace(cuentas, 3650 - 30)
    a_reabierto = _cerrado_hace(cuentas, 4000, reabierto=True)
    a_abierto = _caso(cuentas)
    b_vencido = _cerrado_hace(cuentas, 3660 + 30, quien="capturista_b")  # CJM: 10 years, then 5 blocked
    todos = [a_vencido, a_a_tiempo, a_reabierto, a_abierto, b_vencido]
    estadistica = _registro_estadistico()

    consulta = runner.invoke(args=["conservacion", "revisar"])
    assert consulta.exit_code == 0, consulta.output
    assert "INSTA: 1 por bloquear, 0 por eliminar." in consulta.output
    assert "INSTB: 1 por bloquear, 0 por eliminar." in consulta.output
    assert "Nada se cambió" in consulta.output
    assert NOMBRE not in consulta.output and not any(str(c.id) in consulta.output for c in todos)
    assert _estado() == {c.id: (False, False) for c in todos}

    aplicada = runner.invoke(args=["conservacion", "revisar", "--aplicar", "--lote", "1"])
    assert aplicada.exit_code == 0, aplicada.output
    assert "Listo: 2 casos bloqueados y 0 con sus datos personales eliminados." in aplicada.output
    bloqueados = {a_vencido.id, b_vencido.id}
    assert _estado() == {c.id: (c.id in bloqueados, False) for c in todos}
    assert {fila.caso_id for fila in _acciones("caso.bloquear")} == bloqueados
    assert [fila.motivo for fila in _acciones("conservacion.revisar")] == [
        "Revisión de conservación: 2 por bloquear, 0 por eliminar; solo consulta.",
        "Revisión de conservación: 2 por bloquear, 0 por eliminar; aplicada."]
    assert _registro_estadistico() == estadistica

    # Run again the same day: nothing left to do, nothing done twice.
    assert "Nada que bloquear ni eliminar hoy." in runner.invoke(args=["conservacion", "revisar", "--aplicar"]).output
    assert len(_acciones("caso.bloquear")) == 2

    # Five years and a day later: the CJM's blocked case is shredded (5 years blocked); the
    # fiscalía's waits (10); the one closed within its period is now blocked in turn.
    with time_machine.travel(ahora() + timedelta(days=5 * 366 + 1), tick=False):
        despues = runner.invoke(args=["conservacion", "revisar", "--aplicar"])
    assert despues.exit_code == 0, despues.output
    assert _estado() == {a_vencido.id: (True, False), a_a_tiempo.id: (True, False), a_reabierto.id: (False, False),
                         a_abierto.id: (False, False), b_vencido.id: (True, True)}
    assert [fila.caso_id for fila in _acciones("datos.eliminar")] == [b_vencido.id]
    assert _registro_estadistico() == estadistica  # her statistical record outlives her data


def test_una_revision_interrumpida_se_reanuda(app, runner, cuentas, monkeypatch):
    casos = [_cerrado_hace(cuentas, 4000) for _ in range(3)]
    original = conservacion.bloquear
    hechos = []

    def falla_al_tercero(caso, **datos):
        if len(hechos) == 2:
            raise RuntimeError("corte de luz sintético")
        hechos.append(caso.id)
        original(caso, **datos)

    monkeypatch.setattr(conservacion, "bloquear", falla_al_tercero)
    cortada = runner.invoke(args=["conservacion", "revisar", "--aplicar", "--lote", "1"])
    assert cortada.exit_code != 0
    assert sum(b for b, _ in _estado().values()) == 2  # each batch committed on its own
    monkeypatch.setattr(conservacion, "bloquear", original)
    reanudada = runner.invoke(args=["conservacion", "revisar", "--aplicar"])
    assert "Listo: 1 casos bloqueados" in reanudada.output
    assert _estado() == {c.id: (True, False) for c in casos}
    assert len(_acciones("caso.bloquear")) == 3  # none blocked twice


@pytest.fixture
def bloqueado(app, cuentas):
    caso = _cerrado_hace(cuentas, 4000)
    conservacion.bloquear(caso, motivo="Plazo de conservación (sintético).")
    db.session.commit()
    return caso


def test_un_caso_bloqueado_solo_se_lee_con_una_lectura_autorizada(app, como, cuentas, bloqueado):
    capturista, supervisora, admin = como("capturista"), como("supervisora"), como("admin")
    pagina = f"/casos/{bloqueado.id}"
    # Her institution is told why, and where to ask; nothing of her is shown; she is in no list.
    respuesta = capturista.get(pagina)
    html = respuesta.get_data(as_text=True)
    assert respuesta.status_code == 423 and "Este caso está bloqueado" in html and NOMBRE not in html
    assert f"/casos/{bloqueado.id}/lectura-autorizada" in html
    assert str(bloqueado.id) not in capturista.get("/casos/").get_data(as_text=True)
    assert "0 resultados" in enviar(capturista, "/casos/buscar", {"texto": NOMBRE}, pagina="/casos/").get_data(
        as_text=True)
    # Another institution: it does not exist. Nobody decrypts it, whatever the code path.
    assert como("capturista_b").get(pagina).status_code == 404
    with pytest.raises(DatosBloqueados):
        db.session.get(Caso, bloqueado.id).victima.nombre  # noqa: B018

    # She asks; a ground that carries her CURP is refused and nothing is asked.
    ruta = f"/casos/{bloqueado.id}/lectura-autorizada"
    mala = enviar(capturista, ruta, {"fundamento": "Lo pide PEMA850101MZSRRN02"})
    assert mala.status_code == 200 and "parece llevar una CURP" in mala.get_data(as_text=True)
    assert enviar(capturista, ruta, {"fundamento": "Requerimiento judicial, expediente 45/2026"}).status_code == 302
    assert "Ya tiene una solicitud" in enviar(capturista, ruta, {"fundamento": "Otra vez"}).get_data(as_text=True)
    assert re.search(r'<span class="inicio-numero">1</span> lectura de un caso bloqueado por autorizar',
                     admin.get("/").get_data(as_text=True))
    lista = admin.get("/admin/lecturas-bloqueadas").get_data(as_text=True)
    assert "Requerimiento judicial, expediente 45/2026" in lista and NOMBRE not in lista
    [lectura_id] = re.findall(r'action="/admin/lecturas-bloqueadas/([0-9a-f-]{36})"', lista)
    assert enviar(admin, f"/admin/lecturas-bloqueadas/{lectura_id}", {"decision": "autorizar"},
                  pagina="/admin/lecturas-bloqueadas").status_code == 302

    # She reads it (and only she), read-only, while the read lasts.
    leida = capturista.get(pagina)
    html = leida.get_data(as_text=True)
    assert leida.status_code == 200 and NOMBRE in html and "Caso bloqueado por el plazo de conservación" in html
    assert "Nueva valoración de riesgo" not in html
    assert capturista.get(f"/casos/{bloqueado.id}/valoracion").status_code == 423
    assert supervisora.get(pagina).status_code == 423
    assert (bloqueado.id, None) in [tuple(f) for f in _acciones("caso.ver")]
    with time_machine.travel(ahora() + timedelta(hours=25), tick=False):
        assert como("capturista").get(pagina).status_code == 423  # logged in again: the read ended


def test_un_caso_bloqueado_no_admite_cambios_ni_de_quien_lo_lee(app, como, cuentas, bloqueado):
    capturista = como("capturista")
    lectura = conservacion.pedir_lectura(bloqueado, cuentas["capturista"], "Oficio sintético 3/2026")
    conservacion.resolver_lectura(lectura, cuentas["admin"], autorizar=True)
    db.session.commit()
    for ruta in (f"/casos/{bloqueado.id}/valoracion", f"/casos/{bloqueado.id}/adjuntos/nuevo",
                 f"/casos/{bloqueado.id}/ordenes/nueva", f"/canalizaciones/nueva/{bloqueado.id}"):
        respuesta = enviar(capturista, ruta, {}, pagina=f"/casos/{bloqueado.id}")
        assert respuesta.status_code in (302, 423), (ruta, respuesta.status_code)
        if respuesta.status_code == 302:
            assert "bloqueado" in capturista.get(respuesta.location).get_data(as_text=True), ruta
    db.session.rollback()
    assert db.session.get(Caso, bloqueado.id).version == bloqueado.version


def test_solo_quien_trabaja_casos_pide_una_lectura(app, como, bloqueado):
    ruta = f"/casos/{bloqueado.id}/lectura-autorizada"
    for quien in ("gestora", "admin"):
        cliente = como(quien)
        assert cliente.post(ruta, data={"csrf_token": token_csrf(cliente, "/"), "fundamento": "x"}).status_code == 403
    assert como("capturista_b").get(ruta).status_code == 404


def test_antes_de_vencer_su_plazo_nada_se_bloquea(runner, cuentas):
    caso = _cerrado_hace(cuentas, 30)
    assert "Nada que bloquear ni eliminar hoy." in runner.invoke(args=["conservacion", "revisar", "--aplicar"]).output
    assert _estado() == {caso.id: (False, False)}


def _esperados(anios_de, desde: str) -> set:
    """Independently of the service's SQL: the cases whose `desde` moment (their last closure,
    or when they were blocked) is older than their institution's period, read row by row."""
    from casos.cuentas.modelos import Institucion

    db.session.rollback()
    instituciones = {i.id: i for i in db.session.scalars(sa.select(Institucion))}
    cierres: dict = {}
    for fila in db.session.scalars(sa.select(HistorialTransicion).where(HistorialTransicion.evento == "cerrar")):
        cierres[fila.entidad_id] = max(cierres.get(fila.entidad_id, fila.momento), fila.momento)
    momento = ahora()
    esperados = set()
    for caso in db.session.scalars(sa.select(Caso).where(Caso.datos_eliminados_en.is_(None))):
        anios = anios_de(plazos.de(instituciones[caso.institucion_id]))
        if desde == "cierre" and caso.estado == "cerrado" and caso.bloqueado_en is None:
            inicio = cierres[caso.id]
        elif desde == "bloqueo" and caso.bloqueado_en is not None:
            inicio = caso.bloqueado_en
        else:
            continue
        if inicio + timedelta(days=365.25 * anios) < momento:
            esperados.add(caso.id)
    return esperados


def test_sobre_los_datos_de_demostracion_bloquea_y_elimina_lo_que_dice_el_calendario(app, runner):
    assert runner.invoke(args=["demo", "--casos", "120"]).exit_code == 0
    estadistica = _registro_estadistico()
    assert "Nada que bloquear" in runner.invoke(args=["conservacion", "revisar"]).output  # demo: recent
    # (The demo's closures span its last two years: the moments below stay years away from
    # every period's end, so the test can't hang on a boundary.)

    # Thirteen years on, every closed case is past its period (10 years at most).
    with time_machine.travel(ahora() + timedelta(days=13 * 366), tick=False):
        por_bloquear = _esperados(lambda p: p.anios_tras_cierre, "cierre")
        assert por_bloquear, "la demostración debería tener casos cerrados"
        assert runner.invoke(args=["conservacion", "revisar", "--aplicar"]).exit_code == 0
        assert {c for c, (b, _e) in _estado().items() if b} == por_bloquear
    # Seven years after that, the cases blocked 5 years lose her data; the Fiscalía's (10) wait.
    with time_machine.travel(ahora() + timedelta(days=20 * 366), tick=False):
        por_eliminar = _esperados(lambda p: p.anios_bloqueado, "bloqueo")
        assert por_eliminar and por_eliminar < por_bloquear
        assert runner.invoke(args=["conservacion", "revisar", "--aplicar"]).exit_code == 0
        assert {c for c, (_b, e) in _estado().items() if e} == por_eliminar
    assert _registro_estadistico() == estadistica
