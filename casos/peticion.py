"""The request boundary: what every route does around its own work, done once.

`atender` runs each route declared with objects or audit events (`@permiso(...)`): it loads
the declared objects through their scoped loaders (404 or `Rechazo`), writes the read event
before the view runs when the route shows personal data, then calls the view. `cambio` is
the one way a view commits: the services it calls queue their audit events
(`auditoria.al_confirmar`), the declared event is added if they queued none, everything is
committed together, and a refused move, a concurrent change or an erased case becomes a
clear Spanish message with nothing saved.

    with cambio("Orden de protección actualizada.") as hecho:
        servicios.actuar(orden, ...)
    return redirect(...)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash, g, make_response, request
from flask_login import current_user

from casos import auditoria
from casos.acceso import objetos
from casos.acceso.politica import EN_SERVICIO, Regla
from casos.cripto.campos import DatosEliminados
from casos.extensiones import db
from flujos import MovimientoIlegal

METODOS_DE_LECTURA = ("GET", "HEAD")


def atender(regla: Regla, vista: Callable, argumentos: dict):
    argumentos, cargado = objetos.cargar(regla.objetos, argumentos, current_user)
    if cargado is None and g.get("token_api") is not None:
        cargado = objetos.Cargado(None, g.token_api.id)  # which API token asked
    g.regla, g.cargado = regla, cargado
    lee = request.method in METODOS_DE_LECTURA
    if regla.lectura and lee:
        # Before anything is decrypted: nothing is shown without its trace.
        g.evento_lectura = auditoria.registrar_consulta(regla.lectura, **_ids(cargado))
    elif regla.lectura and regla.cambio is None:
        # A POST that only reads (a search): its event first, in its own commit.
        auditoria.registrar(regla.lectura, **_ids(cargado))
        db.session.commit()
    respuesta = vista(**argumentos)
    if regla.lectura and regla.cambio and not lee and not g.get("confirmado"):
        # A form sent back with its errors shows her data again: that is a read.
        respuesta = make_response(respuesta)
        if respuesta.status_code == 200:
            auditoria.registrar(regla.lectura, **_ids(cargado))
            db.session.commit()
    return respuesta


def _ids(cargado: objetos.Cargado | None) -> dict:
    return {"caso_id": cargado.caso_id, "objeto_id": cargado.objeto_id} if cargado else {}


@dataclass
class Hecho:
    """Whether the change was committed (a view re-renders its form when it was not), and
    the message to show if the block knows it better than the caller did."""

    ok: bool = False
    mensaje: str | None = None
    categoria: str | None = None


def mensaje_de(error: Exception) -> str:
    if isinstance(error, DatosEliminados):  # erased by someone else while she worked
        return objetos.ELIMINADO
    return str(error)


@contextmanager
def cambio(exito: str | Callable[[], str] | None = None, *, campo=None, categoria: str = "exito"):
    """Commit the block's changes with their audit events, or none of them. A refusal goes
    to `campo`'s errors (a form field) or to a flash message."""
    hecho = Hecho()
    try:
        yield hecho
    except (MovimientoIlegal, objetos.Rechazo, DatosEliminados) as error:
        db.session.rollback()
        if campo is not None:
            campo.errors.append(mensaje_de(error))
        else:
            flash(mensaje_de(error), "error")
        return
    # The route's declared event, unless its service queued it already (with more detail).
    # A route with several outcomes declares EN_SERVICIO: each service audits its own.
    regla: Regla | None = g.get("regla")
    if regla is not None and regla.cambio not in (None, EN_SERVICIO) and not auditoria.en_cola(regla.cambio):
        auditoria.al_confirmar(regla.cambio, **_ids(g.get("cargado")))
    db.session.commit()
    g.confirmado = hecho.ok = True
    mensaje = hecho.mensaje or (exito() if callable(exito) else exito)
    if mensaje:
        flash(mensaje, hecho.categoria or categoria)


def version_del_formulario() -> int:
    """The version of the row the person saw, carried by the form: a stale page loses."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise MovimientoIlegal("La página no está completa; recárguela e intente de nuevo.") from None


def numero_o_none(valor: str | None, *, digitos: int = 6) -> int | None:
    """A number typed in a URL: ASCII digits only ("²" and "٣" are digits to str.isdigit, and
    int() refuses the first), at most `digitos` of them."""
    if valor and valor.isascii() and valor.isdecimal() and len(valor) <= digitos:
        return int(valor)
    return None


def uuid_o_none(valor: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(valor) if valor else None
    except ValueError:
        return None
