"""`flask --app wsgi conservacion revisar [--aplicar]`: for a timer (daily, say)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from tqdm import tqdm

from casos.conservacion import plazos, servicios

conservacion = AppGroup("conservacion", help="Plazos de conservación: bloquear y eliminar casos cerrados.")


@conservacion.command("revisar")
@click.option("--aplicar", is_flag=True, help="Bloquea y elimina lo que nombra la revisión (sin preguntar).")
@click.option("--lote", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Casos por transacción.")
def revisar(aplicar: bool, lote: int):
    """Muestra qué casos bloquearía o eliminaría hoy el calendario de conservación
    (casos/datos/conservacion.csv); con --aplicar, lo hace. Interrumpida, se reanuda al
    volver a ejecutarla. Cada revisión queda en la bitácora; nunca imprime datos de ella."""
    plazos.tabla()  # a malformed schedule stops here, before anything is done
    revision = servicios.revisar()
    for siglas in revision.bloquear:
        bloquear, eliminar = revision.bloquear[siglas], revision.eliminar[siglas]
        if bloquear or eliminar:
            click.echo(f"{siglas}: {bloquear} por bloquear, {eliminar} por eliminar.")
    if not revision.total:
        click.echo("Nada que bloquear ni eliminar hoy.")
    elif not aplicar:
        click.echo(f"Total: {revision.resumen()}. Nada se cambió: use --aplicar para hacerlo.")
    else:
        with tqdm(total=revision.total, unit="casos", desc="Conservación") as barra:
            servicios.aplicar(revision, lote=lote, avance=barra.update)
        click.echo(f"Listo: {sum(revision.bloquear.values())} casos bloqueados y "
                   f"{sum(revision.eliminar.values())} con sus datos personales eliminados.")
    servicios.auditar_revision(revision, aplicada=aplicar and bool(revision.total))
