"""`flask --app wsgi auditoria …`: verify the chain, export its head."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from casos.auditoria import servicios
from casos.auditoria.motivos import datos_personales_en
from casos.bd import escritura
from casos.extensiones import db

# How a verification's event begins (its `motivo`): the admin's home tells one from the other.
INTEGRA = "Cadena íntegra"
ROTA = "Cadena ROTA"

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
        _registrar(resultado, exportada)
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
    _registrar(resultado, exportada)


def _registrar(resultado, exportada) -> None:
    """Each run leaves its event, so the admin sees when the chain was last verified and how
    it went. It is appended after the walk: it can't hide a break before it. A database that
    can't be written (a read-only copy being checked) is verified all the same."""
    rotura = resultado.rotura
    if rotura is None:
        motivo = f"{INTEGRA}: {resultado.eventos:,} eventos"
        if exportada is not None:
            motivo += f"; la cabeza exportada (secuencia {exportada.secuencia:,}) está en ella"
    else:
        donde = (f"en el evento de secuencia {rotura.secuencia:,}" if rotura.secuencia is not None
                 else "en la cabeza de la cadena")
        motivo = f"{ROTA} {donde}: {rotura.motivo}"
    if datos_personales_en(motivo):  # the trail refuses a number shaped like a phone
        motivo = ROTA if rotura else INTEGRA
    try:
        db.session.rollback()  # so the transaction below begins inside escritura()
        with escritura():
            servicios.al_confirmar("auditoria.verificar", motivo=motivo + ".",
                                   objeto_id=rotura.id if rotura else None)
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        click.secho(f"Aviso: esta verificación no quedó en la bitácora ({type(error).__name__}).",
                    fg="yellow", err=True)


@auditoria.command("cabeza")
def cabeza():
    """Imprime en JSON la secuencia y el HMAC del último evento, para guardarlos en otro
    sistema y verificar después con «auditoria verificar --cabeza»."""
    click.echo(servicios.cabeza_actual().como_json())
