"""`flask --app wsgi estadisticas …`: recompute the stored publications ahead of time."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from casos.bd import hoy_local
from casos.catalogos import municipios
from casos.estadisticas import consultas, instantaneas
from casos.estadisticas.exportar import PRIMER_ANIO, umbral
from casos.estadisticas.publicacion import Ambito
from casos.extensiones import db

estadisticas = AppGroup("estadisticas", help="Estadística: instantáneas de las publicaciones.")


@estadisticas.command("actualizar")
@click.option("--anio", "anios", type=click.IntRange(min=PRIMER_ANIO), multiple=True, metavar="AAAA",
              help="Año a calcular (puede repetirse). Por omisión, el año en curso.")
@click.option("--solo-estado", is_flag=True,
              help="Solo las páginas del Estado, no las de cada municipio e institución.")
def actualizar(anios: tuple[int, ...], solo_estado: bool):
    """Recalcula y guarda las instantáneas de estadística: el Estado, cada municipio y cada
    institución, en cada periodo (mes, trimestre, año). Para una tarea programada, más
    seguido que ESTADISTICAS_VIGENCIA_MINUTOS, así nadie espera un cálculo."""
    actual = hoy_local().year
    if any(anio > actual for anio in anios):
        raise click.BadParameter(f"el año debe estar entre {PRIMER_ANIO} y {actual}.", param_hint="--anio")
    if not instantaneas.vigencia():
        click.echo("Aviso: ESTADISTICAS_VIGENCIA_MINUTOS es 0; las páginas no usan instantáneas.")
    ambitos = [Ambito("estado")]
    if not solo_estado:
        ambitos += [Ambito("municipio", m.clave, m.nombre)
                    for m in sorted(municipios().values(), key=lambda m: m.clave)]
        ambitos += [Ambito("institucion", siglas, nombre)
                    for siglas, nombre in sorted(consultas.instituciones().items())]
    for anio in anios or (actual,):
        inicio = time.perf_counter()
        guardadas = instantaneas.actualizar(anio, umbral(), ambitos)
        db.session.rollback()
        click.echo(f"{anio}: {guardadas} instantáneas en {time.perf_counter() - inicio:.1f} s.")
