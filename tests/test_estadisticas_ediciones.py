"""Editions of the statistics (casos/estadisticas/ediciones.py): which months they publish,
numbered and immutable, idempotent to publish, served by number with ETag and 304, and what
the page and the downloads say about them. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.bd import hoy_local
from casos.estadisticas import ediciones, tokens
from casos.estadisticas.ensamblado import sumar
from casos.estadisticas.modelos import EdicionEstadistica
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso

K = 10
pytestmark = pytest.mark.reloj  # the months an edition may publish depend on today


@pytest.mark.parametrize("hoy, gracia, ultimo", [
    (date(2026, 11, 16), 15, "2026-10"),  # October closed on 1 November: 15 days later
    (date(2026, 11, 15), 15, "2026-09"),  # one day short
    (date(2027, 1, 16), 15, "2026-12"),
    (date(2027, 1, 1), 15, "2026-11"),
    (date(2027, 1, 1), 0, "2026-12"),
    (date(2028, 3, 1), 0, "2028-02"),
    (date(2028, 3, 15), 15, "2028-01"),  # February 2028 has 29 days: 1 March + 15 is the 16th
])
def test_un_mes_se_publica_cuando_cerro_y_paso_su_gracia(hoy, gracia, ultimo):
    assert ediciones.ultimo_mes_publicable(hoy, gracia) == ultimo


def test_una_suma_dice_solo_lo_que_sus_meses_publicaron():
    assert sumar([12, 0, 30], K) == 42
    assert sumar([0, "<10", 0], K) == "<10"  # the only part not a published 0: the same cell
    assert sumar([0, "s", 0], K) == "s"
    assert sumar([0, None], K) is None
    assert sumar([12, "<10"], K) == "s"  # at least 13: nothing new
    assert sumar(["<10", "<10"], K) is None  # 2 to 18: "<10" or "s" would say more
    assert sumar(["<10", "s"], K) == "s"
    assert sumar([5 * [None]][0] + [11], K) == "s"
    assert sumar([], K) == 0


def _en_el_mes(mes: str) -> datetime:
    return datetime(int(mes[:4]), int(mes[5:7]), 15, 18, tzinfo=timezone.utc)


@pytest.fixture
def con_casos(app, cuentas):
    """A dozen cases in the last month an edition may publish today, and three now."""
    mes = ediciones.ultimo_mes_publicable(hoy_local(), ediciones.gracia_dias())
    for _ in range(12):
        registrar_caso(cuentas["capturista"], datos_de_caso()).creado_en = _en_el_mes(mes)
    for _ in range(3):
        registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    return mes


def _filas() -> list:
    db.session.rollback()
    return db.session.execute(sa.select(EdicionEstadistica.numero, EdicionEstadistica.desde,
                                        EdicionEstadistica.hasta, EdicionEstadistica.huella)
                              .order_by(EdicionEstadistica.numero)).all()


def test_publicar_dos_veces_sin_meses_nuevos_no_crea_nada(app, con_casos, runner):
    primera = runner.invoke(args=["estadisticas", "publicar"])
    assert primera.exit_code == 0, primera.output
    assert "Edición 1 publicada" in primera.output
    segunda = runner.invoke(args=["estadisticas", "publicar"])
    assert segunda.exit_code == 0 and "Sin meses nuevos que publicar: la edición 1" in segunda.output
    ((numero, desde, hasta, _),) = _filas()
    # From January of the first year with cases to the last month out of its grace.
    assert (numero, desde, hasta) == (1, f"{min(con_casos[:4], str(hoy_local().year))}-01", con_casos)
    # Its audit event, from the command (no account).
    evento = db.session.execute(sa.select(EventoAuditoria.usuaria_id, EventoAuditoria.motivo)
                                .where(EventoAuditoria.accion == "estadisticas.publicar")).one()
    assert evento.usuaria_id is None and evento.motivo.startswith(f"Edición 1: de {desde} a {hasta}")


def test_nada_que_publicar_antes_de_que_cierre_un_mes(app, cuentas, runner):
    """A new installation in its first days of January: no month of the year has closed."""
    registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    anio = hoy_local().year
    assert ediciones.publicar(date(anio, 1, 10)).edicion is None
    assert _filas() == []


def test_la_siguiente_edicion_copia_los_meses_publicados_y_agrega_los_nuevos(app, cuentas):
    anio = hoy_local().year - 1
    for mes, cuantos in ((f"{anio}-03", 12), (f"{anio}-04", 3)):
        for _ in range(cuantos):
            registrar_caso(cuentas["capturista"], datos_de_caso()).creado_en = _en_el_mes(mes)
    db.session.commit()
    primera = ediciones.publicar(date(anio, 4, 20)).edicion
    assert (primera.numero, primera.desde, primera.hasta) == (1, f"{anio}-01", f"{anio}-03")
    # Registered late in March, after its grace: the next edition does not count it.
    registrar_caso(cuentas["capturista"], datos_de_caso()).creado_en = _en_el_mes(f"{anio}-03")
    db.session.commit()
    segunda = ediciones.publicar(date(anio, 6, 1)).edicion
    assert (segunda.numero, segunda.desde, segunda.hasta) == (2, f"{anio}-01", f"{anio}-04")
    antes, despues = ediciones.contenido(primera), ediciones.contenido(segunda)
    for mes in antes.meses:
        assert despues.meses[mes] == antes.meses[mes], mes
    assert antes.meses[f"{anio}-03"]["casos"]["total"] == 12
    assert despues.meses[f"{anio}-04"]["casos"]["total"] == f"<{K}"
    assert [f[0] for f in _filas()] == [1, 2]
    assert ediciones.todas()[0].numero == 2 and ediciones.ultima().numero == 2


def test_la_base_de_datos_no_deja_cambiar_ni_borrar_una_edicion(app, con_casos):
    edicion = ediciones.publicar().edicion
    assert edicion is not None
    for sentencia in (sa.update(EdicionEstadistica).values(umbral=5),
                      sa.update(EdicionEstadistica).values(contenido="{}"),
                      sa.delete(EdicionEstadistica),
                      sa.text("UPDATE edicion_estadistica SET hasta = '2999-12'"),
                      sa.text("DELETE FROM edicion_estadistica WHERE numero = 1")):
        with pytest.raises(sa.exc.DBAPIError) as error:
            db.session.execute(sentencia)
            db.session.flush()
        assert "inmutable" in str(error.value.orig)
        db.session.rollback()
    fila = db.session.get(EdicionEstadistica, 1)
    fila.hasta = "2999-12"
    with pytest.raises(sa.exc.DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert _filas()[0].huella == edicion.huella


def test_otro_umbral_no_publica(app, con_casos):
    assert ediciones.publicar().edicion is not None
    app.config["UMBRAL_SUPRESION"] = 5
    with pytest.raises(ediciones.NoSePuedePublicar, match="UMBRAL_SUPRESION es 5"):
        ediciones.publicar(date(hoy_local().year + 1, 12, 31))


# ---- what is served -------------------------------------------------------------------------------

@pytest.fixture
def token(app, cuentas):
    _, valor = tokens.crear("ediciones", cuentas["admin"])
    db.session.commit()
    return valor


def _api(app, consulta, token, **cabeceras):
    return app.test_client().get(f"/api/v1/estadisticas?{consulta}",
                                 headers={"Authorization": f"Bearer {token}", **cabeceras})


def test_antes_de_la_primera_edicion_un_mensaje_claro(app, cuentas, como, token):
    gestora = como("gestora")
    pagina = gestora.get("/estadisticas/")
    assert pagina.status_code == 200
    assert "Todavía no se ha publicado ninguna edición" in unescape(pagina.get_data(as_text=True))
    for ruta in ("/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
        respuesta = gestora.get(ruta)
        assert respuesta.status_code == 404
        assert "Todavía no se ha publicado ninguna edición" in unescape(respuesta.get_data(as_text=True))
    api = _api(app, "", token)
    assert api.status_code == 404 and "ninguna edición" in api.get_json()["mensaje"]
    catalogos = app.test_client().get("/api/v1/catalogos", headers={"Authorization": f"Bearer {token}"})
    assert catalogos.get_json()["ediciones"] == [] and catalogos.get_json()["anios"] == []


def test_una_edicion_mal_pedida_es_400_o_404_en_espanol(app, con_casos, como, token):
    ediciones.publicar()
    gestora = como("gestora")
    for valor in ("uno", "-1", "0", "1.5", "9999999", "²"):
        for ruta in ("/estadisticas/", "/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
            respuesta = gestora.get(ruta, query_string={"edicion": valor})
            assert respuesta.status_code == 400, (ruta, valor)
            assert "La edición debe ser un número entero positivo" in unescape(respuesta.get_data(as_text=True))
        assert _api(app, f"edicion={valor}", token).status_code == 400
    for ruta in ("/estadisticas/", "/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
        respuesta = gestora.get(ruta, query_string={"edicion": "7"})
        assert respuesta.status_code == 404, ruta
        assert "No existe la edición 7. La más reciente es la 1." in unescape(respuesta.get_data(as_text=True))
    api = _api(app, "edicion=7", token)
    assert api.status_code == 404 and api.get_json()["mensaje"] == "No existe la edición 7. La más reciente es la 1."
    # A year the edition does not cover: 400 that says which it covers.
    respuesta = gestora.get("/estadisticas/exportar.json?anio=2001")
    assert respuesta.status_code == 400 and "La edición 1 cubre de" in unescape(respuesta.get_data(as_text=True))


def test_la_pagina_y_las_descargas_dicen_su_edicion(app, con_casos, como, token):
    edicion = ediciones.publicar().edicion
    gestora = como("gestora")
    html = unescape(re.sub(r"<[^>]+>", "", gestora.get("/estadisticas/").get_data(as_text=True)))
    assert f"Edición {edicion.numero}, publicada el {edicion.fecha.day} de" in html
    assert f"Cubre {edicion.periodo}." in html
    assert "el mes en curso no aparece" in html
    datos = json.loads(gestora.get("/estadisticas/exportar.json").get_data(as_text=True))
    assert datos["edicion"] == {"numero": 1, "fecha": edicion.fecha.isoformat(), "desde": edicion.desde,
                                "hasta": edicion.hasta}
    # The open month (three cases now) is in no column.
    mes_actual = hoy_local().strftime("%Y-%m")
    assert all(p["clave"] <= edicion.hasta for p in datos["periodos"]) and mes_actual > edicion.hasta
    descarga = gestora.get("/estadisticas/exportar.csv")
    assert f"edicion-1_{datos['anio']}" in descarga.headers["Content-Disposition"]
    filas = {f["fila"]: f["valor"] for f in csv.DictReader(io.StringIO(
        descarga.get_data(as_text=True).lstrip("\ufeff"))) if f["medida"] == "edicion"}
    assert filas == {"numero": "1", "fecha": edicion.fecha.isoformat(), "desde": edicion.desde,
                     "hasta": edicion.hasta}
    assert _api(app, "", token).get_json() == datos


def test_etag_y_304_en_el_tablero_las_descargas_y_la_api(app, con_casos, como, token):
    ediciones.publicar()
    gestora = como("gestora")
    for ruta in ("/estadisticas/exportar.csv", "/estadisticas/exportar.json", "/estadisticas/?granularidad=trimestre"):
        primera, segunda = gestora.get(ruta), gestora.get(ruta)
        assert primera.status_code == 200 and primera.headers["ETag"] == segunda.headers["ETag"]
        if "exportar" in ruta:
            assert primera.get_data() == segunda.get_data()
            assert primera.last_modified is not None
        otra = gestora.get(ruta, headers={"If-None-Match": primera.headers["ETag"]})
        assert otra.status_code == 304 and otra.get_data() == b""
        assert gestora.get(ruta, headers={"If-None-Match": '"otra"'}).status_code == 200
    api = _api(app, "granularidad=anio", token)
    assert api.status_code == 200 and api.headers["ETag"]
    assert _api(app, "granularidad=anio", token, **{"If-None-Match": api.headers["ETag"]}).status_code == 304
    # Another question, another tag.
    assert _api(app, "granularidad=mes", token).headers["ETag"] != api.headers["ETag"]


# ---- revisions: a month moved only by a public difference of 0 or at least k ---------------------

@pytest.mark.parametrize("valor, d, esperado", [
    (25, 0, 25), (25, 10, 35), (25, -10, 15), (10, -10, 0),
    ("<10", 0, "<10"), ("<10", 12, "s"),  # 1 to 9, plus 12: 13 to 21
    ("s", 10, "s"), ("s", -10, None),  # 10 or more, minus 10: 0 or more
    (None, 30, None),  # withheld stays withheld
])
def test_una_celda_se_desplaza_por_una_diferencia_publica(valor, d, esperado):
    from casos.estadisticas.revisiones import desplazar

    assert desplazar(valor, d, K) == esperado


@pytest.mark.parametrize("valor, d", [(15, -10), (12, -10), ("<10", -10), (10, -12)])
def test_una_celda_que_caeria_entre_1_y_9_no_se_revisa(valor, d):
    from casos.estadisticas.revisiones import NoRevisable, desplazar

    with pytest.raises(NoRevisable):
        desplazar(valor, d, K)


def test_una_diferencia_de_1_a_9_en_cualquier_celda_detiene_la_medida():
    from casos.estadisticas.bloques import agrupaciones
    from casos.estadisticas.publicacion import MEDIDAS
    from casos.estadisticas.revisiones import revisar_bloque

    medida = MEDIDAS["casos"]
    vacios = {f"{g[0]}|{g[1]}": [] for g in agrupaciones(medida) if len(g) == 3}
    viejos = {("municipio", "mes"): {("32010", "2031-01"): 30, ("32056", "2031-01"): 12}}
    bloque = {"total": 42, "lineas": {d: {} for d in medida.dimensiones} | {"municipio": {"32010": 30, "32056": 12}},
              "cruces": vacios}
    assert revisar_bloque(bloque, viejos, viejos, medida, K) is bloque  # nothing changed
    mas_11 = {("municipio", "mes"): {("32010", "2031-01"): 41, ("32056", "2031-01"): 12}}
    revisado = revisar_bloque(bloque, viejos, mas_11, medida, K)
    assert revisado["total"] == 53 and revisado["lineas"]["municipio"] == {"32010": 41, "32056": 12}
    # Eleven more in one municipality, one fewer in the other: the total moved by 10, but a
    # row moved by 1: nothing of the measure is revised.
    mas_11_menos_1 = {("municipio", "mes"): {("32010", "2031-01"): 41, ("32056", "2031-01"): 11}}
    assert revisar_bloque(bloque, viejos, mas_11_menos_1, medida, K) is None


def test_revisar_sin_ediciones_lo_dice_y_no_publica(app, con_casos, runner):
    resultado = runner.invoke(args=["estadisticas", "revisar"])
    assert resultado.exit_code == 1
    assert "Todavía no se ha publicado ninguna edición: no hay nada que revisar." in resultado.output
    assert _filas() == []
    # With an edition and nothing changed since: nothing to revise, nothing published.
    assert runner.invoke(args=["estadisticas", "publicar"]).exit_code == 0
    db.session.rollback()
    resultado = runner.invoke(args=["estadisticas", "revisar"])
    assert resultado.exit_code == 0 and "Sin revisión" in resultado.output
    assert [f[0] for f in _filas()] == [1]
