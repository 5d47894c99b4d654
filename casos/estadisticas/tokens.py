"""Create, check and revoke API tokens. Creating and revoking one are audited here (queued with
`auditoria.al_confirmar`, the token its object), in the transaction of the change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from casos import auditoria
from casos.bd import ahora, escritura
from casos.estadisticas.modelos import TokenApi
from casos.extensiones import db

PREFIJO = "rv_"
# Writing the last use on every request would make every API read a write.
RESOLUCION_USO = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def crear(nombre: str, usuaria) -> tuple[TokenApi, str]:
    """Returns the row and the token in clear, which is never stored nor shown again."""
    token = PREFIJO + secrets.token_urlsafe(32)
    fila = TokenApi(nombre=nombre.strip(), token_hash=_hash(token), creado_por_id=usuaria.id)
    db.session.add(fila)
    db.session.flush()
    auditoria.al_confirmar("api.token.crear", objeto_id=fila.id)
    return fila, token


def revocar(fila: TokenApi) -> None:
    """From now on it opens nothing; revoking a revoked token changes (and audits) nothing."""
    if fila.revocado_en is None:
        fila.revocado_en = ahora()
        db.session.flush()
        auditoria.al_confirmar("api.token.revocar", objeto_id=fila.id)


def de_cabecera(autorizacion: str | None) -> str | None:
    if not autorizacion:
        return None
    esquema, _, token = autorizacion.partition(" ")
    token = token.strip()
    if esquema.lower() != "bearer" or not token.startswith(PREFIJO) or len(token) > 100:
        return None
    return token


def autenticar(token: str | None) -> TokenApi | None:
    """The active token row, or None. Records the last use (at most once a minute), in its
    own short write transaction so the request itself stays a reader."""
    if token is None:
        return None
    buscado = _hash(token)
    fila = db.session.scalar(select(TokenApi).where(TokenApi.token_hash == buscado))
    # The index found it by hash; compare anyway in constant time, by habit.
    if fila is None or not hmac.compare_digest(fila.token_hash, buscado) or not fila.activo:
        return None
    momento, fila_id = ahora(), fila.id
    if fila.ultimo_uso is None or momento - fila.ultimo_uso > RESOLUCION_USO:
        # End the read transaction first, and touch no ORM attribute inside the write: a
        # reload there would wait on the lock this very block holds (SQLite).
        db.session.rollback()
        with escritura(), db.engine.begin() as conexion:
            conexion.execute(update(TokenApi).where(TokenApi.id == fila_id).values(ultimo_uso=momento))
    return fila
