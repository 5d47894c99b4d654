"""Horizontal bar charts as inline SVG, drawn by the server.

No JavaScript and no style attributes (the CSP forbids both): geometry goes in SVG
attributes, colours in classes of estilo.css. A suppressed value gets a short hatched stub
and its mark ("<10", "s") instead of a bar, so nobody reads it as zero. The numbers are always
in the table beside the chart; the chart has a title and a description that points to it.
"""

from __future__ import annotations

from markupsafe import Markup, escape

# Drawn for a phone first: each row is its label on a line of its own and, under it, the bar
# with its value. Beside the bars, a 240-unit label column made the chart 660 units wide, scaled
# down to 324 px on a 390 px phone: its text was 6 px. Now the SVG is ANCHO px wide at most (one
# unit, one pixel: 14 px text on a desktop, the size estilo.css gives .grafica-etiqueta) and
# narrows with the page (`max-width: 100%`): 324 px on a 390 px phone, 0.9 px a unit, 12.6 px text.
ANCHO = 360
VALOR = 64  # room right of the longest bar for its value ("12 345")
ETIQUETA_ALTO, BARRA_ALTO, ENTRE_FILAS = 18, 16, 10
ALTO_FILA = ETIQUETA_ALTO + BARRA_ALTO + ENTRE_FILAS
MAX_CARACTERES = 48  # a label fits the chart's width; the table has it whole


def _recortar(texto: str) -> str:
    return texto if len(texto) <= MAX_CARACTERES else texto[: MAX_CARACTERES - 1] + "…"


def barras(identificador: str, titulo: str, filas: list[tuple[str, object]], *,
           tabla: str, maximo_filas: int | None = None) -> Markup:
    """`filas`: (label, value) where value is an int or a suppression mark. With
    `maximo_filas`, only the largest published values are drawn (the table has them all)."""
    if maximo_filas is not None and len(filas) > maximo_filas:
        publicadas = sorted((f for f in filas if isinstance(f[1], int) and f[1] > 0),
                            key=lambda f: -f[1])
        filas = publicadas[:maximo_filas]
        titulo = f"{titulo} (los {len(filas)} mayores)"
    maximo = max([v for _, v in filas if isinstance(v, int)] + [1])
    largo = ANCHO - VALOR
    alto = max(1, len(filas)) * ALTO_FILA
    partes = [
        f'<svg class="grafica" width="{ANCHO}" height="{alto}" viewBox="0 0 {ANCHO} {alto}" role="img" '
        f'aria-labelledby="{identificador}-t {identificador}-d" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{identificador}-t">{escape(titulo)}</title>',
        f'<desc id="{identificador}-d">Las cifras están en la tabla «{escape(tabla)}».</desc>',
    ]
    for i, (etiqueta, valor) in enumerate(filas):
        y = i * ALTO_FILA
        barra = y + ETIQUETA_ALTO
        centro = barra + BARRA_ALTO / 2 + 5  # the baseline of 14-unit text centred on the bar
        partes.append(f'<text x="2" y="{y + ETIQUETA_ALTO - 4}" '  # room for a "j"'s overhang
                      f'class="grafica-etiqueta">{escape(_recortar(etiqueta))}</text>')
        if isinstance(valor, int):
            ancho = round(largo * valor / maximo) if valor else 0
            partes.append(f'<rect x="0" y="{barra}" width="{ancho}" height="{BARRA_ALTO}" '
                          f'class="grafica-barra"/>')
            texto = f"{valor:,}".replace(",", " ")
        else:
            ancho = 14
            partes.append(f'<rect x="1" y="{barra + 1}" width="{ancho}" height="{BARRA_ALTO - 2}" '
                          f'class="grafica-suprimida"/>')
            texto = "—" if valor is None else str(valor)
        partes.append(f'<text x="{ancho + 6}" y="{centro:.0f}" '
                      f'class="grafica-valor">{escape(texto)}</text>')
    partes.append("</svg>")
    return Markup("".join(partes))


def de_cuadro(cuadro, anio: int) -> Markup | None:
    """The chart of a published table: its rows' values for the whole year (the row totals,
    or the only column), or, for a one-row time series, its periods."""
    if cuadro.retenido:
        return None
    identificador = "g-" + cuadro.clave.replace(".", "-")
    tabla = cuadro.titulo
    if len(cuadro.filas) == 1 and len(cuadro.columnas) > 1:
        filas = [(nombre, cuadro.celdas[0][j]) for j, (_, nombre) in enumerate(cuadro.columnas)]
        return barras(identificador, f"{cuadro.titulo}, {anio}", filas, tabla=tabla)
    if cuadro.totales_fila is not None:
        valores = cuadro.totales_fila
    elif len(cuadro.columnas) == 1:
        valores = [fila[0] for fila in cuadro.celdas]
    else:
        return None
    filas = [(nombre, valor) for (_, nombre), valor in zip(cuadro.filas, valores)]
    return barras(identificador, f"{cuadro.titulo}, {anio}", filas, tabla=tabla,
                  maximo_filas=15 if len(filas) > 20 else None)
