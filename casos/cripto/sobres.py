"""Envelope encryption: AES-256-GCM, a data key (DEK) per case wrapped by a master key (KEK).

Formats (bytes):
  wrapped DEK  = b"K1" | KEK version (4 bytes, big-endian) | nonce (12) | ciphertext+tag
  field        = b"F1" | nonce (12) | ciphertext+tag
The associated data binds a wrapped DEK to its owner ("dek:<owner id>") and a field to its
table, column and row ("<table>.<column>:<row id>"): a ciphertext copied elsewhere fails.
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casos.cripto.llavero import Llavero

_DEK = b"K1"
_CAMPO = b"F1"
_NONCE = 12
_CABECERA_DEK = len(_DEK) + 4


class DescifradoFallido(Exception):
    """A ciphertext was altered, moved, or its key is gone. Never carries the data."""


def nueva_dek() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def cifrador(clave: bytes | AESGCM) -> AESGCM:
    """A key ready to use: made once per master key (`Llavero`) and per case in a request
    (`ConDEK`), not once per field (a third of a field's decryption)."""
    return clave if isinstance(clave, AESGCM) else AESGCM(clave)


def _sellar(clave: bytes | AESGCM, prefijo: bytes, datos: bytes, aad: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return prefijo + nonce + cifrador(clave).encrypt(nonce, datos, aad.encode())


def _abrir(clave: bytes | AESGCM, cuerpo: bytes, aad: str) -> bytes:
    try:
        return cifrador(clave).decrypt(cuerpo[:_NONCE], cuerpo[_NONCE:], aad.encode())
    except (InvalidTag, ValueError):
        raise DescifradoFallido("el texto cifrado no corresponde a este registro o fue alterado") from None


def envolver_dek(dek: bytes, propietario: str, llavero: Llavero) -> bytes:
    version = llavero.activa
    return _sellar(llavero.cifrador(version), _DEK + struct.pack(">I", version), dek,
                   f"dek:{propietario}")


def version_kek(envuelta: bytes) -> int:
    if envuelta[:len(_DEK)] != _DEK:
        raise DescifradoFallido("formato de clave envuelta desconocido")
    return struct.unpack(">I", envuelta[len(_DEK):_CABECERA_DEK])[0]


def desenvolver_dek(envuelta: bytes, propietario: str, llavero: Llavero) -> bytes:
    version = version_kek(envuelta)
    if version not in llavero.maestras:
        raise DescifradoFallido(f"la clave maestra versión {version} ya no existe")
    return _abrir(llavero.cifrador(version), envuelta[_CABECERA_DEK:], f"dek:{propietario}")


def cifrar(dek: bytes | AESGCM, texto: str, aad: str) -> bytes:
    return _sellar(dek, _CAMPO, texto.encode("utf-8"), aad)


def cifrar_bytes(dek: bytes | AESGCM, datos: bytes, aad: str) -> bytes:
    """A file's chunk (casos/adjuntos/): the same format as a field, bytes instead of text."""
    return _sellar(dek, _CAMPO, datos, aad)


def descifrar_bytes(dek: bytes | AESGCM, cifrado: bytes, aad: str) -> bytes:
    if bytes(cifrado[:len(_CAMPO)]) != _CAMPO:
        raise DescifradoFallido("formato de campo cifrado desconocido")
    return _abrir(dek, bytes(cifrado[len(_CAMPO):]), aad)


def descifrar(dek: bytes | AESGCM, cifrado: bytes, aad: str) -> str:
    if bytes(cifrado[:len(_CAMPO)]) != _CAMPO:
        raise DescifradoFallido("formato de campo cifrado desconocido")
    return _abrir(dek, bytes(cifrado[len(_CAMPO):]), aad).decode("utf-8")
