"""The audit trail: insert-only events chained by HMAC, and the one-row chain head.

No foreign keys on purpose: deleting or crypto-shredding a case, or an account, must never
reach an event (no cascade can delete or null one), and the trail must outlive the rows it
speaks of. Ids only, never names or any value a person typed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from casos.bd import FechaUTC
from casos.extensiones import db


class EventoAuditoria(db.Model):
    __tablename__ = "evento_auditoria"
    __table_args__ = (
        # "Who looked at this case" and "what did this account do", newest first.
        Index("ix_evento_auditoria_caso_secuencia", "caso_id", "secuencia"),
        Index("ix_evento_auditoria_usuaria_secuencia", "usuaria_id", "secuencia"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The chain order: contiguous from 1, so a deleted event leaves a visible gap.
    secuencia: Mapped[int] = mapped_column(BigInteger, unique=True)
    momento: Mapped[datetime] = mapped_column(FechaUTC, index=True)
    usuaria_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    rol: Mapped[str | None] = mapped_column(String(20))  # the role she had at that moment
    institucion_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    accion: Mapped[str] = mapped_column(String(40))
    caso_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # What the action was done to when it is not a case: an account, an institution.
    objeto_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    origen: Mapped[str | None] = mapped_column(String(64))  # client address after ProxyFix
    # Only a legal ground the user gives (crypto-shredding); never personal data.
    motivo: Mapped[str | None] = mapped_column(Text)
    hmac: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<EventoAuditoria {self.secuencia} {self.accion}>"


class CabezaAuditoria(db.Model):
    """The last link of the chain, one row. Appenders lock it (SELECT … FOR UPDATE) so that
    concurrent writers on PostgreSQL take turns; it lives in the database, not in a worker."""

    __tablename__ = "cabeza_auditoria"
    __table_args__ = (CheckConstraint("id = 1", name="una_fila"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    secuencia: Mapped[int] = mapped_column(BigInteger)
    hmac: Mapped[str] = mapped_column(String(64))
