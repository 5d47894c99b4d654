"""The attack of issue 15, over time, as an attacker would run it: through the public routes.

Issue 15 found that looking twice told a gestora about one woman: after one case was
registered, Fresnillo / December went from 0 to "<10" — so exactly 1 — and the Fiscalía's
count, the year's total and "sin valorar" each rose by one. Here cases are registered one by
one, through the services, around three editions; after each edition everything published is
fetched (the dashboard, the CSV and JSON downloads with a gestora's session, the API with a
token) and the attacker puts every cell of every edition into one system of equations:
rows and columns add up to their totals, months to quarters and to the year, every
municipality's and institution's page to the State's, and a month is the same unknown in
every edition (the difference between two editions is in the system too). It is attacked
with exact linear algebra and interval narrowing (tests/test_supresion.py's `Lector`, which
shares nothing with the app's code), and no count from 1 to 9 may come out. Between editions
nothing served changes: the same bytes, 304 with the ETag. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from casos.catalogos import municipios
from casos.estadisticas import tokens
from casos.estadisticas.supresion import COMPLEMENTARIA, PRIMARIA, PUBLICADA, RETENIDA, Celda
from casos.expedientes.servicios import registrar_caso, registrar_valoracion
from casos.extensiones import db
from tests.conftest import crear_usuaria, datos_de_caso
from tests.test_supresion import Lector

K = 10
MEXICO = ZoneInfo("America/Mexico_City")
ZACATECAS, FRESNILLO, GUADALUPE = "32056", "32010", "32017"
DIMENSIONES_CASOS = ("municipio", "institucion", "rango_edad", "nivel_riesgo")
GRANULARIDADES = ("mes", "trimestre", "anio")
# The clock of this test, whatever --fecha: the months are its own, far from every seed.
ENERO, ENTREGA_1 = datetime(2031, 1, 10, 10, tzinfo=MEXICO), datetime(2031, 2, 16, 9, tzinfo=MEXICO)
FEBRERO, ENTREGA_2 = datetime(2031, 2, 16, 11, tzinfo=MEXICO), datetime(2031, 3, 16, 9, tzinfo=MEXICO)
MARZO, ENTREGA_3 = datetime(2031, 3, 20, 10, tzinfo=MEXICO), datetime(2031, 4, 16, 9, tzinfo=MEXICO)


class Atacante:
    """Everything fetched, as one reader would keep it."""

    def __init__(self, app, gestora, token):
        self.app, self.gestora, self.token = app, gestora, token
        self.vistas: list[dict] = []  # every JSON page fetched, per edition

    # ---- fetching, through every channel ------------------------------------------------------

    def _api(self, consulta: str, **cabeceras):
        return self.app.test_client().get(f"/api/v1/estadisticas?{consulta}",
                                          headers={"Authorization": f"Bearer {self.token}", **cabeceras})

    def consultas(self) -> list[str]:
        """Every page of the State, and every municipality's and institution's year."""
        anios = self._api("").get_json()["edicion"]
        anio = int(anios["hasta"][:4])
        instituciones = [i["clave"] for i in self.app.test_client().get(
            "/api/v1/catalogos", headers={"Authorization": f"Bearer {self.token}"}).get_json()["instituciones"]]
        return ([f"anio={anio}&granularidad={g}" for g in GRANULARIDADES]
                + [f"anio={anio}&granularidad=anio&municipio={m}" for m in municipios()]
                + [f"anio={anio}&granularidad=anio&institucion={i}" for i in instituciones])

    def todo(self) -> dict[str, dict]:
        """{question: every channel's answer}: JSON and CSV downloads, the API, the page."""
        respuestas = {}
        for consulta in self.consultas():
            como_json = self.gestora.get(f"/estadisticas/exportar.json?{consulta}")
            como_csv = self.gestora.get(f"/estadisticas/exportar.csv?{consulta}")
            api = self._api(consulta)
            assert como_json.status_code == como_csv.status_code == api.status_code == 200, consulta
            respuestas[consulta] = {"json": como_json, "csv": como_csv, "api": api}
            if "municipio" not in consulta or ZACATECAS in consulta or FRESNILLO in consulta:
                respuestas[consulta]["pagina"] = self.gestora.get(f"/estadisticas/?{consulta}")
        return respuestas

    def leer_edicion(self) -> dict[str, dict]:
        respuestas = self.todo()
        for consulta, canal in respuestas.items():
            datos = canal["json"].get_json()
            assert canal["api"].get_data() == canal["json"].get_data(), consulta
            assert _del_csv(canal["csv"].get_data(as_text=True)) == _del_json(datos), consulta
            if "pagina" in canal:
                _como_la_pagina(canal["pagina"].get_data(as_text=True), datos)
            self.vistas.append(datos)
        return respuestas

    def nada_cambio(self, antes: dict[str, dict]) -> None:
        """Looking again without a new edition: the same bytes, and 304 with the tag."""
        for consulta, canal in antes.items():
            for nombre, ruta in (("json", "/estadisticas/exportar.json"), ("csv", "/estadisticas/exportar.csv")):
                otra = self.gestora.get(f"{ruta}?{consulta}")
                assert otra.get_data() == canal[nombre].get_data(), (consulta, nombre)
                assert otra.headers["ETag"] == canal[nombre].headers["ETag"]
                etag = canal[nombre].headers["ETag"]
                assert self.gestora.get(f"{ruta}?{consulta}", headers={"If-None-Match": etag}).status_code == 304
            api = self._api(consulta)
            assert api.get_data() == canal["api"].get_data(), consulta
            assert self._api(consulta, **{"If-None-Match": api.headers["ETag"]}).status_code == 304
            if "pagina" in canal:
                pagina = self.gestora.get(f"/estadisticas/?{consulta}")
                assert _sin_token(pagina) == _sin_token(canal["pagina"]), consulta
                assert self.gestora.get(f"/estadisticas/?{consulta}", headers={
                    "If-None-Match": pagina.headers["ETag"]}).status_code == 304

    # ---- the attack ------------------------------------------------------------------------------

    def sistema(self, verdad) -> Lector:
        """Every cell of the measure "casos" of every page of every edition, keyed by meaning:
        (dimension, category, period); a month is the same unknown in every edition, a quarter
        or a year is keyed with the months it sums in that edition."""
        lector = Lector(K)
        vistos: dict = {}
        # Which edition revised which months, as every edition says of its last revision.
        revisiones = {d["revision"]["edicion"]: d["revision"]["revisadas"] for d in self.vistas if d["revision"]}
        for datos in self.vistas:
            # A month whose cases were revised is another unknown from the revision on: "2031-01@3".
            version = {m: max((r for r, meses in revisiones.items()
                               if r <= datos["edicion"]["numero"] and "casos" in meses.get(m, ())), default=None)
                       for m in _meses_del_anio(datos)}
            cubiertos = [m if v is None else f"{m}@{v}" for m, v in version.items()]

            def periodo(clave: str):
                if len(clave) == 7 and "T" not in clave:
                    return clave if version.get(clave) is None else f"{clave}@{version[clave]}"
                if "T" in clave:
                    t = int(clave[-1])
                    return clave, tuple(m for m in cubiertos if (int(m[5:7]) - 1) // 3 == t - 1)
                return clave, tuple(cubiertos)

            for clave, valor in _celdas_de_casos(datos, periodo):
                if clave in vistos:  # the same meaning is shown alike everywhere, in every edition
                    assert vistos[clave] == valor, (clave, vistos[clave], valor)
                    continue
                vistos[clave] = valor
                lector.ver(clave, Celda(verdad(clave), _estado(valor)))
        # The equations a reader knows between those keys.
        claves = set(vistos)
        por_periodo: dict = {}
        for clave in claves:
            if clave[0] == "cruce":
                continue
            dimension, categoria, p = clave
            por_periodo.setdefault(p, {}).setdefault(dimension, set()).add(categoria)
        for p, dimensiones in por_periodo.items():
            total = ("*", "*", p)
            for dimension, categorias in dimensiones.items():
                if dimension != "*":
                    lector.suma([(dimension, c, p) for c in categorias], total)
                if isinstance(p, tuple):  # a quarter or a year: the sum of its months
                    for categoria in categorias:
                        lector.suma([(dimension, categoria, m) for m in p[1]], (dimension, categoria, p))
        cruces: dict = {}
        for clave in claves:
            if clave[0] == "cruce":
                _, tipo, propia, dimension, categoria, p = clave
                cruces.setdefault((tipo, dimension, p), {}).setdefault(propia, set()).add(categoria)
        for (tipo, dimension, p), por_ambito in cruces.items():
            for propia, categorias in por_ambito.items():  # a page's column adds up to its total
                lector.suma([("cruce", tipo, propia, dimension, c, p) for c in categorias], (tipo, propia, p))
            for categoria in set().union(*por_ambito.values()):  # every page of a kind: the State
                lector.suma([("cruce", tipo, propia, dimension, categoria, p) for propia in por_ambito],
                            (dimension, categoria, p))
        return lector


def _meses_del_anio(datos: dict) -> list[str]:
    """The months of the page's year its edition covers (from the edition's own months)."""
    anio = datos["anio"]
    desde = max(datos["edicion"]["desde"], f"{anio}-01")
    hasta = min(datos["edicion"]["hasta"], f"{anio}-12")
    return [f"{anio}-{m:02d}" for m in range(int(desde[5:7]), int(hasta[5:7]) + 1)] if desde <= hasta else []


def _estado(valor) -> str:
    if isinstance(valor, int):
        return PUBLICADA
    return {f"<{K}": PRIMARIA, "s": COMPLEMENTARIA, None: RETENIDA}[valor]


def _celdas_de_casos(datos: dict, periodo):
    """(meaning, published value) of every count of the measure "casos" on a page."""
    ambito = datos["ambito"]
    propia = None if ambito["tipo"] == "estado" else (ambito["tipo"], ambito["clave"])
    anio_p = periodo(str(datos["anio"]))
    medida = next(m for m in datos["medidas"] if m["clave"] == "casos")
    if "casos" in datos["resumen"] and (medida["cuadros"] or not propia):
        yield ((propia[0], propia[1], anio_p) if propia else ("*", "*", anio_p)), datos["resumen"]["casos"]
    medida = next(m for m in datos["medidas"] if m["clave"] == "casos")
    for cuadro in medida["cuadros"]:
        columnas = [periodo(c["clave"]) for c in cuadro["columnas"]]
        celdas = cuadro["celdas"] or [[None] * len(columnas) for _ in cuadro["filas"]]
        dimension = cuadro["dimension"]
        for i, fila in enumerate(cuadro["filas"]):
            for j, p in enumerate(columnas):
                if propia and dimension is not None:
                    clave = ("cruce", propia[0], propia[1], dimension, fila["clave"], p)
                elif propia:
                    clave = (propia[0], propia[1], p)
                else:
                    clave = ("*", "*", p) if dimension is None else (dimension, fila["clave"], p)
                yield clave, celdas[i][j]
            if cuadro["totales_fila"] is not None:
                clave = (propia[0], propia[1], anio_p) if propia else (
                    ("*", "*", anio_p) if dimension is None else (dimension, fila["clave"], anio_p))
                yield clave, cuadro["totales_fila"][i]
        for j, valor in enumerate(cuadro["totales_columna"] or []):
            yield ((propia[0], propia[1], columnas[j]) if propia else ("*", "*", columnas[j])), valor
        if cuadro["total"] is not None or (cuadro["totales_columna"] and cuadro["totales_fila"]):
            yield ("*", "*", anio_p), cuadro["total"]


def _del_json(datos: dict) -> dict:
    """{(table, row, column): value} of a JSON page, as text, like the CSV carries it."""
    celdas = {}
    for medida in datos["medidas"]:
        for cuadro in medida["cuadros"]:
            if cuadro["retenido"]:
                celdas[cuadro["clave"], "", ""] = "retenido"
                continue
            for i, fila in enumerate(cuadro["filas"]):
                for j, columna in enumerate(cuadro["columnas"]):
                    celdas[cuadro["clave"], fila["clave"], columna["clave"]] = cuadro["celdas"][i][j]
                if cuadro["totales_fila"] is not None:
                    celdas[cuadro["clave"], fila["clave"], "total"] = cuadro["totales_fila"][i]
                if "tasas_por_100000_mujeres" in cuadro:
                    celdas[cuadro["clave"], fila["clave"], "tasa_100000_mujeres"] = \
                        cuadro["tasas_por_100000_mujeres"][i]
            for j, columna in enumerate(cuadro["columnas"]):
                if cuadro["totales_columna"] is not None:
                    celdas[cuadro["clave"], "total", columna["clave"]] = cuadro["totales_columna"][j]
            if cuadro["total"] is not None:
                celdas[cuadro["clave"], "total", "total"] = cuadro["total"]
    for clave, valor in datos["edicion"].items():
        celdas["edicion", clave, ""] = valor
    return {k: "" if v is None else str(v) for k, v in celdas.items()}


def _del_csv(texto: str) -> dict:
    celdas = {}
    for fila in csv.DictReader(io.StringIO(texto.lstrip("\ufeff"))):
        if fila["medida"] in ("medianas", "indicadores"):
            continue
        if fila["medida"] == "edicion":
            celdas["edicion", fila["fila"], ""] = fila["valor"]
        else:
            celdas[fila["cuadro"], fila["fila"], fila["columna"]] = fila["valor"]
    return celdas


def _texto(celda) -> str:
    if celda is None:
        return "—"
    if isinstance(celda, (int, float)):
        return f"{celda:,}".replace(",", " ")
    return celda


def _como_la_pagina(html: str, datos: dict) -> None:
    """Every table of the page shows the JSON's cells, cell for cell."""
    for medida in datos["medidas"]:
        for cuadro in medida["cuadros"]:
            seccion = html.split(f'id="c-{cuadro["clave"].replace(".", "-")}"')[1].split("</figure>")[0]
            if cuadro["retenido"]:
                assert "Cuadro no publicable" in seccion
                continue
            cuerpo = seccion.split("<tbody>")[1].split("</tbody>")[0]
            filas = re.findall(r"<tr>(.*?)</tr>", cuerpo, re.S)
            assert len(filas) == len(cuadro["filas"]), cuadro["clave"]
            for i, fila in enumerate(filas):
                mostrados = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                             for c in re.findall(r"<td[^>]*>(.*?)</td>", fila, re.S)]
                esperados = [_texto(v) for v in cuadro["celdas"][i]]
                if cuadro["totales_fila"] is not None:
                    esperados.append(_texto(cuadro["totales_fila"][i]))
                if "tasas_por_100000_mujeres" in cuadro:
                    esperados.append(_texto(cuadro["tasas_por_100000_mujeres"][i]))
                assert mostrados == esperados, (cuadro["clave"], i)


def _sin_token(respuesta) -> str:
    """The page without the form token of "Salir", which is signed anew on every request."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", respuesta.get_data(as_text=True))


# ---- the truth, known to the test (never to the attacker) ---------------------------------------

def _casos_por_mes() -> dict[str, list[dict]]:
    filas = db.session.execute(sa.text(
        "SELECT c.creado_en, c.municipio, i.siglas, c.rango_edad, c.nivel_riesgo "
        "FROM caso c JOIN institucion i ON i.id = c.institucion_id")).all()
    por_mes: dict = {}
    for creado, municipio, siglas, rango, nivel in filas:
        if isinstance(creado, str):
            creado = datetime.fromisoformat(creado)
        if creado.tzinfo is None:
            creado = creado.replace(tzinfo=ZoneInfo("UTC"))
        mes = creado.astimezone(MEXICO).strftime("%Y-%m")
        por_mes.setdefault(mes, []).append({
            "*": "*", "municipio": municipio or "sin_dato", "institucion": siglas,
            "rango_edad": rango or "sin_dato", "nivel_riesgo": nivel or "sin_valorar"})
    return por_mes


class Verdad:
    """Each month's cases as they were when an edition first published it, and as each
    revision of it published them (a revised month is another unknown)."""

    def __init__(self):
        self.meses: dict[str, list[dict]] = {}

    def congelar(self, hasta: str) -> None:
        for mes, casos in _casos_por_mes().items():
            if mes <= hasta and mes not in self.meses:
                self.meses[mes] = casos
        db.session.rollback()

    def revisar(self, meses: list[str], edicion: int) -> None:
        """A revision publishes those months as they are now: new unknowns ("2031-01@2")."""
        ahora = _casos_por_mes()
        for mes in meses:
            self.meses[f"{mes}@{edicion}"] = ahora.get(mes, [])
        db.session.rollback()

    def __call__(self, clave) -> int:
        if clave[0] == "cruce":
            _, tipo, propia, dimension, categoria, p = clave
            return sum(1 for caso in self._de(p) if caso[tipo] == propia and caso[dimension] == categoria)
        dimension, categoria, p = clave
        return sum(1 for caso in self._de(p) if caso[dimension] == categoria)

    def _de(self, p):
        meses = [p] if isinstance(p, str) else p[1]
        return [caso for mes in meses for caso in self.meses.get(mes, [])]


# ---- the test -----------------------------------------------------------------------------------------

@pytest.fixture
def mundo(app, cuentas, reloj_fijo, monkeypatch):
    # The API allows 60 calls a minute: a patient attacker makes them over hours, the same.
    from casos.extensiones import limiter

    monkeypatch.setattr(limiter, "enabled", False)
    reloj_fijo.move_to(ENERO)
    fiscalia, cjm = cuentas.institucion_a, cuentas.institucion_b  # INSTA, INSTB
    return {"a": crear_usuaria("capturista", fiscalia), "b": crear_usuaria("capturista", cjm),
            "token": tokens.crear("ataque", cuentas["admin"])[1]}


def _registrar(capturista, municipio, valorar=False):
    """One woman, through the intake's services, one commit each."""
    caso = registrar_caso(capturista, datos_de_caso(municipio=municipio))
    if valorar:
        registrar_valoracion(caso, capturista, {}, None, None)
    db.session.commit()


def _enero(a, b) -> None:
    """January of both scenarios: 28 women one by one, at both institutions."""
    for _ in range(14):
        _registrar(a, ZACATECAS, valorar=True)
    for _ in range(11):
        _registrar(b, FRESNILLO, valorar=True)
    for _ in range(3):
        _registrar(a, GUADALUPE)


def _publicar(runner, verdad: Verdad, hasta: str) -> str:
    db.session.rollback()
    resultado = runner.invoke(args=["estadisticas", "publicar"])
    assert resultado.exit_code == 0 and "publicada" in resultado.output, resultado.output
    verdad.congelar(hasta)
    return resultado.output


def _atacar(atacante: Atacante, verdad: Verdad) -> None:
    # Every count published anywhere is 0 or at least k.
    for datos in atacante.vistas:
        for medida in datos["medidas"]:
            for cuadro in medida["cuadros"]:
                for valor in [v for fila in cuadro["celdas"] or [] for v in fila] + [
                        *(cuadro["totales_fila"] or []), *(cuadro["totales_columna"] or []), cuadro["total"]]:
                    assert valor in (None, "s", f"<{K}") or valor == 0 or valor >= K, (cuadro["clave"], valor)
        for valor in datos["resumen"].values():
            assert valor in (None, "s", f"<{K}") or valor == 0 or valor >= K
    lector = atacante.sistema(verdad)
    pequenas = {c for c in lector.marcas if 0 < lector.verdad[c] < K}
    assert not pequenas & lector.recuperables_por_algebra(), "una cifra de 1 a 9 se despeja"
    assert not pequenas & lector.recuperables_por_intervalos(), "una cifra de 1 a 9 queda fija"
    # And a published count never moves between editions by 1 to 9 (a month is the same cell,
    # or moves by a revision's difference; a sum moves by its new months' published counts).
    sumas: dict = {}
    for clave, valor in lector.publicado.items():
        if isinstance(clave[-1], tuple):
            sumas.setdefault((clave[:-1], clave[-1][0]), []).append(valor)
        else:  # a month, and its revisions ("2031-01", "2031-01@3"): the same cell over time
            sumas.setdefault((clave[:-1], clave[-1].split("@")[0]), []).append(valor)
    for clave, valores in sumas.items():
        for uno in valores:
            for otro in valores:
                assert abs(otro - uno) == 0 or abs(otro - uno) >= K, (clave, valores)


def test_registrar_uno_a_uno_entre_ediciones_no_revela_a_nadie(app, mundo, como, runner, reloj_fijo):
    a, b, verdad = mundo["a"], mundo["b"], Verdad()
    # January: women registered one by one at both institutions.
    _enero(a, b)
    reloj_fijo.move_to(ENTREGA_1)
    gestora = como("gestora")
    # Before the first edition, nothing is served.
    assert gestora.get("/estadisticas/exportar.json").status_code == 404
    _publicar(runner, verdad, "2031-01")
    atacante = Atacante(app, gestora, mundo["token"])
    primera = atacante.leer_edicion()

    # February: issue 15's woman — the Fiscalía's first in Fresnillo, unassessed — then more,
    # and one registered late in January. Looking again after each changes nothing.
    reloj_fijo.move_to(FEBRERO)
    atacante.gestora = como("gestora")  # hours later: her session ended
    for municipio, capturista in ((FRESNILLO, a), (GUADALUPE, b), (ZACATECAS, a)):
        _registrar(capturista, municipio)
        atacante.nada_cambio(primera)
    caso = registrar_caso(a, datos_de_caso(municipio=FRESNILLO))
    caso.creado_en = ENERO
    db.session.commit()
    atacante.nada_cambio(primera)
    for _ in range(10):
        _registrar(b, ZACATECAS, valorar=True)
    atacante.nada_cambio(primera)
    # Publishing again before February's grace ends finds no new month.
    assert "Sin meses nuevos" in runner.invoke(args=["estadisticas", "publicar"]).output
    atacante.nada_cambio(primera)

    reloj_fijo.move_to(ENTREGA_2)
    gestora = como("gestora")
    atacante.gestora = gestora
    _publicar(runner, verdad, "2031-02")
    segunda = atacante.leer_edicion()
    # January is served as the first edition published it (the late case is not in it).
    enero = [d for d in atacante.vistas if d["edicion"]["numero"] == 1 and d["granularidad"] == "mes"
             and d["ambito"]["tipo"] == "estado"][0]
    de_nuevo = json.loads(segunda[next(c for c in segunda if c.endswith("granularidad=mes"))]["json"]
                          .get_data(as_text=True))
    for cuadro, otro in zip(_cuadros(enero), _cuadros(de_nuevo)):
        assert [fila[0] for fila in cuadro["celdas"] or []] == [fila[0] for fila in otro["celdas"] or []], \
            cuadro["clave"]

    # March: one woman in the whole State. The year so far must not tell her.
    reloj_fijo.move_to(MARZO)
    atacante.gestora = como("gestora")
    _registrar(a, GUADALUPE)
    atacante.nada_cambio(segunda)
    reloj_fijo.move_to(ENTREGA_3)
    atacante.gestora = como("gestora")
    _publicar(runner, verdad, "2031-03")
    atacante.leer_edicion()
    marzo = [d for d in atacante.vistas if d["edicion"]["numero"] == 3 and d["granularidad"] == "mes"
             and d["ambito"]["tipo"] == "estado"][0]
    assert next(c for c in _cuadros(marzo) if c["clave"] == "casos.periodo")["celdas"][0][2] == f"<{K}"
    _atacar(atacante, verdad)


def _cuadros(datos: dict) -> list[dict]:
    return [c for m in datos["medidas"] if m["clave"] == "casos" for c in m["cuadros"]]


REVISION_1, REVISION_2 = datetime(2031, 3, 1, 9, tzinfo=MEXICO), datetime(2031, 4, 1, 9, tzinfo=MEXICO)


def _tarde(capturista, municipio, cuando, n=1, valorar=False):
    """`n` women registered late, in a month already published (the same data each)."""
    for _ in range(n):
        caso = registrar_caso(capturista, datos_de_caso(municipio=municipio))
        caso.creado_en = cuando
        if valorar:
            registrar_valoracion(caso, capturista, {}, None, None)
    db.session.commit()


def _revisar(runner) -> str:
    db.session.rollback()
    resultado = runner.invoke(args=["estadisticas", "revisar"])
    assert resultado.exit_code == 0, resultado.output
    return resultado.output


def test_las_revisiones_solo_publican_diferencias_de_k_o_mas(app, mundo, como, runner, reloj_fijo):
    """Between two releases and two revisions, late registrations one by one: a small change
    waits (nothing served changes), a change of k or more in every cell is published as the
    month shifted by it, and the attacker, holding every version, deduces no count 1 to 9."""
    a, b, verdad = mundo["a"], mundo["b"], Verdad()
    _enero(a, b)
    reloj_fijo.move_to(ENTREGA_1)
    gestora = como("gestora")
    _publicar(runner, verdad, "2031-01")
    atacante = Atacante(app, gestora, mundo["token"])
    primera = atacante.leer_edicion()

    # February: cases of February, and one woman registered late in January, like the
    # eleven of Fresnillo at the CJM: every cell she is in held 11 or more, and would hold a
    # count again. A revision can't publish her (a difference of 1): nothing changes.
    reloj_fijo.move_to(FEBRERO)
    for _ in range(12):
        _registrar(a, ZACATECAS)
    _tarde(b, FRESNILLO, ENERO, valorar=True)
    reloj_fijo.move_to(REVISION_1)
    atacante.gestora = como("gestora")
    salida = _revisar(runner)
    assert "Sin revisión" in salida and "enero de 2031" in salida, salida
    atacante.nada_cambio(primera)

    # The second release (February); then ten more late in January, like her: every cell
    # that changed now changed by 11, and the revision publishes January shifted by it.
    reloj_fijo.move_to(ENTREGA_2)
    atacante.gestora = como("gestora")
    _publicar(runner, verdad, "2031-02")
    atacante.leer_edicion()
    _tarde(b, FRESNILLO, ENERO, n=10, valorar=True)
    reloj_fijo.move_to(REVISION_2)
    atacante.gestora = como("gestora")
    salida = _revisar(runner)
    assert "Edición 3 publicada: revisa enero de 2031" in salida, salida
    verdad.revisar(["2031-01"], 3)
    revisada = atacante.leer_edicion()
    estado = json.loads(revisada[next(c for c in revisada if c.endswith("granularidad=mes"))]["json"]
                        .get_data(as_text=True))
    # January's cases; and February's facts, where the late women's facts fell (11 of them).
    assert "casos" in estado["revision"]["revisadas"]["2031-01"]
    serie = next(c for c in _cuadros(estado) if c["clave"] == "casos.periodo")
    assert serie["celdas"][0][0] == 28 + 11  # January: 28 as first published, 11 late
    pagina = unescape(atacante.gestora.get("/estadisticas/").get_data(as_text=True))
    assert "La edición 3 revisó enero de 2031" in re.sub(r"<[^>]+>", "", pagina)

    # One more late in January, elsewhere: a second revision publishes nothing of it.
    _tarde(b, GUADALUPE, ENERO)
    salida = _revisar(runner)
    assert "Sin revisión" in salida
    atacante.nada_cambio(revisada)
    _atacar(atacante, verdad)
