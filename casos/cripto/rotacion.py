"""Master-key rotation: re-wrap every data key under the active master key, in batches.

Only the small wrapped keys change, never the fields: a million cases re-wrap in minutes.
Each batch commits on its own, so an interrupted rotation resumes where it stopped, and
every row is updated with a compare-and-set on its old version, so a concurrent change wins.
Reads keep working throughout: each wrapped key names the version that opens it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, bindparam, func, select, update

from casos.bd import escritura
from casos.cripto import llavero_actual, sobres
from casos.expedientes.modelos import Borrador, Caso
from casos.extensiones import db

PROPIETARIOS = (Caso, Borrador)


def pendientes(version_activa: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(modelo).where(
        modelo.kek_version < version_activa)) for modelo in PROPIETARIOS)


def en_uso(version: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(modelo).where(
        modelo.kek_version == version)) for modelo in PROPIETARIOS)


def reenvolver(lote: int = 2000, al_avanzar: Callable[[int], None] = lambda n: None) -> int:
    """Re-wrap every key older than the active version. Returns how many were re-wrapped."""
    llavero = llavero_actual(recargar=True)
    total = 0
    for modelo in PROPIETARIOS:
        tabla = modelo.__table__
        sentencia = (update(tabla)
                     .where(and_(tabla.c.id == bindparam("b_id"),
                                 tabla.c.kek_version == bindparam("b_version")))
                     .values(dek_envuelta=bindparam("b_envuelta"), kek_version=llavero.activa))
        while True:
            with escritura():
                filas = db.session.execute(
                    select(tabla.c.id, tabla.c.dek_envuelta, tabla.c.kek_version)
                    .where(tabla.c.kek_version < llavero.activa).limit(lote)).all()
                if not filas:
                    db.session.rollback()
                    break
                cambios = [{
                    "b_id": fila.id, "b_version": fila.kek_version,
                    "b_envuelta": sobres.envolver_dek(
                        sobres.desenvolver_dek(fila.dek_envuelta, str(fila.id), llavero),
                        str(fila.id), llavero),
                } for fila in filas]
                db.session.execute(sentencia, cambios)
                db.session.commit()
            total += len(cambios)
            al_avanzar(len(cambios))
    return total
