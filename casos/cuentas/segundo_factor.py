"""Two-factor login with TOTP (RFC 6238, pyotp): required for supervisora, gestora and admin,
optional for capturista. Each code is accepted once; recovery codes are single-use and kept
as keyed hashes. The secret is encrypted at rest with a key derived from the key file's
index key (it never rotates, so a master-key rotation leaves secrets readable).

Turning the factor on, renewing the recovery codes and the admin's reset are audited here
("cuenta.segundo_factor", queued with `auditoria.al_confirmar`); a pending enrolment is not."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select, update

from casos import auditoria
from casos.bd import ahora
from casos.cripto import llavero_actual, sobres
from casos.cuentas.modelos import CodigoRecuperacion, Usuaria
from casos.cuentas.sesiones import revocar_sesiones
from casos.extensiones import db

ROLES_OBLIGADOS = frozenset({"supervisora", "gestora", "admin"})
EMISOR = "Ruta Violeta"
PASO = 30  # seconds per code
TOLERANCIA = 1  # steps of clock drift accepted either side
CODIGOS_RECUPERACION = 10


def obligatorio(usuaria) -> bool:
    return usuaria.rol in ROLES_OBLIGADOS


def activo(usuaria) -> bool:
    return usuaria.totp_activado_en is not None


def _clave() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"ruta-violeta/totp").derive(llavero_actual().indice)


def _aad(usuaria) -> str:
    return f"usuaria.totp_secreto_cifrado:{usuaria.id}"


def secreto(usuaria) -> str | None:
    if usuaria.totp_secreto_cifrado is None:
        return None
    return sobres.descifrar(_clave(), usuaria.totp_secreto_cifrado, _aad(usuaria))


def guardar_secreto(usuaria, valor: str) -> None:
    usuaria.totp_secreto_cifrado = sobres.cifrar(_clave(), valor, _aad(usuaria))


def iniciar_alta(usuaria) -> str:
    """A new secret, pending until she proves her app shows the right code."""
    valor = pyotp.random_base32(length=32)
    guardar_secreto(usuaria, valor)
    usuaria.totp_activado_en = None
    usuaria.totp_ultimo_paso = None
    db.session.flush()
    return valor


def uri(usuaria, valor: str) -> str:
    return pyotp.TOTP(valor).provisioning_uri(name=usuaria.correo, issuer_name=EMISOR)


def qr_svg(contenido: str) -> str:
    """Inline SVG (no script, no external request: the CSP stays strict)."""
    return segno.make(contenido, error="m").svg_inline(scale=4, dark="#1f1a24", light="#ffffff")


def verificar_codigo(usuaria, codigo: str) -> bool:
    """True once per code: the accepted time step is stored, and a step not newer than it is
    refused, so a code seen over a shoulder can't be replayed within its 30 seconds."""
    valor = secreto(usuaria)
    codigo = "".join(c for c in (codigo or "") if c.isdigit())
    if not valor or len(codigo) != 6:
        return False
    totp = pyotp.TOTP(valor, interval=PASO)
    ahora_paso = int(time.time()) // PASO
    for paso in range(ahora_paso - TOLERANCIA, ahora_paso + TOLERANCIA + 1):
        if hmac.compare_digest(totp.at(paso * PASO), codigo):
            # Compare-and-set: two requests racing with the same code, only one wins.
            consumido = db.session.execute(
                update(Usuaria).where(Usuaria.id == usuaria.id,
                                      (Usuaria.totp_ultimo_paso.is_(None)) | (Usuaria.totp_ultimo_paso < paso))
                .values(totp_ultimo_paso=paso)).rowcount == 1
            db.session.expire(usuaria, ["totp_ultimo_paso"])
            return consumido
    return False


def _resumen(codigo: str) -> str:
    normalizado = codigo.replace("-", "").replace(" ", "").upper()
    return hmac.new(_clave(), normalizado.encode(), hashlib.sha256).hexdigest()


def activar(usuaria) -> list[str]:
    """After a first good code: the factor is on, and fresh recovery codes are shown once.
    Audited with her account as the actor (at login she is not logged in yet)."""
    usuaria.totp_activado_en = ahora()
    auditoria.al_confirmar("cuenta.segundo_factor", usuaria=usuaria)
    return nuevos_codigos(usuaria)


def renovar_codigos(usuaria) -> list[str]:
    """She asks for new recovery codes (the old ones stop working): audited."""
    auditoria.al_confirmar("cuenta.segundo_factor", usuaria=usuaria)
    return nuevos_codigos(usuaria)


def nuevos_codigos(usuaria) -> list[str]:
    db.session.execute(delete(CodigoRecuperacion).where(CodigoRecuperacion.usuaria_id == usuaria.id))
    codigos = []
    for _ in range(CODIGOS_RECUPERACION):
        crudo = secrets.token_hex(5).upper()  # 40 bits, typed from paper
        codigo = f"{crudo[:5]}-{crudo[5:]}"
        db.session.add(CodigoRecuperacion(resumen=_resumen(codigo), usuaria_id=usuaria.id))
        codigos.append(codigo)
    db.session.flush()
    return codigos


def usar_codigo_de_recuperacion(usuaria, codigo: str) -> bool:
    fila = db.session.scalar(select(CodigoRecuperacion).where(
        CodigoRecuperacion.usuaria_id == usuaria.id, CodigoRecuperacion.resumen == _resumen(codigo),
        CodigoRecuperacion.usado_en.is_(None)))
    if fila is None:
        return False
    resultado = db.session.execute(update(CodigoRecuperacion).where(
        CodigoRecuperacion.resumen == fila.resumen, CodigoRecuperacion.usado_en.is_(None))
        .values(usado_en=ahora()))
    return resultado.rowcount == 1


def restablecer(usuaria) -> None:
    """Admin reset (lost phone): the factor is off until she enrols again at her next login,
    her recovery codes are void and her sessions end. The admin never sees a secret. Audited
    with the admin as the actor and the account as its object."""
    usuaria.totp_secreto_cifrado = None
    usuaria.totp_activado_en = None
    usuaria.totp_ultimo_paso = None
    db.session.execute(delete(CodigoRecuperacion).where(CodigoRecuperacion.usuaria_id == usuaria.id))
    revocar_sesiones(usuaria.id)
    db.session.flush()
    auditoria.al_confirmar("cuenta.segundo_factor", objeto_id=usuaria.id)


def sembrar_demo(usuaria, valor: str) -> None:
    """Demo only (casos/demo.py): a published secret so a newcomer can log in."""
    if current_app.config["ENTORNO"] == "produccion":
        raise RuntimeError("Nunca en producción.")
    guardar_secreto(usuaria, valor)
    usuaria.totp_activado_en = ahora()
