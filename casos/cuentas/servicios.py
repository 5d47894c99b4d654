"""Account operations shared by the views and the CLI. They flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

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
    """The account if the password is right and the account and institution are active and
    not locked; otherwise None, and the failure counts towards the lockout.

    The same work is done whether or not the account exists or is locked, so timing tells
    nothing: the hash (or a decoy) is always verified and the same UPDATEs always run.
    """
    usuaria = buscar_por_correo(correo)
    correcta = contrasenas.verificar(usuaria.contrasena_hash if usuaria else None, contrasena)
    if (not correcta or usuaria.bloqueada_en is not None or not usuaria.activa
            or not usuaria.institucion.activa):
        registrar_fallo(correo)
        return None
    if contrasenas.necesita_rehash(usuaria.contrasena_hash):
        usuaria.contrasena_hash = contrasenas.cifrar(contrasena)
    usuaria.ultimo_acceso = ahora()
    return usuaria


def registrar_fallo(correo: str) -> None:
    """One more consecutive failure; at BLOQUEO_TRAS_FALLOS the account locks.

    By e-mail, not by object: for an unknown address the same statements run and match
    nothing. Atomic increments, so concurrent failures on PostgreSQL are all counted.
    """
    from casos import auditoria

    correo = normalizar_correo(correo)
    db.session.execute(
        update(Usuaria).where(Usuaria.correo == correo)
        .values(fallos_consecutivos=Usuaria.fallos_consecutivos + 1)
        .execution_options(synchronize_session=False))
    bloqueada = db.session.execute(
        update(Usuaria).where(Usuaria.correo == correo, Usuaria.bloqueada_en.is_(None),
                              Usuaria.fallos_consecutivos >= current_app.config["BLOQUEO_TRAS_FALLOS"])
        .values(bloqueada_en=ahora()).returning(Usuaria.id)
        .execution_options(synchronize_session=False)).scalar()
    for objeto in db.session.identity_map.values():
        if isinstance(objeto, Usuaria) and objeto.correo == correo:
            db.session.expire(objeto, ["fallos_consecutivos", "bloqueada_en"])
    if bloqueada is not None:
        # Only the admin reads the trail, and she knows the accounts: naming it is no leak.
        auditoria.registrar("cuenta.bloquear", objeto_id=bloqueada)


def registrar_exito(usuaria: Usuaria) -> None:
    """A complete login (second factor included) starts the count again."""
    usuaria.fallos_consecutivos = 0


def desbloquear(usuaria: Usuaria) -> None:
    usuaria.fallos_consecutivos, usuaria.bloqueada_en = 0, None
    db.session.flush()


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
    desbloquear(usuaria)  # the admin issued this link: a forgotten password ends a lockout
    db.session.delete(activacion)
    db.session.flush()
    return usuaria
