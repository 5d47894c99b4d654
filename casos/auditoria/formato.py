"""What an HMAC of the trail covers: the canonical bytes of an event and of a root.

Format 1 is the single chain before issue 14 (chain 0 now): its events are verified as they
were written. Format 2 also covers the event's chain and place in it, so an event can't be
moved to another chain or place unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

GENESIS = "0" * 64  # the "previous HMAC" of each chain's first event, and of the first root
CADENA_HEREDADA = 0  # the single chain of format 1, closed: no event is appended to it
VERSION_FORMATO = 2
CAMPOS_V1 = ("id", "secuencia", "momento", "usuaria_id", "rol", "institucion_id", "accion",
             "caso_id", "objeto_id", "origen", "motivo")
CAMPOS = (*CAMPOS_V1, "cadena", "eslabon")
VERSION_RAIZ = 1


def texto(valor):
    if isinstance(valor, uuid.UUID):
        return str(valor)
    if isinstance(valor, datetime):
        return valor.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return valor


def _json(contenido: dict) -> bytes:
    """Sorted-key compact JSON: the same bytes whoever reads the row back, on either engine."""
    return json.dumps(contenido, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def version_de(cadena: int) -> int:
    return 1 if cadena == CADENA_HEREDADA else VERSION_FORMATO


def canonico(evento: Mapping, anterior: str, version: int = VERSION_FORMATO) -> bytes:
    campos = CAMPOS_V1 if version == 1 else CAMPOS
    contenido = {campo: texto(evento[campo]) for campo in campos}
    contenido.update(anterior=anterior, v=version)
    return _json(contenido)


def calcular_hmac(evento: Mapping, anterior: str, clave: bytes, version: int = VERSION_FORMATO) -> str:
    return hmac.new(clave, canonico(evento, anterior, version), hashlib.sha256).hexdigest()


def cabezas_canonicas(cabezas: Sequence[tuple[int, int, str]]) -> str:
    """What a root stores and covers: [[cadena, eslabon, hmac], …] sorted by chain."""
    return json.dumps(sorted([int(c), int(e), h] for c, e, h in cabezas), separators=(",", ":"))


def hmac_de_raiz(numero: int, momento: datetime, cabezas: str, anterior: str, clave: bytes) -> str:
    contenido = {"numero": numero, "momento": texto(momento), "cabezas": cabezas,
                 "anterior": anterior, "v": VERSION_RAIZ}
    return hmac.new(clave, _json(contenido), hashlib.sha256).hexdigest()
