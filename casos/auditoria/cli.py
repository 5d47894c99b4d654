"""`flask --app wsgi auditoria …`: verify the chains and roots, seal a root, export the heads."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from casos.auditoria import raices, servicios, verificacion
from casos.auditoria.motivos import datos_personales_en
from casos.bd import escritura
from casos.extensiones import db

# How a verification's event begins (its `motivo`): the admin's home tells one from the other.
INTEGRA = "Cadena íntegra"
ROTA = "Cadena ROTA"

auditoria = AppGroup("auditoria", help="Bitácora de auditoría: verificar las cadenas, sellar una "
                                       "raíz, exportar las cabezas.")


def _donde(rotura: verificacion.Rotura) -> str:
    if rotura.raiz is not None:
        return f"en la raíz número {rotura.raiz:,}"
    if rotura.eslabon is None:
        return f"en la cabeza de la cadena {rotura.cadena}"
    return f"en el eslabón {rotura.eslabon:,} de la cadena {rotura.cadena}"


@auditoria.command("verificar")
@click.option("--cabeza", "cabeza_json", metavar="JSON",
              help="Lo que imprimió antes «auditoria cabeza»: detecta eventos borrados al final "
                   "de una cadena y raíces borradas después de exportarlo.")
def verificar(cabeza_json: str | None):
    """Recalcula cada cadena de HMAC y cada raíz, y nombra el primer evento roto."""
    exportada = None
    if cabeza_json:
        try:
            exportada = verificacion.Exportada.de_json(cabeza_json)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--cabeza") from None
    resultado = verificacion.verificar(exportada)
    rotura = resultado.rotura
    if rotura is not None:
        donde = _donde(rotura) + (f" (id {rotura.id})" if rotura.id is not None else "")
        click.secho(f"Cadena de auditoría ROTA {donde}: {rotura.motivo}.", fg="red", err=True)
        click.echo(f"Eventos íntegros antes de la rotura: {resultado.eventos}.", err=True)
        _registrar(resultado, exportada)
        sys.exit(1)
    if not resultado.eventos:
        click.echo("La bitácora de auditoría está vacía: no hay eventos que verificar.")
    else:
        cuantos = "1 evento" if resultado.eventos == 1 else f"{resultado.eventos} eventos"
        click.echo(f"Cadenas de auditoría íntegras: {cuantos} en {len(resultado.cabezas)} "
                   f"cadena(s), {resultado.raices} raíz(ces).")
        for cabeza in resultado.cabezas.values():
            click.echo(f"  cadena {cabeza.cadena}: eslabones 1 a {cabeza.eslabon}, cabeza {cabeza.hmac}")
    if exportada is not None:
        click.echo("Las cabezas exportadas están en sus cadenas.")
    _registrar(resultado, exportada)


def _registrar(resultado, exportada) -> None:
    """Each run leaves its event, so the admin sees when the trail was last verified and how
    it went. It is appended after the walk: it can't hide a break before it. A database that
    can't be written (a read-only copy being checked) is verified all the same."""
    rotura = resultado.rotura
    if rotura is None:
        motivo = f"{INTEGRA}: {resultado.eventos:,} eventos"
        if exportada is not None:
            motivo += "; las cabezas exportadas están en ella"
    else:
        motivo = f"{ROTA} {_donde(rotura)}: {rotura.motivo}"
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
    """Imprime en JSON la cabeza de cada cadena y la última raíz, para guardarlas en otro
    sistema y verificar después con «auditoria verificar --cabeza»."""
    click.echo(verificacion.exportar().como_json())


@auditoria.command("sellar")
def sellar():
    """Escribe una raíz sobre la cabeza de cada cadena (para un temporizador, cada minuto):
    después, borrar el final de una cadena se detecta sin una cabeza exportada."""
    raiz = raices.sellar()
    cadenas = len(json.loads(raiz.cabezas))
    click.echo(f"Raíz número {raiz.numero} sellada sobre {cadenas} cadenas: {raiz.hmac}.")
