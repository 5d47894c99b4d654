"""Indicators of strategy 2.10.3 (PED 2022-2027), read off the published tables.

An indicator never queries on its own: it reads cells of a `Publicacion`, so it can only
repeat numbers that were already protected, and a suppressed cell stays suppressed.

Pending ones need data that referrals and protection orders will bring. Each is meant to be
one small function when they land: add a measure to `publicacion.MEDIDAS` (and its FROM to
`consultas._origenes`), e.g. "ordenes" with a dimension "en_plazo" (issued within 4 hours or
not) or "canalizaciones" with "respondida_en_plazo" and "resultado", then a function here
that reads its cells like `revaloraciones_a_tiempo` does, and move it from PENDIENTES to
DISPONIBLES. A median (days to first service) is not a count: publish it only when the
number of cases behind it is published (>= k), and compute it in SQL (percentile_cont on
PostgreSQL; on SQLite, ORDER BY with OFFSET at half the count).
"""

from __future__ import annotations

AVISO_PENDIENTE = "disponible cuando se registren canalizaciones y órdenes"

PENDIENTES = (
    ("ordenes_en_4_horas", "Órdenes de protección emitidas en 4 horas o menos"),
    ("canalizaciones_en_plazo", "Canalizaciones respondidas dentro de su plazo"),
    ("mediana_dias_primera_atencion", "Mediana de días del registro a la primera atención"),
    ("canalizaciones_resultado", "Resultado y tiempo de respuesta de las canalizaciones"),
)


def _anual(publicacion, cuadro: str, fila: str):
    """A row's value for the whole year in a published table: its row total, or its only
    cell when the table has one column. None if the table is withheld."""
    for c in publicacion.cuadros.get(cuadro.split(".")[0], []):
        if c.clave == cuadro and not c.retenido:
            for i, (clave, _) in enumerate(c.filas):
                if clave == fila:
                    return c.totales_fila[i] if c.totales_fila else c.celdas[i][0]
    return None


def revaloraciones_a_tiempo(publicacion) -> dict:
    total = publicacion.resumen.get("revaloraciones")
    a_tiempo = _anual(publicacion, "revaloraciones.cumplimiento", "a_tiempo")
    porcentaje = (round(100 * a_tiempo / total, 1)
                  if isinstance(a_tiempo, int) and isinstance(total, int) and total else None)
    return {"clave": "revaloraciones_a_tiempo", "titulo": "Revaloraciones de riesgo hechas a tiempo",
            "valor": a_tiempo, "de": total, "porcentaje": porcentaje}


def _simple(clave: str, titulo: str, medida: str):
    def indicador(publicacion) -> dict:
        return {"clave": clave, "titulo": titulo, "valor": publicacion.resumen.get(medida)}
    return indicador


DISPONIBLES = (
    _simple("mujeres_atendidas", "Mujeres atendidas", "casos"),
    _simple("nna_atendidos", "Hijas e hijos atendidos", "nna"),
    revaloraciones_a_tiempo,
    # Cases by risk level and the rate per 100,000 women are tables: see the measure "casos".
)


def disponibles(publicacion) -> list[dict]:
    return [indicador(publicacion) for indicador in DISPONIBLES]


def pendientes() -> list[dict]:
    return [{"clave": clave, "titulo": titulo, "estado": AVISO_PENDIENTE} for clave, titulo in PENDIENTES]
