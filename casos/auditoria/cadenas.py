"""Appending an event to one of several chains, each with its own head row.

One head for the whole deployment made every audited request wait for the previous one's
commit (124–161 events/s on PostgreSQL whatever the clients, issue 14). Now each event goes to
one of AUDITORIA_CADENAS chains (1…N; chain 0 is the closed single chain of before) and locks
only that chain's head. The chain is chosen by account (by origin for events without one), so
one person's events usually share a chain, in order; on PostgreSQL a busy preferred chain is
skipped for the next free one (SKIP LOCKED) rather than waited for. The global reading order,
`secuencia`, comes from a PostgreSQL sequence taken in the same statement (no lock, gaps
possible); on SQLite writers are serialized anyway and it stays contiguous (max + 1).
On PostgreSQL the event's INSERT and its head's UPDATE are one statement: an append is two
round trips inside its transaction (lock and read the head; write both), the fewest the
HMAC allows, since it is computed here, over the head's HMAC, with a key the database never sees.

A transaction keeps the chain of its first event for all its events: holding two heads
could deadlock with another transaction holding them the other way round.
"""

from __future__ import annotations

import uuid
import zlib

from flask import current_app
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from casos.auditoria.formato import GENESIS, calcular_hmac
from casos.auditoria.modelos import CabezaAuditoria, EventoAuditoria
from casos.bd import ahora
from casos.cripto import llavero_actual
from casos.extensiones import db

CADENAS_POR_DEFECTO = 8
_EVENTO = EventoAuditoria.__table__
_CABEZA = CabezaAuditoria.__table__
_CADENA_DE_LA_TRANSACCION = "auditoria_cadena"

# Built once: every audited request runs them (building a statement cost more than running it).
# PostgreSQL: the first free chain, the preferred one first; nextval outside the locking
# subquery, so it is taken once, for the row actually locked.
_TOMAR_LIBRE_PG = text("""
    SELECT c.cadena, c.eslabon, c.hmac, nextval('evento_auditoria_secuencia_seq') AS secuencia
    FROM (SELECT cadena, eslabon, hmac FROM cabeza_auditoria
          WHERE cadena BETWEEN 1 AND :n ORDER BY (cadena - :preferida + :n) % :n
          LIMIT 1 FOR UPDATE SKIP LOCKED) AS c""")
_ESPERAR_PG = text("""
    SELECT c.cadena, c.eslabon, c.hmac, nextval('evento_auditoria_secuencia_seq') AS secuencia
    FROM (SELECT cadena, eslabon, hmac FROM cabeza_auditoria WHERE cadena = :preferida
          FOR UPDATE) AS c""")
# SQLite: the write transaction (BEGIN IMMEDIATE) already holds the whole database.
_TOMAR_SQLITE = text("""
    SELECT cadena, eslabon, hmac,
           (SELECT coalesce(max(secuencia), 0) + 1 FROM evento_auditoria) AS secuencia
    FROM cabeza_auditoria WHERE cadena = :preferida""")
# Heads 1…n that are missing (AUDITORIA_CADENAS raised; the tests' TRUNCATE), each from its
# chain's last event if any, in one statement.
_CREAR_CABEZAS_PG = text("""
    INSERT INTO cabeza_auditoria (cadena, eslabon, hmac)
    SELECT c, coalesce(u.eslabon, 0), coalesce(u.hmac, :genesis)
    FROM generate_series(1, :n) AS c
    LEFT JOIN LATERAL (SELECT eslabon, hmac FROM evento_auditoria WHERE cadena = c
                       ORDER BY eslabon DESC LIMIT 1) AS u ON true
    ON CONFLICT (cadena) DO NOTHING""")
_CABEZAS_COMPLETAS = "auditoria_cabezas_completas"
# SQLite: the event, then its head moved, two statements.
_INSERTAR_EVENTO = insert(_EVENTO)
_MOVER_CABEZA = (update(_CABEZA).where(_CABEZA.c.cadena == bindparam("c_cadena"))
                 .values(eslabon=bindparam("n_eslabon"), hmac=bindparam("n_hmac")))
# PostgreSQL: both in one statement (an INSERT … RETURNING in a CTE feeding the head's
# UPDATE), one round trip fewer per event. The binds are prefixed: an UPDATE would turn a
# parameter named like one of its table's columns into a SET.
_CAMPOS_PG = tuple(columna.name for columna in _EVENTO.c)
_evento_pg = (insert(_EVENTO).values({c: bindparam("e_" + c, type_=_EVENTO.c[c].type) for c in _CAMPOS_PG})
              .returning(_EVENTO.c.cadena, _EVENTO.c.eslabon, _EVENTO.c.hmac).cte("evento"))
_ANEXAR_PG = (update(_CABEZA).where(_CABEZA.c.cadena == _evento_pg.c.cadena)
              .values(eslabon=_evento_pg.c.eslabon, hmac=_evento_pg.c.hmac).add_cte(_evento_pg))


def numero_de_cadenas() -> int:
    return max(1, int(current_app.config.get("AUDITORIA_CADENAS", CADENAS_POR_DEFECTO)))


def preferida(datos: dict, n: int) -> int:
    """The account's chain; an event without one (a failed login, a command) by its origin."""
    cuenta = datos.get("usuaria_id")
    if cuenta is not None:
        return 1 + uuid.UUID(str(cuenta)).int % n
    return 1 + zlib.crc32((datos.get("origen") or "").encode()) % n


def _crear_cabeza(ejecutor, cadena: int) -> None:
    """A chain beyond the migration's (AUDITORIA_CADENAS raised), or after the tests' TRUNCATE:
    its head starts at its last stored event, if any."""
    ultimo = ejecutor.execute(select(_EVENTO.c.eslabon, _EVENTO.c.hmac).where(_EVENTO.c.cadena == cadena)
                              .order_by(_EVENTO.c.eslabon.desc()).limit(1)).first()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as insertar
    else:
        from sqlalchemy.dialects.sqlite import insert as insertar
    ejecutor.execute(insertar(_CABEZA).values(
        cadena=cadena, eslabon=ultimo.eslabon if ultimo else 0, hmac=ultimo.hmac if ultimo else GENESIS)
        .on_conflict_do_nothing(index_elements=["cadena"]))


def _completar_cabezas(ejecutor, n: int) -> None:
    """Once per app and number of chains: a missing head would never be chosen on PostgreSQL,
    where only existing rows are candidates."""
    hechas = current_app.extensions.setdefault(_CABEZAS_COMPLETAS, set())
    if n not in hechas:
        ejecutor.execute(_CREAR_CABEZAS_PG, {"n": n, "genesis": GENESIS})
        hechas.add(n)


def _bloquear_cabeza(ejecutor, conexion, preferida_: int, n: int, postgresql: bool):
    transaccion = ejecutor.get_transaction()
    tenida = ejecutor.info.get(_CADENA_DE_LA_TRANSACCION)
    propia = tenida[1] if tenida is not None and tenida[0] is transaccion else None
    esperar = _ESPERAR_PG if postgresql else _TOMAR_SQLITE
    cabeza = None
    if postgresql and propia is None:
        cabeza = conexion.execute(_TOMAR_LIBRE_PG, {"n": n, "preferida": preferida_}).first()
        if cabeza is not None and cabeza.cadena != preferida_:
            _completar_cabezas(conexion, n)  # the preferred one was busy, or is missing
    cadena = propia if propia is not None else preferida_
    if cabeza is None:  # every chain busy: wait for the preferred one (or ours, if we hold one)
        cabeza = conexion.execute(esperar, {"preferida": cadena}).first()
    if cabeza is None:
        _crear_cabeza(conexion, cadena)
        cabeza = conexion.execute(esperar, {"preferida": cadena}).first()
    ejecutor.info[_CADENA_DE_LA_TRANSACCION] = (transaccion, cabeza.cadena)
    return cabeza


def anexar(ejecutor, datos: dict) -> dict:
    """`ejecutor` is the ORM session or a Core connection: whichever transaction must hold it.
    The statements run on its Core connection either way: the event is a plain row, and the
    session's execution layer would add CPU on every audited request and nothing else."""
    n = numero_de_cadenas()
    conexion = ejecutor.connection() if isinstance(ejecutor, Session) else ejecutor
    postgresql = conexion.dialect.name == "postgresql"
    cabeza = _bloquear_cabeza(ejecutor, conexion, preferida(datos, n), n, postgresql)
    # The time is taken under the lock, so a chain's order is also the order of `momento`.
    evento = {**datos, "id": uuid.uuid4(), "secuencia": cabeza.secuencia, "cadena": cabeza.cadena,
              "eslabon": cabeza.eslabon + 1, "momento": ahora()}
    evento["hmac"] = calcular_hmac(evento, cabeza.hmac, llavero_actual().auditoria)
    if postgresql:
        conexion.execute(_ANEXAR_PG, {"e_" + campo: evento[campo] for campo in _CAMPOS_PG})
    else:
        conexion.execute(_INSERTAR_EVENTO, evento)
        conexion.execute(_MOVER_CABEZA, {"c_cadena": cabeza.cadena, "n_eslabon": evento["eslabon"],
                                         "n_hmac": evento["hmac"]})
    return evento
