"""Snapshots of the statistics (casos/estadisticas/instantaneas.py): a publication computed
once is served again while recent, to the dashboard, the downloads and the API, with the
time it was computed; it expires; it is the live computation number for number; the CLI
fills it ahead of time. (Elsewhere the tests run with snapshots off: every request computes.)
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from casos.bd import ahora
from casos.estadisticas import instantaneas, tokens
from casos.estadisticas.exportar import Consulta, a_csv, a_json
from casos.estadisticas.modelos import InstantaneaEstadistica
from casos.estadisticas.publicacion import Ambito, Publicacion, publicar
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso
from tests.test_estadisticas import DIA

pytestmark = pytest.mark.reloj  # the current year's snapshots

VIGENCIA = 10


@pytest.fixture
def sembrado(app):
    """Demo accounts and 150 synthetic cases; the year they are in."""
    from casos import demo
    from casos.demo_casos import sembrar_casos
    from casos.estadisticas import consultas

    demo.sembrar()
    sembrar_casos(150, semilla=7)
    db.session.commit()
    return ahora().astimezone(consultas.zona()).year


@pytest.fixture
def gestora(como):
    return como("gestora")


@pytest.fixture
def con_instantaneas(app):
    app.config["ESTADISTICAS_VIGENCIA_MINUTOS"] = VIGENCIA
    return app


@pytest.fixture
def calculos(monkeypatch):
    """Counts every computation of a publication; `.prohibir()` makes the next one fail."""
    class Contador:
        veces = 0
        prohibido = False

        def prohibir(self):
            self.prohibido = True

    contador = Contador()
    original = instantaneas.publicar

    def contar(*args, **kwargs):
        if contador.prohibido:
            raise AssertionError("se volvió a calcular una publicación que debía servirse guardada")
        contador.veces += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(instantaneas, "publicar", contar)
    return contador


@pytest.fixture
def token(app):
    _, valor = tokens.crear("instantáneas", crear_usuaria("admin", crear_institucion("ADM", "semujer")))
    db.session.commit()
    return valor


def _api(app, consulta, token):
    return app.test_client().get(f"/api/v1/estadisticas?{consulta}", headers={"Authorization": f"Bearer {token}"})


def _filas():
    db.session.rollback()
    return db.session.scalars(sa.select(InstantaneaEstadistica)).all()


def test_la_segunda_peticion_se_sirve_de_la_instantanea(con_instantaneas, sembrado, gestora, calculos, token):
    consulta = f"anio={sembrado}&granularidad=trimestre"
    primera = gestora.get(f"/estadisticas/?{consulta}")
    assert primera.status_code == 200 and calculos.veces == 1
    assert [f.clave for f in _filas()] == [f"v{instantaneas.FORMATO}|{sembrado}|trimestre|estado||k10"]
    calculos.prohibir()
    # The same question, from the page, the downloads and the API: nothing is computed again.
    segunda = gestora.get(f"/estadisticas/?{consulta}")
    assert segunda.status_code == 200
    # The same page (but the form's CSRF token, signed with the time, and the date line).
    variable = re.compile(r'<p class="ayuda" id="calculadas">.*?</p>|name="csrf_token" value="[^"]*"')
    assert variable.sub("", segunda.get_data(as_text=True)) == variable.sub("", primera.get_data(as_text=True))
    descarga = gestora.get(f"/estadisticas/exportar.json?{consulta}")
    assert descarga.status_code == 200 and descarga.last_modified is not None
    assert gestora.get(f"/estadisticas/exportar.csv?{consulta}").status_code == 200
    api = _api(con_instantaneas, consulta, token)
    assert api.status_code == 200 and api.get_json() == json.loads(descarga.get_data(as_text=True))
    assert len(_filas()) == 1
    # Another question is another snapshot.
    calculos.prohibido = False
    assert gestora.get(f"/estadisticas/?anio={sembrado}&municipio=32056").status_code == 200
    assert calculos.veces == 2 and len(_filas()) == 2


def test_la_instantanea_vencida_se_vuelve_a_calcular(con_instantaneas, sembrado, gestora, calculos, monkeypatch):
    ruta = f"/estadisticas/exportar.json?anio={sembrado}"
    assert gestora.get(ruta).status_code == 200 and calculos.veces == 1
    antes = _filas()[0].calculada_en
    # Still recent a minute before it expires; computed again once it is older.
    ya = ahora()
    monkeypatch.setattr(instantaneas, "ahora", lambda: ya + timedelta(minutes=VIGENCIA - 1))
    assert gestora.get(ruta).status_code == 200 and calculos.veces == 1
    monkeypatch.setattr(instantaneas, "ahora", lambda: ya + timedelta(minutes=VIGENCIA, seconds=1))
    respuesta = gestora.get(ruta)
    assert respuesta.status_code == 200 and calculos.veces == 2
    (fila,) = _filas()
    assert fila.calculada_en > antes
    assert respuesta.last_modified == fila.calculada_en.replace(microsecond=0)


def test_las_cifras_guardadas_son_las_del_calculo_en_vivo(con_instantaneas, sembrado, gestora):
    for ambito in ("", "&municipio=32056", "&institucion=CJM"):
        for granularidad in ("mes", "trimestre", "anio"):
            consulta = f"anio={sembrado}&granularidad={granularidad}{ambito}"
            gestora.get(f"/estadisticas/exportar.json?{consulta}")  # computes and stores
            servida = gestora.get(f"/estadisticas/exportar.json?{consulta}").get_data(as_text=True)
            csv_servido = gestora.get(f"/estadisticas/exportar.csv?{consulta}").get_data(as_text=True)
            db.session.rollback()
            with con_instantaneas.test_request_context(f"/?{consulta}"):
                from flask import request

                vivo = Consulta.de_args(request.args).publicar()
            assert servida == a_json(vivo), consulta
            assert csv_servido == a_csv(vivo), consulta
    assert len(_filas()) == 9


def test_guardar_y_leer_no_cambia_nada_ni_en_un_cuadro_retenido(app, cuentas):
    """A year whose tables are partly withheld (9 + 9 cases in two municipalities: two "<10"
    under a published 18 would both be 9): the stored form, read back, is the same
    publication, the same JSON and the same CSV."""
    from casos.estadisticas import consultas

    for municipio in ("32056", "32010"):
        for _ in range(9):
            registrar_caso(cuentas["capturista"], datos_de_caso(municipio=municipio))
    db.session.commit()
    anio = ahora().astimezone(consultas.zona()).year
    retenidos = 0
    for ambito in (Ambito("estado"), Ambito("municipio", "32056", "Zacatecas"),
                   Ambito("institucion", "INSTA", "Institución A")):
        for granularidad in ("mes", "trimestre", "anio"):
            original = publicar(anio, granularidad, ambito, 10)
            leida = Publicacion.de_instantanea(json.loads(json.dumps(original.a_instantanea())))
            assert leida == original
            assert a_json(leida) == a_json(original) and a_csv(leida) == a_csv(original)
            retenidos += sum(c.retenido for cuadros in original.cuadros.values() for c in cuadros)
    assert retenidos


def test_la_pagina_dice_cuando_se_calcularon_las_cifras_en_hora_de_mexico(con_instantaneas, sembrado, gestora,
                                                                           monkeypatch):
    # 16:35 UTC is 10:35 in Mexico City (UTC-6 all year since 2022).
    calculo = datetime(2026, 11, 24, 16, 35, 12, tzinfo=timezone.utc)
    monkeypatch.setattr(instantaneas, "ahora", lambda: calculo)
    html = gestora.get(f"/estadisticas/?anio={sembrado}").get_data(as_text=True)
    assert ("Cifras calculadas el 24 de noviembre de 2026 a las 10:35 (hora de la Ciudad de México). "
            f"Se vuelven a calcular cuando tienen más de {VIGENCIA} minutos.") in html
    assert not DIA.search(html)  # still no day-level date on the page
    (fila,) = _filas()
    assert fila.calculada_en == calculo  # stored in UTC
    # Served again later, it still says when it was computed, not when it was served.
    monkeypatch.setattr(instantaneas, "ahora", lambda: calculo + timedelta(minutes=3))
    assert "a las 10:35 (hora de la Ciudad de México)" in gestora.get(
        f"/estadisticas/?anio={sembrado}").get_data(as_text=True)


def test_sin_vigencia_cada_peticion_calcula_y_no_guarda(app, sembrado, gestora, calculos):
    assert app.config["ESTADISTICAS_VIGENCIA_MINUTOS"] == 0
    for _ in range(2):
        html = gestora.get(f"/estadisticas/?anio={sembrado}").get_data(as_text=True)
        assert "Cifras calculadas el " in html and "Se vuelven a calcular" not in html
    assert calculos.veces == 2 and _filas() == []


def test_el_comando_llena_las_instantaneas(con_instantaneas, sembrado, gestora, calculos):
    from casos.catalogos import municipios
    from casos.estadisticas import consultas

    runner = con_instantaneas.test_cli_runner()
    resultado = runner.invoke(args=["estadisticas", "actualizar", "--anio", str(sembrado), "--solo-estado"])
    assert resultado.exit_code == 0, resultado.output
    assert f"{sembrado}: 3 instantáneas" in resultado.output
    assert len(_filas()) == 3
    resultado = runner.invoke(args=["estadisticas", "actualizar"])  # the current year, every scope
    assert resultado.exit_code == 0, resultado.output
    ambitos = 1 + len(municipios()) + len(consultas.instituciones())
    assert len(_filas()) == 3 * ambitos
    assert len({f.calculada_en for f in _filas()}) == 1  # one computation of the year for all
    # Every page a gestora opens is now served without computing.
    calculos.prohibir()
    for consulta in ("", "granularidad=anio", "municipio=32056&granularidad=trimestre", "institucion=CJM"):
        assert gestora.get(f"/estadisticas/?anio={sembrado}&{consulta}").status_code == 200, consulta
        assert gestora.get(f"/estadisticas/exportar.csv?anio={sembrado}&{consulta}").status_code == 200


def test_servida_de_la_instantanea_la_descarga_y_la_api_se_siguen_auditando(con_instantaneas, sembrado, gestora,
                                                                           token, calculos):
    from casos.auditoria.modelos import EventoAuditoria

    def acciones():
        db.session.rollback()
        return db.session.scalars(sa.select(EventoAuditoria.accion)).all()

    antes = acciones()
    for _ in range(2):
        assert gestora.get(f"/estadisticas/exportar.json?anio={sembrado}").status_code == 200
        assert _api(con_instantaneas, f"anio={sembrado}", token).status_code == 200
        assert gestora.get(f"/estadisticas/?anio={sembrado}").status_code == 200
    assert calculos.veces == 1
    nuevas = acciones()[len(antes):]
    assert nuevas.count("estadisticas.exportar") == 2 and nuevas.count("api.consultar") == 2


def test_dos_calculos_de_la_misma_instantanea_no_fallan_y_queda_el_mas_reciente(con_instantaneas, sembrado):
    llave = instantaneas.clave(sembrado, "mes", Ambito("estado"), 10)
    reciente, viejo = ahora(), ahora() - timedelta(minutes=1)
    instantaneas._guardar(llave, sembrado, '{"uno": 1}', reciente, 5)
    instantaneas._guardar(llave, sembrado, '{"dos": 2}', viejo, 5)  # finished later, began before
    instantaneas._guardar(llave, sembrado, '{"tres": 3}', reciente, 7)  # the same instant: replaces
    (fila,) = _filas()
    assert (fila.contenido, fila.calculada_en, fila.duracion_ms) == ('{"tres": 3}', reciente, 7)


def test_una_consulta_de_estadistica_solo_escribe_su_instantanea(con_instantaneas, sembrado, gestora):
    """A GET changes no data: with snapshots on it writes its snapshot, and nothing else
    (besides the session row; downloads also append to the audit trail)."""
    volatiles = {"sesion", "evento_auditoria", "cabeza_auditoria", "instantanea_estadistica"}

    def huella():
        db.session.rollback()
        digerido = hashlib.sha256()
        for tabla in sorted(db.metadata.sorted_tables, key=lambda t: t.name):
            if tabla.name not in volatiles:
                digerido.update(repr(sorted(map(repr, db.session.execute(sa.select(tabla)).all()))).encode())
        return digerido.hexdigest()

    antes = huella()
    for ruta in ("/estadisticas/", "/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
        assert gestora.get(f"{ruta}?anio={sembrado}&granularidad=anio").status_code == 200
    assert huella() == antes and len(_filas()) == 1


@pytest.mark.motor("postgresql")
def test_mientras_otro_proceso_calcula_se_sirven_las_cifras_anteriores(con_instantaneas, sembrado, gestora,
                                                                       calculos, monkeypatch):
    """PostgreSQL: one process computes a snapshot at a time (advisory lock); another
    request meanwhile gets the previous figures, with their date, instead of computing."""
    ruta = f"/estadisticas/?anio={sembrado}"
    assert gestora.get(ruta).status_code == 200 and calculos.veces == 1
    ya = ahora()
    monkeypatch.setattr(instantaneas, "ahora", lambda: ya + timedelta(minutes=VIGENCIA + 1))
    llave = instantaneas.clave(sembrado, "mes", Ambito("estado"), 10)
    numero = int.from_bytes(hashlib.sha256(f"instantanea|{llave}".encode()).digest()[:8], "big", signed=True)
    with db.engine.connect() as otro_proceso:
        assert otro_proceso.scalar(sa.select(sa.func.pg_try_advisory_lock(numero)))
        assert gestora.get(ruta).status_code == 200
        assert calculos.veces == 1  # served the expired snapshot
        otro_proceso.scalar(sa.select(sa.func.pg_advisory_unlock(numero)))
        otro_proceso.commit()
    assert gestora.get(ruta).status_code == 200 and calculos.veces == 2


@pytest.mark.parametrize("anio", ["1800", "99999", "dos mil"])
def test_el_comando_rechaza_un_anio_fuera_de_rango_sin_guardar_nada(con_instantaneas, anio):
    resultado = con_instantaneas.test_cli_runner().invoke(args=["estadisticas", "actualizar", "--anio", anio])
    assert resultado.exit_code == 2
    assert "--anio" in resultado.output
    assert "Traceback" not in resultado.output
    assert _filas() == []
