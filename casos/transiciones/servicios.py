"""Firing a transition: the domain check of flujos/, then one compare-and-set UPDATE whose row
count decides, plus the history row, in the caller's transaction (the view commits once).

    UPDATE <table> SET estado = :destino, version = version + 1
     WHERE id = :id AND estado = :origen AND version = :version_vista

On PostgreSQL a concurrent second UPDATE waits for the first to commit, re-reads the row and
matches nothing; on SQLite the write lock taken up front serialises them. Either way exactly
one of two people acting on the same page wins; the other gets `Conflicto`.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from casos.bd import ahora
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos import FLUJOS, Actor, MovimientoIlegal
from flujos.base import DUENA, RECEPTORA

CAMBIO_CONCURRENTE = ("Alguien más cambió esto mientras usted lo veía; nada se guardó. "
                      "Recargue la página para ver el estado actual.")


class Conflicto(MovimientoIlegal):
    """The row changed since the page was shown (another person acted first)."""

    def __init__(self):
        super().__init__(CAMBIO_CONCURRENTE)


def actor(usuaria, *, duena_id=None, receptora_id=None) -> Actor:
    """The person as the domain sees her for one entity: her role and on which sides she is."""
    lados = set()
    if duena_id is not None and usuaria.institucion_id == duena_id:
        lados.add(DUENA)
    if receptora_id is not None and usuaria.institucion_id == receptora_id:
        lados.add(RECEPTORA)
    return Actor(usuaria.id, usuaria.rol, frozenset(lados))


def _nombre_entidad(fila) -> str:
    return fila.__tablename__


def disparar(fila, evento: str, quien: Actor, usuaria, *, version_vista: int,
             motivo: str | None = None, contexto: dict | None = None, valores: dict | None = None,
             por_aprobacion: bool = False):
    """Check with the workflow, then compare-and-set. `valores` are columns written together
    with the new state (dates, counters). Returns the transition fired."""
    if fila.version != version_vista:  # the page was stale before we even start
        raise Conflicto()
    flujo = FLUJOS[_nombre_entidad(fila)]
    transicion = flujo.comprobar(fila.estado, evento, quien, motivo=motivo, contexto=contexto,
                                 por_aprobacion=por_aprobacion)
    tabla = type(fila).__table__
    origen = fila.estado
    resultado = db.session.execute(
        update(tabla)
        .where(tabla.c.id == fila.id, tabla.c.estado == origen, tabla.c.version == version_vista)
        .values(estado=transicion.destino, version=tabla.c.version + 1, **(valores or {})))
    if resultado.rowcount != 1:
        raise Conflicto()
    db.session.expire(fila)
    registrar_historial(fila, evento, origen, transicion.destino, usuaria, motivo)
    return transicion


EVENTOS_PENDIENTES = "auditoria_de_transiciones"


def _auditar(accion: str, caso_id, usuaria) -> None:
    """Every move is audited when its transaction commits (see `auditar_al_confirmar`):
    the trail takes its lock last, after the rows it records, which rules out deadlocks."""
    db.session.info.setdefault(EVENTOS_PENDIENTES, []).append((accion, caso_id, usuaria))


def auditar_al_confirmar(sesion) -> None:
    """before_commit hook: the pending moves join the audit chain in the same transaction."""
    from casos import auditoria

    for accion, caso_id, usuaria in sesion.info.pop(EVENTOS_PENDIENTES, []):
        auditoria.registrar(accion, caso_id=caso_id, usuaria=usuaria)


def descartar_pendientes(sesion, *_args) -> None:
    """after_rollback hook: a move rolled back leaves no event either."""
    sesion.info.pop(EVENTOS_PENDIENTES, None)


def registrar_historial(fila, evento, origen, destino, usuaria, motivo=None) -> HistorialTransicion:
    caso = fila if _nombre_entidad(fila) == "caso" else fila.caso
    historia = HistorialTransicion(
        caso=caso, entidad=_nombre_entidad(fila), entidad_id=fila.id, evento=evento,
        origen=origen, destino=destino, usuaria_id=usuaria.id, rol=usuaria.rol,
        institucion_id=usuaria.institucion_id, momento=ahora())
    db.session.add(historia)
    historia.motivo = (motivo or "").strip() or None
    db.session.flush()
    _auditar(f"{_nombre_entidad(fila)}.{evento}", caso.id, usuaria)
    return historia


# ---- approvals (four eyes) ------------------------------------------------------------------

def pendiente_de(fila, evento: str) -> SolicitudAprobacion | None:
    return db.session.scalar(select(SolicitudAprobacion).where(
        SolicitudAprobacion.entidad_id == fila.id, SolicitudAprobacion.evento == evento,
        SolicitudAprobacion.estado == "pendiente"))


def solicitar(fila, evento: str, quien: Actor, usuaria, *, motivo: str | None = None,
              contexto: dict | None = None) -> SolicitudAprobacion:
    """Ask for a move that needs approval. The move must be legal now for the requester."""
    flujo = FLUJOS[_nombre_entidad(fila)]
    transicion = flujo.transicion(evento)
    if not transicion.requiere_aprobacion:
        raise MovimientoIlegal("Esta acción no necesita aprobación.")
    flujo.comprobar(fila.estado, evento, quien, motivo=motivo, contexto=contexto,
                    por_aprobacion=True)
    if pendiente_de(fila, evento) is not None:
        raise MovimientoIlegal("Ya hay una solicitud pendiente para esta acción.")
    caso = fila if _nombre_entidad(fila) == "caso" else fila.caso
    solicitud = SolicitudAprobacion(
        caso=caso, entidad=_nombre_entidad(fila), entidad_id=fila.id, evento=evento,
        institucion_id=usuaria.institucion_id, solicitante_id=usuaria.id, creada_en=ahora())
    db.session.add(solicitud)
    solicitud.motivo = (motivo or "").strip() or None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # someone asked the same a moment ago (unique pending index)
        raise MovimientoIlegal("Ya hay una solicitud pendiente para esta acción.") from None
    _auditar("solicitud_aprobacion.crear", caso.id, usuaria)
    return solicitud


def _resolver(solicitud: SolicitudAprobacion, evento: str, supervisora, version_vista: int,
              motivo: str | None) -> None:
    if supervisora.institucion_id != solicitud.institucion_id:
        raise MovimientoIlegal("Solo una supervisora de la institución que lo solicitó puede resolverlo.")
    if supervisora.id == solicitud.solicitante_id:
        raise MovimientoIlegal("No puede aprobar ni rechazar una solicitud que usted misma hizo.")
    quien = Actor(supervisora.id, supervisora.rol, frozenset({DUENA}))
    disparar(solicitud, evento, quien, supervisora, version_vista=version_vista, motivo=motivo,
             valores={"resuelta_por_id": supervisora.id, "resuelta_en": ahora()})
    solicitud.resolucion = (motivo or "").strip() or None


def aprobar(solicitud: SolicitudAprobacion, entidad, supervisora, *, version_vista: int,
            motivo: str | None = None, contexto: dict | None = None, valores: dict | None = None):
    """Approve, then fire the requested move on the entity as it is now: if it changed so
    that the move is no longer legal, nothing is saved and she is told why."""
    _resolver(solicitud, "aprobar", supervisora, version_vista, motivo)
    quien = actor(supervisora, duena_id=solicitud.institucion_id)
    return disparar(entidad, solicitud.evento, quien, supervisora, version_vista=entidad.version,
                    motivo=solicitud.motivo, contexto=contexto, valores=valores,
                    por_aprobacion=True)


def rechazar(solicitud: SolicitudAprobacion, entidad, supervisora, *, version_vista: int,
             motivo: str | None):
    _resolver(solicitud, "rechazar", supervisora, version_vista, motivo)
    al_rechazar = FLUJOS[solicitud.entidad].transicion(solicitud.evento).al_rechazar
    if al_rechazar:
        quien = actor(supervisora, duena_id=solicitud.institucion_id)
        disparar(entidad, al_rechazar, quien, supervisora, version_vista=entidad.version,
                 motivo=motivo, por_aprobacion=True)
