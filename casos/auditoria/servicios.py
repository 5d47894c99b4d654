"""Recording events: in the transaction of the change they audit, or at once for a read.

Each event's HMAC-SHA256 covers a canonical serialization of its own fields plus the previous
event's HMAC in its chain, under the "auditoria" key of the key file (never in the database):
whoever can write to the database but lacks the key can't edit, reorder or delete an event
unnoticed. Which chain, and how appenders take turns on its head: casos/auditoria/cadenas.py.
Verifying: verificacion.py; the roots over every chain's head: raices.py.
"""

from __future__ import annotations

import uuid

from flask import has_request_context, request
from flask_login import current_user

from casos.auditoria import cadenas
from casos.auditoria.acciones import ACCIONES
from casos.auditoria.motivos import datos_personales_en
from casos.bd import escritura
from casos.extensiones import db

ORIGEN_CLI = "cli"
METODOS_DE_LECTURA = ("GET", "HEAD", "OPTIONS")
_anexar = cadenas.anexar  # one name to replace in the tests that make the trail fail


# ---- appending -------------------------------------------------------------------------------

def _uuid(valor) -> uuid.UUID | None:
    # A string id would serialize differently once read back as a UUID (case, hyphens).
    return None if valor is None else valor if isinstance(valor, uuid.UUID) else uuid.UUID(str(valor))


def _datos(accion: str, *, caso_id, motivo, usuaria, objeto_id) -> dict:
    if accion not in ACCIONES:
        raise ValueError(f"acción de auditoría desconocida: {accion}")
    if datos_personales_en(motivo):  # the form refuses it first; this is the last line
        raise ValueError("el motivo de un evento de auditoría no puede llevar datos personales")
    if usuaria is None and has_request_context() and current_user.is_authenticated:
        usuaria = current_user
    return {
        "usuaria_id": usuaria.id if usuaria is not None else None,
        "rol": usuaria.rol if usuaria is not None else None,
        "institucion_id": usuaria.institucion_id if usuaria is not None else None,
        "accion": accion,
        "caso_id": _uuid(caso_id),
        "objeto_id": _uuid(objeto_id),
        "origen": ((request.remote_addr or "")[:64] or None) if has_request_context() else ORIGEN_CLI,
        "motivo": (motivo or "").strip() or None,
    }


def registrar(accion: str, *, caso_id=None, motivo: str | None = None, usuaria=None,
              objeto_id=None) -> dict:
    """Append an event to the caller's transaction and flush; the caller commits, so a
    rollback leaves neither the change nor its event.

    `usuaria` defaults to the logged-in account. `motivo` is only for a legal ground the user
    gives (crypto-shredding), never personal data: the trail can't be erased.
    Call it last, just before the commit: the chain head stays locked until then, and taking
    it after every other lock of the transaction rules out deadlocks.
    """
    if has_request_context() and request.method in METODOS_DE_LECTURA:
        # On SQLite a GET's transaction is deferred (casos/bd.py): writing in it could fail
        # with SQLITE_BUSY; and holding the head while a page renders would queue everyone.
        raise RuntimeError("En una petición de solo lectura use auditoria.registrar_consulta.")
    datos = _datos(accion, caso_id=caso_id, motivo=motivo, usuaria=usuaria, objeto_id=objeto_id)
    db.session.flush()  # the transaction's own writes first: their locks before the head's
    return _anexar(db.session(), datos)


PENDIENTES = "auditoria_pendiente"


def al_confirmar(accion: str, *, caso_id=None, objeto_id=None, usuaria=None, motivo: str | None = None) -> None:
    """How a service audits a change: the event joins the chain when the transaction commits
    (`escribir_pendientes`, a before_commit hook), so the chain's lock is the last one taken
    (no deadlock), and a rollback leaves neither the change nor its event. The code is checked
    now, where the mistake is."""
    if accion not in ACCIONES:
        raise ValueError(f"acción de auditoría desconocida: {accion}")
    if datos_personales_en(motivo):
        raise ValueError("el motivo de un evento de auditoría no puede llevar datos personales")
    db.session.info.setdefault(PENDIENTES, []).append(
        (accion, {"caso_id": caso_id, "objeto_id": objeto_id, "usuaria": usuaria, "motivo": motivo}))


def en_cola(accion: str) -> bool:
    return any(codigo == accion for codigo, _ in db.session.info.get(PENDIENTES, ()))


def escribir_pendientes(sesion) -> None:
    """before_commit hook: the queued events join the audit chain in the same transaction.
    Releasing a SAVEPOINT (begin_nested) fires the hook too: the events wait for the real
    commit, so the chain's head stays the last lock taken and nothing is written twice."""
    if sesion.in_nested_transaction():
        return
    for accion, datos in sesion.info.pop(PENDIENTES, []):
        registrar(accion, **datos)


def descartar_pendientes(sesion, *_args) -> None:
    """after_rollback hook: a change rolled back leaves no event either."""
    sesion.info.pop(PENDIENTES, None)


def registrar_consulta(accion: str, *, caso_id=None, usuaria=None, objeto_id=None) -> dict:
    """For read-only requests (GET: viewing a case, the audit pages): the event is committed
    at once. Call it before showing anything: if the event can't be written, the request
    fails and nothing is shown without its trace.

    On PostgreSQL, in a request, it is appended and committed in the request's own
    transaction (one connection per request, the head held for the append only). On SQLite,
    and outside a request, in a short write transaction of its own (BEGIN IMMEDIATE): a GET's
    transaction there is deferred and has read already, and turning it into a write fails at
    once with SQLITE_BUSY when another writer committed since (busy_timeout can't help)."""
    if has_request_context() and request.method not in METODOS_DE_LECTURA:
        # A POST holds the SQLite write lock in its own transaction: a second one would wait
        # for it until the busy timeout. Changes are recorded with `registrar`.
        raise RuntimeError("En una petición que escribe use auditoria.registrar.")
    datos = _datos(accion, caso_id=caso_id, motivo=None, usuaria=usuaria, objeto_id=objeto_id)
    if has_request_context() and db.engine.dialect.name == "postgresql":
        sesion = db.session()
        if not (sesion.new or sesion.deleted or any(sesion.is_modified(o) for o in sesion.dirty)):
            return _en_la_transaccion_de(sesion, datos)
    with escritura(), db.engine.begin() as conexion:
        return _anexar(conexion, datos)


def _en_la_transaccion_de(sesion, datos: dict) -> dict:
    """Commit the event in the request's transaction. It wrote nothing else (checked by the
    caller), so what it loaded stays loaded: expiring it would reload the case and the account."""
    evento = _anexar(sesion, datos)
    expirar = sesion.expire_on_commit
    sesion.expire_on_commit = False
    try:
        sesion.commit()
    finally:
        sesion.expire_on_commit = expirar
    return evento
