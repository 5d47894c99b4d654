"""Business days (días hábiles) for legal terms: pure domain code, no Flask, no database.

A term of N días hábiles counts from the day after its start (LGPDPPSO: "contados a partir
del día siguiente"), skipping Saturdays, Sundays and every non-working day of the calendar;
it ends at the close of its Nth business day. The calendar is made of

- the federal holidays of the Ley Federal del Trabajo, Art. 74, from the `holidays` library
  (1 January, first Monday of February, third Monday of March, 1 May, 16 September, 1 October
  every six years from 2024, third Monday of November, 25 December): it is maintained with
  the law, so a reform reaches us with an upgrade, not an edit;
- the days public bodies also stop that the LFT does not list (Holy Thursday and Friday,
  2 November, 12 December) and the State's own days, given as data by the caller (rules
  read from casos/datos/dias_inhabiles_zacatecas.csv by casos/arco/calendario.py): this
  module reads no file, so it can be tested and reasoned about alone.

A rule is text, one per day or period:

    2026-06-23               one day
    2026-12-21/2027-01-06    every day of a period (both ends included)
    --11-02                  the same day every year (ISO 8601 without the year)
    pascua-3                 relative to Easter Sunday, every year (-3: Holy Thursday)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays
from dateutil.easter import easter

SABADO, DOMINGO = 5, 6


class ReglaInvalida(ValueError):
    """A rule of the calendar's data that can't be read (the message says which)."""


@dataclass(frozen=True)
class Regla:
    """One non-working day or period of the calendar's data, with why."""

    texto: str
    descripcion: str = ""

    def dias(self, anio: int) -> list[date]:
        """The days this rule makes non-working in `anio`."""
        texto = self.texto.strip()
        try:
            if texto.startswith("--"):
                mes, dia = texto[2:].split("-")
                return [date(anio, int(mes), int(dia))]
            if texto.startswith("pascua"):
                desplazamiento = int(texto[len("pascua"):] or 0)
                return [easter(anio) + timedelta(days=desplazamiento)]
            if "/" in texto:
                inicio, fin = (date.fromisoformat(parte) for parte in texto.split("/"))
                if fin < inicio:
                    raise ReglaInvalida(f"periodo al revés: {texto!r}")
                return [inicio + timedelta(days=n) for n in range((fin - inicio).days + 1)
                        if (inicio + timedelta(days=n)).year == anio]
            dia = date.fromisoformat(texto)
            return [dia] if dia.year == anio else []
        except ReglaInvalida:
            raise
        except ValueError:
            raise ReglaInvalida(f"regla de día inhábil ilegible: {texto!r}") from None


def reglas(filas: Iterable[tuple[str, str]]) -> tuple[Regla, ...]:
    """Rules from (rule, description) pairs; each one checked now, not on the day it applies."""
    resultado = tuple(Regla(texto, descripcion) for texto, descripcion in filas)
    for regla in resultado:
        regla.dias(2000)
    return resultado


@dataclass
class Calendario:
    """Which days are hábiles. `adicionales`: the rules the caller adds to the federal law."""

    adicionales: tuple[Regla, ...] = ()
    federal: bool = True
    _por_anio: dict[int, dict[date, str]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def _ley(self):
        return holidays.country_holidays("MX", language="es") if self.federal else {}

    def _del_anio(self, anio: int) -> dict[date, str]:
        dias = self._por_anio.get(anio)
        if dias is None:
            dias = {}
            for regla in self.adicionales:
                for dia in regla.dias(anio):
                    dias.setdefault(dia, regla.descripcion or regla.texto)
            if self.federal:
                self._ley.get(date(anio, 1, 1))  # expands the library's year
                dias.update({d: n for d, n in self._ley.items() if d.year == anio})
            self._por_anio[anio] = dias
        return dias

    def por_que_inhabil(self, dia: date) -> str | None:
        """Why `dia` is not a business day ("sábado", the holiday's name), or None."""
        if dia.weekday() == SABADO:
            return "sábado"
        if dia.weekday() == DOMINGO:
            return "domingo"
        return self._del_anio(dia.year).get(dia)

    def es_habil(self, dia: date) -> bool:
        return self.por_que_inhabil(dia) is None

    def sumar(self, desde: date, dias_habiles: int) -> date:
        """The last day of a term of `dias_habiles` counted from the day after `desde`."""
        if dias_habiles < 0:
            raise ValueError("un plazo no cuenta hacia atrás; use restar")
        dia, contados = desde, 0
        while contados < dias_habiles:
            dia += timedelta(days=1)
            if self.es_habil(dia):
                contados += 1
        return dia

    def restar(self, hasta: date, dias_habiles: int) -> date:
        """The day from which a term of `dias_habiles` ends on `hasta` or later: the earliest
        start `d` with `sumar(d, dias_habiles) >= hasta`: how far back a start may be for
        its term to be still running on `hasta`."""
        if dias_habiles <= 0:
            return hasta
        dia, contados = hasta, 0
        while True:
            dia -= timedelta(days=1)
            if self.es_habil(dia):
                contados += 1
                if contados == dias_habiles:
                    return dia

    def habiles_entre(self, desde: date, hasta: date) -> int:
        """Business days after `desde` up to `hasta` included (0 if `hasta` <= `desde`)."""
        return sum(self.es_habil(desde + timedelta(days=n)) for n in range(1, (hasta - desde).days + 1))
