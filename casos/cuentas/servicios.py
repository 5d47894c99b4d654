"""Account operations shared by the views and the CLI. They flush; the caller commits.

Each operation that the audit trail records queues its own event (`auditoria.al_confirmar`):
it joins the chain when the caller commits, and a rollback leaves neither the change nor its
event. So a view and the CLI that call the same service leave the same trail, and no view
writes an event by hand. `crear_usuaria` alone (the demo, the tests' fixtures) leaves none.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from casos import auditoria
from casos.bd import ahora, fuera_de_la_escritura
from casos.catalogos import AVISOS_POR_CORREO
from casos.cuentas import contrasenas
from casos.cuentas.modelos import Activacion, Institucion, Usuaria
from casos.cuentas.sesiones import cuenta_utilizable, revocar_sesiones
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


def autenticar(correo: str, contrasena: str, *, fallo: str) -> Usuaria | None:
    """The account if the password is right and the account and institution are active and
    not locked; otherwise None, and the failure counts towards the lockout and is audited as
    `fallo` ("sesion.fallo" at the login, "contrasena.fallo" when she changes her password).

    The same work is done whether or not the account exists or is locked, so timing tells
    nothing: the hash (or a decoy) is always verified and the same UPDATEs always run.
    """
    # Argon2id, the slowest work of any request, runs outside the write transaction; the
    # account is then read again inside it, so a password voided meanwhile lets nobody in.
    # One changed by her own other login's rehash (a double click) is checked once more.
    for _vuelta in range(2):
        with fuera_de_la_escritura():
            verificado, correcta, rehecho = _comprobar(correo, contrasena)
        usuaria = buscar_por_correo(correo)
        if usuaria is None or usuaria.contrasena_hash == verificado:
            break
    if (not correcta or usuaria is None or usuaria.contrasena_hash != verificado
            or not cuenta_utilizable(usuaria)):
        registrar_fallo(correo, fallo)
        return None
    if rehecho:
        usuaria.contrasena_hash = rehecho
    usuaria.ultimo_acceso = ahora()
    return usuaria


def _comprobar(correo: str, contrasena: str) -> tuple[str | None, bool, str | None]:
    """(the stored hash, whether the password matches it, its new hash if the costs changed).
    The new hash, a second Argon2id, only for an account that may enter: on a locked one a
    right guess must take as long as a wrong one."""
    leida = buscar_por_correo(correo)
    guardado = leida.contrasena_hash if leida else None
    correcta = contrasenas.verificar(guardado, contrasena)
    rehecho = (contrasenas.cifrar(contrasena) if correcta and cuenta_utilizable(leida)
               and contrasenas.necesita_rehash(guardado) else None)
    return guardado, correcta, rehecho


def registrar_fallo(correo: str, evento: str) -> None:
    """One more consecutive failure, audited as `evento`; at BLOQUEO_TRAS_FALLOS the account
    locks ("cuenta.bloquear", queued first, in the same transaction as the lock).

    By e-mail, not by object: for an unknown address the same statements run and match
    nothing. Atomic increments, so concurrent failures on PostgreSQL are all counted.
    The failure's event names no account (only whoever is logged in, if anyone): the trail
    must not confirm that an address exists, even when it does and nothing else is saved.
    """
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
        # Whoever holds one of her sessions (a stolen cookie) is out too, in this transaction.
        revocar_sesiones(bloqueada)
        # Only the admin reads the trail, and she knows the accounts: naming it is no leak.
        auditoria.al_confirmar("cuenta.bloquear", objeto_id=bloqueada)
    auditoria.al_confirmar(evento)


def registrar_exito(usuaria: Usuaria) -> None:
    """A complete login (second factor included): the count starts again, and the login is
    audited with the account ("sesion.entrar")."""
    usuaria.fallos_consecutivos = 0
    auditoria.al_confirmar("sesion.entrar", usuaria=usuaria)


def _sin_bloqueo(usuaria: Usuaria) -> None:
    usuaria.fallos_consecutivos, usuaria.bloqueada_en = 0, None
    db.session.flush()


def desbloquear(usuaria: Usuaria) -> None:
    """The admin ends a lockout (audited, with the account as its object)."""
    _sin_bloqueo(usuaria)
    auditoria.al_confirmar("cuenta.desbloquear", objeto_id=usuaria.id)


def establecer_contrasena(usuaria: Usuaria, nueva: str, *, conservar_token: str | None = None):
    motivos = contrasenas.problemas(
        nueva, contexto=contrasenas.contexto_de(usuaria.correo, usuaria.nombre, usuaria.institucion))
    if motivos:
        raise ContrasenaRechazada(motivos)
    usuaria.contrasena_hash = contrasenas.cifrar(nueva)
    revocar_sesiones(usuaria.id, salvo_token=conservar_token)


def cambiar_contrasena(usuaria: Usuaria, nueva: str) -> None:
    """She changes her own password (having typed the current one): every session of hers
    ends, and the change is audited. `ContrasenaRechazada` before anything changes."""
    establecer_contrasena(usuaria, nueva)
    auditoria.al_confirmar("contrasena.cambiar", usuaria=usuaria)


def elegir_avisos(usuaria: Usuaria, modo: str) -> None:
    """How she receives staff e-mail (catalogos.AVISOS_POR_CORREO); audited."""
    if modo not in AVISOS_POR_CORREO:
        raise ValueError(modo)
    usuaria.avisos = modo
    auditoria.al_confirmar("cuenta.avisos", usuaria=usuaria)


def crear_usuaria(*, correo: str, nombre: str, rol: str, institucion: Institucion,
                  contrasena: str | None = None) -> Usuaria:
    usuaria = Usuaria(correo=normalizar_correo(correo), nombre=nombre.strip(), rol=rol,
                      institucion=institucion, activa=True)
    db.session.add(usuaria)
    db.session.flush()
    if contrasena is not None:
        establecer_contrasena(usuaria, contrasena)
    return usuaria


def alta_de_cuenta(*, correo: str, nombre: str, rol: str, institucion: Institucion,
                   contrasena: str | None = None) -> Usuaria:
    """An account created by the admin (who then hands over an activation link) or by the
    CLI (with a password): `crear_usuaria`, audited ("cuenta.crear", the account its object)."""
    usuaria = crear_usuaria(correo=correo, nombre=nombre, rol=rol, institucion=institucion,
                            contrasena=contrasena)
    auditoria.al_confirmar("cuenta.crear", objeto_id=usuaria.id)
    return usuaria


def actualizar_usuaria(usuaria: Usuaria, *, nombre: str, rol: str, institucion_id,
                       activa: bool) -> None:
    """A change of role, institution or active flag ends the account's sessions. Audited as
    "cuenta.desactivar" when it deactivates the account, "cuenta.editar" otherwise."""
    accion = "cuenta.desactivar" if usuaria.activa and not activa else "cuenta.editar"
    cambia_acceso = (rol != usuaria.rol or institucion_id != usuaria.institucion_id
                     or activa != usuaria.activa)
    usuaria.nombre, usuaria.rol = nombre.strip(), rol
    usuaria.institucion_id, usuaria.activa = institucion_id, activa
    if cambia_acceso:
        revocar_sesiones(usuaria.id)
    db.session.flush()
    auditoria.al_confirmar(accion, objeto_id=usuaria.id)


def guardar_institucion(institucion: Institucion | None, *, nombre: str, siglas: str, tipo: str,
                        municipio: str, activa: bool) -> Institucion:
    """Create (`None`) or update an institution. Deactivating it ends its accounts' sessions
    (none of them may enter any more). Audited as "institucion.crear", "institucion.editar"
    or "institucion.desactivar". Flushes: a name or siglas saved meanwhile by someone else
    raises IntegrityError here, before anything is queued."""
    accion = ("institucion.crear" if institucion is None
              else "institucion.desactivar" if institucion.activa and not activa
              else "institucion.editar")
    institucion = institucion or Institucion()
    institucion.nombre, institucion.siglas, institucion.tipo = nombre, siglas, tipo
    institucion.municipio, institucion.activa = municipio, activa
    db.session.add(institucion)
    db.session.flush()
    if accion == "institucion.desactivar":
        for cuenta in institucion.usuarias:
            revocar_sesiones(cuenta.id)
    auditoria.al_confirmar(accion, objeto_id=institucion.id)
    return institucion


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


def restablecer_contrasena(usuaria: Usuaria) -> str:
    """Forgotten password (the admin's new link): the old password stops working and every
    session ends, in the caller's transaction. Returns the new link's token. Audited
    ("cuenta.activacion", the account its object)."""
    usuaria.contrasena_hash = None
    revocar_sesiones(usuaria.id)
    token = crear_activacion(usuaria)
    auditoria.al_confirmar("cuenta.activacion", objeto_id=usuaria.id)
    return token


def activacion_vigente(token: str) -> Activacion | None:
    activacion = db.session.get(Activacion, _hash_token(token))
    if activacion is None or activacion.expira_en < ahora():
        return None
    return activacion


def usar_activacion(activacion: Activacion, nueva: str) -> Usuaria:
    """She sets her password with the link. Audited with her account as the actor, whoever
    else may be logged in on that browser ("contrasena.activar")."""
    usuaria = db.session.get(Usuaria, activacion.usuaria_id)
    establecer_contrasena(usuaria, nueva)
    _sin_bloqueo(usuaria)  # the admin issued this link: a forgotten password ends a lockout
    db.session.delete(activacion)
    db.session.flush()
    auditoria.al_confirmar("contrasena.activar", usuaria=usuaria)
    return usuaria
