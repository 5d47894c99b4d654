"""Master-key rotation: re-wrap every data key under the active master key, in batches.

Only the small wrapped keys change, never the fields: a million cases re-wrap in minutes.
Each batch commits on its own, so an interrupted rotation resumes where it stopped, and
every row is updated with a compare-and-set on its old version, so a concurrent change wins.
Reads keep working throughout: each wrapped key names the version that opens it.

The rotation, once complete, and the retirement of an old version are audited here
("claves.rotar", "claves.retirar"), so whoever runs them leaves the same trail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import and_, bindparam, func, select, text, update

from casos import auditoria
from casos.bd import escritura
from casos.cripto import llavero_actual, sobres
from casos.cripto.llavero import retirar_version
from casos.expedientes.modelos import Borrador, Caso
from casos.extensiones import db

PROPIETARIOS = (Caso, Borrador)


def pendientes(version_activa: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(modelo).where(
        modelo.kek_version < version_activa)) for modelo in PROPIETARIOS)


def en_uso(version: int) -> int:
    return sum(db.session.scalar(select(func.count()).select_from(modelo).where(
        modelo.kek_version == version)) for modelo in PROPIETARIOS)


def reenvolver(lote: int = 5000, al_avanzar: Callable[[int], None] = lambda n: None) -> int:
    """Re-wrap every key older than the active version. Returns how many were re-wrapped.
    Completing it completes the rotation ("claves.rotar", resumed or not); an interrupted
    run leaves no event, the run that finishes it does."""
    llavero = llavero_actual(recargar=True)
    total = 0
    for modelo in PROPIETARIOS:
        tabla = modelo.__table__
        # A key wrapped with an old version behind the cursor meanwhile (a process that had
        # not yet re-read the key file) is caught by another pass; `pendientes` says when done.
        for _pasada in range(PASADAS_MAXIMAS):
            hechas = _una_pasada(tabla, llavero, lote, al_avanzar)
            total += hechas
            if not hechas or not db.session.scalar(select(func.count()).select_from(tabla).where(
                    tabla.c.kek_version < llavero.activa)):
                db.session.rollback()
                break
    _a_la_bitacora("claves.rotar")
    return total


def retirar(ruta: Path, version: int) -> None:
    """Delete an old master-key version from the key file (`LlaveroInvalido` if it
    can't be: the active one, or unknown). The caller checks first that no data key still
    uses it (`en_uso`). Audited."""
    retirar_version(ruta, version)
    llavero_actual(recargar=True)
    _a_la_bitacora("claves.retirar")


def _a_la_bitacora(accion: str) -> None:
    """The key file is not in the database: the audit event is a write transaction of its own."""
    db.session.rollback()  # so the transaction below begins inside escritura() (BEGIN IMMEDIATE)
    with escritura():
        auditoria.al_confirmar(accion)
        db.session.commit()


PASADAS_MAXIMAS = 5


def _una_pasada(tabla, llavero, lote: int, al_avanzar) -> int:
    """One walk over the primary key, `lote` rows a transaction. Keyset on the id, not
    "the next rows still old": kek_version is indexed, each re-wrapped row leaves a dead
    entry there, and re-reading that index from the start made late batches ever slower."""
    hechas, ultimo = 0, None
    while True:
        with escritura():
            consulta = (select(tabla.c.id, tabla.c.dek_envuelta, tabla.c.kek_version)
                        .where(tabla.c.kek_version < llavero.activa).order_by(tabla.c.id).limit(lote))
            if ultimo is not None:
                consulta = consulta.where(tabla.c.id > ultimo)
            filas = db.session.execute(consulta).all()
            if not filas:
                db.session.rollback()
                return hechas
            cambios = [(fila.id, fila.kek_version, sobres.envolver_dek(
                sobres.desenvolver_dek(fila.dek_envuelta, str(fila.id), llavero), str(fila.id), llavero))
                for fila in filas]
            _guardar(tabla, cambios, llavero.activa)
            db.session.commit()
        ultimo = filas[-1].id
        hechas += len(cambios)
        al_avanzar(len(cambios))


def _guardar(tabla, cambios: list[tuple], activa: int) -> None:
    """Compare-and-set on each row's old version, so a concurrent change (crypto-shredding,
    another rotation) wins. PostgreSQL: one UPDATE per batch from arrays, instead of one
    statement per row (a million round trips through the pipeline took most of the time)."""
    if db.engine.dialect.name == "postgresql":
        nombre = db.engine.dialect.identifier_preparer.format_table(tabla)
        db.session.execute(text(
            f"UPDATE {nombre} AS t SET dek_envuelta = v.envuelta, kek_version = :activa "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:versiones AS integer[]), CAST(:envueltas AS bytea[])) "
            "AS v(id, version, envuelta) WHERE t.id = v.id AND t.kek_version = v.version"),
            {"activa": activa, "ids": [c[0] for c in cambios], "versiones": [c[1] for c in cambios],
             "envueltas": [c[2] for c in cambios]})
        return
    sentencia = (update(tabla)
                 .where(and_(tabla.c.id == bindparam("b_id"), tabla.c.kek_version == bindparam("b_version")))
                 .values(dek_envuelta=bindparam("b_envuelta"), kek_version=activa))
    db.session.execute(sentencia, [{"b_id": i, "b_version": v, "b_envuelta": e} for i, v, e in cambios])
