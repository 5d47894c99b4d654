"""An attachment and its encrypted chunks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_valores_de
from casos.catalogos import ALMACENES_ADJUNTO, CATEGORIAS_ADJUNTO, TIPOS_ADJUNTO
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db


class Adjunto(CifradoPorCaso, db.Model):
    """What is known without the key: its category, type, size, who uploaded it and when, and
    the referral it goes with, if any (an oficio, the receiver's answer). Its original name is
    encrypted (it often carries her name); its chunks are where `almacen` says."""

    __tablename__ = "adjunto"
    __table_args__ = (
        solo_valores_de("categoria", CATEGORIAS_ADJUNTO),
        solo_valores_de("tipo", TIPOS_ADJUNTO),
        solo_valores_de("almacen", ALMACENES_ADJUNTO),
        CheckConstraint("tamano > 0 AND trozos_total > 0", name="no_vacio"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    caso = relationship("Caso")
    canalizacion_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("canalizacion.id"), index=True)
    canalizacion = relationship("Canalizacion", lazy="joined")
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    institucion = relationship("Institucion", lazy="joined")
    subido_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    subido_por = relationship("Usuaria", lazy="joined")
    subido_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    categoria: Mapped[str] = mapped_column(String(30))
    tipo: Mapped[str] = mapped_column(String(40))
    tamano: Mapped[int] = mapped_column(Integer)  # bytes, as stored (after re-encoding)
    trozos_total: Mapped[int] = mapped_column(Integer)
    # Kept with the file: a deployment that moves to a directory still reads the older ones.
    almacen: Mapped[str] = mapped_column(String(12), default="bd", server_default="bd")
    nombre_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    nombre = Cifrado()


class TrozoAdjunto(db.Model):
    """One chunk kept in the database, AES-GCM under the case's key; its associated data binds
    file, case, chunk number and how many there are, so chunks can't be swapped, reordered or
    cut off."""

    __tablename__ = "adjunto_trozo"

    adjunto_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("adjunto.id", ondelete="CASCADE"), primary_key=True)
    numero: Mapped[int] = mapped_column(Integer, primary_key=True)
    datos: Mapped[bytes] = mapped_column(LargeBinary)
