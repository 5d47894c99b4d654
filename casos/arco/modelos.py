"""A request over her personal data (ARCO): its plain columns are what deadlines, lists and
statistics need (right, state, dates, catalogue keys); whatever a person wrote is encrypted
under the case's key, so crypto-shredding the case leaves the request as a record of what was
asked and answered, and when, with nothing that identifies anyone."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_estados_de, solo_valores_de
from casos.catalogos import (
    CAUSALES_IMPROCEDENCIA_ARCO,
    DERECHOS_ARCO,
    IDENTIFICACIONES_ARCO,
    MEDIOS_SOLICITUD_ARCO,
    QUIEN_PRESENTA_ARCO,
    REPRESENTACIONES_ARCO,
    TIPOS_INSTITUCION,
)
from casos.cripto.campos import Cifrado, CifradoPorCaso
from casos.extensiones import db
from flujos.arco import ABIERTAS, FLUJO_ARCO

_ABIERTA = "estado IN ({})".format(", ".join(repr(e) for e in sorted(ABIERTAS)))


class SolicitudArco(CifradoPorCaso, db.Model):
    __tablename__ = "solicitud_arco"
    __table_args__ = (
        solo_estados_de("solicitud_arco"),
        solo_valores_de("derecho", DERECHOS_ARCO),
        solo_valores_de("medio", MEDIOS_SOLICITUD_ARCO),
        solo_valores_de("presentada_por", QUIEN_PRESENTA_ARCO),
        solo_valores_de("identificacion", IDENTIFICACIONES_ARCO),
        CheckConstraint(f"representacion IS NULL OR representacion IN "
                        f"({', '.join(repr(v) for v in REPRESENTACIONES_ARCO)})", name="representacion"),
        CheckConstraint(f"causal IS NULL OR causal IN "
                        f"({', '.join(repr(v) for v in CAUSALES_IMPROCEDENCIA_ARCO)})", name="causal"),
        # A refusal, whole or partial, names its legal ground; a representative's request is
        # accredited with the document that makes her one.
        CheckConstraint("estado NOT IN ('improcedente', 'procedente_parcial') OR causal IS NOT NULL",
                        name="negada_con_causal"),
        CheckConstraint("presentada_por <> 'representante' OR identidad_acreditada_el IS NULL "
                        "OR representacion IS NOT NULL", name="representacion_acreditada"),
        # One open request per case and right, even if two officers register it at once.
        Index("uq_solicitud_arco_abierta", "caso_id", "derecho", unique=True,
              sqlite_where=text(_ABIERTA), postgresql_where=text(_ABIERTA)),
        Index("ix_solicitud_arco_estado_vence", "estado", "vence_el"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id"), index=True)
    caso = relationship("Caso")
    # The institution it was filed with: the case's owner (checked when it is registered).
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"))
    institucion = relationship("Institucion", lazy="joined")
    folio: Mapped[str | None] = mapped_column(String(40))  # the unit's or the national platform's
    derecho: Mapped[str] = mapped_column(String(15))
    estado: Mapped[str] = mapped_column(String(20), default=FLUJO_ARCO.inicial)
    version: Mapped[int] = mapped_column(default=1)
    medio: Mapped[str] = mapped_column(String(20))
    presentada_por: Mapped[str] = mapped_column(String(15))
    identificacion: Mapped[str] = mapped_column(String(20))  # the document she presented
    representacion: Mapped[str | None] = mapped_column(String(20))
    causal: Mapped[str | None] = mapped_column(String(30))
    registrada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    registrada_por = relationship("Usuaria", foreign_keys=[registrada_por_id], lazy="joined")
    registrada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)

    # Local days (America/Mexico_City) on which each step happened.
    recibida_el: Mapped[date] = mapped_column(Date)
    identidad_acreditada_el: Mapped[date | None] = mapped_column(Date)
    prevenida_el: Mapped[date | None] = mapped_column(Date)
    subsanada_el: Mapped[date | None] = mapped_column(Date)
    ampliada_el: Mapped[date | None] = mapped_column(Date)
    respondida_el: Mapped[date | None] = mapped_column(Date)
    efectuada_el: Mapped[date | None] = mapped_column(Date)
    # The terms as computed at the last step (flujos/arco.py `plazos`), on the calendar of then.
    plazo_respuesta: Mapped[date | None] = mapped_column(Date)
    plazo_prevencion: Mapped[date] = mapped_column(Date)
    plazo_no_competencia: Mapped[date] = mapped_column(Date)
    plazo_subsanacion: Mapped[date | None] = mapped_column(Date)
    plazo_efectivo: Mapped[date | None] = mapped_column(Date)
    # The deadline of the current step (None once it ended): what Pendientes reads.
    vence_el: Mapped[date | None] = mapped_column(Date)

    # What was asked, how identity was checked, what was answered: may name people.
    descripcion_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    identidad_notas_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    respuesta_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    descripcion = Cifrado()
    identidad_notas = Cifrado()
    respuesta = Cifrado()
    # A rectificación carried out: {field: [before, after]}, for the officer's answer to her.
    # Under the case's key like her data, so shredding the case takes it too.
    rectificacion_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    rectificacion = Cifrado("json")

    def __repr__(self) -> str:
        return f"<SolicitudArco {self.id} {self.derecho} {self.estado}>"


class Oposicion(db.Model):
    """Her opposition, carried out, to sharing her data with a kind of institution (derecho
    de oposición). casos/acceso/casos.py `consentimiento_en_vigor` reads it like a consent
    withdrawn for that kind: every view, list, loader and sending asks there. Kinds are
    catalogue keys, not personal data: plaintext, so the SQL scope checks them without keys."""

    __tablename__ = "oposicion"
    __table_args__ = (
        solo_valores_de("tipo_institucion", TIPOS_INSTITUCION),
        UniqueConstraint("caso_id", "tipo_institucion"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    tipo_institucion: Mapped[str] = mapped_column(String(20))
    solicitud_arco_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("solicitud_arco.id"))
    registrada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    desde: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
