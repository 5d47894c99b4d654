"""Which move tells whom, and in which words. Every message is a fixed text and a link that
asks for login: no name, no case data, not even which institution (an inbox is not as safe as
the system; whoever reads it over her shoulder learns only that there is work waiting).

The session hook (`escuchar`) sees each new `transicion` and `solicitud_aprobacion` row in the
flush that writes it and adds the outbox rows to the same flush: a move and its e-mail commit
or roll back together, and a code path added next year that moves a referral tells the same
people without remembering to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, or_, select

from casos.avisos.modelos import CorreoSaliente
from casos.extensiones import db

PIE = ("Este correo no contiene datos de las personas atendidas. No lo reenvíe ni lo responda; "
       "si no esperaba este aviso, avise a la administración de Ruta Violeta.")
CASO = ("capturista", "supervisora")  # who works cases: who is told about them
NUEVOS = "avisos_nuevos"  # session.info: outbox ids written in this transaction


@dataclass(frozen=True)
class Aviso:
    tipo: str
    asunto: str
    texto: str  # before the link
    ruta: str  # the link's path; "{id}" is the referral's id
    resumen: tuple[str, str] = ("aviso", "avisos")  # one line of the daily summary: singular, plural

    def cuerpo(self, url_publica: str, **ids) -> str:
        enlace = url_publica.rstrip("/") + self.ruta.format(**ids)
        return f"{self.texto}\n\nPara verlo, entre con su cuenta:\n{enlace}\n\n{PIE}\n"

    def correo(self, destinatario: tuple, url_publica: str, *, clave: str | None = None, **ids) -> CorreoSaliente:
        """The outbox row for one person: (id, how she chose to receive them)."""
        usuaria_id, modo = destinatario
        return CorreoSaliente(id=uuid.uuid4(), usuaria_id=usuaria_id, tipo=self.tipo, asunto=self.asunto,
                              cuerpo=self.cuerpo(url_publica, **ids), en_resumen=modo == "resumen",
                              clave=clave)


RECIBIDA = Aviso("canalizacion_recibida", "Ruta Violeta: su institución recibió una canalización",
                 "Su institución recibió una canalización nueva en Ruta Violeta; espera su respuesta.",
                 "/canalizaciones/", ("canalización recibida por su institución",
                                      "canalizaciones recibidas por su institución"))
POR_APROBAR = Aviso("solicitud_por_aprobar", "Ruta Violeta: una solicitud espera su aprobación",
                    "Una persona de su institución pidió una aprobación en Ruta Violeta; "
                    "puede aprobarla o rechazarla una supervisora que no la haya pedido.",
                    "/aprobaciones/", ("solicitud en espera de aprobación", "solicitudes en espera de aprobación"))
RESPUESTAS = {
    evento: Aviso("canalizacion_respondida", "Ruta Violeta: respondieron una canalización que usted registró",
                  f"La institución que recibió una canalización que usted registró {hecho}.",
                  "/canalizaciones/{id}", ("canalización suya respondida", "canalizaciones suyas respondidas"))
    for evento, hecho in (("aceptar", "la aceptó"), ("rechazar", "la rechazó"),
                          ("contrarreferir", "registró la contrarreferencia"))}


def activo() -> bool:
    """E-mail is on only with an SMTP server and the address the links point to."""
    return bool(has_app_context() and current_app.config.get("SMTP_SERVIDOR")
                and current_app.config.get("URL_PUBLICA"))


def personal(institucion_id, *, roles=CASO, salvo=None, o_bien=None) -> list[tuple]:
    """(id, how she receives e-mail) of the active, unlocked accounts of an institution with
    these roles (`o_bien`: one more account of it, whatever her role)."""
    from casos.cuentas.modelos import Usuaria

    quienes = Usuaria.rol.in_(roles) if o_bien is None else or_(Usuaria.rol.in_(roles), Usuaria.id == o_bien)
    consulta = select(Usuaria.id, Usuaria.avisos).where(
        Usuaria.institucion_id == institucion_id, quienes, Usuaria.activa.is_(True), Usuaria.bloqueada_en.is_(None))
    if salvo is not None:
        consulta = consulta.where(Usuaria.id != salvo)
    return [tuple(fila) for fila in db.session.execute(consulta)]


def _activa(usuaria_id) -> list[tuple]:
    from casos.cuentas.modelos import Usuaria

    return [tuple(fila) for fila in db.session.execute(select(Usuaria.id, Usuaria.avisos).where(
        Usuaria.id == usuaria_id, Usuaria.activa.is_(True), Usuaria.bloqueada_en.is_(None)))]


def _de_movimiento(historia) -> Iterable[tuple[Aviso, list, dict]]:
    if historia.entidad != "canalizacion":
        return
    from casos.canalizaciones.modelos import Canalizacion

    canalizacion = db.session.get(Canalizacion, historia.entidad_id)
    if historia.evento == "enviar":
        yield RECIBIDA, personal(canalizacion.destino_id), {}
    elif historia.evento in RESPUESTAS:
        yield RESPUESTAS[historia.evento], _activa(canalizacion.creada_por_id), {"id": canalizacion.id}


def _de_solicitud(solicitud) -> Iterable[tuple[Aviso, list, dict]]:
    yield POR_APROBAR, personal(solicitud.institucion_id, roles=("supervisora",),
                                salvo=solicitud.solicitante_id), {}


def _por_fila() -> dict[type, Callable]:
    from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion

    return {HistorialTransicion: _de_movimiento, SolicitudAprobacion: _de_solicitud}


def _al_guardar(sesion, _contexto, _instancias) -> None:
    """before_flush: an outbox row per person told of each new move or request."""
    if not activo():
        return
    reglas = _por_fila()
    nuevas = [(reglas[type(fila)], fila) for fila in list(sesion.new) if type(fila) in reglas]
    if not nuevas:
        return
    url = current_app.config["URL_PUBLICA"]
    with sesion.no_autoflush:
        for regla, fila in nuevas:
            for aviso, personas, ids in regla(fila):
                for destinatario in personas:
                    correo = aviso.correo(destinatario, url, **ids)
                    sesion.add(correo)
                    if not correo.en_resumen:  # a summary's part waits for `avisos resumen`
                        sesion.info.setdefault(NUEVOS, []).append(correo.id)


def _olvidar(sesion, *_args) -> None:
    sesion.info.pop(NUEVOS, None)


def _tras_confirmar(sesion) -> None:
    """after_commit: what this transaction queued is sent after the response (envio.py)."""
    ids = sesion.info.pop(NUEVOS, None)
    if ids and has_request_context():
        g.setdefault("avisos_por_enviar", []).extend(ids)


def escuchar() -> None:
    if getattr(db.session, "_avisos_registrados", False):  # one process, several apps in tests
        return
    event.listen(db.session, "before_flush", _al_guardar)
    event.listen(db.session, "after_rollback", _olvidar)
    event.listen(db.session, "after_commit", _tras_confirmar)
    db.session._avisos_registrados = True
