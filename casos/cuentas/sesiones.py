"""Server-side, revocable sessions stored in the database.

The cookie carries only a random token; the table keeps its SHA-256, the data and the account.
Deleting an account's rows ends every session it has on the next request, whatever cookie is
replayed. Writes use their own short transaction, apart from the view's unit of work.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import timedelta
from functools import cache

from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import bindparam, delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from casos.bd import ahora, escritura, marcar_peticion_de_escritura
from casos.extensiones import db

# Refreshing the idle clock on every request would write on every request, so it is moved
# only when it is this much behind. The stored time is then at most this much older than the
# last request: a session ends after between 14.5 and 15 minutes without requests (with
# SESION_INACTIVIDAD = 15 min), never later.
RESOLUCION_ACTIVIDAD = timedelta(seconds=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SesionServidor(CallbackDict, SessionMixin):
    def __init__(self, datos=None, token: str | None = None, ultima_actividad=None, cuenta=None):
        def al_cambiar(_self):
            _self.modified = True

        super().__init__(datos or {}, al_cambiar)
        self.token = token
        self.ultima_actividad = ultima_actividad
        # The account read with the row. The ORM's identity map holds weak references: this
        # one keeps it there until the user loader's `db.session.get` finds it (no SELECT).
        self.cuenta = cuenta
        self.modified = False
        self.regenerar = False

    @property
    def nueva(self) -> bool:
        return self.token is None


def regenerar(sesion) -> None:
    """Give the session a new id (at login): a token planted before login becomes useless."""
    sesion.regenerar = True
    sesion.modified = True


def revocar_sesiones(usuaria_id, *, salvo_token: str | None = None) -> None:
    """End every session of an account, inside the caller's transaction."""
    from casos.cuentas.modelos import Sesion

    consulta = delete(Sesion).where(Sesion.usuaria_id == usuaria_id)
    if salvo_token:
        consulta = consulta.where(Sesion.id_hash != _hash(salvo_token))
    db.session.execute(consulta)


def cuenta_utilizable(cuenta) -> bool:
    """Whether an account's sessions may still be used. Locking, deactivating or resetting an
    account deletes its sessions in the same transaction (revocar_sesiones); this refuses a row
    that survived anyway (a request racing the change, a lock written by hand), so a stolen
    cookie is worthless once the account may no longer enter."""
    return cuenta.activa and cuenta.bloqueada_en is None and cuenta.institucion.activa


def purgar_caducadas(app) -> int:
    from casos.cuentas.modelos import Sesion

    limite_inactividad = ahora() - app.config["SESION_INACTIVIDAD"]
    limite_absoluto = ahora() - app.config["SESION_MAXIMA"]
    with escritura(), db.engine.begin() as conexion:
        return conexion.execute(delete(Sesion).where(
            (Sesion.ultima_actividad < limite_inactividad) | (Sesion.creada_en < limite_absoluto)
        )).rowcount


@cache
def _sesion_y_cuenta():
    """Built once, on first use (an ORM statement needs every model mapped): every request
    with a cookie runs it, and building it cost more than running it."""
    from casos.cuentas.modelos import Sesion, Usuaria

    return (select(Sesion.datos, Sesion.creada_en, Sesion.ultima_actividad, Usuaria)
            .outerjoin(Usuaria, Usuaria.id == Sesion.usuaria_id)
            .where(Sesion.id_hash == bindparam("id_hash")))


class InterfazSesionServidor(SessionInterface):
    def open_session(self, app, request):
        from casos.cuentas.modelos import Sesion

        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return SesionServidor()
        # The row and its account in one statement, in the request's own transaction (marked
        # first, since it begins here: a POST's takes the write lock up front, casos/bd.py).
        # The user loader then finds the account in the identity map: no second connection,
        # transaction or SELECT per request.
        marcar_peticion_de_escritura(request.method)
        fila = db.session.execute(_sesion_y_cuenta(), {"id_hash": _hash(token)}).first()
        if fila is None:
            return SesionServidor()
        momento = ahora()
        motivo = ("inactividad" if momento - fila.ultima_actividad > app.config["SESION_INACTIVIDAD"]
                  else "maxima" if momento - fila.creada_en > app.config["SESION_MAXIMA"] else None)
        vetada = fila.Usuaria is not None and not cuenta_utilizable(fila.Usuaria)
        if motivo or vetada:
            # End the request's transaction first: on SQLite a POST's holds the write lock,
            # which the DELETE's own transaction would otherwise wait for until it times out.
            db.session.close()
            _escribir(delete(Sesion).where(Sesion.id_hash == _hash(token)))
            sesion = SesionServidor()
            if motivo:
                sesion["_caducada"] = motivo  # read by the login redirect to say why
            else:
                sesion.modified = True  # so the response deletes the cookie
            return sesion
        return SesionServidor(json.loads(fila.datos), token, fila.ultima_actividad, fila.Usuaria)

    def save_session(self, app, session: SesionServidor, response):
        from casos.cuentas.modelos import Sesion

        # The view has committed; end its transaction so it holds no lock while we write.
        db.session.close()
        nombre = self.get_cookie_name(app)
        dominio = self.get_cookie_domain(app)
        ruta = self.get_cookie_path(app)
        session.pop("_caducada", None)

        if not session:
            if not session.nueva:
                _escribir(delete(Sesion).where(Sesion.id_hash == _hash(session.token)))
            if session.modified or not session.nueva:
                response.delete_cookie(nombre, domain=dominio, path=ruta)
            return

        # Decide first, then open a write transaction only if there is something to write:
        # most requests change nothing, and on SQLite even an empty write transaction takes
        # the database's only write lock, queueing behind (and ahead of) every other writer.
        momento = ahora()
        sentencias = []
        if session.nueva or session.regenerar:
            if not session.nueva:
                sentencias.append(delete(Sesion).where(Sesion.id_hash == _hash(session.token)))
            session.token = secrets.token_urlsafe(32)
            sentencias.append(insert(Sesion).values(
                id_hash=_hash(session.token), usuaria_id=_usuaria_id(session),
                datos=_datos(session), creada_en=momento, ultima_actividad=momento))
        elif session.modified:
            sentencias.append(update(Sesion).where(Sesion.id_hash == _hash(session.token)).values(
                datos=_datos(session), usuaria_id=_usuaria_id(session), ultima_actividad=momento))
        elif momento - session.ultima_actividad > RESOLUCION_ACTIVIDAD:
            sentencias.append(update(Sesion).where(Sesion.id_hash == _hash(session.token))
                              .values(ultima_actividad=momento))
        else:
            return
        _escribir(*sentencias)
        response.set_cookie(
            nombre, session.token, domain=dominio, path=ruta,
            httponly=self.get_cookie_httponly(app), secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )


def _escribir(*sentencias) -> None:
    """The store's writes: a short write transaction of their own, apart from the view's."""
    with escritura(), db.engine.begin() as conexion:
        for sentencia in sentencias:
            conexion.execute(sentencia)


def _datos(session: SesionServidor) -> str:
    return json.dumps(dict(session), default=str)


def _usuaria_id(session: SesionServidor) -> uuid.UUID | None:
    return uuid.UUID(session["_user_id"]) if session.get("_user_id") else None
