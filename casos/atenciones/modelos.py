"""A service given to her (atención): by the owning institution, or by a receiving one
under its referral. The type, date and length are plaintext (statistics count them); the
notes describe her, so they are encrypted under the case's key."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_valores_de
from casos.catalogos import tipos_atencion
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db

DURACION_MAXIMA_MINUTOS = 24 * 60


class Atencion(CifradoPorCaso, db.Model):
    __tablename__ = "atencion"
    __table_args__ = (
        solo_valores_de("tipo", tipos_atencion()),
        CheckConstraint(f"duracion_minutos BETWEEN 1 AND {DURACION_MAXIMA_MINUTOS}",
                        name="duracion_minutos"),
        Index("ix_atencion_caso_fecha", "caso_id", "fecha"),
        Index("ix_atencion_institucion_fecha", "institucion_id", "fecha"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"))
    caso = relationship("Caso")
    # Set when a receiving institution gives it under a referral (then institucion_id is the
    # referral's destination); None when the owning institution gives it.
    canalizacion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("canalizacion.id"), index=True)
    canalizacion = relationship("Canalizacion")
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    institucion = relationship("Institucion", lazy="joined")
    tipo: Mapped[str] = mapped_column(String(30))
    fecha: Mapped[date] = mapped_column(Date)
    duracion_minutos: Mapped[int | None] = mapped_column(Integer)
    brindada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    brindada_por = relationship("Usuaria", foreign_keys=[brindada_por_id], lazy="joined")
    registrada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    registrada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    notas_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    notas = Cifrado()

    def __repr__(self) -> str:
        return f"<Atencion {self.id} {self.tipo}>"
