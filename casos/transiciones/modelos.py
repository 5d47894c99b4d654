from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_estados_de
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db
from flujos.aprobacion import PENDIENTE


class HistorialTransicion(CifradoPorCaso, db.Model):
    """Append-only: who moved what from where to where, when and why. Reasons may describe
    the woman's situation, so they are encrypted under the case's key."""

    __tablename__ = "transicion"
    __table_args__ = (Index("ix_transicion_caso_momento", "caso_id", "momento"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id"))
    caso = relationship("Caso")
    entidad: Mapped[str] = mapped_column(String(30))
    entidad_id: Mapped[uuid.UUID] = mapped_column(index=True)
    evento: Mapped[str] = mapped_column(String(30))
    origen: Mapped[str] = mapped_column(String(20))
    destino: Mapped[str] = mapped_column(String(20))
    usuaria_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    usuaria = relationship("Usuaria", lazy="joined")
    rol: Mapped[str] = mapped_column(String(20))
    institucion_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("institucion.id"))
    institucion = relationship("Institucion", lazy="joined")
    momento: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    motivo_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    motivo = Cifrado()


class SolicitudAprobacion(CifradoPorCaso, db.Model):
    """A move that needs a second person: pending until a supervisora of the requester's
    institution, who is not the requester, approves or rejects it."""

    __tablename__ = "solicitud_aprobacion"
    __table_args__ = (
        solo_estados_de("solicitud_aprobacion"),
        Index("ix_solicitud_institucion_estado", "institucion_id", "estado"),
        # At most one pending request per entity and move, even if two people ask at once.
        Index("uq_solicitud_pendiente", "entidad_id", "evento", unique=True,
              sqlite_where=text("estado = 'pendiente'"), postgresql_where=text("estado = 'pendiente'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id"), index=True)
    caso = relationship("Caso")
    entidad: Mapped[str] = mapped_column(String(30))
    entidad_id: Mapped[uuid.UUID] = mapped_column(index=True)
    evento: Mapped[str] = mapped_column(String(30))
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    solicitante_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    solicitante = relationship("Usuaria", foreign_keys=[solicitante_id], lazy="joined")
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    estado: Mapped[str] = mapped_column(String(20), default=PENDIENTE)
    version: Mapped[int] = mapped_column(default=1)
    resuelta_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    resuelta_por = relationship("Usuaria", foreign_keys=[resuelta_por_id])
    resuelta_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    motivo_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolucion_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    motivo = Cifrado()
    resolucion = Cifrado()
