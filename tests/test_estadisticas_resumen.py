"""The dashboard's summary (casos/estadisticas/resumen.py): each indicator's last period and its
change from the period before, read only from what the edition's pages publish. Pure: an
edition's content built by hand, no database."""

from __future__ import annotations

import pytest

from casos.estadisticas import resumen
from casos.estadisticas.ensamblado import Contenido
from casos.estadisticas.ensamblado import publicacion as pagina
from casos.estadisticas.publicacion import MEDIDAS, ORDEN_CRUCE, Ambito
from casos.estadisticas.supresion import NO_DISPONIBLE

K = 10
ND = NO_DISPONIBLE
FRESNILLO = "32010"
ESTADO = Ambito("estado")
EN_FRESNILLO = Ambito("municipio", FRESNILLO, "Fresnillo")


@pytest.mark.parametrize("actual, anterior, esperado", [
    (30, 25, 5), (25, 30, -5), (12, 12, 0), (0, 14, -14),
    ("<10", 12, ND), (12, "<10", ND), ("s", 40, ND), (40, "s", ND),
    (None, 12, ND), (12, None, ND), (ND, 12, ND), ("<10", "<10", ND),
    (True, 1, ND),  # not a count
])
def test_un_cambio_es_la_resta_de_dos_cifras_publicadas_o_nd(actual, anterior, esperado):
    assert resumen.cambio(actual, anterior) == esperado


def test_un_porcentaje_solo_de_dos_conteos():
    assert resumen.porcentaje(3, 12) == 25.0
    assert resumen.porcentaje("<10", 12) is None
    assert resumen.porcentaje(12, "s") is None
    assert resumen.porcentaje(0, 0) is None


def _meses(desde: str, hasta: str) -> list[str]:
    meses, anio, mes = [], int(desde[:4]), int(desde[5:])
    while f"{anio}-{mes:02d}" <= hasta:
        meses.append(f"{anio}-{mes:02d}")
        anio, mes = (anio, mes + 1) if mes < 12 else (anio + 1, 1)
    return meses


@pytest.mark.parametrize("granularidad, hasta, actual, anterior", [
    ("mes", "2026-10", ["2026-10"], ["2026-09"]),
    ("mes", "2026-01", ["2026-01"], ["2025-12"]),  # across the year: December's page
    ("trimestre", "2026-09", _meses("2026-07", "2026-09"), _meses("2026-04", "2026-06")),
    ("trimestre", "2026-10", ["2026-10"], ["2026-07"]),  # a quarter so far: as many months before
    ("trimestre", "2026-02", ["2026-01", "2026-02"], ["2025-10", "2025-11"]),
    ("anio", "2026-12", _meses("2026-01", "2026-12"), _meses("2025-01", "2025-12")),
    ("anio", "2026-10", _meses("2026-01", "2026-10"), _meses("2025-01", "2025-10")),
])
def test_el_periodo_anterior_son_los_mismos_meses_un_periodo_antes(granularidad, hasta, actual, anterior):
    assert resumen.periodos(_meses("2026-01", hasta), granularidad) == (actual, anterior)


def test_sin_meses_no_hay_periodo():
    assert resumen.periodos([], "mes") == ([], [])


@pytest.mark.parametrize("meses, abierto, nombre", [
    (["2026-10"], True, "octubre de 2026"),
    (_meses("2026-07", "2026-09"), False, "T3 2026"),
    (_meses("2025-01", "2025-12"), False, "2025"),
    (_meses("2026-01", "2026-10"), True, "2026 (enero a octubre)"),
    (_meses("2025-01", "2025-10"), False, "enero a octubre de 2025"),
    (["2026-10", "2026-11"], True, "T4 2026 (octubre a noviembre)"),
    (["2026-07", "2026-08"], False, "julio a agosto de 2026"),
    (["2026-01", "2026-02"], True, "2026 (enero a febrero)"),
])
def test_cada_periodo_se_nombra_como_lo_leeria_ella(meses, abierto, nombre):
    assert resumen.nombre_periodo(meses, abierto=abierto) == nombre


# ---- an edition by hand -------------------------------------------------------------------------

def _pares(medida) -> list[str]:
    pares = set()
    for ambito in ("municipio", "institucion"):
        if ambito not in medida.dimensiones and not medida.multiple:
            continue
        for dimension in medida.dimensiones:
            if dimension != ambito:
                pares.add("|".join(sorted((ambito, dimension), key=ORDEN_CRUCE.index)))
    return sorted(pares)


def _bloque(clave: str, total, lineas: dict | None = None, cruces: dict | None = None) -> dict:
    """A month's block of a measure as an edition stores it (bloques._publicado)."""
    if total == 0 or total is None:
        return {"total": total if total is not None else 0}
    if isinstance(total, str) and total.startswith("<"):
        return {"total": total, "retenida": True}
    medida = MEDIDAS[clave]
    return {"total": total, "lineas": {d: dict((lineas or {}).get(d, {})) for d in medida.dimensiones},
            "cruces": {par: [list(celda) for celda in (cruces or {}).get(par, [])] for par in _pares(medida)}}


def _edicion(meses: dict[str, dict[str, dict]]) -> Contenido:
    """`meses`: month -> measure -> block; any other measure published nothing that month."""
    return Contenido.de_json({
        "umbral": K, "gracia_dias": 15, "instituciones": {"FGJEZ": "Fiscalía", "SEMUJER": "Semujer"},
        "meses": {mes: {clave: medidas.get(clave, {"total": 0}) for clave in MEDIDAS}
                  for mes, medidas in meses.items()},
        "medianas": {}})


def _casos(total, fresnillo=None) -> dict:
    lineas = {"municipio": {FRESNILLO: fresnillo}} if fresnillo is not None else {}
    return {"casos": _bloque("casos", total, lineas)}


def _ordenes(total, en_4_horas, fresnillo=None, fresnillo_en_4=None) -> dict:
    lineas = {"emision": {"en_4_horas": en_4_horas}}
    if fresnillo is not None:
        lineas["municipio"] = {FRESNILLO: fresnillo}
    cruces = {"municipio|emision": [(FRESNILLO, "en_4_horas", fresnillo_en_4)]} if fresnillo_en_4 is not None else {}
    return {"ordenes": _bloque("ordenes", total, lineas, cruces)}


def _por_clave(lista: list[dict]) -> dict[str, dict]:
    return {i["clave"]: i for i in lista}


def test_por_mes_el_ultimo_mes_frente_al_anterior():
    contenido = _edicion({
        "2026-01": {**_casos(30), **_ordenes(20, 12)},
        "2026-02": {**_casos(42), **_ordenes(25, "<10")},
    })
    mujeres, ordenes = (_por_clave(resumen.resumen(contenido, 2026, "mes", ESTADO))[c]
                        for c in ("mujeres_atendidas", "ordenes_en_4_horas"))
    assert (mujeres["periodo"], mujeres["valor"], mujeres["anterior"], mujeres["valor_anterior"],
            mujeres["cambio"]) == ("febrero de 2026", 42, "enero de 2026", 30, 12)
    # A mark on either side: the change is "n.d.", never worked out.
    assert (ordenes["valor"], ordenes["valor_anterior"], ordenes["cambio"]) == ("<10", 12, ND)
    assert (ordenes["de"], ordenes["porcentaje"]) == (25, None)


def test_enero_se_compara_con_diciembre_y_el_primer_mes_con_nada():
    contenido = _edicion({"2025-12": _casos(11), "2026-01": _casos(14)})
    enero = _por_clave(resumen.resumen(contenido, 2026, "mes", ESTADO))["mujeres_atendidas"]
    assert (enero["anterior"], enero["cambio"]) == ("diciembre de 2025", 3)
    diciembre = _por_clave(resumen.resumen(contenido, 2025, "mes", ESTADO))["mujeres_atendidas"]
    assert (diciembre["cambio"], diciembre["sin_cambio"]) == (None, resumen.SIN_ANTERIOR)


def test_el_anio_en_curso_frente_a_los_mismos_meses_del_anterior():
    meses = {m: _casos(20) for m in _meses("2025-01", "2025-12")}
    meses["2025-11"] = _casos("s")  # a month that hid its count: outside Jan-Feb, no matter
    meses.update({"2026-01": _casos(25), "2026-02": _casos(30)})
    contenido = _edicion(meses)
    anio = _por_clave(resumen.resumen(contenido, 2026, "anio", ESTADO))["mujeres_atendidas"]
    assert (anio["periodo"], anio["valor"], anio["anterior"], anio["valor_anterior"], anio["cambio"]) == (
        "2026 (enero a febrero)", 55, "enero a febrero de 2025", 40, 15)
    # The whole of 2025 against 2024, which this edition does not have.
    completo = _por_clave(resumen.resumen(contenido, 2025, "anio", ESTADO))["mujeres_atendidas"]
    assert completo["valor"] == "s" and completo["cambio"] is None  # a sum with a hidden month: a mark


def test_un_mes_oculto_en_el_trimestre_hace_nd_el_cambio():
    meses = {m: _casos(20) for m in _meses("2026-01", "2026-06")}
    meses["2026-02"] = _casos("s")
    trimestre = _por_clave(resumen.resumen(_edicion(meses), 2026, "trimestre", ESTADO))["mujeres_atendidas"]
    assert (trimestre["periodo"], trimestre["valor"], trimestre["anterior"]) == ("T2 2026", 60, "T1 2026")
    assert trimestre["valor_anterior"] == "s" and trimestre["cambio"] == ND


def test_una_medida_de_menos_de_k_en_el_anio_no_da_cifras_por_periodo():
    # Orders: a few in January, none in February, so the year's page shows "<10" and no
    # table: February's 0 is on no page, and the summary does not show it either.
    contenido = _edicion({"2026-01": {**_casos(30), **_ordenes("<10", 0)},
                          "2026-02": {**_casos(30), **_ordenes(0, 0)}})
    ordenes = _por_clave(resumen.resumen(contenido, 2026, "mes", ESTADO))["ordenes_en_4_horas"]
    assert (ordenes["valor"], ordenes["de"], ordenes["cambio"]) == (None, None, None)
    assert ordenes["sin_cambio"] == resumen.SOLO_TOTAL.format(k=K)
    assert resumen.valor(contenido, ["2026-02"], "ordenes", lambda b: b["total"]) is None  # not its 0
    # The total of the year is what the page says of a measure under k, and so does the summary.
    poco = _edicion({"2026-01": _casos("<10"), "2026-02": _casos(0)})
    mujeres = _por_clave(resumen.resumen(poco, 2026, "mes", ESTADO))["mujeres_atendidas"]
    assert (mujeres["periodo"], mujeres["valor"], mujeres["cambio"]) == ("2026 (enero a febrero)", "<10", None)
    assert pagina(poco, 2026, "mes", ESTADO).resumen["casos"] == "<10"
    assert resumen.sin_desglose(pagina(contenido, 2026, "mes", ESTADO)) == [MEDIDAS["ordenes"].titulo]


def test_cada_cifra_del_resumen_esta_publicada_en_una_pagina_de_la_edicion():
    """For whole periods the summary repeats cells of the pages, the ones a reader would subtract."""
    meses = {m: {**_casos(20 + i), **_ordenes(30, 12 + i)} for i, m in enumerate(_meses("2025-01", "2026-06"))}
    meses["2026-03"] = {**_casos("s"), **_ordenes(30, "s")}
    contenido = _edicion(meses)
    for granularidad in ("mes", "trimestre", "anio"):
        estado = pagina(contenido, 2026, granularidad, ESTADO)
        anterior = pagina(contenido, 2025, granularidad, ESTADO)
        columnas = [(estado, j) for j in range(len(estado.columnas))]
        if granularidad != "mes":  # across the year the period before is on 2025's page
            columnas = [(anterior, j) for j in range(len(anterior.columnas))] + columnas
        for indicador, (cuadro, fila) in (("mujeres_atendidas", ("casos.periodo", "total")),
                                          ("ordenes_en_4_horas", ("ordenes.emision", "en_4_horas"))):
            def celda(pub, j, cuadro=cuadro, fila=fila):
                tabla = next(c for cs in pub.cuadros.values() for c in cs if c.clave == cuadro)
                return tabla.celdas[[f for f, _ in tabla.filas].index(fila)][j]

            dado = _por_clave(resumen.resumen(contenido, 2026, granularidad, ESTADO))[indicador]
            if granularidad == "anio":
                assert dado["valor"] == celda(estado, 0)
                continue  # 2026 so far against the same months of 2025: a sum of 2025's months
            assert (dado["valor_anterior"], dado["valor"]) == (celda(*columnas[-2]), celda(*columnas[-1]))
            assert dado["cambio"] == resumen.cambio(dado["valor"], dado["valor_anterior"])


def test_en_un_municipio_las_cifras_de_cuadros_cruzados_son_del_anio():
    meses = {m: {**_casos(20, fresnillo=12), **_ordenes(20, 12, fresnillo=11, fresnillo_en_4=10)}
             for m in _meses("2025-01", "2025-12")}
    meses["2026-01"] = {**_casos(20, fresnillo=15), **_ordenes(20, 12, fresnillo=12, fresnillo_en_4="<10")}
    contenido = _edicion(meses)
    dados = _por_clave(resumen.resumen(contenido, 2026, "mes", EN_FRESNILLO))
    # Her row of the cases by municipality is published by month.
    assert (dados["mujeres_atendidas"]["valor"], dados["mujeres_atendidas"]["cambio"]) == (15, 3)
    # Orders within 4 hours in Fresnillo: a cross table, by year only; 2026 is not complete.
    ordenes = dados["ordenes_en_4_horas"]
    assert (ordenes["periodo"], ordenes["valor"], ordenes["de"]) == ("enero de 2026", "<10", 12)
    assert (ordenes["cambio"], ordenes["sin_cambio"]) == (None, resumen.SOLO_ANIO)
    # And what it shows is the cell of her page.
    pub = pagina(contenido, 2026, "mes", EN_FRESNILLO)
    emision = next(c for c in pub.cuadros["ordenes"] if c.clave == "ordenes.emision")
    assert emision.celdas[[f for f, _ in emision.filas].index("en_4_horas")] == ["<10"]
    # A whole year against the year before it, when the edition has it.
    completo = _por_clave(resumen.resumen(contenido, 2025, "anio", EN_FRESNILLO))["ordenes_en_4_horas"]
    assert (completo["valor"], completo["cambio"], completo["sin_cambio"]) == (120, None, resumen.SIN_ANTERIOR)


def test_las_secciones_agrupan_los_cuadros_por_lo_que_ella_busca():
    contenido = _edicion({"2026-01": {**_casos(30, fresnillo=30), **_ordenes(20, 12, fresnillo=20)}})
    secciones = resumen.secciones(pagina(contenido, 2026, "mes", ESTADO))
    cuadros = {s["clave"]: [c.clave for _, c in s["cuadros"]] for s in secciones}
    assert [s["clave"] for s in secciones][:5] == ["tipo", "municipio", "institucion", "edad", "riesgo"]
    assert "casos.municipio" in cuadros["municipio"] and "ordenes.municipio" in cuadros["municipio"]
    assert cuadros["ordenes"] == ["ordenes.emision", "ordenes.tipo_orden"]
    assert "casos.periodo" in cuadros["periodo"]
    todos = [c for lista in cuadros.values() for c in lista]
    publicados = [c.clave for cs in pagina(contenido, 2026, "mes", ESTADO).cuadros.values() for c in cs]
    assert sorted(todos) == sorted(publicados)  # every table once, none lost
