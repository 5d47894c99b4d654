from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casos.bd import FechaUTC, ahora
from casos.extensiones import db


class Caso(db.Model):
    """One woman at one owning institution. Only categorical columns are plaintext."""

    __tablename__ = "caso"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"), index=True)
    municipio: Mapped[str | None] = mapped_column(String(5))
    estado: Mapped[str] = mapped_column(String(20), default="registrado")
    version: Mapped[int] = mapped_column(default=1)
    creado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)

    def __repr__(self) -> str:
        return f"<Caso {self.id}>"
