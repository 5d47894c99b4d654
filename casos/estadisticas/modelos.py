"""Bearer tokens of the statistics API."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora
from casos.extensiones import db


class TokenApi(db.Model):
    """Only the SHA-256 of the token is kept: it is shown once, at creation. 256 random bits
    make a slow hash pointless, and a fast one lets every request be checked by index."""

    __tablename__ = "token_api"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nombre: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    creado_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id", ondelete="SET NULL"))
    creado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    ultimo_uso: Mapped[datetime | None] = mapped_column(FechaUTC)
    revocado_en: Mapped[datetime | None] = mapped_column(FechaUTC)

    creado_por = relationship("Usuaria", lazy="joined")

    @property
    def activo(self) -> bool:
        return self.revocado_en is None
