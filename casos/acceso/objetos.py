"""Scoped loaders: the only way a view reaches a domain object.

A route declares its objects beside its permission, by URL argument and purpose:

    @permiso("casos.registrar", caso_id=ESCRIBIR, lectura="caso.ver")
    def valoracion(caso): ...

and `preparar` loads each through its loader here, which knows the person's role and
institution, the referral's state and the woman's consent: an object outside her scope is
404 (not even its existence leaks), an object she may see but not change this way is a
`Rechazo` with a Spanish reason. A URL argument without a loader is a programming error, so
a route added next year can't reach an object around this module (a test walks the URL map).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g, url_for
from sqlalchemy import and_, or_, select

from casos.acceso.casos import caso_visible, documentos_de, vista_de, vista_de_canalizacion
from casos.extensiones import db

LEER = "leer"
PROPIO = "propio"  # the owning institution only, erased or not (who accessed her case)
ESCRIBIR = "escribir"  # the owning institution changes the case or something hanging from it
RESPONDER = "responder"  # either side of a referral moves it (flujos decides which side may what)
ATENDER = "atender"  # the receiving institution records a service under its referral while live
ADJUNTAR = "adjuntar"  # either side attaches a file to a referral (the receiver while it is live)
BLOQUEADO = "bloqueado"  # the owning institution asks to read a case the retention schedule blocked
RESOLVER = "resolver"  # a supervisora approves or rejects a request of her institution
RETIRAR = "retirar"  # the author withdraws her own request
ADMINISTRAR = "administrar"  # an account, an institution or an API token, by the admin (the route's policy)
TRAMITAR = "tramitar"  # the transparency officer moves an ARCO request (not once its case was erased)
# The officer exercises a granted right on her data: the acceso document, the rectificación form.
EJERCER_ACCESO = "ejercer_acceso"
EJERCER_RECTIFICACION = "ejercer_rectificacion"
_DERECHO_DEL_MODO = {EJERCER_ACCESO: "acceso", EJERCER_RECTIFICACION: "rectificacion"}

ELIMINADO = ("Los datos personales de este caso fueron eliminados: ya no admite valoraciones, "
             "órdenes, canalizaciones ni otros cambios.")
BLOQUEADO_MENSAJE = ("Este caso está bloqueado: se cerró hace más tiempo del que su institución conserva los casos "
                     "abiertos a consulta. Solo se lee con una lectura que el administrador autorice, con su "
                     "fundamento; nada en él se puede cambiar.")
NO_ES_SUYO = ("Su institución ve este caso por una canalización: solo la institución que lo registró "
              "puede valorar el riesgo, registrar órdenes, canalizarlo o cambiarlo.")


class Rechazo(Exception):
    """Seen, but not allowed this way: a 403 page with its message; or, with `volver` (the
    case was erased while she worked on a form), a message back on the object's page."""

    def __init__(self, mensaje: str, volver: str | None = None, codigo: int = 403,
                 enlace: tuple[str, str] | None = None):
        super().__init__(mensaje)
        self.mensaje, self.volver, self.codigo = mensaje, volver, codigo
        self.enlace = enlace  # (text, address): what she can do instead, on the error page


@dataclass(frozen=True)
class Cargado:
    """What the audit event of the request names: the case, and the object when it is not
    the case itself."""

    caso_id: uuid.UUID | None
    objeto_id: uuid.UUID | None


def _pagina_del_caso(caso_id) -> str:
    return url_for("expedientes.ver", caso_id=caso_id)


def caso(caso_id, modo: str, usuaria):
    from casos.conservacion import autorizar_en_esta_peticion

    if modo == BLOQUEADO:
        return _bloqueado(caso_id, usuaria)
    encontrado = caso_visible(caso_id, usuaria)
    if encontrado is None:
        _si_esta_bloqueado(caso_id, usuaria)
        abort(404)
    if encontrado.bloqueado:  # found: through a read the admin authorized her, read-only
        if modo != LEER:
            raise Rechazo(BLOQUEADO_MENSAJE, _pagina_del_caso(caso_id), codigo=423)
        autorizar_en_esta_peticion(encontrado.id)
    g.vista = vista = vista_de(encontrado, usuaria)
    if modo in (ESCRIBIR, PROPIO):
        if not vista.propia:  # no form of hers leads here: a plain 403 with the reason
            raise Rechazo(NO_ES_SUYO)
        if vista.eliminado and modo == ESCRIBIR:
            raise Rechazo(ELIMINADO, _pagina_del_caso(caso_id), codigo=410)
    elif modo != LEER:
        raise ValueError(modo)
    return encontrado, Cargado(encontrado.id, None)


def _de_su_institucion_bloqueado(caso_id, usuaria):
    from casos.acceso.politica import puede
    from casos.expedientes.modelos import Caso

    if not isinstance(caso_id, uuid.UUID) or not puede(usuaria, "casos.consultar"):
        return None
    return db.session.scalar(select(Caso).where(
        Caso.id == caso_id, Caso.institucion_id == usuaria.institucion_id, Caso.bloqueado_en.is_not(None),
        Caso.datos_eliminados_en.is_(None)))


def _si_esta_bloqueado(caso_id, usuaria) -> None:
    """Her own institution's blocked case is not "not found" to her: it says why, and where
    to ask for a read. To anyone else it does not exist."""
    if _de_su_institucion_bloqueado(caso_id, usuaria) is not None:
        raise Rechazo(BLOQUEADO_MENSAJE, codigo=423, enlace=(
            "Pedir una lectura autorizada", url_for("conservacion.pedir_lectura", caso_id=caso_id)))


def _bloqueado(caso_id, usuaria):
    """The form that asks for a read loads the case without opening it (nothing decrypted)."""
    encontrado = _de_su_institucion_bloqueado(caso_id, usuaria)
    if encontrado is None:
        abort(404)
    return encontrado, Cargado(encontrado.id, None)


def canalizacion(canalizacion_id, modo: str, usuaria):
    """Only the two institutions of a referral know it exists; the receiving one, only once it
    was sent (a draft or a request awaiting approval is still the sender's business)."""
    from casos.canalizaciones.modelos import Canalizacion

    encontrada = db.session.scalar(select(Canalizacion).where(
        Canalizacion.id == canalizacion_id,
        or_(Canalizacion.origen_id == usuaria.institucion_id,
            and_(Canalizacion.destino_id == usuaria.institucion_id,
                 Canalizacion.enviada_en.is_not(None)))))
    if encontrada is None:
        abort(404)
    if modo in (RESPONDER, ATENDER, ADJUNTAR):
        if encontrada.caso.datos_eliminados:
            raise Rechazo(ELIMINADO, url_for("canalizaciones.ver", canalizacion_id=canalizacion_id), codigo=410)
        if encontrada.caso.bloqueado:
            raise Rechazo(BLOQUEADO_MENSAJE, url_for("canalizaciones.ver", canalizacion_id=canalizacion_id),
                          codigo=423)
        if modo == ATENDER:
            _atiende(encontrada, usuaria)
        if modo == ADJUNTAR and (motivo := impedimento_al_adjuntar(encontrada, usuaria)):
            raise Rechazo(motivo, url_for("canalizaciones.ver", canalizacion_id=canalizacion_id))
    elif modo != LEER:
        raise ValueError(modo)
    return encontrada, Cargado(encontrada.caso_id, encontrada.id)


def _atiende(canalizacion, usuaria) -> None:
    """Services under a referral are the receiving institution's, once it accepted and while
    the referral is live (the owner records hers on the case)."""
    from flujos.canalizacion import VIGENTES

    if canalizacion.destino_id != usuaria.institucion_id:
        raise Rechazo("Las atenciones de esta canalización las registra la institución que la recibió; "
                      "las de su institución se registran en el caso.")
    if canalizacion.estado not in VIGENTES:
        raise Rechazo("Su institución registra atenciones en esta canalización una vez que la acepta "
                      "y mientras siga vigente (aceptada o con contrarreferencia).",
                      url_for("canalizaciones.ver", canalizacion_id=canalizacion.id))


def impedimento_al_adjuntar(canalizacion, usuaria) -> str | None:
    """Why she can't attach a file to this referral now, or None. The sender, to any referral
    of her case; the receiving institution (its answer, its own reports) once it accepted,
    while the referral is live and her consent lets it read her data."""
    from flujos.canalizacion import VIGENTES

    if canalizacion.caso.datos_eliminados:
        return ELIMINADO
    if canalizacion.caso.bloqueado:
        return BLOQUEADO_MENSAJE
    if canalizacion.destino_id == usuaria.institucion_id and (
            canalizacion.estado not in VIGENTES or not vista_de_canalizacion(canalizacion, usuaria).detalle):
        return ("Su institución adjunta documentos a esta canalización una vez que la acepta, mientras "
                "siga vigente y el consentimiento de la mujer esté en vigor.")
    return None


def orden(orden_id, modo: str, usuaria):
    from casos.ordenes.modelos import OrdenProteccion

    encontrada = db.session.get(OrdenProteccion, orden_id) if isinstance(orden_id, uuid.UUID) else None
    if encontrada is None:
        abort(404)
    # The order's case decides: outside her scope, 404; seen but not hers, refused.
    caso(encontrada.caso_id, modo, usuaria)
    return encontrada, Cargado(encontrada.caso_id, encontrada.id)


def adjunto(adjunto_id, modo: str, usuaria):
    """A file of a case: opened by whom `documentos_de` says (the owner; a receiving
    institution by category, under her consent). For anyone else it does not exist."""
    from casos.adjuntos.modelos import Adjunto

    if modo != LEER:
        raise ValueError(modo)
    encontrado = db.session.get(Adjunto, adjunto_id) if isinstance(adjunto_id, uuid.UUID) else None
    if encontrado is None:
        abort(404)
    suyo = encontrado.caso
    if suyo.datos_eliminados and suyo.institucion_id == usuaria.institucion_id:
        raise Rechazo(ELIMINADO, _pagina_del_caso(suyo.id), codigo=410)
    if not documentos_de(suyo, usuaria).abre(encontrado):
        abort(404)
    return encontrado, Cargado(suyo.id, encontrado.id)


def solicitud(solicitud_id, modo: str, usuaria):
    from casos.transiciones.modelos import SolicitudAprobacion

    encontrada = db.session.scalar(select(SolicitudAprobacion).where(
        SolicitudAprobacion.id == solicitud_id,
        SolicitudAprobacion.institucion_id == usuaria.institucion_id))
    if encontrada is None:
        abort(404)  # another institution's request does not exist for her
    if modo == RETIRAR and encontrada.solicitante_id != usuaria.id:
        raise Rechazo("Solo quien hizo la solicitud puede retirarla.")
    if modo not in (RESOLVER, RETIRAR):
        raise ValueError(modo)
    return encontrada, Cargado(encontrada.caso_id, encontrada.id)


def borrador(borrador_id, modo: str, usuaria):
    """An intake draft is its author's alone."""
    from casos.expedientes.servicios import borrador_de

    encontrado = borrador_de(usuaria, borrador_id)
    if encontrado is None or modo not in (LEER, ESCRIBIR):
        abort(404)
    return encontrado, Cargado(None, encontrado.id)


def solicitud_arco(solicitud_arco_id, modo: str, usuaria):
    """A request over her personal data (casos/arco/): the transparency officer's, for every
    institution (the route's policy says who that is). Once its case was erased there is
    nothing left to answer about: it is read, not moved.

    A blocked case (retention) opens its key here only as everywhere: within a read the admin
    authorized this officer (casos/conservacion/), asked for from the request's page."""
    from casos.acceso.politica import puede
    from casos.arco.modelos import SolicitudArco
    from casos.conservacion.servicios import abrir_con_lectura
    from flujos.arco import CON_IDENTIDAD, EJERCIBLE

    encontrada = (db.session.get(SolicitudArco, solicitud_arco_id)
                  if isinstance(solicitud_arco_id, uuid.UUID) and puede(usuaria, "arco.tramitar") else None)
    if encontrada is None:
        abort(404)
    if modo not in (LEER, TRAMITAR, *_DERECHO_DEL_MODO):
        raise ValueError(modo)
    pagina = url_for("arco.ver", solicitud_arco_id=encontrada.id)
    abierto = abrir_con_lectura(encontrada.caso, usuaria)
    if modo == LEER:
        return encontrada, Cargado(encontrada.caso_id, encontrada.id)
    if encontrada.caso.datos_eliminados:
        raise Rechazo("Los datos personales de este caso fueron eliminados: la solicitud queda como "
                      "registro y ya no admite cambios.", pagina, codigo=410)
    if not abierto:
        raise Rechazo("El caso de esta solicitud está bloqueado por su plazo de conservación: su clave solo se "
                      "abre con una lectura que el administrador autorice. Pídala desde la solicitud, con su "
                      "fundamento.", pagina, codigo=423)
    derecho = _DERECHO_DEL_MODO.get(modo)
    if derecho is not None and (encontrada.derecho != derecho or encontrada.estado not in CON_IDENTIDAD
                                or encontrada.estado not in EJERCIBLE[derecho]):
        raise Rechazo("Esto se hace solo con una solicitud de ese derecho ya respondida como procedente, con la "
                      "identidad acreditada: antes, nada del caso se muestra ni se cambia (quien la presenta puede "
                      "ser la persona agresora).", pagina)
    return encontrada, Cargado(encontrada.caso_id, encontrada.id)


def _administrado(modelo_de):
    """Accounts, institutions and API tokens hold no case data: the route's policy already
    said only the admin reaches them; the loader makes an unknown id a 404."""
    def cargador(identificador, modo: str, _usuaria):
        encontrado = db.session.get(modelo_de(), identificador) if identificador is not None else None
        if modo != ADMINISTRAR:
            raise ValueError(modo)
        if encontrado is None:
            abort(404)
        return encontrado, Cargado(None, encontrado.id)
    return cargador


def _usuaria():
    from casos.cuentas.modelos import Usuaria
    return Usuaria


def _institucion():
    from casos.cuentas.modelos import Institucion
    return Institucion


def lectura(lectura_id, modo: str, _usuaria):
    """A request to read a blocked case: staff and a legal ground, no data of hers. The route's
    policy says only the admin resolves one; its event names the case."""
    from casos.conservacion.modelos import LecturaBloqueada

    if modo != ADMINISTRAR:
        raise ValueError(modo)
    encontrada = db.session.get(LecturaBloqueada, lectura_id) if isinstance(lectura_id, uuid.UUID) else None
    if encontrada is None:
        abort(404)
    return encontrada, Cargado(encontrada.caso_id, encontrada.id)


def _token_api():
    from casos.estadisticas.modelos import TokenApi
    return TokenApi


# URL argument -> (the view's parameter, its loader). One entry per kind of domain object.
CARGADORES: dict[str, tuple[str, Callable]] = {
    "caso_id": ("caso", caso),
    "canalizacion_id": ("canalizacion", canalizacion),
    "orden_id": ("orden", orden),
    "adjunto_id": ("adjunto", adjunto),
    "solicitud_id": ("solicitud", solicitud),
    "borrador_id": ("borrador", borrador),
    "solicitud_arco_id": ("solicitud_arco", solicitud_arco),
    "usuaria_id": ("usuaria", _administrado(_usuaria)),
    "institucion_id": ("institucion", _administrado(_institucion)),
    "token_id": ("token_api", _administrado(_token_api)),
    # A request to read a blocked case: staff and a legal ground, resolved by the admin.
    "lectura_id": ("lectura", lectura),
}
# The arguments that reach a woman's case (the others are the admin's accounts and tokens).
DEL_CASO = frozenset({"caso_id", "canalizacion_id", "orden_id", "adjunto_id", "solicitud_id", "borrador_id",
                      "solicitud_arco_id"})


def cargar(declarados: dict[str, str], argumentos: dict, usuaria) -> tuple[dict, Cargado | None]:
    """Replace each declared id argument by its object; the first names the audit event. A
    route that serves a URL without the argument (a "new" form) gets None."""
    argumentos = dict(argumentos)
    auditado = None
    for argumento, modo in declarados.items():
        parametro, cargador = CARGADORES[argumento]
        if argumento not in argumentos:
            argumentos[parametro] = None
            continue
        objeto, cargado = cargador(argumentos.pop(argumento), modo, usuaria)
        argumentos[parametro] = objeto
        auditado = auditado or cargado
    return argumentos, auditado
