"""The case's history in plain Spanish, composed when the page is shown from the rows that
record each thing: nothing is stored twice, so it can't disagree with them.

The sources, each read with one statement whatever its length (the case page's budget,
tests/test_consultas_por_pagina.py):
- the case (its registration) and its consent (registered, revoked): the case's own query;
- risk assessments: `caso.valoraciones`, the collection the risk section shows anyway;
- every move of the case, its referrals, orders, approval requests and proposed risk levels:
  `HistorialTransicion`, told in the words flujos/ keeps next to each machine
  (`Flujo.suceso`), never its internal event name;
- approval requests, for what each asked (and a closure's request, which moves nothing
  until approved): `SolicitudAprobacion`;
- services given to her: `Atencion`, the rows the page's services section already read
  (casos/atenciones/servicios.py `atenciones_visibles`); who was put in charge: `Asignacion`;
- the people named only by id (who registered the case, the consent, the revocation, who is
  in charge): one statement for all of them.

Who reads what: the owning institution, all of it. A receiving institution, the steps of its
own referral and the services it gave her itself, nothing else: another referral would tell
it where else she went (a shelter, a prosecutor), an order or an assessment her risk, an
assignment or an approval the owner's internal work. For it no reason is decrypted at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from casos.acceso import Vista
from casos.atenciones.modelos import Atencion
from casos.catalogos import (
    AUTORIDADES_ORDEN,
    DATOS_COMPARTIBLES,
    NIVELES_RIESGO,
    QUIEN_INFORMA_REVOCACION,
    ROLES,
    TIPOS_INSTITUCION,
    TIPOS_ORDEN,
    tipos_atencion,
)
from casos.cuentas.modelos import Usuaria
from casos.expedientes.modelos import Asignacion
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos import FLUJOS
from flujos.aprobacion import FLUJO_SOLICITUD, FLUJO_VALORACION
from flujos.canalizacion import VE_LA_RECEPTORA

SISTEMA = "Sistema"
# Requests whose asking is already a step of their own entity's history: a referral's
# "solicitar_envio", an assessment proposed below its level. A closure's request is not.
SOLICITUD_CON_PASO_PROPIO = frozenset({"canalizacion", "valoracion_riesgo"})


@dataclass(frozen=True)
class Suceso:
    """One line of the history. `momento` is UTC (the page shows it in Mexico City)."""

    momento: datetime
    que: str
    quien: str = SISTEMA
    detalle: str = ""
    motivo: str | None = None  # decrypted for the owning institution only
    orden: int = 5  # ties at the same instant: registration first, then its consent


@dataclass
class Fuentes:
    """The rows read for one page, also what the page shows elsewhere (pending approvals,
    who is in charge, who recorded the revocation)."""

    transiciones: list = field(default_factory=list)
    solicitudes: list = field(default_factory=list)
    asignaciones: list = field(default_factory=list)
    personas: dict = field(default_factory=dict)


# Built on first use (an ORM statement needs every model mapped) and kept: building one, and
# its cache key, cost more than running it (pagina_de_caso.py).
@cache
def _transiciones(de_una_canalizacion: bool):
    consulta = select(HistorialTransicion).where(HistorialTransicion.caso_id == bindparam("caso_id"))
    if de_una_canalizacion:  # a receiving institution's: its referral, from its sending on
        consulta = consulta.where(HistorialTransicion.entidad_id == bindparam("canalizacion_id"),
                                  HistorialTransicion.evento.in_(VE_LA_RECEPTORA))
    return consulta.order_by(HistorialTransicion.momento)


@cache
def _solicitudes():
    return (select(SolicitudAprobacion).where(SolicitudAprobacion.caso_id == bindparam("caso_id"))
            .order_by(SolicitudAprobacion.creada_en))


@cache
def _asignaciones():
    return (select(Asignacion).where(Asignacion.caso_id == bindparam("caso_id"))
            .order_by(Asignacion.momento))


@cache
def _personas():
    return select(Usuaria).where(Usuaria.id.in_(bindparam("ids", expanding=True)))


def cargar(caso, vista: Vista) -> Fuentes:
    """The rows this person may read, one statement per source."""
    if not vista.propia:
        canalizacion = vista.canalizacion
        if canalizacion is None:
            return Fuentes()
        parametros = {"caso_id": caso.id, "canalizacion_id": canalizacion.id}
        return Fuentes(transiciones=db.session.scalars(_transiciones(True), parametros).all())
    parametros = {"caso_id": caso.id}
    consentimiento = caso.consentimiento
    ids = {caso.creado_por_id, caso.responsable_id}
    if consentimiento is not None:
        ids |= {consentimiento.registrado_por_id, consentimiento.revocado_por_id}
    ids.discard(None)
    return Fuentes(
        transiciones=db.session.scalars(_transiciones(False), parametros).all(),
        solicitudes=db.session.scalars(_solicitudes(), parametros).all(),
        asignaciones=db.session.scalars(_asignaciones(), parametros).all(),
        # `caso.responsable` then comes from the identity map, without a statement of its own.
        personas={p.id: p for p in db.session.scalars(_personas(), {"ids": list(ids)})} if ids else {})


def quien(usuaria, rol: str | None = None, institucion=None) -> str:
    """"Name (Role, INST)": the role and institution she had then when the row kept them."""
    if usuaria is None:
        return SISTEMA
    institucion = institucion or usuaria.institucion
    rol = ROLES.get(rol or usuaria.rol, rol or usuaria.rol)
    return f"{usuaria.nombre} ({rol}, {institucion.siglas})" if institucion else f"{usuaria.nombre} ({rol})"


def _fecha(dia) -> str:
    return dia.strftime("%d/%m/%Y")


def _etiquetas(claves, catalogo, separador=", ") -> str:
    return separador.join(v for k, v in catalogo.items() if k in set(claves or ()))


def sucesos(caso, vista: Vista, fuentes: Fuentes, atenciones: list) -> list[Suceso]:
    """Every line this person may read, oldest first. `atenciones`: the services the page
    shows her (`atenciones_visibles`: to a receiving institution, those it gave itself, under
    this referral or an earlier one; the history and the services section never disagree)."""
    propia = vista.propia
    canalizaciones = ({c.id: c for c in caso.canalizaciones} if propia
                      else {vista.canalizacion.id: vista.canalizacion} if vista.canalizacion else {})
    contexto = _Contexto(
        canalizaciones=canalizaciones,
        ordenes={o.id: o for o in caso.ordenes} if propia else {},
        valoraciones={v.id: v for v in caso.valoraciones} if propia else {},
        solicitudes={s.id: s for s in fuentes.solicitudes})
    lineas = [_de_transicion(h, contexto, propia) for h in fuentes.transiciones]
    lineas += [_de_atencion(a, contexto, propia) for a in atenciones]
    if propia:
        lineas += _del_registro(caso, fuentes.personas)
        # An assessment with moves of its own was a proposal (approved or rejected since).
        resueltas = {h.entidad_id for h in fuentes.transiciones if h.entidad == FLUJO_VALORACION.nombre}
        lineas += [_de_valoracion(v, v.id in resueltas) for v in caso.valoraciones]
        lineas += [_de_solicitud(s, contexto) for s in fuentes.solicitudes
                   if s.entidad not in SOLICITUD_CON_PASO_PROPIO]
        lineas += [_de_asignacion(a) for a in fuentes.asignaciones]
    return sorted(lineas, key=lambda s: (s.momento, s.orden))


@dataclass(frozen=True)
class _Contexto:
    """The rows a line names besides its own, by id: already loaded, never one per line."""

    canalizaciones: dict
    ordenes: dict
    valoraciones: dict
    solicitudes: dict


def _de_transicion(h: HistorialTransicion, contexto: _Contexto, propia: bool) -> Suceso:
    flujo = FLUJOS.get(h.entidad)
    que = flujo.suceso(h.evento) if flujo else h.evento
    que += _de_que(h.entidad, h.entidad_id, contexto)
    detalle = ""
    if flujo and h.origen != h.destino:
        destino = flujo.estados.get(h.destino, h.destino)
        detalle = f"{flujo.estados.get(h.origen, h.origen)} → {destino}" if h.origen else destino
    return Suceso(h.momento, que, quien(h.usuaria, h.rol, h.institucion), detalle,
                  h.motivo if propia else None)


def _de_que(entidad: str, entidad_id, contexto: _Contexto) -> str:
    """What a step was about, added to its label: where a referral goes, which order, which
    level, what a request asked. Empty when the row is not one this page loaded."""
    if entidad == "canalizacion" and (c := contexto.canalizaciones.get(entidad_id)) is not None:
        return f" a {c.destino.nombre}"
    if entidad == "orden_proteccion" and (o := contexto.ordenes.get(entidad_id)) is not None:
        return f" ({TIPOS_ORDEN[o.tipo].lower()}, {AUTORIDADES_ORDEN[o.autoridad]})"
    if entidad == FLUJO_VALORACION.nombre and (v := contexto.valoraciones.get(entidad_id)) is not None:
        return f" ({NIVELES_RIESGO[v.nivel].lower()})"
    if entidad == FLUJO_SOLICITUD.nombre and (s := contexto.solicitudes.get(entidad_id)) is not None:
        return f": {_pedido(s, contexto)}"
    return ""


def _pedido(solicitud: SolicitudAprobacion, contexto: _Contexto) -> str:
    """What a request asked for, in lower case: "cerrar el caso", "enviar la canalización a …"."""
    etiqueta = FLUJOS[solicitud.entidad].transicion(solicitud.evento).etiqueta.lower()
    if solicitud.entidad == "canalizacion":
        return f"{etiqueta} la canalización{_de_que('canalizacion', solicitud.entidad_id, contexto)}"
    return etiqueta + _de_que(solicitud.entidad, solicitud.entidad_id, contexto)


def _de_solicitud(solicitud: SolicitudAprobacion, contexto: _Contexto) -> Suceso:
    return Suceso(solicitud.creada_en, f"{FLUJO_SOLICITUD.suceso('crear')}: {_pedido(solicitud, contexto)}",
                  quien(solicitud.solicitante), motivo=solicitud.motivo)


def _de_atencion(atencion: Atencion, contexto: _Contexto, propia: bool) -> Suceso:
    tipo = tipos_atencion().get(atencion.tipo)
    que = f"Atención brindada: {tipo.nombre if tipo else atencion.tipo}"
    canalizacion = contexto.canalizaciones.get(atencion.canalizacion_id)
    if propia and canalizacion is not None:
        que += f" (canalización a {canalizacion.destino.nombre})"
    detalle = f"El {_fecha(atencion.fecha)}"
    if atencion.duracion_minutos:
        detalle += f", {atencion.duracion_minutos} min"
    # Its notes describe her: they are the services section's, not the history's.
    return Suceso(atencion.registrada_en, que, quien(atencion.brindada_por, institucion=atencion.institucion),
                  detalle)


def _del_registro(caso, personas: dict) -> list[Suceso]:
    lineas = [Suceso(caso.creado_en, "Registró el caso", quien(personas.get(caso.creado_por_id)), orden=0)]
    c = caso.consentimiento
    if c is None:
        return lineas
    if c.autoriza_canalizar:
        detalle = (f"A: {_etiquetas(c.tipos_institucion, TIPOS_INSTITUCION)}. "
                   f"Datos: {_etiquetas(c.datos_compartibles, DATOS_COMPARTIBLES, '; ')}.")
        if c.vigente_hasta:
            detalle += f" Vigente hasta el {_fecha(c.vigente_hasta)}."
        lineas.append(Suceso(c.registrado_en, "Registró su consentimiento para canalizar su caso",
                             quien(personas.get(c.registrado_por_id)), detalle, orden=1))
    else:
        lineas.append(Suceso(c.registrado_en, "Registró que ella no autoriza canalizar su caso",
                             quien(personas.get(c.registrado_por_id)), orden=1))
    if c.revocado_en is not None:
        lineas.append(Suceso(
            c.revocado_en, f"Registró que ella revocó su consentimiento el {_fecha(c.revocada_el)}",
            quien(personas.get(c.revocado_por_id)),
            f"Informó: {QUIEN_INFORMA_REVOCACION.get(c.revocacion_informada_por, '—')}",
            c.motivo_revocacion))
    return lineas


def _de_valoracion(valoracion, propuesta: bool) -> Suceso:
    """`propuesta`: it waited (or waits) for a supervisora, whatever became of it later (the
    approval and what it did are lines of their own)."""
    nivel = NIVELES_RIESGO[valoracion.nivel].lower()
    propuesta = propuesta or valoracion.estado != FLUJO_VALORACION.inicial
    que = (f"Valoró el riesgo y propuso el nivel {nivel} (requiere aprobación)" if propuesta
           else f"Valoró el riesgo: nivel {nivel}")
    detalle = (f"Calculado por el instrumento: {NIVELES_RIESGO[valoracion.nivel_calculado].lower()}; "
               f"puntaje {valoracion.puntaje}")
    return Suceso(valoracion.creada_en, que, quien(valoracion.autor), detalle, valoracion.motivo)


def _de_asignacion(asignacion: Asignacion) -> Suceso:
    detalle = f"Antes: {asignacion.anterior.nombre}" if asignacion.anterior is not None else ""
    return Suceso(asignacion.momento, f"Asignó el caso a {asignacion.responsable.nombre}",
                  quien(asignacion.asignada_por), detalle)
