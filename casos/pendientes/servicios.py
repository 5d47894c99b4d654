"""What is due and what is late, per institution or per person, most urgent first.

The same list feeds the "Pendientes" page (vistas.py) and `flask --app wsgi pendientes`
(cli.py, a scheduled job whose output carries case ids and kinds only, never a name).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones import servicios as transiciones
from flujos import plazos
from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA
from flujos.caso import ABIERTOS
from flujos.orden_proteccion import SOLICITADA, VIGENTES


@dataclass
class Pendiente:
    tipo: str
    vence: datetime
    caso_id: uuid.UUID
    urgente: bool
    ruta: tuple  # (endpoint, kwargs) of the page where it is done

    def atrasado(self, momento: datetime) -> bool:
        return self.vence < momento


def _orden(lista: list[Pendiente], momento: datetime) -> list[Pendiente]:
    """Late first (most overdue first), then due soonest; urgent cases ahead on ties."""
    return sorted(lista, key=lambda p: (not p.atrasado(momento), p.vence, not p.urgente))


def calcular(institucion_id, *, usuaria_id=None, momento: datetime | None = None) -> list[Pendiente]:
    momento = momento or ahora()
    horizonte = momento + timedelta(hours=plazos.POR_VENCER_HORAS)
    items: list[Pendiente] = []

    casos = select(Caso).where(
        Caso.institucion_id == institucion_id, Caso.estado.in_(ABIERTOS),
        Caso.datos_eliminados_en.is_(None), Caso.proxima_valoracion <= horizonte)
    if usuaria_id:
        casos = casos.where(Caso.creado_por_id == usuaria_id)
    for caso in db.session.scalars(casos):
        items.append(Pendiente("Revalorar el riesgo", caso.proxima_valoracion, caso.id, caso.urgente,
                               ("expedientes.valoracion", {"caso_id": caso.id})))

    # An erased case waits for nothing: its rows stay for statistics, out of every list.
    consulta_ordenes = select(OrdenProteccion).join(Caso, Caso.id == OrdenProteccion.caso_id).where(
        OrdenProteccion.institucion_id == institucion_id, Caso.datos_eliminados_en.is_(None),
        OrdenProteccion.estado.in_((SOLICITADA, *VIGENTES)))
    if usuaria_id:
        consulta_ordenes = consulta_ordenes.where(OrdenProteccion.registrada_por_id == usuaria_id)
    for orden in db.session.scalars(consulta_ordenes):
        ruta = ("expedientes.ver", {"caso_id": orden.caso_id})
        if orden.estado == SOLICITADA:
            items.append(Pendiente("Emitir la orden de protección (plazo legal de 4 horas)",
                                   ordenes.limite_emision(orden), orden.caso_id, True, ruta))
            continue
        seguimiento = ordenes.proximo_seguimiento(orden)
        if seguimiento and seguimiento <= horizonte:
            items.append(Pendiente("Contactar a la mujer: seguimiento diario de la orden",
                                   seguimiento, orden.caso_id, orden.caso.urgente, ruta))
        if orden.vence_en <= momento + timedelta(days=plazos.ORDEN_AVISO_VENCIMIENTO_DIAS):
            que = ("valorar prórroga" if orden.prorrogas == 0
                   else "ya no admite prórroga, valorar una nueva orden")
            items.append(Pendiente(f"La orden de protección vence: {que}",
                                   orden.vence_en, orden.caso_id, orden.caso.urgente, ruta))

    canalizaciones = select(Canalizacion).join(Caso, Caso.id == Canalizacion.caso_id).where(
        Canalizacion.estado.in_(EN_ESPERA_DE_RESPUESTA), Caso.datos_eliminados_en.is_(None),
        or_(Canalizacion.destino_id == institucion_id,
            and_(Canalizacion.origen_id == institucion_id, Canalizacion.plazo_respuesta < momento)))
    if usuaria_id:
        canalizaciones = canalizaciones.where(or_(Canalizacion.destino_id == institucion_id,
                                                  Canalizacion.creada_por_id == usuaria_id))
    for canalizacion in db.session.scalars(canalizaciones):
        recibida = canalizacion.destino_id == institucion_id
        tipo = ("Responder la canalización recibida" if recibida
                else "Canalización sin respuesta de " + canalizacion.destino.siglas)
        items.append(Pendiente(tipo, canalizacion.plazo_respuesta, canalizacion.caso_id,
                               canalizacion.caso.urgente,
                               ("canalizaciones.ver", {"canalizacion_id": canalizacion.id})))

    for solicitud in transiciones.pendientes_de_institucion(institucion_id):
        if usuaria_id and solicitud.solicitante_id != usuaria_id:
            continue
        urgente = solicitud.caso.urgente
        plazo = plazos.APROBACION_HORAS["urgente" if urgente else "normal"]
        items.append(Pendiente("Aprobación pendiente", solicitud.creada_en + timedelta(hours=plazo),
                               solicitud.caso_id, urgente, ("flujo.bandeja", {})))
    return _orden(items, momento)
