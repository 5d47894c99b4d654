"""`flask --app wsgi auditoria …`: verify the chain, export its head."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from casos.auditoria import servicios

auditoria = AppGroup("auditoria", help="Bitácora de auditoría: verificar la cadena, exportar su cabeza.")


@auditoria.command("verificar")
@click.option("--cabeza", "cabeza_json", metavar="JSON",
              help="Una cabeza exportada antes con «auditoria cabeza»: detecta eventos "
                   "borrados al final de la cadena.")
def verificar(cabeza_json: str | None):
    """Recalcula la cadena de HMAC completa y nombra el primer evento roto."""
    exportada = None
    if cabeza_json:
        try:
            exportada = servicios.Cabeza.de_json(cabeza_json)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--cabeza") from None
    resultado = servicios.verificar(exportada)
    rotura = resultado.rotura
    if rotura is not None:
        donde = (f"en el evento de secuencia {rotura.secuencia}" if rotura.secuencia is not None
                 else "en la cabeza de la cadena")
        if rotura.id is not None:
            donde += f" (id {rotura.id})"
        click.secho(f"Cadena de auditoría ROTA {donde}: {rotura.motivo}.", fg="red", err=True)
        click.echo(f"Eventos íntegros antes de la rotura: {resultado.eventos}.", err=True)
        sys.exit(1)
    if resultado.ultimo is None:
        click.echo("La bitácora de auditoría está vacía: no hay eventos que verificar.")
    else:
        ultimo = resultado.ultimo
        cuantos = "1 evento" if resultado.eventos == 1 else f"{resultado.eventos} eventos"
        click.echo(f"Cadena de auditoría íntegra: {cuantos}, de la secuencia 1 a la "
                   f"{ultimo.secuencia}. Cabeza: {ultimo.hmac}.")
    if exportada is not None:
        click.echo(f"La cabeza exportada (secuencia {exportada.secuencia}) está en la cadena.")


@auditoria.command("cabeza")
def cabeza():
    """Imprime en JSON la secuencia y el HMAC del último evento, para guardarlos en otro
    sistema y verificar después con «auditoria verificar --cabeza»."""
    click.echo(servicios.cabeza_actual().como_json())
