"""Date-range filters shared by the pages that list things (cases, audit events)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def fecha_de_filtro(valor: str | None) -> date | None:
    """An ISO date from a query string, or None when absent or not a date."""
    try:
        fecha = date.fromisoformat(valor) if valor else None
    except ValueError:
        return None
    # The last representable day has no next day to end the range with (OverflowError).
    return None if fecha == date.max else fecha


def leer_rango(args, filtros) -> None:
    """Set `filtros.desde` and `filtros.hasta`; a bad value is dropped and said so."""
    for nombre in ("desde", "hasta"):
        valor = fecha_de_filtro(args.get(nombre))
        if args.get(nombre) and valor is None:
            filtros.errores.append(f"Se ignoró una fecha no válida ({nombre}).")
        setattr(filtros, nombre, valor)


def _inicio_del_dia(dia: date) -> datetime:
    """Days are the caseworker's days (America/Mexico_City), compared in UTC."""
    return datetime.combine(dia, time.min, tzinfo=ZoneInfo(current_app.config["ZONA_HORARIA"]))


def limites_de_rango(desde: date | None, hasta: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of `desde` (included) to the start of the day after `hasta` (excluded)."""
    return (_inicio_del_dia(desde) if desde else None,
            _inicio_del_dia(hasta + timedelta(days=1)) if hasta else None)


def condiciones_de_rango(columna, desde: date | None, hasta: date | None) -> list:
    """SQL conditions for "from the start of `desde` to the end of `hasta`", both included."""
    inicio, fin = limites_de_rango(desde, hasta)
    return ([columna >= inicio] if inicio else []) + ([columna < fin] if fin else [])
