"""What the case page shows to whom: every section to the owning institution; to a receiving
institution, only what the woman consented to share when the referral was sent."""

from __future__ import annotations

from sqlalchemy import select

from casos.canalizaciones.servicios import vigente_para
from casos.catalogos import DATOS_COMPARTIBLES
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from casos.transiciones.servicios import actor
from flujos import FLUJOS


def secciones(caso, usuaria) -> frozenset[str]:
    if caso.institucion_id == usuaria.institucion_id:
        return frozenset(DATOS_COMPARTIBLES)
    canalizacion = vigente_para(caso.id, usuaria.institucion_id)
    return frozenset(canalizacion.datos_compartidos) if canalizacion else frozenset()


def contexto(caso, usuaria) -> dict:
    quien = actor(usuaria, duena_id=caso.institucion_id)
    flujo = FLUJOS["caso"]
    return {
        "secciones": secciones(caso, usuaria),
        "propia": caso.institucion_id == usuaria.institucion_id,
        "acciones": flujo.disponibles(caso.estado, quien),
        "FLUJOS": FLUJOS,
        "solicitudes": db.session.scalars(select(SolicitudAprobacion).where(
            SolicitudAprobacion.caso_id == caso.id, SolicitudAprobacion.estado == "pendiente")).all(),
        "historia": db.session.scalars(select(HistorialTransicion).where(
            HistorialTransicion.caso_id == caso.id).order_by(HistorialTransicion.momento)).all(),
        "plazos_orden": {o.id: {"limite_emision": ordenes.limite_emision(o),
                                "seguimiento": ordenes.proximo_seguimiento(o)} for o in caso.ordenes},
        "acciones_orden": {o.id: FLUJOS["orden_proteccion"].disponibles(o.estado, actor(usuaria))
                           for o in caso.ordenes},
    }
