"""What is due and what is late, per institution or per person, in order of legal urgency.

The same list feeds the "Pendientes" page (vistas.py), each role's home (casos/inicio.py,
through `resumen`) and `flask --app wsgi pendientes` (cli.py, a scheduled job whose output
carries case ids and kinds only, never a name).

Each kind is read in one statement of plain columns (no encrypted attribute, no lazy load per
row): a page costs the same with ten pendientes or with a thousand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select

from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.cuentas.modelos import Institucion
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones.modelos import SolicitudAprobacion
from flujos import FLUJOS, plazos
from flujos.aprobacion import PENDIENTE
from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA
from flujos.caso import ABIERTOS
from flujos.orden_proteccion import SOLICITADA, VIGENTES

# The kinds, most urgent by law first (the deadlines themselves are in flujos/plazos.py):
# - a protection order protects her from the aggressor now: it is issued within 4 hours, she
#   is contacted every 24 hours for the first days, and when it expires she is unprotected
#   unless it is extended (LGAMVLV);
# - a referral is answered within 72 hours, 24 if urgent, 12 for medical care after sexual
#   violence (NOM-046: emergency contraception and HIV prophylaxis stop working);
# - an approval is a second signature inside the institution (4 to 24 hours) that holds up a
#   referral, a closure or a lower risk level;
# - a re-assessment is due days or weeks after the last one, by risk level.
# Within a kind, what is late comes first (the most overdue first), then what is due soonest.
CLASES = ("orden", "canalizacion", "aprobacion", "revaloracion")
# The admin's, as every institution's transparency officer: requests over a woman's personal
# data (casos/arco/), whose terms are días hábiles; she has none of the kinds above.
CLASES_ADMIN = ("arco",)
TODAS_LAS_CLASES = CLASES + CLASES_ADMIN
TITULOS = {
    "orden": "Órdenes de protección",
    "canalizacion": "Canalizaciones en espera de respuesta",
    "aprobacion": "Aprobaciones",
    "revaloracion": "Revaloraciones del riesgo",
    "arco": "Solicitudes ARCO",
}
# Filters of the page by state: late; not late and due before midnight (Mexico City); not late.
SITUACIONES = {"atrasados": "Atrasados", "hoy": "Vencen hoy", "por_vencer": "Por vencer"}

EMITIR = "Emitir la orden de protección (plazo legal de 4 horas)"
CONTACTAR = "Contactar a la mujer: seguimiento diario de la orden"
RESPONDER = "Responder la canalización recibida"
REVALORAR = "Revalorar el riesgo"
# An approval says what waits and who must act, from the request's plain columns (`entidad`,
# `evento`): nothing decrypted, nothing of her (the inbox's `describir` says the rest). For
# each kind: what a supervisora approves ("Aprobar …") and its name after a colon.
QUE_SE_APRUEBA = {
    ("canalizacion", "enviar"): ("el envío de una canalización", "envío de una canalización"),
    ("caso", "cerrar"): ("el cierre del caso", "cierre del caso"),
    ("valoracion_riesgo", "aplicar"): ("bajar el nivel de riesgo", "bajar el nivel de riesgo"),
}
APROBAR = "Aprobar {}"  # a supervisora who may resolve it: her colleague's request
SU_SOLICITUD = "Su solicitud espera aprobación: {}"  # who asked
ESPERA_SUPERVISORA = "Espera la aprobación de una supervisora: {}"  # anyone else (and the job)


@dataclass(frozen=True)
class Pendiente:
    clase: str  # one of CLASES
    tipo: str  # what to do, in Spanish
    vence: datetime
    caso_id: uuid.UUID
    urgente: bool
    ruta: tuple  # (endpoint, kwargs) of the page where it is done
    etiqueta: str | None = None  # how the page names it when not by its case's name (an ARCO request)

    def atrasado(self, momento: datetime) -> bool:
        return self.vence < momento


def _orden(lista: list[Pendiente], momento: datetime) -> list[Pendiente]:
    """By kind (CLASES); within one, late first (most overdue first), then due soonest;
    urgent cases ahead on ties."""
    return sorted(lista, key=lambda p: (TODAS_LAS_CLASES.index(p.clase), not p.atrasado(momento), p.vence,
                                        not p.urgente))


def clases_de(usuaria) -> tuple[str, ...]:
    return CLASES_ADMIN if usuaria is not None and usuaria.rol == "admin" else CLASES


def calcular(institucion_id, *, usuaria=None, solo_suyos: bool = False,
             momento: datetime | None = None) -> list[Pendiente]:
    """Everything due within its warning period or late at the institution, most urgent first.

    `usuaria` words the approvals for who reads them (a supervisora resolves her colleagues'
    requests); `solo_suyos` keeps what is hers: the re-assessments and orders of the cases in
    her charge (`Caso.responsable_id`), the referrals of her cases or sent by her, the
    approvals she asked for and, for a supervisora, those waiting for her decision. Referrals
    received stay institution-wide: nobody is in charge of one until it is accepted."""
    momento = momento or ahora()
    if clases_de(usuaria) == CLASES_ADMIN:
        return _orden(_arco(momento), momento)
    horizonte = momento + timedelta(hours=plazos.POR_VENCER_HORAS)
    suya = usuaria.id if (solo_suyos and usuaria is not None) else None
    items = [*_revaloraciones(institucion_id, suya, horizonte),
             *_ordenes(institucion_id, suya, momento, horizonte),
             *_canalizaciones(institucion_id, suya, momento),
             *_aprobaciones(institucion_id, usuaria, suya)]
    return _orden(items, momento)


# An erased case waits for nothing: its rows stay for statistics, out of every list.
_VIVO = Caso.datos_eliminados_en.is_(None)


def _revaloraciones(institucion_id, suya, horizonte) -> list[Pendiente]:
    consulta = select(Caso.id, Caso.proxima_valoracion, Caso.urgente).where(
        Caso.institucion_id == institucion_id, Caso.estado.in_(ABIERTOS), _VIVO,
        Caso.proxima_valoracion <= horizonte)
    if suya:
        consulta = consulta.where(Caso.responsable_id == suya)
    return [Pendiente("revaloracion", REVALORAR, fila.proxima_valoracion, fila.id, fila.urgente,
                      ("expedientes.valoracion", {"caso_id": fila.id}))
            for fila in db.session.execute(consulta)]


def _ordenes(institucion_id, suya, momento, horizonte) -> list[Pendiente]:
    consulta = (select(OrdenProteccion.id, OrdenProteccion.caso_id, OrdenProteccion.estado,
                       OrdenProteccion.solicitada_en, OrdenProteccion.emitida_en,
                       OrdenProteccion.vence_en, OrdenProteccion.prorrogas,
                       OrdenProteccion.seguimientos, Caso.urgente)
                .join(Caso, Caso.id == OrdenProteccion.caso_id)
                .where(OrdenProteccion.institucion_id == institucion_id, _VIVO,
                       OrdenProteccion.estado.in_((SOLICITADA, *VIGENTES))))
    if suya:
        consulta = consulta.where(Caso.responsable_id == suya)
    items = []
    aviso = momento + timedelta(days=plazos.ORDEN_AVISO_VENCIMIENTO_DIAS)
    for orden in db.session.execute(consulta):  # rows carry the columns the deadlines read
        ruta = ("expedientes.ver", {"caso_id": orden.caso_id})
        if orden.estado == SOLICITADA:
            items.append(Pendiente("orden", EMITIR, ordenes.limite_emision(orden), orden.caso_id,
                                   True, ruta))
            continue
        seguimiento = ordenes.proximo_seguimiento(orden)
        if seguimiento and seguimiento <= horizonte:
            items.append(Pendiente("orden", CONTACTAR, seguimiento, orden.caso_id, orden.urgente, ruta))
        if orden.vence_en <= aviso:
            que = ("valorar prórroga" if orden.prorrogas == 0
                   else "ya no admite prórroga, valorar una nueva orden")
            items.append(Pendiente("orden", f"La orden de protección vence: {que}", orden.vence_en,
                                   orden.caso_id, orden.urgente, ruta))
    return items


def _canalizaciones(institucion_id, suya, momento) -> list[Pendiente]:
    """Received and waiting for her institution's answer; sent and unanswered past the
    deadline (before it, the sender just waits)."""
    enviadas = and_(Canalizacion.origen_id == institucion_id, Canalizacion.plazo_respuesta < momento)
    if suya:
        enviadas = and_(enviadas, or_(Caso.responsable_id == suya, Canalizacion.creada_por_id == suya))
    consulta = (select(Canalizacion.id, Canalizacion.caso_id, Canalizacion.destino_id,
                       Canalizacion.plazo_respuesta, Caso.urgente, Canalizacion.urgente.label("enviada_urgente"),
                       Institucion.siglas)
                .join(Caso, Caso.id == Canalizacion.caso_id)
                .join(Institucion, Institucion.id == Canalizacion.destino_id)
                .where(Canalizacion.estado.in_(EN_ESPERA_DE_RESPUESTA), _VIVO,
                       or_(Canalizacion.destino_id == institucion_id, enviadas)))
    return [Pendiente("canalizacion",
                      RESPONDER if fila.destino_id == institucion_id
                      else f"Canalización sin respuesta de {fila.siglas}",
                      fila.plazo_respuesta, fila.caso_id,
                      # The receiver: as it was sent (not the case's live urgency, the owner's).
                      fila.enviada_urgente if fila.destino_id == institucion_id else fila.urgente,
                      ("canalizaciones.ver", {"canalizacion_id": fila.id}))
            for fila in db.session.execute(consulta)]


def _arco(momento: datetime) -> list[Pendiente]:
    """ARCO requests of every institution whose current term ends within ARCO_AVISO_DIAS_HABILES
    días hábiles or passed: due at the close of its last día hábil in Mexico City."""
    from casos.arco import servicios as arco

    hoy = momento.astimezone(ZoneInfo(current_app.config["ZONA_HORARIA"])).date()
    return [Pendiente("arco", arco.que_hacer(s), arco.fin_del_dia(s.vence_el), s.caso_id, False,
                      ("arco.ver", {"solicitud_arco_id": s.id}),
                      f"{s.institucion.siglas} · recibida el {s.recibida_el.strftime('%d/%m/%Y')}"
                      + (f" · folio {s.folio}" if s.folio else ""))
            for s in arco.por_vencer(hoy)]


def que_se_aprueba(entidad: str, evento: str) -> tuple[str, str]:
    """(what she approves, its name) of a kind of request; a kind not named above falls back
    on its move's label in flujos/ ("devolver a borrador")."""
    if (entidad, evento) in QUE_SE_APRUEBA:
        return QUE_SE_APRUEBA[(entidad, evento)]
    etiqueta = FLUJOS[entidad].transicion(evento).etiqueta
    return (etiqueta[:1].lower() + etiqueta[1:],) * 2


def _aprobaciones(institucion_id, usuaria, suya) -> list[Pendiente]:
    consulta = (select(SolicitudAprobacion.caso_id, SolicitudAprobacion.solicitante_id,
                       SolicitudAprobacion.entidad, SolicitudAprobacion.evento,
                       SolicitudAprobacion.creada_en, Caso.urgente)
                .join(Caso, Caso.id == SolicitudAprobacion.caso_id)
                .where(SolicitudAprobacion.institucion_id == institucion_id,
                       SolicitudAprobacion.estado == PENDIENTE, _VIVO))
    supervisora = usuaria is not None and usuaria.rol == "supervisora"
    if suya and not supervisora:  # a supervisora's are all of them: hers, or hers to resolve
        consulta = consulta.where(SolicitudAprobacion.solicitante_id == suya)
    items = []
    for fila in db.session.execute(consulta):
        plazo = plazos.APROBACION_HORAS["urgente" if fila.urgente else "normal"]
        aprobar, nombre = que_se_aprueba(fila.entidad, fila.evento)
        if supervisora and fila.solicitante_id != usuaria.id:
            tipo, ruta = APROBAR.format(aprobar), ("flujo.bandeja", {})
        else:  # who asked sees it, and may withdraw it, on the case's page
            suya_es = usuaria is not None and fila.solicitante_id == usuaria.id
            tipo = (SU_SOLICITUD if suya_es else ESPERA_SUPERVISORA).format(nombre)
            ruta = ("expedientes.ver", {"caso_id": fila.caso_id})
        items.append(Pendiente("aprobacion", tipo, fila.creada_en + timedelta(hours=plazo),
                               fila.caso_id, fila.urgente, ruta))
    return items


# ---- the page's filters, counts and pages ------------------------------------------------------

def fin_del_dia(momento: datetime) -> datetime:
    """Midnight after `momento` where the caseworkers live (America/Mexico_City)."""
    zona = ZoneInfo(current_app.config["ZONA_HORARIA"])
    manana = momento.astimezone(zona).date() + timedelta(days=1)
    return datetime.combine(manana, time.min, tzinfo=zona)


def situacion(p: Pendiente, momento: datetime, medianoche: datetime) -> set[str]:
    """The SITUACIONES a pendiente is in ("hoy" is also "por_vencer")."""
    if p.atrasado(momento):
        return {"atrasados"}
    return {"hoy", "por_vencer"} if p.vence < medianoche else {"por_vencer"}


@dataclass
class Lista:
    """The ordered pendientes filtered by kind and situation, counted, and cut into pages.
    Counts are over everything, not the page: page N of M stays page N of M as she moves."""

    items: list[Pendiente]  # this page's
    pagina: int
    paginas: int
    total: int  # after both filters
    por_clase: dict[str, int]  # per kind, with the situation filter
    por_situacion: dict[str | None, int]  # per situation (None: all), with the kind filter
    sigue: str | None = None  # the kind of the previous page's last item: its group goes on here

    @property
    def grupos(self) -> list[tuple[str, list[Pendiente]]]:
        """This page's items under their kind's heading, in the order of CLASES."""
        return [(c, grupo) for c in TODAS_LAS_CLASES if (grupo := [p for p in self.items if p.clase == c])]


POR_PAGINA = 25


def filtrar(todos: list[Pendiente], *, clase: str | None, situacion_: str | None, pagina: int,
            momento: datetime, por_pagina: int = POR_PAGINA) -> Lista:
    medianoche = fin_del_dia(momento)
    situaciones = [situacion(p, momento, medianoche) for p in todos]
    por_clase = {c: 0 for c in TODAS_LAS_CLASES}
    por_situacion: dict[str | None, int] = {None: 0, **{s: 0 for s in SITUACIONES}}
    elegidos = []
    for p, suyas in zip(todos, situaciones, strict=True):
        en_situacion = situacion_ is None or situacion_ in suyas
        if en_situacion:
            por_clase[p.clase] += 1
        if clase is None or p.clase == clase:
            por_situacion[None] += 1
            for s in suyas:
                por_situacion[s] += 1
            if en_situacion:
                elegidos.append(p)
    paginas = max(1, -(-len(elegidos) // por_pagina))
    pagina = min(max(1, pagina), paginas)
    inicio = (pagina - 1) * por_pagina
    return Lista(elegidos[inicio:inicio + por_pagina], pagina, paginas, len(elegidos), por_clase,
                 por_situacion, elegidos[inicio - 1].clase if inicio else None)


# ---- each role's home: counts ------------------------------------------------------------------

@dataclass(frozen=True)
class Resumen:
    atrasados: int  # her pendientes past their deadline
    hoy: int  # hers not late, due before midnight
    recibidas: int  # referrals received by her institution waiting for its answer
    recibidas_atrasadas: int  # of those, past their deadline
    urgentes: int  # open urgent cases in her charge
    por_aprobar: int | None  # a supervisora's: requests of her institution she may resolve


def resumen(usuaria, momento: datetime | None = None) -> Resumen:
    """The counts of a caseworker's home: her pendientes (the page's four statements), and
    one COUNT each for the referrals waiting for an answer, her urgent cases and, for a
    supervisora, the requests waiting for her approval. Counts only: nothing decrypted."""
    momento = momento or ahora()
    medianoche = fin_del_dia(momento)
    suyos = calcular(usuaria.institucion_id, usuaria=usuaria, solo_suyos=True, momento=momento)
    situaciones = [situacion(p, momento, medianoche) for p in suyos]
    recibidas = db.session.execute(
        select(func.count(), func.count().filter(Canalizacion.plazo_respuesta < momento))
        .select_from(Canalizacion).join(Caso, Caso.id == Canalizacion.caso_id)
        .where(Canalizacion.destino_id == usuaria.institucion_id,
               Canalizacion.estado.in_(EN_ESPERA_DE_RESPUESTA), _VIVO)).one()
    urgentes = db.session.scalar(select(func.count()).select_from(Caso).where(
        Caso.institucion_id == usuaria.institucion_id, Caso.responsable_id == usuaria.id,
        Caso.urgente.is_(True), Caso.estado.in_(ABIERTOS), _VIVO))
    por_aprobar = None
    if usuaria.rol == "supervisora":
        # As the approval inbox lists them (transiciones.pendientes_de_institucion), but
        # not her own: nobody approves her own request.
        por_aprobar = db.session.scalar(
            select(func.count()).select_from(SolicitudAprobacion)
            .join(Caso, Caso.id == SolicitudAprobacion.caso_id)
            .where(SolicitudAprobacion.institucion_id == usuaria.institucion_id,
                   SolicitudAprobacion.estado == PENDIENTE,
                   SolicitudAprobacion.solicitante_id != usuaria.id, _VIVO))
    return Resumen(atrasados=sum("atrasados" in s for s in situaciones),
                   hoy=sum("hoy" in s for s in situaciones),
                   recibidas=recibidas[0], recibidas_atrasadas=recibidas[1], urgentes=urgentes,
                   por_aprobar=por_aprobar)
