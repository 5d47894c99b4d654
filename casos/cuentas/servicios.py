"""Account operations shared by the views and the CLI. They flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from casos.bd import ahora
from casos.cuentas import contrasenas
from casos.cuentas.modelos import Activacion, Institucion, Usuaria
from casos.cuentas.sesiones import revocar_sesiones
from casos.extensiones import db

VIGENCIA_ACTIVACION = timedelta(hours=72)


class ContrasenaRechazada(ValueError):
    def __init__(self, motivos: list[str]):
        super().__init__(" ".join(motivos))
        self.motivos = motivos


def normalizar_correo(correo: str) -> str:
    return correo.strip().casefold()


def buscar_por_correo(correo: str) -> Usuaria | None:
    return db.session.scalar(select(Usuaria).where(Usuaria.correo == normalizar_correo(correo)))


def autenticar(correo: str, contrasena: str) -> Usuaria | None:
    """The account if the password is right and the account and institution are active.

    The same work is done whether or not the account exists, so timing tells nothing.
    """
    usuaria = buscar_por_correo(correo)
    correcta = contrasenas.verificar(usuaria.contrasena_hash if usuaria else None, contrasena)
    if not correcta or not usuaria.activa or not usuaria.institucion.activa:
        return None
    if contrasenas.necesita_rehash(usuaria.contrasena_hash):
        usuaria.contrasena_hash = contrasenas.cifrar(contrasena)
    usuaria.ultimo_acceso = ahora()
    return usuaria


def establecer_contrasena(usuaria: Usuaria, nueva: str, *, conservar_token: str | None = None):
    motivos = contrasenas.problemas(
        nueva, contexto=contrasenas.contexto_de(usuaria.correo, usuaria.nombre, usuaria.institucion))
    if motivos:
        raise ContrasenaRechazada(motivos)
    usuaria.contrasena_hash = contrasenas.cifrar(nueva)
    revocar_sesiones(usuaria.id, salvo_token=conservar_token)


def crear_usuaria(*, correo: str, nombre: str, rol: str, institucion: Institucion,
                  contrasena: str | None = None) -> Usuaria:
    usuaria = Usuaria(correo=normalizar_correo(correo), nombre=nombre.strip(), rol=rol,
                      institucion=institucion, activa=True)
    db.session.add(usuaria)
    db.session.flush()
    if contrasena is not None:
        establecer_contrasena(usuaria, contrasena)
    return usuaria


def actualizar_usuaria(usuaria: Usuaria, *, nombre: str, rol: str, institucion_id,
                       activa: bool) -> None:
    """A change of role, institution or active flag ends the account's sessions."""
    cambia_acceso = (rol != usuaria.rol or institucion_id != usuaria.institucion_id
                     or activa != usuaria.activa)
    usuaria.nombre, usuaria.rol = nombre.strip(), rol
    usuaria.institucion_id, usuaria.activa = institucion_id, activa
    if cambia_acceso:
        revocar_sesiones(usuaria.id)
    db.session.flush()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def crear_activacion(usuaria: Usuaria) -> str:
    """A new single-use link; the previous ones stop working. The token is shown once."""
    db.session.execute(delete(Activacion).where(Activacion.usuaria_id == usuaria.id))
    token = secrets.token_urlsafe(32)
    db.session.add(Activacion(token_hash=_hash_token(token), usuaria_id=usuaria.id,
                              expira_en=ahora() + VIGENCIA_ACTIVACION))
    db.session.flush()
    return token


def activacion_vigente(token: str) -> Activacion | None:
    activacion = db.session.get(Activacion, _hash_token(token))
    if activacion is None or activacion.expira_en < ahora():
        return None
    return activacion


def usar_activacion(activacion: Activacion, nueva: str) -> Usuaria:
    usuaria = db.session.get(Usuaria, activacion.usuaria_id)
    establecer_contrasena(usuaria, nueva)
    db.session.delete(activacion)
    db.session.flush()
    return usuaria
