from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casos.bd import FechaUTC, ahora, solo_valores_de
from casos.catalogos import AVISOS_POR_CORREO, ROLES, TIPOS_INSTITUCION
from casos.extensiones import db


class Institucion(db.Model):
    __tablename__ = "institucion"
    __table_args__ = (solo_valores_de("tipo", TIPOS_INSTITUCION),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nombre: Mapped[str] = mapped_column(String(200), unique=True)
    siglas: Mapped[str] = mapped_column(String(30), unique=True)  # the CLI finds it by them
    tipo: Mapped[str] = mapped_column(String(20))
    municipio: Mapped[str] = mapped_column(String(5))  # INEGI cvegeo
    activa: Mapped[bool] = mapped_column(default=True)
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)

    usuarias: Mapped[list[Usuaria]] = relationship(back_populates="institucion")

    def __repr__(self) -> str:
        return f"<Institucion {self.siglas}>"


class Usuaria(UserMixin, db.Model):
    """A staff account. Staff names are not victims' data; still, logs use the id only."""

    __tablename__ = "usuaria"
    __table_args__ = (solo_valores_de("rol", ROLES), solo_valores_de("avisos", AVISOS_POR_CORREO))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    correo: Mapped[str] = mapped_column(String(254), unique=True)
    nombre: Mapped[str] = mapped_column(String(120))
    rol: Mapped[str] = mapped_column(String(20))
    institucion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institucion.id"), index=True)
    # None until the person sets her own password through her activation link.
    contrasena_hash: Mapped[str | None] = mapped_column(Text)
    activa: Mapped[bool] = mapped_column(default=True)
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    ultimo_acceso: Mapped[datetime | None] = mapped_column(FechaUTC)

    # Second factor (TOTP): the secret encrypted (casos/cuentas/segundo_factor.py); the last
    # time step accepted, so each code works once; activated once she proved she has it.
    totp_secreto_cifrado: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_ultimo_paso: Mapped[int | None] = mapped_column(BigInteger)
    totp_activado_en: Mapped[datetime | None] = mapped_column(FechaUTC)

    # Lockout (casos/cuentas/servicios.py): failed password or code attempts since the last
    # complete login; once BLOQUEO_TRAS_FALLOS is reached only an admin unlocks the account.
    fallos_consecutivos: Mapped[int] = mapped_column(default=0, server_default="0")
    bloqueada_en: Mapped[datetime | None] = mapped_column(FechaUTC)

    # Staff e-mail (casos/avisos/): each one as it happens, or a daily summary.
    avisos: Mapped[str] = mapped_column(String(12), default="inmediato", server_default="inmediato")

    institucion: Mapped[Institucion] = relationship(back_populates="usuarias", lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.activa

    def __repr__(self) -> str:
        return f"<Usuaria {self.id} {self.rol}>"


class Sesion(db.Model):
    """Server-side session: the cookie holds only a random token; the row holds the data."""

    __tablename__ = "sesion"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    usuaria_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("usuaria.id", ondelete="CASCADE"), index=True)
    datos: Mapped[str] = mapped_column(Text, default="{}")
    creada_en: Mapped[datetime] = mapped_column(FechaUTC, default=ahora)
    ultima_actividad: Mapped[datetime] = mapped_column(FechaUTC, default=ahora, index=True)


class CodigoRecuperacion(db.Model):
    """Single-use recovery codes for a lost phone, kept as keyed hashes, never in clear."""

    __tablename__ = "codigo_recuperacion"

    resumen: Mapped[str] = mapped_column(String(64), primary_key=True)
    usuaria_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("usuaria.id", ondelete="CASCADE"), index=True)
    usado_en: Mapped[datetime | None] = mapped_column(FechaUTC)


class Activacion(db.Model):
    """Single-use link through which a person sets her own password (admins never do)."""

    __tablename__ = "activacion"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    usuaria_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("usuaria.id", ondelete="CASCADE"), index=True)
    expira_en: Mapped[datetime] = mapped_column(FechaUTC)
