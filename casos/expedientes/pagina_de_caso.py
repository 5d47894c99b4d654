"""What the case page shows to whom: every section to the owning institution; to a receiving
institution, only what the woman consented to share when the referral was sent.

And how it is loaded, measured rather than assumed (10k cases, SQLite): every collection the
page shows costs one statement whatever its length, never one per row (a test counts them).
The one-to-one rows come joined to the case's own query (`ver`). The simple collections
(orders, assessments, children, aggressors, referrals) load lazily when the template first
reads them, from a statement SQLAlchemy caches, and only if their section is shown:
`selectinload` for the five issued the same statements and cost about 3 ms more a view (it
rebuilds its query and walks the options each time). Statements built here are built once
and run with the case id: building one, and its cache key, cost more than running it.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from casos.acceso import Vista
from casos.expedientes import servicios
from casos.expedientes.modelos import Hecho
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from casos.transiciones.servicios import actor, describir
from flujos import FLUJOS
from flujos.aprobacion import PENDIENTE


# Built on first use (an ORM statement needs every model mapped, so not at import) and kept.
@cache
def _hechos():
    """Each incident with its types and modalities: one statement (lazily, three)."""
    return (select(Hecho).where(Hecho.caso_id == bindparam("caso_id"))
            .options(joinedload(Hecho.tipos_rel), joinedload(Hecho.modalidades_rel))
            .order_by(Hecho.fecha))


@cache
def _solicitudes():
    return select(SolicitudAprobacion).where(
        SolicitudAprobacion.caso_id == bindparam("caso_id"), SolicitudAprobacion.estado == PENDIENTE)


@cache
def _historia():
    return (select(HistorialTransicion).where(HistorialTransicion.caso_id == bindparam("caso_id"))
            .order_by(HistorialTransicion.momento))


def _describir(caso, solicitudes) -> dict:
    """What each pending request asks for. Its referral or assessment is one the page shows
    anyway: loading those collections first (one statement each, as the template would)
    keeps the description from costing a statement per request."""
    if solicitudes:
        caso.canalizaciones, caso.valoraciones  # noqa: B018 (loaded for the identity map)
    return {s.id: describir(s) for s in solicitudes}


def _historia_para(caso, vista: Vista) -> list:
    """The owner sees every step; a receiving institution only the steps of its own referral
    (another referral would tell it where else she went: a shelter, a prosecutor)."""
    historia = db.session.scalars(_historia(), {"caso_id": caso.id}).all()
    if vista.propia:
        return historia
    propia = vista.canalizacion.id if vista.canalizacion is not None else None
    return [h for h in historia if h.entidad_id == propia]


def contexto(caso, usuaria, vista: Vista) -> dict:
    """Everything the page needs besides the case, for what `vista` (casos/acceso) lets this
    person read. Call it after the view's audit event: the duplicate hint and the template
    read the case's data. An erased case shows only a notice: nothing else is loaded."""
    if vista.eliminado:
        return {"secciones": vista.categorias, "propia": vista.propia}
    visibles = vista.categorias
    propia = vista.propia
    if "hechos" in visibles:
        # The loaded collection, as if the relationship had read it: the template iterates
        # `caso.hechos` without another statement.
        set_committed_value(caso, "hechos", db.session.scalars(_hechos(), {"caso_id": caso.id}).unique().all())
    duplicados = []
    if propia and caso.victima is not None:
        duplicados = servicios.duplicados_de(caso.victima)
    flujo_orden = FLUJOS["orden_proteccion"]
    quien_en_orden = actor(usuaria)
    return {
        "secciones": visibles,
        "propia": propia,
        "duplicados": duplicados,
        "acciones": FLUJOS["caso"].disponibles(caso.estado, actor(usuaria, duena_id=caso.institucion_id)),
        "FLUJOS": FLUJOS,
        # The owner's internal approvals are the owner's business.
        "solicitudes": (solicitudes := db.session.scalars(_solicitudes(), {"caso_id": caso.id}).all()
                        if propia else []),
        "que_solicita": _describir(caso, solicitudes),
        "historia": _historia_para(caso, vista),
        "plazos_orden": {o.id: {"limite_emision": ordenes.limite_emision(o),
                                "seguimiento": ordenes.proximo_seguimiento(o)} for o in caso.ordenes},
        "acciones_orden": {o.id: flujo_orden.disponibles(o.estado, quien_en_orden) for o in caso.ordenes},
    }
