"""The outbox: each e-mail to send, written in the transaction of the move it tells about."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from casos.bd import FechaUTC, ahora
from casos.extensiones import db


class CorreoSaliente(db.Model):
    """To one account: staff, never the woman. `asunto` and `cuerpo` hold no personal data
    (reglas.py writes them from a fixed text, a count and a link); `ultimo_error` only the
    error's class, never the server's answer (it may echo an address)."""

    __tablename__ = "correo_saliente"
    __table_args__ = (
        # The sender's timer reads only what is still to send, by when it is due.
        Index("ix_correo_saliente_pendientes", "proximo_intento",
              postgresql_where=text("enviado_en IS NULL"), sqlite_where=text("enviado_en IS NULL")),
        CheckConstraint("intentos >= 0", name="intentos_no_negativos"),
        # A warning about one deadline (a late referral, an order's) goes once to each person.
        Index("uq_correo_saliente_usuaria_clave", "usuaria_id", "clave", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    usuaria_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"), index=True)
    tipo: Mapped[str] = mapped_column(String(40))
    asunto: Mapped[str] = mapped_column(String(200))
    cuerpo: Mapped[str] = mapped_column(Text)
    creado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    proximo_intento: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    intentos: Mapped[int] = mapped_column(default=0, server_default="0")
    enviado_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    ultimo_error: Mapped[str | None] = mapped_column(String(80))
    # Waits for her daily summary (she chose "resumen"): `avisos resumen` folds it into one.
    en_resumen: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What it warns about, for the warnings sent once (a deadline): never personal data.
    clave: Mapped[str | None] = mapped_column(String(120))
