"""`flask --app wsgi avisos enviar`: send the e-mails waiting in the outbox (for a timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from casos.avisos import envio, reglas

avisos = AppGroup("avisos", help="Correos al personal: enviar los que esperan.")


@avisos.command("enviar")
def enviar():
    """Envía los correos pendientes cuyo turno llegó (los que fallaron se reintentan, cada vez
    más espaciados). Para una tarea programada, cada minuto o cada pocos minutos."""
    if not reglas.activo():
        click.echo("El correo está apagado: configure SMTP_SERVIDOR y URL_PUBLICA.")
        return
    enviados, fallidos = envio.enviar_pendientes()
    click.echo(f"Correos enviados: {enviados}; fallidos (se reintentarán): {fallidos}.")
