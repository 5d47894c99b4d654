"""Per-connection settings of the database engines."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from flujos import FLUJOS

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def configurar_motor(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _al_conectar(conexion_dbapi, _registro):
        # Hand transaction control to SQLAlchemy so BEGIN below is the one that runs.
        conexion_dbapi.isolation_level = None
        cursor = conexion_dbapi.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _al_comenzar(conexion):
        # A write transaction takes the lock up front: a deferred one that reads, then writes,
        # fails with SQLITE_BUSY without waiting when another writer went first, losing the
        # user's request. Reads stay deferred so they never wait for a writer (WAL).
        conexion.exec_driver_sql("BEGIN IMMEDIATE" if _escribiendo.get() else "BEGIN")


_escribiendo: ContextVar[bool] = ContextVar("escribiendo", default=False)


@contextmanager
def escritura():
    """Transactions begun inside this block are write transactions (BEGIN IMMEDIATE on SQLite)."""
    marca = _escribiendo.set(True)
    try:
        yield
    finally:
        _escribiendo.reset(marca)


ESCRIBIO = "escribio"  # session.info: this transaction has written (flushed, or run DML)


def anotar_escritura(sesion, *_argumentos) -> None:
    sesion.info[ESCRIBIO] = True


def vigilar_escrituras(sesion) -> None:
    """Note in `sesion.info` when its transaction writes, for `fuera_de_la_escritura`: a flush,
    or an INSERT, UPDATE or DELETE it executes (the bulk insert notes its own). After the flush,
    not `after_flush`: a flush listener would turn the bulk insert into a flush."""

    def al_ejecutar(estado):
        if estado.is_insert or estado.is_update or estado.is_delete:
            anotar_escritura(estado.session)

    def al_terminar(sesion_, transaccion):
        if transaccion.parent is None:
            sesion_.info.pop(ESCRIBIO, None)

    event.listen(sesion, "after_flush_postexec", anotar_escritura)
    event.listen(sesion, "do_orm_execute", al_ejecutar)
    event.listen(sesion, "after_transaction_end", al_terminar)


@contextmanager
def fuera_de_la_escritura():
    """Slow work that only reads (Argon2id, ~0.1–0.5 s of CPU), done before the request writes
    anything. On SQLite a POST's transaction holds the database's only write lock from its first
    statement, so every other writer (a session saved, an audit event) would wait the work out,
    and under a burst of logins fail after busy_timeout. The request's transaction ends here;
    the block reads in a deferred one of its own; the next statement begins the write
    transaction anew. What the block read may have changed by then: the caller reads it again.
    Refused once the request has changed anything, written or queued: ending its transaction
    would drop it without a word.
    """
    from casos.auditoria.servicios import PENDIENTES
    from casos.extensiones import db

    sesion = db.session
    if (sesion.new or sesion.dirty or sesion.deleted or sesion.info.get(ESCRIBIO)
            or sesion.info.get(PENDIENTES)):
        raise RuntimeError("fuera_de_la_escritura() va antes de cualquier cambio de la petición")
    sesion.rollback()
    marca = _escribiendo.set(False)
    try:
        yield
    finally:
        sesion.rollback()
        _escribiendo.reset(marca)


def marcar_peticion_de_escritura(metodo: str) -> None:
    """before_request: a state-changing request (POST…) writes; GET and HEAD only read."""
    _escribiendo.set(metodo not in ("GET", "HEAD", "OPTIONS"))


class FechaUTC(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, valor, _dialecto):
        if valor is None:
            return None
        if valor.tzinfo is None:
            raise ValueError("FechaUTC requiere una fecha con zona horaria")
        return valor.astimezone(timezone.utc)

    def process_result_value(self, valor, _dialecto):
        if valor is None:
            return None
        return valor.replace(tzinfo=timezone.utc) if valor.tzinfo is None else valor


def solo_valores_de(columna: str, catalogo) -> CheckConstraint:
    """A CHECK that keeps a categorical column within its catalogue (named after the column)."""
    return CheckConstraint(f"{columna} IN ({', '.join(repr(v) for v in catalogo)})", name=columna)


def solo_estados_de(flujo: str) -> CheckConstraint:
    """A CHECK that keeps `estado` within the states of the workflow `flujo` of flujos/ (the
    table's name): ck_<tabla>_estado. A state added there needs a migration that replaces it."""
    return solo_valores_de("estado", FLUJOS[flujo].estados)


def ahora() -> datetime:
    return datetime.now(timezone.utc)


def renderizar_tipo(tipo, objeto, _contexto):
    """Alembic autogenerate: migrations use plain SQL types, never the app's Python classes."""
    if tipo == "type" and isinstance(objeto, FechaUTC):
        return "sa.DateTime(timezone=True)"
    return False


def hoy_local() -> date:
    """Today as the caseworker lives it (America/Mexico_City), not the server's UTC date."""
    from flask import current_app

    return datetime.now(ZoneInfo(current_app.config["ZONA_HORARIA"])).date()
