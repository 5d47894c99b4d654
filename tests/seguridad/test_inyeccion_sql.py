"""SQL-injection-shaped input in the search box, every list filter and the audit filters.

Each answers a normal Spanish page (never a 500), returns nothing it would not return
otherwise (no case of another institution, no match for a search that matches nothing),
and every table is still there with the same rows.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from casos.estadisticas import tokens as tokens_api
from casos.expedientes.modelos import Caso
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar

CARGAS = ("' OR 1=1 --", "1; DROP TABLE caso", "' UNION SELECT * FROM usuaria --",
          "1' OR '1'='1", '") OR ("a"="a', "%' OR nombre LIKE '%")
ID_DE_CASO = re.compile(r"/casos/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")

FILTROS_LISTA = ("estado", "nivel", "municipio", "desde", "hasta", "urgentes", "orden", "despues")
FILTROS_AUDITORIA = ("caso_id", "usuaria_id", "accion", "desde", "hasta", "antes")
FILTROS_ESTADISTICA = ("anio", "granularidad", "municipio", "institucion")


@pytest.fixture
def casos(app, cuentas):
    propios = [registrar_caso(cuentas["capturista"], datos_de_caso(curp=None)) for _ in range(2)]
    ajeno = registrar_caso(cuentas["capturista_b"], datos_de_caso(curp=None))
    db.session.commit()
    return {"propios": {str(c.id) for c in propios}, "ajeno": str(ajeno.id)}


def _conteos() -> dict:
    db.session.rollback()
    conteos = {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
               for t in db.metadata.sorted_tables if t.name not in ("sesion", "evento_auditoria",
                                                                      "cabeza_auditoria")}
    db.session.rollback()
    return conteos


def _normal(respuesta, donde):
    texto = respuesta.get_data(as_text=True)
    assert respuesta.status_code in (200, 400), f"{donde}: {respuesta.status_code}"
    # (The typed text may come back, escaped: look for what only an engine error would say.)
    for fuga in ("Traceback", "sqlalchemy", "OperationalError", "ProgrammingError", "syntax error",
                 "sqlite3", "psycopg"):
        assert fuga not in texto, f"{donde}: {fuga}"
    return texto


def test_filtros_de_la_lista(casos, como):
    antes = _conteos()
    cliente = como("capturista")
    for carga in CARGAS:
        for filtro in FILTROS_LISTA:
            texto = _normal(cliente.get("/casos/", query_string={filtro: carga}), f"/casos/?{filtro}")
            vistos = set(ID_DE_CASO.findall(texto))
            assert vistos <= casos["propios"], f"{filtro}={carga!r} devolvió {vistos - casos['propios']}"
            if filtro in ("estado", "nivel", "municipio", "desde", "hasta"):
                assert "Se ignoró" in texto, f"{filtro}={carga!r}: no avisa en español"
    assert _conteos() == antes


@pytest.mark.parametrize("carga", CARGAS)
def test_la_busqueda_no_devuelve_nada(casos, como, carga):
    antes = _conteos()
    respuesta = enviar(como("capturista"), "/casos/buscar", {"texto": carga}, pagina="/casos/")
    texto = _normal(respuesta, "búsqueda")
    assert respuesta.status_code == 200
    assert not set(ID_DE_CASO.findall(texto)) & (casos["propios"] | {casos["ajeno"]})
    assert _conteos() == antes


def test_filtros_de_la_bitacora_de_auditoria(casos, como):
    antes = _conteos()
    admin = como("admin")
    for carga in CARGAS:
        for filtro in FILTROS_AUDITORIA:
            texto = _normal(admin.get("/admin/auditoria", query_string={filtro: carga}),
                            f"/admin/auditoria?{filtro}")
            if filtro != "antes":
                assert "Se ignoró" in texto, f"{filtro}={carga!r}: no avisa en español"
    supervisora = como("supervisora")
    caso = sorted(casos["propios"])[0]
    for carga in CARGAS:
        _normal(supervisora.get(f"/casos/{caso}/accesos", query_string={"antes": carga}), "accesos")
    assert _conteos() == antes


def test_filtros_de_estadistica_exportaciones_y_api(casos, como, cuentas):
    gestora = como("gestora")
    _, token = tokens_api.crear("Pruebas de inyección", cuentas["admin"])
    db.session.commit()
    api = {"Authorization": f"Bearer {token}"}
    antes = _conteos()
    for carga in CARGAS:
        for filtro in FILTROS_ESTADISTICA:
            for ruta in ("/estadisticas/", "/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
                _normal(gestora.get(ruta, query_string={filtro: carga}), f"{ruta}?{filtro}")
            respuesta = gestora.get("/api/v1/estadisticas", query_string={filtro: carga}, headers=api)
            _normal(respuesta, f"api?{filtro}")
    for carga in CARGAS:
        for ruta, parametro in (("/pendientes", "ver"), ("/canalizaciones/", "estado"),
                                ("/aprobaciones/", "estado")):
            _normal(como("supervisora").get(ruta, query_string={parametro: carga}), ruta)
    assert _conteos() == antes


def test_las_tablas_siguen_ahi(casos, como):
    cliente = como("capturista")
    for carga in CARGAS:
        enviar(cliente, "/casos/buscar", {"texto": carga}, pagina="/casos/")
        cliente.get("/casos/", query_string={"estado": carga, "despues": carga})
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Caso)) == 3
    assert sa.inspect(db.engine).has_table("caso") and sa.inspect(db.engine).has_table("usuaria")
