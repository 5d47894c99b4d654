"""Business days on their own (flujos/dias_habiles.py): pure code, no app, real dates.

The federal holidays come from the `holidays` library (LFT Art. 74); Holy Thursday and Friday,
2 November and 12 December are the defaults casos/datos/dias_inhabiles_zacatecas.csv adds, with
the State's 23 June. Every expected date below was counted by hand on a calendar.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from casos.arco.calendario import POR_DEFECTO
from flujos.dias_habiles import Calendario, Regla, ReglaInvalida, reglas

ADICIONALES = reglas([("pascua-3", "Jueves Santo"), ("pascua-2", "Viernes Santo"),
                      ("--11-02", "Día de Muertos"), ("--12-12", "Día de la Virgen de Guadalupe")])
CALENDARIO = Calendario(ADICIONALES)


def test_la_ley_federal_del_trabajo_art_74_viene_de_la_biblioteca():
    solo_ley = Calendario()
    for dia, nombre in [(date(2026, 1, 1), "Año Nuevo"), (date(2026, 2, 2), "Día de la Constitución"),
                        (date(2026, 3, 16), "Natalicio de Benito Juárez"), (date(2026, 5, 1), "Día del Trabajo"),
                        (date(2026, 9, 16), "Día de la Independencia"), (date(2026, 11, 16), "Día de la Revolución"),
                        (date(2026, 12, 25), "Navidad"), (date(2027, 2, 1), "Día de la Constitución"),
                        (date(2027, 3, 15), "Natalicio de Benito Juárez"), (date(2027, 11, 15), "Día de la Revolución")]:
        assert solo_ley.por_que_inhabil(dia) == nombre, dia
    # 1 October every six years (the federal executive takes office): 2024 and 2030, not 2026.
    assert solo_ley.por_que_inhabil(date(2030, 10, 1)) is not None
    assert solo_ley.es_habil(date(2026, 10, 1))
    # What the LFT does not list is a working day for the library alone.
    for dia in (date(2027, 3, 25), date(2027, 3, 26), date(2026, 11, 2), date(2026, 12, 11)):
        assert solo_ley.es_habil(dia), dia


def test_los_dias_que_agrega_el_calendario():
    assert CALENDARIO.por_que_inhabil(date(2027, 3, 25)) == "Jueves Santo"  # Easter 2027: 28 March
    assert CALENDARIO.por_que_inhabil(date(2027, 3, 26)) == "Viernes Santo"
    assert CALENDARIO.por_que_inhabil(date(2026, 4, 2)) == "Jueves Santo"  # Easter 2026: 5 April
    assert CALENDARIO.por_que_inhabil(date(2026, 11, 2)) == "Día de Muertos"
    assert CALENDARIO.por_que_inhabil(date(2026, 12, 14)) is None  # 12 December 2026 is a Saturday
    assert CALENDARIO.por_que_inhabil(date(2026, 12, 12)) == "sábado"
    assert CALENDARIO.por_que_inhabil(date(2027, 12, 12)) == "domingo"
    assert CALENDARIO.por_que_inhabil(date(2028, 12, 12)) == "Día de la Virgen de Guadalupe"


@pytest.mark.parametrize(("desde", "dias", "vence"), [
    # Across a weekend: received on a Friday, day 1 is Monday.
    (date(2026, 11, 20), 1, date(2026, 11, 23)),
    (date(2026, 11, 20), 5, date(2026, 11, 27)),
    # Christmas and New Year 2026-27: 25 December (Friday) and 1 January (Friday) don't count.
    (date(2026, 12, 24), 1, date(2026, 12, 28)),
    (date(2026, 12, 24), 5, date(2027, 1, 4)),
    (date(2026, 12, 24), 20, date(2027, 1, 25)),  # also 1 February 2027 is not reached
    (date(2026, 12, 31), 3, date(2027, 1, 6)),
    (date(2026, 12, 18), 15, date(2027, 1, 12)),
    # Holy Week 2027: Thursday 25 and Friday 26 March, then the weekend (Benito Juárez: the 15th).
    (date(2027, 3, 24), 1, date(2027, 3, 29)),
    (date(2027, 3, 24), 5, date(2027, 4, 2)),
    (date(2027, 3, 12), 10, date(2027, 3, 31)),  # 15 (Juárez), 25, 26 and two weekends skipped
    (date(2027, 3, 24), 20, date(2027, 4, 23)),
    # Holy Week 2026: Thursday 2 and Friday 3 April.
    (date(2026, 4, 1), 1, date(2026, 4, 6)),
    (date(2026, 3, 31), 3, date(2026, 4, 7)),
    # 16 September 2026 is a Wednesday; 2027, a Thursday.
    (date(2026, 9, 15), 1, date(2026, 9, 17)),
    (date(2026, 9, 14), 3, date(2026, 9, 18)),
    (date(2026, 9, 15), 20, date(2026, 10, 14)),
    (date(2027, 9, 15), 2, date(2027, 9, 20)),
    # 2 November 2026 (Monday) and the Revolution on the third Monday, 16 November.
    (date(2026, 10, 30), 1, date(2026, 11, 3)),
    (date(2026, 11, 13), 1, date(2026, 11, 17)),
    # Zero days: the day itself.
    (date(2026, 11, 18), 0, date(2026, 11, 18)),
])
def test_sumar_dias_habiles(desde, dias, vence):
    assert CALENDARIO.sumar(desde, dias) == vence
    assert CALENDARIO.habiles_entre(desde, vence) == dias
    assert CALENDARIO.es_habil(vence) or dias == 0


def test_un_plazo_que_empieza_en_dia_inhabil_cuenta_desde_el_siguiente_habil():
    # Received on Saturday 19 December 2026 (by e-mail): day 1 is Monday 21.
    assert CALENDARIO.sumar(date(2026, 12, 19), 1) == date(2026, 12, 21)
    assert CALENDARIO.sumar(date(2026, 12, 25), 1) == date(2026, 12, 28)


def test_restar_es_el_inicio_mas_antiguo_cuyo_plazo_sigue_corriendo():
    hoy = date(2027, 1, 25)
    inicio = CALENDARIO.restar(hoy, 20)
    assert inicio == date(2026, 12, 24)
    assert CALENDARIO.sumar(inicio, 20) >= hoy > CALENDARIO.sumar(inicio - timedelta(days=1), 20)
    for n in range(0, 30):
        for dia in (date(2026, 12, 28), date(2027, 3, 29), date(2026, 9, 17)):
            antes = CALENDARIO.restar(dia, n)
            assert CALENDARIO.sumar(antes, n) >= dia
            assert n == 0 or CALENDARIO.sumar(antes - timedelta(days=1), n) < dia


def test_las_reglas_de_los_datos():
    assert Regla("2026-06-23").dias(2026) == [date(2026, 6, 23)]
    assert Regla("2026-06-23").dias(2027) == []
    assert Regla("--06-23").dias(2031) == [date(2031, 6, 23)]
    assert Regla("pascua").dias(2027) == [date(2027, 3, 28)]
    assert Regla("2026-12-30/2027-01-02").dias(2026) == [date(2026, 12, 30), date(2026, 12, 31)]
    assert Regla("2026-12-30/2027-01-02").dias(2027) == [date(2027, 1, 1), date(2027, 1, 2)]
    # A vacation period in the data moves a term past it.
    vacaciones = Calendario(reglas([("2026-12-21/2027-01-01", "Vacaciones de invierno")]))
    assert vacaciones.sumar(date(2026, 12, 18), 1) == date(2027, 1, 4)
    for mala in ("23 de junio", "--13-01", "pascua+x", "2027-01-02/2026-12-30", ""):
        with pytest.raises(ReglaInvalida):
            reglas([(mala, "mala")])


def test_el_archivo_por_defecto_del_estado_se_lee_y_documenta_cada_regla():
    with open(POR_DEFECTO, encoding="utf-8", newline="") as archivo:
        filas = list(csv.DictReader(archivo))
    assert {f["ambito"] for f in filas} <= {"federal", "estatal"}
    assert all(f["descripcion"].strip() for f in filas)
    calendario = Calendario(reglas((f["regla"], f["descripcion"]) for f in filas))
    assert calendario.por_que_inhabil(date(2027, 3, 25)) == "Jueves Santo"
    assert calendario.por_que_inhabil(date(2026, 6, 23)) == "Aniversario de la Toma de Zacatecas"
    assert calendario.por_que_inhabil(date(2026, 11, 2)) == "Día de Muertos"
