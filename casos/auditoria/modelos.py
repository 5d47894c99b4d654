"""The audit trail: insert-only events chained by HMAC in several chains, each chain's head,
and the chained roots that commit to every head.

No foreign keys on purpose: deleting or crypto-shredding a case, or an account, must never
reach an event (no cascade can delete or null one), and the trail must outlive the rows it
speaks of. Ids only, never names or any value a person typed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from casos.bd import FechaUTC
from casos.extensiones import db


class EventoAuditoria(db.Model):
    __tablename__ = "evento_auditoria"
    __table_args__ = (
        # "Who looked at this case" and "what did this account do", newest first.
        Index("ix_evento_auditoria_caso_secuencia", "caso_id", "secuencia"),
        Index("ix_evento_auditoria_usuaria_secuencia", "usuaria_id", "secuencia"),
        # One link per place in a chain; also the index verification walks a chain by.
        UniqueConstraint("cadena", "eslabon", name="uq_evento_auditoria_cadena_eslabon"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The global reading order (pages, "who saw this case"): unique and increasing, taken
    # without the chains' locks, so not contiguous on PostgreSQL (a sequence). Chain 0's
    # events (the single chain before issue 14) have secuencia = eslabon.
    secuencia: Mapped[int] = mapped_column(BigInteger, unique=True)
    # The chain and the place in it: contiguous from 1 per chain, so a deleted event leaves
    # a visible gap in its chain.
    cadena: Mapped[int] = mapped_column(Integer)
    eslabon: Mapped[int] = mapped_column(BigInteger)
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
        return f"<EventoAuditoria {self.cadena}/{self.eslabon} {self.accion}>"


class CabezaAuditoria(db.Model):
    """The last link of each chain, one row per chain. An appender locks its chain's row
    (SELECT … FOR UPDATE) so that writers on one chain take turns while the others go on;
    triggers let a row only move forward."""

    __tablename__ = "cabeza_auditoria"
    __table_args__ = (CheckConstraint("cadena >= 0", name="cadena"),)

    cadena: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    eslabon: Mapped[int] = mapped_column(BigInteger)
    hmac: Mapped[str] = mapped_column(String(64))


class RaizAuditoria(db.Model):
    """A seal over every chain's head at one moment, chained to the previous seal by HMAC:
    a chain whose stored events end before the eslabon a root names lost its tail."""

    __tablename__ = "raiz_auditoria"

    numero: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    momento: Mapped[datetime] = mapped_column(FechaUTC)
    # Canonical JSON of [[cadena, eslabon, hmac], …] sorted by chain: exactly what the HMAC covers.
    cabezas: Mapped[str] = mapped_column(Text)
    hmac: Mapped[str] = mapped_column(String(64))
