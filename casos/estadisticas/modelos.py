"""The statistics package's own tables: the API's bearer tokens and the published editions."""

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


class EdicionEstadistica(db.Model):
    """A numbered, immutable release of the statistics (casos/estadisticas/ediciones.py): every
    closed month it covers, each protected on its own, as published — counts and marks, never
    a row, an id or a date of a case — and the medians of each year. The database refuses
    UPDATE and DELETE (the migration's triggers): a published edition is never changed."""

    __tablename__ = "edicion_estadistica"

    numero: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    publicada_en: Mapped[datetime] = mapped_column(FechaUTC)
    desde: Mapped[str] = mapped_column(String(7))  # the first month covered, 'YYYY-MM'
    hasta: Mapped[str] = mapped_column(String(7))  # the last one
    umbral: Mapped[int] = mapped_column(Integer)
    contenido: Mapped[str] = mapped_column(Text)  # JSON (bloques.py, ensamblado.Contenido)
    huella: Mapped[str] = mapped_column(String(64))  # SHA-256 of `contenido`
    duracion_ms: Mapped[int] = mapped_column(Integer)


class ConteoDeMes(db.Model):
    """A month's counts as an edition published them (never served): the next revision
    compares today's counts with these (casos/estadisticas/revisiones.py). A row per month and
    edition that first published or revised it; immutable like the editions."""

    __tablename__ = "conteo_de_mes"

    mes: Mapped[str] = mapped_column(String(7), primary_key=True)
    edicion: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    conteos: Mapped[str] = mapped_column(Text)  # JSON: revisiones.conteos_a_json
