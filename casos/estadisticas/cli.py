"""`flask --app wsgi estadisticas publicar`: publish the next edition (for a timer)."""

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
