"""Where a file's encrypted chunks are kept: the database (the default) or a directory
(`ADJUNTOS_DIRECTORIO`, for deployments whose files would swell the database's backups).

Either way a chunk is already sealed under the case's key when it arrives here, so the
directory holds nothing readable: crypto-shredding the case makes its files there unreadable
too. Each file records where its chunks went, so changing the setting never strands the
older ones. A chunk written to the directory by a transaction that then rolls back is
removed; one left by a crash between the write and the commit is ciphertext nobody points at.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from casos.adjuntos.modelos import Adjunto, TrozoAdjunto
from casos.extensiones import db

ESCRITOS = "adjuntos_escritos"  # the session's files written since its last commit


def directorio() -> Path | None:
    ruta = current_app.config.get("ADJUNTOS_DIRECTORIO") or ""
    return Path(ruta) if ruta else None


def almacen_actual() -> str:
    return "directorio" if directorio() is not None else "bd"


def _ruta(base: Path, adjunto_id: uuid.UUID, numero: int) -> Path:
    # Two levels by the id's first characters: no directory with millions of entries.
    return base / adjunto_id.hex[:2] / f"{adjunto_id.hex}.{numero}"


def guardar(adjunto: Adjunto, sellados: list[bytes]) -> None:
    """Keep the sealed chunks of a new file where `adjunto.almacen` says."""
    if adjunto.almacen == "bd":
        for numero, sellado in enumerate(sellados):
            db.session.add(TrozoAdjunto(adjunto_id=adjunto.id, numero=numero, datos=sellado))
        return
    base = directorio()
    if base is None:
        raise RuntimeError("ADJUNTOS_DIRECTORIO no está configurado")
    escritos = db.session.info.setdefault(ESCRITOS, [])
    for numero, sellado in enumerate(sellados):
        ruta = _ruta(base, adjunto.id, numero)
        ruta.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporal = ruta.with_suffix(ruta.suffix + ".tmp")
        with open(temporal, "wb") as salida:
            salida.write(sellado)
            salida.flush()
            os.fsync(salida.fileno())
        os.replace(temporal, ruta)  # whole or absent: never a half-written chunk
        escritos.append(ruta)


def leer(adjunto: Adjunto) -> list[bytes] | None:
    """The sealed chunks in order, or None when any is missing."""
    if adjunto.almacen == "bd":
        filas = db.session.execute(select(TrozoAdjunto.numero, TrozoAdjunto.datos).where(
            TrozoAdjunto.adjunto_id == adjunto.id).order_by(TrozoAdjunto.numero)).all()
        if [f.numero for f in filas] != list(range(adjunto.trozos_total)):
            return None
        return [f.datos for f in filas]
    base = directorio()
    rutas = [_ruta(base, adjunto.id, n) for n in range(adjunto.trozos_total)] if base else []
    if not rutas or not all(r.is_file() for r in rutas):
        return None
    return [r.read_bytes() for r in rutas]


@event.listens_for(Session, "after_commit")
def _confirmados(sesion):
    sesion.info.pop(ESCRITOS, None)


@event.listens_for(Session, "after_transaction_end")
def _deshacer(sesion, transaccion):
    """The outer transaction ended without a commit (a rollback, or a session closed after a
    failed commit): its chunk files go too. A commit emptied the list first."""
    if transaccion.parent is None and not transaccion.nested:
        for ruta in sesion.info.pop(ESCRITOS, []):
            ruta.unlink(missing_ok=True)
