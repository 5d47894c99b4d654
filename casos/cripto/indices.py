"""Blind indexes: HMAC-SHA256 under their own key over a normalized value, truncated.

Truncation makes collisions exist by design (ciphersweet's advice): an index narrows a
search to a few candidates, which are then confirmed by decrypting only those the user may
see. Bits per index, for a State-wide table of up to ~1 million cases:
  curp 32 bits: about 1 false candidate in 4,000 searches across the whole State, so a
    duplicate flag across institutions needs no decryption of another institution's data;
  nombre 24 bits: ~0.06 false candidates per search at 1 M cases; confirmed by decryption;
  nombre_nacimiento 32 bits: the "same name and birth date" duplicate check.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from casos.cripto import llavero_actual

BITS = {"curp": 32, "nombre": 24, "nombre_nacimiento": 32}


def normalizar_curp(curp: str) -> str:
    return re.sub(r"\s", "", curp).upper()


def normalizar_nombre(nombre: str) -> str:
    """Without accents, lower-case, single spaces: "  José  PÉREZ " -> "jose perez"."""
    sin_acentos = "".join(c for c in unicodedata.normalize("NFKD", nombre)
                          if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", sin_acentos.casefold()).split())


def _clave(tipo: str) -> bytes:
    # One key per index, derived from the index key, so equal values in two indexes differ.
    return hmac.new(llavero_actual().indice, f"indice-ciego:{tipo}".encode(), hashlib.sha256).digest()


def indice(tipo: str, valor_normalizado: str) -> int | None:
    if not valor_normalizado:
        return None
    resumen = hmac.new(_clave(tipo), valor_normalizado.encode(), hashlib.sha256).digest()
    return int.from_bytes(resumen[:8], "big") >> (64 - BITS[tipo])


def indice_curp(curp: str | None) -> int | None:
    return indice("curp", normalizar_curp(curp)) if curp else None


def indice_nombre(nombre: str | None) -> int | None:
    return indice("nombre", normalizar_nombre(nombre)) if nombre else None


def indice_nombre_nacimiento(nombre: str | None, nacimiento) -> int | None:
    if not nombre or not nacimiento:
        return None
    return indice("nombre_nacimiento", f"{normalizar_nombre(nombre)}|{nacimiento.isoformat()}")
