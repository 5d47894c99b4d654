"""A read of a blocked case, asked for with its legal ground and authorized by the admin."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_valores_de
from casos.catalogos import ESTADOS_LECTURA_BLOQUEADA
from casos.extensiones import db


class LecturaBloqueada(db.Model):
    """Staff and a legal ground, never her data (the ground is checked like an audit reason).
    An authorized read lets the one who asked open the case, read-only, until `vence_en`."""

    __tablename__ = "lectura_bloqueada"
    __table_args__ = (
        solo_valores_de("estado", ESTADOS_LECTURA_BLOQUEADA),
        Index("ix_lectura_bloqueada_solicitante_caso", "solicitada_por_id", "caso_id"),
        Index("ix_lectura_bloqueada_estado", "estado"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"))
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    institucion = relationship("Institucion", lazy="joined")
    solicitada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    solicitada_por = relationship("Usuaria", foreign_keys=[solicitada_por_id], lazy="joined")
    solicitada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    fundamento: Mapped[str] = mapped_column(Text)
    estado: Mapped[str] = mapped_column(String(12), default="pendiente")
    resuelta_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    resuelta_por = relationship("Usuaria", foreign_keys=[resuelta_por_id])
    resuelta_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    vence_en: Mapped[datetime | None] = mapped_column(FechaUTC)
