"""`flask --app wsgi estadisticas publicar | revisar`: the next edition, or a revision (timers)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from casos.estadisticas import ediciones
from casos.estadisticas.ensamblado import nombre_del_mes

estadisticas = AppGroup("estadisticas", help="Estadística: ediciones numeradas de los meses cerrados.")


@estadisticas.command("publicar")
def publicar():
    """Publica una edición con cada mes que cerró hace más de ESTADISTICAS_GRACIA_DIAS días y
    que ninguna edición cubre todavía. Sin meses nuevos no publica nada: una tarea programada
    puede ejecutarlo cada día."""
    try:
        resultado = ediciones.publicar()
    except (ediciones.NoSePuedePublicar, ValueError) as error:  # ValueError: a setting out of range
        click.secho(f"No se publicó ninguna edición: {error}", fg="red", err=True)
        sys.exit(1)
    edicion = resultado.edicion
    if edicion is None:
        vigente = resultado.vigente
        click.echo("Sin meses nuevos que publicar" + (
            f": la edición {vigente.numero} ({vigente.periodo}) sigue vigente." if vigente else
            ": todavía no cierra ningún mes con su periodo de gracia."))
        return
    nuevos = resultado.nuevos
    cuales = (nombre_del_mes(nuevos[0]) if len(nuevos) == 1 else
              f"{len(nuevos)} meses, de {nombre_del_mes(nuevos[0])} a {nombre_del_mes(nuevos[-1])}")
    click.echo(f"Edición {edicion.numero} publicada: cubre {edicion.periodo}. Nuevo: {cuales}.")


@estadisticas.command("revisar")
def revisar():
    """Revisa los meses publicados: cada medida de un mes cuyo cambio desde que se publicó
    puede publicarse como diferencia (todas sus celdas cambiaron en 0 o en al menos el umbral)
    se revisa en una nueva edición; las demás quedan como se publicaron, señaladas. Para una
    tarea programada (por ejemplo, trimestral)."""
    try:
        revision = ediciones.revisar()
    except (ediciones.NoSePuedePublicar, ValueError) as error:
        click.secho(f"No se publicó ninguna revisión: {error}", fg="red", err=True)
        sys.exit(1)
    if revision.edicion is None:
        click.echo("Sin revisión: ningún mes publicado tiene cambios publicables.")
    else:
        meses = ", ".join(nombre_del_mes(m) for m in sorted(revision.revisadas))
        click.echo(f"Edición {revision.edicion.numero} publicada: revisa {meses}.")
    if revision.pendientes:
        meses = ", ".join(nombre_del_mes(m) for m in sorted(revision.pendientes))
        click.echo(f"Con cambios que todavía no pueden publicarse sin exponer a nadie: {meses}.")
