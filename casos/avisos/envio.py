"""Sending the outbox through the SMTP server of config.py, after the response or by a timer.

Each attempt first claims its row (the attempt counter moves from the value read, so two
processes never send the same message at once), then sends; a failure leaves the row to be
tried again later, waiting longer each time, up to INTENTOS_MAXIMOS. The request that caused
an e-mail never waits for it nor fails with it: it is sent once the response is delivered.
Delivery is at least once: a crash between sending and recording it sends it again.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import Flask, current_app, g
from sqlalchemy import select, update

from casos.avisos.modelos import CorreoSaliente
from casos.bd import ahora, escritura
from casos.extensiones import db

INTENTOS_MAXIMOS = 10
log = logging.getLogger(__name__)


def espera(intentos: int) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4… minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** max(0, intentos - 1)), timedelta(hours=6))


def enviar_pendientes(ids: Iterable | None = None, *, limite: int = 200) -> tuple[int, int]:
    """Send what is due (or only `ids`): returns (sent, failed)."""
    momento = ahora()
    consulta = (select(CorreoSaliente.id, CorreoSaliente.intentos)
                .where(CorreoSaliente.enviado_en.is_(None), CorreoSaliente.proximo_intento <= momento,
                       CorreoSaliente.intentos < INTENTOS_MAXIMOS, CorreoSaliente.en_resumen.is_(False))
                .order_by(CorreoSaliente.proximo_intento).limit(limite))
    if ids is not None:
        consulta = consulta.where(CorreoSaliente.id.in_(list(ids)))
    filas = db.session.execute(consulta).all()
    db.session.rollback()
    enviados = fallidos = 0
    servidor = None
    try:
        for correo_id, intentos in filas:
            if not _reservar(correo_id, intentos):
                continue  # another process took it
            correo = db.session.get(CorreoSaliente, correo_id)
            try:
                servidor = servidor or _conectar()
                servidor.send_message(_mensaje(correo))
            except (OSError, smtplib.SMTPException) as error:
                fallidos += 1
                _anotar(correo_id, ultimo_error=type(error).__name__)
                log.warning("Correo %s no enviado (intento %s): %s", correo_id, intentos + 1,
                            type(error).__name__)
                if servidor is None or isinstance(error, smtplib.SMTPServerDisconnected):
                    break  # the server is down: the rest waits for its own next attempt
                continue
            enviados += 1
            _anotar(correo_id, enviado_en=ahora(), ultimo_error=None)
    finally:
        if servidor is not None:
            try:
                servidor.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return enviados, fallidos


def enviar_tras_responder(app: Flask) -> None:
    """The e-mails a request queued go out once its response is delivered, in their own
    application context: the person never waits for the SMTP server."""

    @app.after_request
    def _despues(respuesta):
        ids = g.pop("avisos_por_enviar", None)
        if ids:
            aplicacion = current_app._get_current_object()

            def _enviar():
                with aplicacion.app_context():
                    try:
                        enviar_pendientes(ids)
                    finally:
                        db.session.remove()

            respuesta.call_on_close(_enviar)
        return respuesta


def _reservar(correo_id, intentos: int) -> bool:
    """Count the attempt and set the next one, only if nobody else did since we read it."""
    with escritura():
        resultado = db.session.execute(
            update(CorreoSaliente)
            .where(CorreoSaliente.id == correo_id, CorreoSaliente.intentos == intentos,
                   CorreoSaliente.enviado_en.is_(None))
            .values(intentos=intentos + 1, proximo_intento=ahora() + espera(intentos + 1)))
        db.session.commit()
    return resultado.rowcount == 1


def _anotar(correo_id, **valores) -> None:
    with escritura():
        db.session.execute(update(CorreoSaliente).where(CorreoSaliente.id == correo_id).values(**valores))
        db.session.commit()


def _conectar() -> smtplib.SMTP:
    config = current_app.config
    servidor = smtplib.SMTP(config["SMTP_SERVIDOR"], int(config.get("SMTP_PUERTO", 587)),
                            timeout=float(config.get("SMTP_TIEMPO_ESPERA", 10)))
    if config.get("SMTP_STARTTLS", True):
        servidor.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USUARIO"):
        servidor.login(config["SMTP_USUARIO"], config.get("SMTP_CONTRASENA", ""))
    return servidor


def _mensaje(correo: CorreoSaliente) -> EmailMessage:
    from casos.cuentas.modelos import Usuaria

    mensaje = EmailMessage()
    mensaje["From"] = current_app.config["CORREO_REMITENTE"]
    mensaje["To"] = db.session.get(Usuaria, correo.usuaria_id).correo
    mensaje["Subject"] = correo.asunto
    mensaje["Date"] = formatdate(localtime=False)
    mensaje["Message-ID"] = make_msgid(domain=current_app.config["CORREO_REMITENTE"].rsplit("@", 1)[-1].strip(">"))
    mensaje["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mensaje.set_content(correo.cuerpo)
    return mensaje
