"""A case and what hangs from it. Plaintext columns are only the categorical ones statistics
and routing need; every identifying or descriptive field is a `Cifrado` attribute."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_estados_de, solo_valores_de
from casos.catalogos import (
    MODALIDADES,
    NIVELES_RIESGO,
    QUIEN_INFORMA_REVOCACION,
    RELACIONES_AGRESOR,
    TIPOS_VIOLENCIA,
)
from casos.conservacion import autorizada_en_esta_peticion
from casos.cripto.campos import Cifrado, CifradoPorCaso, ConDEK, DatosBloqueados
from casos.extensiones import db
from flujos.aprobacion import FLUJO_VALORACION
from flujos.caso import FLUJO_CASO


class Caso(ConDEK, db.Model):
    """One woman at one owning institution."""

    __tablename__ = "caso"
    __table_args__ = (
        solo_estados_de("caso"),
        solo_valores_de("nivel_riesgo", NIVELES_RIESGO),
        # Keyset pagination of the case list: newest first within an institution, and the
        # same within one state (the list's state filter; a rare state scanned every case).
        Index("ix_caso_institucion_creado", "institucion_id", "creado_en", "id"),
        Index("ix_caso_institucion_estado_creado", "institucion_id", "estado", "creado_en", "id"),
        # "Mis casos": the same keyset, per responsible caseworker.
        Index("ix_caso_responsable_creado", "responsable_id", "creado_en", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"), index=True)
    creado_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    # The caseworker in charge: who registered it, until a supervisora assigns another.
    responsable_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    municipio: Mapped[str | None] = mapped_column(String(5), index=True)
    rango_edad: Mapped[str | None] = mapped_column(String(8))
    estado: Mapped[str] = mapped_column(String(20), default=FLUJO_CASO.inicial)
    version: Mapped[int] = mapped_column(default=1)
    nivel_riesgo: Mapped[str | None] = mapped_column(String(10), index=True)
    urgente: Mapped[bool] = mapped_column(Boolean, default=False)
    proxima_valoracion: Mapped[datetime | None] = mapped_column(FechaUTC)
    creado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    actualizado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora, onupdate=ahora)
    # Retention (casos/conservacion/): closed longer than its institution's period. Nobody
    # finds it any more but through a read the admin authorized.
    bloqueado_en: Mapped[datetime | None] = mapped_column(FechaUTC)

    victima: Mapped[Victima] = relationship(back_populates="caso", uselist=False,
                                            cascade="all, delete-orphan")
    nna: Mapped[list[Nna]] = relationship(back_populates="caso", cascade="all, delete-orphan")
    agresores: Mapped[list[Agresor]] = relationship(back_populates="caso",
                                                    cascade="all, delete-orphan")
    hechos: Mapped[list[Hecho]] = relationship(back_populates="caso", cascade="all, delete-orphan",
                                               order_by="Hecho.fecha")
    consentimiento: Mapped[Consentimiento | None] = relationship(
        back_populates="caso", uselist=False, cascade="all, delete-orphan")
    valoraciones: Mapped[list[ValoracionRiesgo]] = relationship(
        back_populates="caso", cascade="all, delete-orphan",
        order_by="ValoracionRiesgo.creada_en.desc()")
    canalizaciones = relationship("Canalizacion", back_populates="caso",
                                  order_by="Canalizacion.creada_en")
    ordenes = relationship("OrdenProteccion", back_populates="caso",
                           order_by="OrdenProteccion.solicitada_en")
    # Her oppositions in force (casos/arco/): kinds of institution her data never go to.
    oposiciones = relationship("Oposicion", order_by="Oposicion.desde", viewonly=True)
    institucion = relationship("Institucion", lazy="joined")
    responsable = relationship("Usuaria", foreign_keys=[responsable_id])

    def _dek_abierta(self) -> tuple:
        # Every decryption of her data passes here (`dek()` and `cifrador()` alike): a blocked
        # case gives its key only to the request that reached it through an authorized read,
        # whatever page or command asks.
        if self.bloqueado_en is not None and not autorizada_en_esta_peticion(self.id):
            raise DatosBloqueados("el caso está bloqueado por el plazo de conservación")
        return super()._dek_abierta()

    @property
    def bloqueado(self) -> bool:
        return self.bloqueado_en is not None

    def __repr__(self) -> str:
        return f"<Caso {self.id}>"


class Asignacion(db.Model):
    """Append-only: who was put in charge of a case, by whom, when. Staff, not her data."""

    __tablename__ = "asignacion"
    __table_args__ = (Index("ix_asignacion_caso_momento", "caso_id", "momento"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"))
    responsable_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    responsable = relationship("Usuaria", foreign_keys=[responsable_id], lazy="joined")
    anterior_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    anterior = relationship("Usuaria", foreign_keys=[anterior_id], lazy="joined")
    asignada_por_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    asignada_por = relationship("Usuaria", foreign_keys=[asignada_por_id], lazy="joined")
    momento: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)


class Victima(CifradoPorCaso, db.Model):
    __tablename__ = "victima"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"),
                                               unique=True)
    caso: Mapped[Caso] = relationship(back_populates="victima")

    nombre_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    curp_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    fecha_nacimiento_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    edad_aproximada_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    telefono_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    domicilio_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    lengua_indigena_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    discapacidad_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    nacionalidad_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    contacto_seguro_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)

    nombre = Cifrado()
    curp = Cifrado()
    fecha_nacimiento = Cifrado("fecha")
    edad_aproximada = Cifrado("entero")
    telefono = Cifrado()
    domicilio = Cifrado()
    lengua_indigena = Cifrado()
    discapacidad = Cifrado()
    nacionalidad = Cifrado()
    # {"telefono", "horario", "nunca_casa", "persona_confianza", "indicaciones"}
    contacto_seguro = Cifrado("json")

    # Blind indexes (casos/cripto/indices.py): exact search and duplicate detection.
    idx_curp: Mapped[int | None] = mapped_column(BigInteger, index=True)
    idx_nombre: Mapped[int | None] = mapped_column(BigInteger, index=True)
    idx_nombre_nacimiento: Mapped[int | None] = mapped_column(BigInteger, index=True)

    def __repr__(self) -> str:
        return f"<Victima {self.id}>"


class Nna(CifradoPorCaso, db.Model):
    """A daughter or son (niña, niño o adolescente)."""

    __tablename__ = "nna"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    caso: Mapped[Caso] = relationship(back_populates="nna")
    rango_edad: Mapped[str | None] = mapped_column(String(8))
    violencia_directa: Mapped[bool] = mapped_column(Boolean, default=False)
    nombre_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    edad_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    nombre = Cifrado()
    edad = Cifrado("entero")


class Agresor(CifradoPorCaso, db.Model):
    __tablename__ = "agresor"
    __table_args__ = (solo_valores_de("relacion", RELACIONES_AGRESOR),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    caso: Mapped[Caso] = relationship(back_populates="agresores")
    relacion: Mapped[str] = mapped_column(String(20))
    vive_con_ella: Mapped[bool] = mapped_column(Boolean, default=False)
    acceso_armas: Mapped[bool] = mapped_column(Boolean, default=False)
    nombre_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    nombre = Cifrado()


class Hecho(CifradoPorCaso, db.Model):
    """An incident: when and where (municipality), its types and modalities, and the story."""

    __tablename__ = "hecho"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    caso: Mapped[Caso] = relationship(back_populates="hechos")
    fecha: Mapped[date] = mapped_column(Date, index=True)
    municipio: Mapped[str | None] = mapped_column(String(5))
    lugar_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    narrativa_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    lugar = Cifrado()
    narrativa = Cifrado()

    tipos_rel: Mapped[list[HechoTipo]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    modalidades_rel: Mapped[list[HechoModalidad]] = relationship(cascade="all, delete-orphan",
                                                                 lazy="selectin")

    @property
    def tipos(self) -> list[str]:
        return [t.tipo for t in self.tipos_rel]

    @tipos.setter
    def tipos(self, valores) -> None:
        self.tipos_rel = [HechoTipo(tipo=v) for v in dict.fromkeys(valores)]

    @property
    def modalidades(self) -> list[str]:
        return [m.modalidad for m in self.modalidades_rel]

    @modalidades.setter
    def modalidades(self, valores) -> None:
        self.modalidades_rel = [HechoModalidad(modalidad=v) for v in dict.fromkeys(valores)]


class HechoTipo(db.Model):
    """One row per type of violence of an incident: statistics GROUP BY this column."""

    __tablename__ = "hecho_tipo"
    __table_args__ = (solo_valores_de("tipo", TIPOS_VIOLENCIA),)

    hecho_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hecho.id", ondelete="CASCADE"),
                                                primary_key=True)
    tipo: Mapped[str] = mapped_column(String(20), primary_key=True)


class HechoModalidad(db.Model):
    __tablename__ = "hecho_modalidad"
    __table_args__ = (solo_valores_de("modalidad", MODALIDADES),)

    hecho_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hecho.id", ondelete="CASCADE"),
                                                primary_key=True)
    modalidad: Mapped[str] = mapped_column(String(20), primary_key=True)


class Consentimiento(CifradoPorCaso, db.Model):
    """What the woman agreed to share, with which kinds of institution, until when.

    Categories, not personal data: plaintext, so routing can check them without keys.
    """

    __tablename__ = "consentimiento"
    __table_args__ = (
        solo_valores_de("revocacion_informada_por", QUIEN_INFORMA_REVOCACION),
        # A revocation says when she withdrew it, who told us and who recorded it, or nothing.
        CheckConstraint("(revocado_en IS NULL) = (revocada_el IS NULL) AND "
                        "(revocado_en IS NULL) = (revocacion_informada_por IS NULL)",
                        name="revocacion_completa"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"),
                                               unique=True)
    caso: Mapped[Caso] = relationship(back_populates="consentimiento")
    autoriza_canalizar: Mapped[bool] = mapped_column(Boolean, default=False)
    tipos_institucion: Mapped[list[str]] = mapped_column(JSON, default=list)
    datos_compartibles: Mapped[list[str]] = mapped_column(JSON, default=list)
    vigente_hasta: Mapped[date | None] = mapped_column(Date)
    registrado_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    registrado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    revocado_en: Mapped[datetime | None] = mapped_column(FechaUTC)  # when it was recorded
    revocada_el: Mapped[date | None] = mapped_column(Date)  # the day she withdrew it
    revocacion_informada_por: Mapped[str | None] = mapped_column(String(20))
    revocado_por_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usuaria.id"))
    motivo_revocacion_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    motivo_revocacion = Cifrado()

    def vigente(self, hoy: date) -> bool:
        return (self.autoriza_canalizar and self.revocado_en is None
                and (self.vigente_hasta is None or self.vigente_hasta >= hoy))


class ValoracionRiesgo(CifradoPorCaso, db.Model):
    __tablename__ = "valoracion_riesgo"
    __table_args__ = (
        solo_estados_de("valoracion_riesgo"),
        solo_valores_de("nivel_calculado", NIVELES_RIESGO),
        solo_valores_de("nivel", NIVELES_RIESGO),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    caso_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("caso.id", ondelete="CASCADE"), index=True)
    caso: Mapped[Caso] = relationship(back_populates="valoraciones")
    autor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id"))
    autor = relationship("Usuaria", lazy="joined")
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    version_instrumento: Mapped[int] = mapped_column(Integer)
    puntaje: Mapped[int] = mapped_column(Integer)
    nivel_calculado: Mapped[str] = mapped_column(String(10))
    nivel: Mapped[str] = mapped_column(String(10))
    # "por_aprobar" while a level below the computed one waits for a supervisora (flujos).
    estado: Mapped[str] = mapped_column(String(20), default=FLUJO_VALORACION.inicial)
    version: Mapped[int] = mapped_column(default=1)
    proxima_valoracion: Mapped[datetime] = mapped_column(FechaUTC)
    respuestas_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    motivo_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    respuestas = Cifrado("json")
    motivo = Cifrado()


class Borrador(ConDEK, db.Model):
    """An intake in progress, saved as the caseworker types: encrypted like a case, visible
    only to its author, removed (with its key) when the case is registered."""

    __tablename__ = "borrador"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    usuaria_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usuaria.id", ondelete="CASCADE"),
                                                  index=True)
    creado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    actualizado_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora, onupdate=ahora)
    datos_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    datos = Cifrado("json")
