"""The lean reference of the two hot pages (issue 14): the case page and the case list served
without the framework, to tell what Flask, the ORM and the layout cost from what the security
work costs. `en_proceso.py` measures both in one process.

It does the same security work as the app, in the same order:
- the server-side session: the cookie's token hashed, its row and account read (one
  statement), idle and absolute limits, an account that may no longer enter refused, the
  idle clock moved when 30 s behind (casos/cuentas/sesiones.py);
- the role's policy (`casos.consultar`) and the visibility rule of casos/acceso: her
  institution's cases (a blocked one only through an authorized read), and another's while a
  live referral and the woman's consent in force share them, never an erased or blocked one;
- one audit event per request, in the app's chains, format and HMAC (casos/auditoria/), so
  `flask auditoria verificar` accepts it, committed before anything is decrypted;
- the case's data key unwrapped and each field decrypted by casos/cripto/sobres.py.

Then one compiled Jinja template per page: the same information as the app's page, without
the layout, the forms and the links. Statements are SQLAlchemy Core `text()`, built once
(compiled once per engine); no ORM, no Flask, a plain WSGI callable. The pages' own reads and
templates are in referencia_paginas.py.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, DateTime, Uuid, bindparam, create_engine, text
from werkzeug.http import parse_cookie

from casos.acceso.politica import POLITICA
from casos.auditoria.formato import calcular_hmac
from casos.bd import configurar_motor, escritura
from casos.cripto import llavero as llaveros
from tests.rendimiento import referencia_paginas as paginas

U, F = Uuid(), DateTime(timezone=True)
RESOLUCION_ACTIVIDAD_S = 30  # as casos/cuentas/sesiones.py: the idle clock moves when this far behind

_SESION = text("""
    SELECT s.datos, s.creada_en, s.ultima_actividad, u.id AS usuaria_id, u.nombre, u.rol,
           u.institucion_id, u.activa, u.bloqueada_en, i.activa AS institucion_activa, i.tipo
    FROM sesion s LEFT JOIN usuaria u ON u.id = s.usuaria_id
    LEFT JOIN institucion i ON i.id = u.institucion_id
    WHERE s.id_hash = :id_hash""").columns(
    creada_en=F, ultima_actividad=F, usuaria_id=U, institucion_id=U, activa=Boolean,
    bloqueada_en=F, institucion_activa=Boolean)
_BORRAR_SESION = text("DELETE FROM sesion WHERE id_hash = :id_hash")
_MOVER_ACTIVIDAD = text("UPDATE sesion SET ultima_actividad = :momento WHERE id_hash = :id_hash").bindparams(
    bindparam("momento", type_=F))

# The audit chains (casos/auditoria/cadenas.py): the same statements on the same tables.
_TOMAR_LIBRE_PG = text("""
    SELECT c.cadena, c.eslabon, c.hmac, nextval('evento_auditoria_secuencia_seq') AS secuencia
    FROM (SELECT cadena, eslabon, hmac FROM cabeza_auditoria
          WHERE cadena BETWEEN 1 AND :n ORDER BY (cadena - :preferida + :n) % :n
          LIMIT 1 FOR UPDATE SKIP LOCKED) AS c""")
_ESPERAR_PG = text("""
    SELECT c.cadena, c.eslabon, c.hmac, nextval('evento_auditoria_secuencia_seq') AS secuencia
    FROM (SELECT cadena, eslabon, hmac FROM cabeza_auditoria WHERE cadena = :preferida
          FOR UPDATE) AS c""")
_TOMAR_SQLITE = text("""
    SELECT cadena, eslabon, hmac,
           (SELECT coalesce(max(secuencia), 0) + 1 FROM evento_auditoria) AS secuencia
    FROM cabeza_auditoria WHERE cadena = :preferida""")
_INSERTAR_EVENTO = text("""
    INSERT INTO evento_auditoria (id, secuencia, cadena, eslabon, momento, usuaria_id, rol,
        institucion_id, accion, caso_id, objeto_id, origen, motivo, hmac)
    VALUES (:id, :secuencia, :cadena, :eslabon, :momento, :usuaria_id, :rol, :institucion_id,
        :accion, :caso_id, :objeto_id, :origen, :motivo, :hmac)""").bindparams(
    *(bindparam(n, type_=U) for n in ("id", "usuaria_id", "institucion_id", "caso_id", "objeto_id")),
    bindparam("momento", type_=F))
_MOVER_CABEZA = text("UPDATE cabeza_auditoria SET eslabon = :eslabon, hmac = :hmac WHERE cadena = :cadena")


class NoEncontrado(Exception):
    """404: outside her scope, or no such page."""


@dataclass(frozen=True)
class Cuenta:
    id: uuid.UUID
    nombre: str
    rol: str
    institucion_id: uuid.UUID
    institucion_tipo: str


@dataclass(frozen=True)
class Ajustes:
    """What the reference reads of the app's configuration, once."""

    url: str
    opciones: dict
    cookie: str
    inactividad_s: float
    maxima_s: float
    cadenas: int
    claves: str
    zona: str

    @classmethod
    def de_la_app(cls, app) -> Ajustes:
        c = app.config
        return cls(c["SQLALCHEMY_DATABASE_URI"], dict(c.get("SQLALCHEMY_ENGINE_OPTIONS", {})),
                   c["SESSION_COOKIE_NAME"], c["SESION_INACTIVIDAD"].total_seconds(),
                   c["SESION_MAXIMA"].total_seconds(), max(1, int(c.get("AUDITORIA_CADENAS", 8))),
                   c["RUTA_CLAVES"], c["ZONA_HORARIA"])


def _motor(ajustes: Ajustes):
    """Its own engine with the app's per-connection settings (casos/bd.py): on SQLite the same
    PRAGMAs (synchronous=FULL makes each commit's cost) and BEGIN IMMEDIATE inside `escritura`."""
    motor = create_engine(ajustes.url, **ajustes.opciones)
    configurar_motor(motor)
    return motor


class Referencia:
    """The WSGI app: GET /casos/ and GET /casos/<id>, nothing else."""

    def __init__(self, ajustes: Ajustes):
        self.ajustes = ajustes
        self.motor = _motor(ajustes)
        self.postgresql = self.motor.dialect.name == "postgresql"
        self.llavero = llaveros.cargar(ajustes.claves)
        self.zona = ZoneInfo(ajustes.zona)
        self.paginas = paginas.Paginas(self.zona)

    # ---- WSGI ---------------------------------------------------------------------------------

    def __call__(self, entorno, responder):
        metodo, ruta = entorno.get("REQUEST_METHOD", "GET"), entorno.get("PATH_INFO", "")
        if metodo != "GET" or not ruta.startswith("/casos/"):
            return self._responder(responder, "404 NOT FOUND", b"no encontrada")
        token = parse_cookie(entorno.get("HTTP_COOKIE", "")).get(self.ajustes.cookie)
        try:
            cuerpo, galleta = self._atender(ruta.removeprefix("/casos/"), token, entorno)
        except NoEncontrado:
            return self._responder(responder, "404 NOT FOUND", b"no encontrada")
        except PermissionError:
            return self._responder(responder, "403 FORBIDDEN", b"prohibida")
        if cuerpo is None:
            return self._responder(responder, "302 FOUND", b"", [("Location", "/entrar")])
        cabeceras = [("Set-Cookie", f"{self.ajustes.cookie}={galleta}; HttpOnly; Path=/; SameSite=Lax")] if galleta else []
        return self._responder(responder, "200 OK", cuerpo.encode(), cabeceras)

    @staticmethod
    def _responder(responder, estado, cuerpo: bytes, cabeceras=()):
        responder(estado, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(cuerpo))),
                           ("Cache-Control", "no-store"), *cabeceras])
        return [cuerpo]

    # ---- one request --------------------------------------------------------------------------

    def _atender(self, resto: str, token: str | None, entorno) -> tuple[str | None, str | None]:
        caso_id = None
        if resto:
            try:
                caso_id = uuid.UUID(resto)
            except ValueError:
                raise NoEncontrado from None
        momento = datetime.now(timezone.utc)
        hoy = momento.astimezone(self.zona).date()
        origen = (entorno.get("REMOTE_ADDR") or "")[:64] or None
        with self.motor.connect() as conexion:
            with conexion.begin():
                sesion = self._sesion(conexion, token, momento)
                if sesion is None:
                    return None, None
                cuenta, ultima = sesion
                if cuenta.rol not in POLITICA["casos.consultar"]:
                    raise PermissionError
                if caso_id is not None:
                    caso = paginas.caso_visible(conexion, caso_id, cuenta, momento, hoy)
                    if caso is None:
                        raise NoEncontrado
                    accion = "caso.ver"
                else:
                    caso, accion = None, "casos.listar"
                if self.postgresql:  # in the request's transaction, as the app does there
                    self._auditar(conexion, cuenta, accion, caso_id, origen)
            if not self.postgresql:  # SQLite: a short write transaction of its own
                with escritura(), conexion.begin():
                    self._auditar(conexion, cuenta, accion, caso_id, origen)
            # Committed: only now is anything decrypted.
            with conexion.begin():
                if caso is not None:
                    html = self.paginas.caso(conexion, caso, cuenta, self.llavero, momento, hoy)
                else:
                    html = self.paginas.lista(conexion, cuenta, self.llavero, momento, hoy)
            galleta = None
            if (momento - ultima).total_seconds() > RESOLUCION_ACTIVIDAD_S:
                self._escribir(conexion, _MOVER_ACTIVIDAD, {"momento": momento, "id_hash": _hash(token)})
                galleta = token
        return html, galleta

    @staticmethod
    def _escribir(conexion, sentencia, parametros) -> None:
        with escritura(), conexion.begin():
            conexion.execute(sentencia, parametros)

    def _sesion(self, conexion, token: str | None, momento: datetime):
        """(Cuenta, last activity), or None: no session, ended, or an account that may no
        longer enter (its row deleted, as the app does)."""
        if not token or len(token) > 100:
            return None
        fila = conexion.execute(_SESION, {"id_hash": _hash(token)}).first()
        if fila is None:
            return None
        creada, ultima = _utc(fila.creada_en), _utc(fila.ultima_actividad)
        caducada = ((momento - ultima).total_seconds() > self.ajustes.inactividad_s
                    or (momento - creada).total_seconds() > self.ajustes.maxima_s)
        usable = (fila.usuaria_id is not None and fila.activa and fila.bloqueada_en is None
                  and fila.institucion_activa)
        if caducada or (fila.usuaria_id is not None and not usable):
            conexion.rollback()
            self._escribir(conexion, _BORRAR_SESION, {"id_hash": _hash(token)})
            return None
        # Flask-Login's user id in the session's data names the account; without it she is
        # anonymous (a login half done: the second factor still to come).
        if fila.usuaria_id is None or json.loads(fila.datos).get("_user_id") != str(fila.usuaria_id):
            return None
        return Cuenta(fila.usuaria_id, fila.nombre, fila.rol, fila.institucion_id, fila.tipo), ultima

    def _auditar(self, conexion, cuenta: Cuenta, accion: str, caso_id, origen) -> None:
        n = self.ajustes.cadenas
        preferida = 1 + cuenta.id.int % n
        cabeza = None
        if self.postgresql:
            cabeza = conexion.execute(_TOMAR_LIBRE_PG, {"n": n, "preferida": preferida}).first()
            if cabeza is None:
                cabeza = conexion.execute(_ESPERAR_PG, {"preferida": preferida}).first()
        else:
            cabeza = conexion.execute(_TOMAR_SQLITE, {"preferida": preferida}).first()
        if cabeza is None:  # the app creates missing heads; the reference expects them
            raise RuntimeError(f"falta la cabeza de la cadena {preferida}: abra una página en la app primero")
        evento = {"id": uuid.uuid4(), "secuencia": cabeza.secuencia, "cadena": cabeza.cadena,
                  "eslabon": cabeza.eslabon + 1, "momento": datetime.now(timezone.utc),
                  "usuaria_id": cuenta.id, "rol": cuenta.rol, "institucion_id": cuenta.institucion_id,
                  "accion": accion, "caso_id": caso_id, "objeto_id": None, "origen": origen, "motivo": None}
        evento["hmac"] = calcular_hmac(evento, cabeza.hmac, self.llavero.auditoria)
        conexion.execute(_INSERTAR_EVENTO, evento)
        conexion.execute(_MOVER_CABEZA, {"cadena": cabeza.cadena, "eslabon": evento["eslabon"],
                                         "hmac": evento["hmac"]})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(valor: datetime) -> datetime:
    """SQLite hands back naive UTC times (the app stores UTC): aware, as PostgreSQL's are."""
    return valor.replace(tzinfo=timezone.utc) if valor.tzinfo is None else valor

