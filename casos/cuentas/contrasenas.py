"""Password policy (NIST SP 800-63B-4) and Argon2id hashing.

Length is what matters: at least 15 characters, no composition rules, compared as typed (only
NFKC-normalized: no trimming, no case folding). Refused: common passwords, trivial
patterns, and passwords built from the product, the institution or the account name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from casos.catalogos import DATOS

LONGITUD_MINIMA = 15
LONGITUD_MAXIMA = 128
NOMBRES_DEL_PRODUCTO = ("rutavioleta", "ruta violeta")

_REPETICION = re.compile(r"^(.{1,8}?)\1+$", re.DOTALL)
_BORDES_TRIVIALES = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$", re.DOTALL)
_SECUENCIAS = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


@cache
def _comunes() -> frozenset[str]:
    with open(DATOS / "contrasenas_comunes.txt", encoding="utf-8") as archivo:
        return frozenset(l.strip() for l in archivo if l.strip() and not l.startswith("#"))


def _plano(texto: str) -> str:
    """Lower-case, without accents or spaces: how a name hides inside a password."""
    sin_acentos = unicodedata.normalize("NFKD", texto.casefold())
    return "".join(c for c in sin_acentos if c.isalnum())


def problemas(contrasena: str, *, contexto: tuple[str, ...] = ()) -> list[str]:
    """Reasons, in Spanish, why a password is refused; empty when it is acceptable.

    `contexto` holds the names the password must not contain: the account's e-mail, her
    name, her institution's name and acronym.
    """
    if len(contrasena) < LONGITUD_MINIMA:
        return [f"Debe tener al menos {LONGITUD_MINIMA} caracteres."]
    if len(contrasena) > LONGITUD_MAXIMA:
        return [f"Debe tener como máximo {LONGITUD_MAXIMA} caracteres."]
    minuscula = contrasena.casefold()
    nucleo = _BORDES_TRIVIALES.match(minuscula).group(1)
    if (minuscula in _comunes() or nucleo in _comunes() or _REPETICION.match(minuscula)
            or any(minuscula in s for s in _SECUENCIAS)):
        return ["Es una contraseña común o fácil de adivinar; elija otra frase."]
    plana = _plano(contrasena)
    if any(len(n) >= 4 and n in plana for n in map(_plano, NOMBRES_DEL_PRODUCTO + contexto)):
        return ["No debe contener el nombre del sistema, de su institución ni de su cuenta."]
    return []


def contexto_de(correo: str, nombre: str = "", institucion=None) -> tuple[str, ...]:
    usuario = correo.split("@", 1)[0]
    partes = [usuario, *re.split(r"[.\-_+]+", usuario), *nombre.split()]
    if institucion is not None:
        partes += [institucion.nombre, institucion.siglas]
    return tuple(p for p in partes if p)


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("ARGON2", {}))


def _estable(contrasena: str) -> str:
    """NFKC, as NIST SP 800-63B asks: the same "ñ" typed on two keyboards is one password.
    Nothing else changes: no trimming, no case folding."""
    return unicodedata.normalize("NFKC", contrasena)


def cifrar(contrasena: str) -> str:
    return _hasher().hash(_estable(contrasena))


@cache
def _hash_senuelo(parametros: tuple) -> str:
    return PasswordHasher(**dict(parametros)).hash("senuelo para igualar tiempos")


def verificar(hash_guardado: str | None, contrasena: str) -> bool:
    """Exact comparison; with no stored hash, verify a decoy so timing reveals nothing."""
    hasher = _hasher()
    if not hash_guardado:
        senuelo = _hash_senuelo(tuple(sorted(current_app.config.get("ARGON2", {}).items())))
        try:
            hasher.verify(senuelo, _estable(contrasena) + "\0")
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(hash_guardado, _estable(contrasena))
    except (VerificationError, InvalidHashError):
        return False


def necesita_rehash(hash_guardado: str) -> bool:
    return _hasher().check_needs_rehash(hash_guardado)
