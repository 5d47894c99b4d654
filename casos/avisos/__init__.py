"""E-mail to staff, never to the woman: a referral arrived at her institution, a request waits
for her approval, a referral she sent was answered.

No e-mail carries personal data: a kind, a count and a link that asks for login. What the
mail says is decided in reglas.py from the rows that record each move (by structure: a
session hook sees every new `transicion` and `solicitud_aprobacion` row, whatever code wrote
it); the messages wait in an outbox table written in the same transaction as the move, and are
sent after the response (envio.py) or by `flask avisos enviar` (a timer), retried with
growing waits while the SMTP server fails. Off when SMTP_SERVIDOR is not configured.
"""

from __future__ import annotations

from flask import Flask


def registrar(app: Flask) -> None:
    from casos.avisos import envio, reglas
    from casos.avisos.cli import avisos

    reglas.escuchar()
    envio.enviar_tras_responder(app)
    app.cli.add_command(avisos)
