"""Indicators of strategy 2.10.3 (PED 2022-2027), read off the published tables.

An indicator never queries on its own: it reads cells of a `Publicacion`, so it can only
repeat numbers that were already protected, and a suppressed cell stays suppressed.

To add one: a measure in `publicacion.MEDIDAS` (and its FROM to `consultas._origenes`)
whose dimension holds the indicator's categories (as "ordenes" has "emision" and
"canalizaciones" has "respuesta"), then a function here that reads its cells like
`revaloraciones_a_tiempo` does, listed in DISPONIBLES (PENDIENTES holds what still lacks
data). A median is not a count: it lives in `publicacion.MEDIANAS` (its rows in
`consultas._duraciones`), is computed in SQL on both engines, and is published only over at
least k rows, else it is "n.d."; an indicator repeats it from `publicacion.medianas`.
"""

from __future__ import annotations

AVISO_PENDIENTE = "disponible cuando se registren canalizaciones y órdenes"

PENDIENTES: tuple[tuple[str, str], ...] = ()


def _anual(publicacion, cuadro: str, fila: str):
    """A row's value for the whole year in a published table: its row total, or its only
    cell when the table has one column. None if the table is withheld."""
    for c in publicacion.cuadros.get(cuadro.split(".")[0], []):
        if c.clave == cuadro and not c.retenido:
            for i, (clave, _) in enumerate(c.filas):
                if clave == fila:
                    return c.totales_fila[i] if c.totales_fila else c.celdas[i][0]
    return None


def _porcentaje(parte, todo) -> float | None:
    """The share, only of two published counts (a withheld one is a string, or None)."""
    if isinstance(parte, int) and isinstance(todo, int) and todo:
        return round(100 * parte / todo, 1)
    return None


def _parte_de(clave: str, titulo: str, cuadro: str, fila: str, medida: str):
    """A cell of a year's table, out of the measure's total for the year, and its share."""
    def indicador(publicacion) -> dict:
        total = publicacion.resumen.get(medida)
        parte = _anual(publicacion, cuadro, fila)
        return {"clave": clave, "titulo": titulo, "valor": parte, "de": total,
                "porcentaje": _porcentaje(parte, total)}
    return indicador


revaloraciones_a_tiempo = _parte_de("revaloraciones_a_tiempo", "Revaloraciones de riesgo hechas a tiempo",
                                    "revaloraciones.cumplimiento", "a_tiempo", "revaloraciones")


def ordenes_emitidas(publicacion) -> dict:
    """Issued = within 4 hours + later: only the sum of two published numbers, or nothing
    (a sum beside one hidden cell would reveal it)."""
    partes = [_anual(publicacion, "ordenes.emision", f) for f in ("en_4_horas", "fuera_de_plazo")]
    valor = sum(partes) if all(isinstance(p, int) for p in partes) else None
    total = publicacion.resumen.get("ordenes")
    return {"clave": "ordenes_emitidas", "titulo": "Órdenes de protección emitidas", "valor": valor,
            "de": total, "porcentaje": _porcentaje(valor, total)}


def _mediana(clave: str, titulo: str, mediana: str):
    def indicador(publicacion) -> dict:
        encontrada = next((m for m in publicacion.medianas if m["clave"] == mediana), None)
        return {"clave": clave, "titulo": titulo,
                "valor": encontrada["valores"][0] if encontrada else None,
                "unidad": encontrada["unidad"] if encontrada else None}
    return indicador


def _simple(clave: str, titulo: str, medida: str):
    def indicador(publicacion) -> dict:
        return {"clave": clave, "titulo": titulo, "valor": publicacion.resumen.get(medida)}
    return indicador


DISPONIBLES = (
    _simple("mujeres_atendidas", "Mujeres atendidas", "casos"),
    _simple("nna_atendidos", "Hijas e hijos atendidos", "nna"),
    revaloraciones_a_tiempo,
    _simple("ordenes_solicitadas", "Órdenes de protección solicitadas", "ordenes"),
    ordenes_emitidas,
    _parte_de("ordenes_en_4_horas", "Órdenes de protección emitidas en 4 horas o menos (de las solicitadas)",
              "ordenes.emision", "en_4_horas", "ordenes"),
    _simple("canalizaciones_enviadas", "Canalizaciones enviadas", "canalizaciones"),
    _parte_de("canalizaciones_en_plazo", "Canalizaciones respondidas dentro de su plazo (de las enviadas)",
              "canalizaciones.respuesta", "en_plazo", "canalizaciones"),
    _mediana("mediana_horas_respuesta", "Mediana de horas del envío a la respuesta de una canalización",
             "horas_respuesta.total"),
    _mediana("mediana_dias_primera_atencion", "Mediana de días del registro a la primera atención",
             "dias_primera_atencion.total"),
    # Cases by risk level and the rate per 100,000 women are tables: see the measure "casos".
)


def disponibles(publicacion) -> list[dict]:
    return [indicador(publicacion) for indicador in DISPONIBLES]


def pendientes() -> list[dict]:
    return [{"clave": clave, "titulo": titulo, "estado": AVISO_PENDIENTE} for clave, titulo in PENDIENTES]
