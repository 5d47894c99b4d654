"""Appending to the audit chain, and verifying it.

Each event's HMAC-SHA256 covers a canonical serialization of its own fields plus the previous
event's HMAC, under the "auditoria" key of the key file (never in the database): whoever can
write to the database but lacks the key can't edit, reorder or delete an event unnoticed.

Appends take turns on the one-row `cabeza_auditoria` (SELECT … FOR UPDATE on PostgreSQL;
on SQLite the write transaction, BEGIN IMMEDIATE, already serializes writers), so concurrent
writers never fork the chain nor repeat a `secuencia`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import bindparam, insert, select, update

from casos.auditoria.acciones import ACCIONES
from casos.auditoria.modelos import CabezaAuditoria, EventoAuditoria
from casos.auditoria.motivos import datos_personales_en
from casos.bd import ahora, escritura
from casos.cripto import llavero_actual
from casos.extensiones import db

GENESIS = "0" * 64  # the "previous HMAC" of the first event
VERSION_FORMATO = 1
CAMPOS = ("id", "secuencia", "momento", "usuaria_id", "rol", "institucion_id", "accion",
          "caso_id", "objeto_id", "origen", "motivo")
ORIGEN_CLI = "cli"
METODOS_DE_LECTURA = ("GET", "HEAD", "OPTIONS")

_EVENTO = EventoAuditoria.__table__
_CABEZA = CabezaAuditoria.__table__
# Built once: every audited request runs these three, and building a statement (and its cache
# key) each time cost more than executing it. Parameters travel apart, at execution.
_LEER_CABEZA = select(_CABEZA.c.secuencia, _CABEZA.c.hmac).where(_CABEZA.c.id == 1).with_for_update()
_INSERTAR_EVENTO = insert(_EVENTO)
_MOVER_CABEZA = (update(_CABEZA).where(_CABEZA.c.id == 1)
                 .values(secuencia=bindparam("n_secuencia"), hmac=bindparam("n_hmac")))


# ---- the chain -------------------------------------------------------------------------------

def _texto(valor):
    if isinstance(valor, uuid.UUID):
        return str(valor)
    if isinstance(valor, datetime):
        return valor.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return valor


def canonico(evento: Mapping, anterior: str) -> bytes:
    """Sorted-key compact JSON: the same bytes whoever reads the row back, on either engine."""
    contenido = {campo: _texto(evento[campo]) for campo in CAMPOS}
    contenido.update(anterior=anterior, v=VERSION_FORMATO)
    return json.dumps(contenido, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def calcular_hmac(evento: Mapping, anterior: str, clave: bytes) -> str:
    return hmac.new(clave, canonico(evento, anterior), hashlib.sha256).hexdigest()


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


def _insertar_cabeza(ejecutor, secuencia: int, valor_hmac: str) -> None:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as insertar
    else:
        from sqlalchemy.dialects.sqlite import insert as insertar
    ejecutor.execute(insertar(_CABEZA).values(id=1, secuencia=secuencia, hmac=valor_hmac)
                     .on_conflict_do_nothing(index_elements=["id"]))


def _bloquear_cabeza(ejecutor):
    cabeza = ejecutor.execute(_LEER_CABEZA).first()
    if cabeza is None:
        # The migration creates the row; only emptying the tables by hand (the tests'
        # TRUNCATE) removes it. Start again from the last event, if any is left.
        ultimo = ejecutor.execute(select(_EVENTO.c.secuencia, _EVENTO.c.hmac)
                                  .order_by(_EVENTO.c.secuencia.desc()).limit(1)).first()
        _insertar_cabeza(ejecutor, ultimo.secuencia if ultimo else 0, ultimo.hmac if ultimo else GENESIS)
        cabeza = ejecutor.execute(_LEER_CABEZA).first()
    return cabeza


def _anexar(ejecutor, datos: dict) -> dict:
    """`ejecutor` is the ORM session or a Core connection: whichever transaction must hold it."""
    cabeza = _bloquear_cabeza(ejecutor)
    # The time is taken under the lock, so the chain's order is also the order of `momento`.
    evento = {**datos, "id": uuid.uuid4(), "secuencia": cabeza.secuencia + 1, "momento": ahora()}
    evento["hmac"] = calcular_hmac(evento, cabeza.hmac, llavero_actual().auditoria)
    ejecutor.execute(_INSERTAR_EVENTO, evento)
    ejecutor.execute(_MOVER_CABEZA, {"n_secuencia": evento["secuencia"], "n_hmac": evento["hmac"]})
    return evento


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
    return _anexar(db.session, datos)


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
    at once in its own short write transaction (BEGIN IMMEDIATE on SQLite), apart from the
    request's deferred read transaction. Call it before showing anything: if the event can't
    be written, the request fails and nothing is shown without its trace."""
    if has_request_context() and request.method not in METODOS_DE_LECTURA:
        # A POST holds the SQLite write lock in its own transaction: a second one would wait
        # for it until the busy timeout. Changes are recorded with `registrar`.
        raise RuntimeError("En una petición que escribe use auditoria.registrar.")
    datos = _datos(accion, caso_id=caso_id, motivo=None, usuaria=usuaria, objeto_id=objeto_id)
    with escritura(), db.engine.begin() as conexion:
        return _anexar(conexion, datos)


# ---- exporting the head and verifying ------------------------------------------------------

@dataclass(frozen=True)
class Cabeza:
    secuencia: int
    hmac: str
    momento: datetime | None = None

    def como_json(self) -> str:
        return json.dumps({"secuencia": self.secuencia, "hmac": self.hmac,
                           "momento": _texto(self.momento)}, ensure_ascii=True)

    @classmethod
    def de_json(cls, texto: str) -> Cabeza:
        try:
            datos = json.loads(texto)
            secuencia, valor = datos["secuencia"], datos["hmac"]
        except (ValueError, TypeError, KeyError):
            raise ValueError("no es el JSON que imprime «auditoria cabeza»") from None
        if (not isinstance(secuencia, int) or isinstance(secuencia, bool) or secuencia < 0
                or not isinstance(valor, str) or len(valor) != 64):
            raise ValueError("se esperaban «secuencia» (entero) y «hmac» (64 caracteres hex)")
        return cls(secuencia, valor.lower())


def cabeza_actual() -> Cabeza:
    """The last event (secuencia 0 and the genesis value when there is none), for export."""
    ultimo = db.session.execute(
        select(_EVENTO.c.secuencia, _EVENTO.c.hmac, _EVENTO.c.momento)
        .order_by(_EVENTO.c.secuencia.desc()).limit(1)).first()
    return Cabeza(*ultimo) if ultimo else Cabeza(0, GENESIS)


@dataclass(frozen=True)
class Rotura:
    """The first broken link. `secuencia`/`id` name the event where the chain breaks
    (for a truncated tail: the first missing secuencia, and no id)."""

    secuencia: int | None
    id: uuid.UUID | None
    motivo: str


@dataclass(frozen=True)
class Resultado:
    eventos: int  # how many verified before the break, or in all
    ultimo: Cabeza | None
    rotura: Rotura | None

    @property
    def integra(self) -> bool:
        return self.rotura is None


def verificar(exportada: Cabeza | None = None, *, lote: int = 1000) -> Resultado:
    """Walk the whole chain in order; stop at the first broken link.

    The stored head row is read before the events, so events appended meanwhile don't look
    like a mismatch; it and the `exportada` head must both be events of the chain: when the
    last events were deleted, the chain itself still looks whole, and only a head kept
    elsewhere tells that something is missing."""
    clave = llavero_actual(recargar=True).auditoria
    guardada = db.session.execute(
        select(_CABEZA.c.secuencia, _CABEZA.c.hmac).where(_CABEZA.c.id == 1)).first()
    referencias = [(Cabeza(guardada.secuencia, guardada.hmac), "la cabeza guardada en la base")
                   ] if guardada else []
    if exportada is not None:
        referencias.append((exportada, "la cabeza exportada"))
    buscadas = {referencia.secuencia for referencia, _ in referencias}
    vistos: dict[int, tuple[str, uuid.UUID]] = {}

    anterior, esperado, ultimo, desde = GENESIS, 1, None, None
    while True:
        consulta = select(_EVENTO).order_by(_EVENTO.c.secuencia).limit(lote)
        if desde is not None:
            consulta = consulta.where(_EVENTO.c.secuencia > desde)
        filas = db.session.execute(consulta).mappings().all()
        for fila in filas:
            if fila["secuencia"] != esperado:
                motivo = (f"falta el evento de secuencia {esperado}: fue borrado"
                          if fila["secuencia"] > esperado else
                          f"su secuencia no sigue a la del evento anterior ({esperado - 1})")
                return Resultado(esperado - 1, ultimo, Rotura(fila["secuencia"], fila["id"], motivo))
            if not hmac.compare_digest(calcular_hmac(fila, anterior, clave), fila["hmac"]):
                return Resultado(esperado - 1, ultimo, Rotura(
                    fila["secuencia"], fila["id"],
                    "su HMAC no corresponde a su contenido y al evento anterior: "
                    "el evento fue modificado, reordenado o sustituido"))
            if fila["secuencia"] in buscadas:
                vistos[fila["secuencia"]] = (fila["hmac"], fila["id"])
            anterior, esperado = fila["hmac"], esperado + 1
            ultimo = Cabeza(fila["secuencia"], fila["hmac"], fila["momento"])
        if len(filas) < lote:
            break
        desde = filas[-1]["secuencia"]

    total = esperado - 1
    if guardada is None and total:
        return Resultado(total, ultimo, Rotura(None, None, "falta la fila de cabeza_auditoria"))
    for referencia, nombre in referencias:
        if referencia.secuencia == 0:
            if referencia.hmac != GENESIS:
                return Resultado(total, ultimo, Rotura(0, None, f"{nombre} no es válida"))
            continue
        if referencia.secuencia > total:
            return Resultado(total, ultimo, Rotura(
                total + 1, None,
                f"faltan eventos al final: {nombre} es la secuencia {referencia.secuencia}, "
                f"pero el último evento guardado es el {total}"))
        valor, identificador = vistos[referencia.secuencia]
        if not hmac.compare_digest(valor, referencia.hmac):
            return Resultado(total, ultimo, Rotura(
                referencia.secuencia, identificador,
                f"el evento no es el que indica {nombre}: la cadena fue reescrita desde aquí"))
    return Resultado(total, ultimo, None)
