"""Firing a transition: the domain check of flujos/, then one compare-and-set UPDATE whose row
count decides, plus the history row, in the caller's transaction (the view commits once).

    UPDATE <table> SET estado = :destino, version = version + 1
     WHERE id = :id AND estado = :origen AND version = :version_vista

On PostgreSQL a concurrent second UPDATE waits for the first to commit, re-reads the row and
matches nothing; on SQLite the write lock taken up front serialises them. Either way exactly
one of two people acting on the same page wins; the other gets `Conflicto`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from casos.bd import ahora
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos import FLUJOS, Actor, MovimientoIlegal
from flujos.aprobacion import PENDIENTE
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


def _auditar(accion: str, caso_id, usuaria) -> None:
    """Every move is audited when its transaction commits (auditoria.al_confirmar)."""
    from casos import auditoria

    auditoria.al_confirmar(accion, caso_id=caso_id, usuaria=usuaria)


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

# What a package adds to a move of its entity when it is requested or approved (the columns
# written with it, the context its guards read), registered by that package: this one knows
# none of them, and no caller can forget it (a guard without its context refuses).
AL_MOVER: dict[str, Callable[[str, object], dict]] = {}


def _extra(fila, evento: str) -> dict:
    return AL_MOVER.get(_nombre_entidad(fila), lambda _e, _f: {})(evento, fila)


# What a request asks for, in words the supervisora can decide on ("Enviar la canalización
# a …, servicios …, verá …"), by the package of its entity; the move's label otherwise.
DESCRIBIR: dict[str, Callable[[str, object], str]] = {}


def describir(solicitud: SolicitudAprobacion) -> str:
    etiqueta = FLUJOS[solicitud.entidad].transicion(solicitud.evento).etiqueta
    describe = DESCRIBIR.get(solicitud.entidad)
    return describe(solicitud.evento, entidad_de(solicitud)) if describe else f"{etiqueta}."

def historia_de(fila) -> list[HistorialTransicion]:
    """Every move of one entity (a referral, an order), oldest first."""
    return list(db.session.scalars(select(HistorialTransicion).where(
        HistorialTransicion.entidad_id == fila.id).order_by(HistorialTransicion.momento)))


def entidad_de(solicitud: SolicitudAprobacion):
    """The row a request is about, found by its table's name: this package knows no model of
    the packages that use it."""
    modelo = next(m.class_ for m in db.Model.registry.mappers
                  if getattr(m.class_, "__tablename__", None) == solicitud.entidad)
    return db.session.get(modelo, solicitud.entidad_id)


def pendientes_de_institucion(institucion_id) -> list[SolicitudAprobacion]:
    """The approval inbox: urgent cases first, then the oldest request. An erased case's
    requests ended when it was erased; older ones are left out all the same."""
    from casos.expedientes.modelos import Caso

    return list(db.session.scalars(
        select(SolicitudAprobacion).join(Caso, Caso.id == SolicitudAprobacion.caso_id)
        .where(SolicitudAprobacion.institucion_id == institucion_id,
               SolicitudAprobacion.estado == PENDIENTE, Caso.datos_eliminados_en.is_(None))
        .order_by(Caso.urgente.desc(), SolicitudAprobacion.creada_en)))


def pendiente_de(fila, evento: str) -> SolicitudAprobacion | None:
    return db.session.scalar(select(SolicitudAprobacion).where(
        SolicitudAprobacion.entidad_id == fila.id, SolicitudAprobacion.evento == evento,
        SolicitudAprobacion.estado == PENDIENTE))


def solicitar(fila, evento: str, quien: Actor, usuaria, *, motivo: str | None = None,
              contexto: dict | None = None) -> SolicitudAprobacion:
    """Ask for a move that needs approval. The move must be legal now for the requester."""
    flujo = FLUJOS[_nombre_entidad(fila)]
    transicion = flujo.transicion(evento)
    if not transicion.requiere_aprobacion:
        raise MovimientoIlegal("Esta acción no necesita aprobación.")
    if contexto is None:
        contexto = _extra(fila, evento).get("contexto")
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
    extra = _extra(entidad, solicitud.evento)
    contexto = extra.get("contexto") if contexto is None else contexto
    valores = extra.get("valores") if valores is None else valores
    quien = actor(supervisora, duena_id=solicitud.institucion_id)
    return disparar(entidad, solicitud.evento, quien, supervisora, version_vista=entidad.version,
                    motivo=solicitud.motivo, contexto=contexto, valores=valores,
                    por_aprobacion=True)


def rechazar(solicitud: SolicitudAprobacion, entidad, supervisora, *, version_vista: int,
             motivo: str | None):
    _resolver(solicitud, "rechazar", supervisora, version_vista, motivo)
    _devolver(solicitud, entidad, supervisora, motivo)


def _devolver(solicitud: SolicitudAprobacion, entidad, usuaria, motivo: str | None) -> None:
    """A request that will not be carried out puts its entity back where it waited from."""
    al_rechazar = FLUJOS[solicitud.entidad].transicion(solicitud.evento).al_rechazar
    if al_rechazar:
        quien = actor(usuaria, duena_id=solicitud.institucion_id)
        disparar(entidad, al_rechazar, quien, usuaria, version_vista=entidad.version,
                 motivo=motivo, por_aprobacion=True)


def retirar(solicitud: SolicitudAprobacion, entidad, autora, *, version_vista: int,
            motivo: str | None = None) -> None:
    """The author withdraws her own request (nobody else may: casos/acceso/objetos.py)."""
    if autora.id != solicitud.solicitante_id:
        raise MovimientoIlegal("Solo quien hizo la solicitud puede retirarla.")
    motivo = (motivo or "").strip() or RETIRADA  # undoing the entity's wait asks for a reason
    quien = actor(autora, duena_id=solicitud.institucion_id)
    disparar(solicitud, "retirar", quien, autora, version_vista=version_vista, motivo=motivo,
             valores={"resuelta_por_id": autora.id, "resuelta_en": ahora()})
    _devolver(solicitud, entidad, autora, motivo)


RETIRADA = "Retirada por quien la solicitó."
SISTEMA = SimpleNamespace(id=None, rol="sistema", institucion_id=None)


def actor_de(usuaria, duena_id) -> Actor:
    """`actor`, or the system acting for the owning institution (a scheduled job, or a
    consequence of another change such as a revoked consent)."""
    if usuaria is SISTEMA:
        return Actor(None, SISTEMA.rol, frozenset({DUENA}))
    return actor(usuaria, duena_id=duena_id)


def anular_pendientes_de_caso(caso, motivo: str) -> int:
    """End every request still waiting on a case (its personal data are being erased): the
    system leaves them without effect, with the reason, so no inbox waits on them."""
    quien = actor_de(SISTEMA, None)
    pendientes = db.session.scalars(select(SolicitudAprobacion).where(
        SolicitudAprobacion.caso_id == caso.id, SolicitudAprobacion.estado == PENDIENTE)).all()
    for solicitud in pendientes:
        disparar(solicitud, "anular", quien, SISTEMA, version_vista=solicitud.version, motivo=motivo,
                 valores={"resuelta_en": ahora()})
    return len(pendientes)
