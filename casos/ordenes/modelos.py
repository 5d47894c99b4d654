from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_estados_de, solo_valores_de
from casos.catalogos import AUTORIDADES_ORDEN, TIPOS_ORDEN
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db
from flujos.orden_proteccion import FLUJO_ORDEN, VIGENTES


class OrdenProteccion(CifradoPorCaso, db.Model):
    __tablename__ = "orden_proteccion"
    __table_args__ = (
        solo_estados_de("orden_proteccion"),
        solo_valores_de("tipo", TIPOS_ORDEN),
        solo_valores_de("autoridad", AUTORIDADES_ORDEN),
        # An order in force always has its issue and expiry dates.
        CheckConstraint(f"estado NOT IN ({', '.join(repr(e) for e in sorted(VIGENTES))}) OR "
                        "(emitida_en IS NOT NULL AND vence_en IS NOT NULL)", name="vigente_con_fechas"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id"), index=True)
    caso = relationship("Caso", back_populates="ordenes")
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    tipo: Mapped[str] = mapped_column(String(20))
    autoridad: Mapped[str] = mapped_column(String(20))
    medidas: Mapped[list[str]] = mapped_column(JSON, default=list)
    estado: Mapped[str] = mapped_column(String(20), default=FLUJO_ORDEN.inicial, index=True)
    version: Mapped[int] = mapped_column(default=1)
    registrada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    solicitada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    emitida_en: Mapped[datetime | None] = mapped_column(FechaUTC)
    vence_en: Mapped[datetime | None] = mapped_column(FechaUTC, index=True)
    prorrogas: Mapped[int] = mapped_column(default=0)
    ultimo_seguimiento: Mapped[datetime | None] = mapped_column(FechaUTC)
    seguimientos: Mapped[int] = mapped_column(default=0)  # daily contacts done in the first days
    notas_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    notas = Cifrado()
