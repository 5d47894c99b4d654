"""`flask --app wsgi avisos enviar`: send the e-mails waiting in the outbox (for a timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from casos.avisos import envio, reglas, resumen, vigilancia
from casos.bd import escritura

avisos = AppGroup("avisos", help="Correos al personal: enviar los que esperan.")


@avisos.command("enviar")
def enviar():
    """Envía los correos pendientes cuyo turno llegó (los que fallaron se reintentan, cada vez
    más espaciados). Para una tarea programada, cada minuto o cada pocos minutos."""
    if not reglas.activo():
        click.echo("El correo está apagado: configure SMTP_SERVIDOR y URL_PUBLICA.")
        return
    _enviar()


@avisos.command("vigilar")
def vigilar():
    """Avisa de canalizaciones sin respuesta pasado su plazo (a las supervisoras de la
    institución que la recibió y, más tarde, de la que la envió) y de plazos de órdenes de
    protección que vencen o vencieron; cada aviso, una sola vez. Para una tarea programada,
    cada 15 minutos."""
    if not reglas.activo():
        click.echo("El correo está apagado: configure SMTP_SERVIDOR y URL_PUBLICA.")
        return
    with escritura():
        nuevos = vigilancia.vigilar()
    click.echo(f"Avisos nuevos: {nuevos}.")
    _enviar()


@avisos.command("resumen")
def resumir():
    """Junta en un solo correo lo que espera a cada cuenta que eligió «un resumen al día».
    Para una tarea programada, una vez al día."""
    if not reglas.activo():
        click.echo("El correo está apagado: configure SMTP_SERVIDOR y URL_PUBLICA.")
        return
    with escritura():
        cuantos = resumen.resumir()
    click.echo(f"Resúmenes: {cuantos}.")
    _enviar()


def _enviar() -> None:
    enviados, fallidos = envio.enviar_pendientes()
    click.echo(f"Correos enviados: {enviados}; fallidos (se reintentarán): {fallidos}.")
