"""Protection-order operations and their deadlines. They flush; the view commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from casos.bd import ahora
from casos.expedientes.modelos import ValoracionRiesgo
from casos.extensiones import db
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones import servicios as transiciones
from flujos import MovimientoIlegal, plazos
from flujos.orden_proteccion import FLUJO_ORDEN, VIGENTES


def registrar_solicitud(caso, usuaria, *, tipo: str, autoridad: str, medidas: list[str],
                        solicitada_en: datetime, notas: str | None) -> OrdenProteccion:
    if solicitada_en > ahora() + timedelta(minutes=5):
        raise MovimientoIlegal("La fecha de solicitud no puede ser futura.")
    orden = OrdenProteccion(caso=caso, institucion_id=usuaria.institucion_id, tipo=tipo,
                            autoridad=autoridad, medidas=medidas, solicitada_en=solicitada_en,
                            registrada_por_id=usuaria.id)
    db.session.add(orden)
    orden.notas = notas
    db.session.flush()
    transiciones.registrar_historial(orden, "solicitar", "", FLUJO_ORDEN.inicial, usuaria)
    return orden


def _contexto(orden) -> dict:
    posterior = db.session.scalar(select(ValoracionRiesgo.id).where(
        ValoracionRiesgo.caso_id == orden.caso_id,
        ValoracionRiesgo.creada_en > (orden.emitida_en or orden.solicitada_en)).limit(1))
    return {"valoracion_posterior_a_emision": posterior is not None, "prorrogas": orden.prorrogas}


def actuar(orden, evento: str, usuaria, *, version_vista: int, motivo: str | None = None,
           momento: datetime | None = None, dias: int | None = None) -> None:
    """emitir (with its date and validity), negar, prorrogar (days), levantar."""
    valores: dict = {}
    if evento == "emitir":
        emitida = momento or ahora()
        if emitida < orden.solicitada_en or emitida > ahora() + timedelta(minutes=5):
            raise MovimientoIlegal("La fecha de emisión debe estar entre la solicitud y ahora.")
        dias = dias or plazos.ORDEN_VIGENCIA_DIAS
        if not 1 <= dias <= plazos.ORDEN_VIGENCIA_DIAS:
            raise MovimientoIlegal(f"La vigencia es de 1 a {plazos.ORDEN_VIGENCIA_DIAS} días.")
        valores = {"emitida_en": emitida, "vence_en": emitida + timedelta(days=dias)}
    elif evento == "prorrogar":
        dias = dias or plazos.ORDEN_PRORROGA_DIAS
        if not 1 <= dias <= plazos.ORDEN_PRORROGA_DIAS:
            raise MovimientoIlegal(f"La prórroga es de 1 a {plazos.ORDEN_PRORROGA_DIAS} días.")
        valores = {"vence_en": orden.vence_en + timedelta(days=dias), "prorrogas": orden.prorrogas + 1}
    quien = transiciones.actor(usuaria, duena_id=orden.caso.institucion_id)
    transiciones.disparar(orden, evento, quien, usuaria, version_vista=version_vista, motivo=motivo,
                          contexto=_contexto(orden), valores=valores)


def registrar_seguimiento(orden, usuaria) -> None:
    if orden.estado not in VIGENTES:
        raise MovimientoIlegal("Solo se da seguimiento a una orden vigente.")
    orden.ultimo_seguimiento = ahora()
    orden.seguimientos = (orden.seguimientos or 0) + 1
    transiciones.registrar_historial(orden, "seguimiento", orden.estado, orden.estado, usuaria)


def proximo_seguimiento(orden) -> datetime | None:
    """Every 24 hours during the first 6 days after issue (LGAMVLV), then a personal plan.

    The k-th contact is due 24·k hours after issue whatever time the previous one was made,
    so a late contact never pushes the last one out of the six days."""
    if orden.estado not in VIGENTES or orden.emitida_en is None:
        return None
    hechos = orden.seguimientos or 0
    total = plazos.ORDEN_SEGUIMIENTO_DIAS * 24 // plazos.ORDEN_SEGUIMIENTO_HORAS
    if hechos >= total:
        return None
    return orden.emitida_en + timedelta(hours=plazos.ORDEN_SEGUIMIENTO_HORAS * (hechos + 1))


def limite_emision(orden) -> datetime:
    return orden.solicitada_en + timedelta(hours=plazos.ORDEN_EMISION_HORAS)


def vencer_caducadas(sistema) -> int:
    """For the scheduled job: orders past their date become "vencida". `sistema` is the
    account the job acts as (role checked by the workflow: only SISTEMA may fire it)."""
    vencidas = db.session.scalars(select(OrdenProteccion).where(
        OrdenProteccion.estado.in_(VIGENTES), OrdenProteccion.vence_en < ahora())).all()
    hechas = 0
    for orden in vencidas:
        quien = transiciones.Actor(None, "sistema", frozenset())
        try:
            with db.session.begin_nested():  # one order changed meanwhile: skip it, not the batch
                transiciones.disparar(orden, "vencer", quien, sistema, version_vista=orden.version)
            hechas += 1
        except MovimientoIlegal:
            continue
    return hechas
