from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_estados_de
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db
from flujos.canalizacion import FLUJO_CANALIZACION


class Canalizacion(CifradoPorCaso, db.Model):
    __tablename__ = "canalizacion"
    __table_args__ = (
        solo_estados_de("canalizacion"),
        Index("ix_canalizacion_destino_estado", "destino_id", "estado"),
        Index("ix_canalizacion_origen_estado", "origen_id", "estado"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id"), index=True)
    caso = relationship("Caso", back_populates="canalizaciones")
    origen_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    destino_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    origen = relationship("Institucion", foreign_keys=[origen_id], lazy="joined")
    destino = relationship("Institucion", foreign_keys=[destino_id], lazy="joined")
    estado: Mapped[str] = mapped_column(String(20), default=FLUJO_CANALIZACION.inicial)
    version: Mapped[int] = mapped_column(default=1)
    creada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    enviada_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    # Whether the case was urgent when the referral was sent: what the receiving institution
    # is told, and keeps. The case's live urgency is the owner's (it moves with each risk
    # assessment, which the receiver may not be allowed to see).
    urgente: Mapped[bool] = mapped_column(default=False, server_default=false())
    plazo_respuesta: Mapped[datetime | None] = mapped_column(FechaUTC, index=True)
    respondida_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    atendida_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    concluida_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    servicios: Mapped[list[str]] = mapped_column(JSON, default=list)
    servicios_prestados: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the woman's consent allowed to share when it was sent (DATOS_COMPARTIBLES keys).
    datos_compartidos: Mapped[list[str]] = mapped_column(JSON, default=list)
    motivo_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    contrarreferencia_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    motivo = Cifrado()
    contrarreferencia = Cifrado()

    def __repr__(self) -> str:
        return f"<Canalizacion {self.id} {self.estado}>"
