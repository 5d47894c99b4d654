"""The statistics package's own tables: the API's bearer tokens and the stored snapshots."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
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


class InstantaneaEstadistica(db.Model):
    """A publication already protected (cells suppressed), kept to be served again while it
    is recent (casos/estadisticas/instantaneas.py). Aggregate, anonymised figures only — the
    JSON the API answers — never a row, an id or a date of a case."""

    __tablename__ = "instantanea_estadistica"

    # The normalised question: format, year, granularity, scope and threshold.
    clave: Mapped[str] = mapped_column(String(160), primary_key=True)
    anio: Mapped[int] = mapped_column(Integer)
    contenido: Mapped[str] = mapped_column(Text)
    calculada_en: Mapped[datetime] = mapped_column(FechaUTC)  # when the computation began
    duracion_ms: Mapped[int] = mapped_column(Integer)
