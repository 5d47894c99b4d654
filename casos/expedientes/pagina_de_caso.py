"""What the case page shows to whom: every section to the owning institution; to a receiving
institution, only what the woman consented to share when the referral was sent.

And how it is loaded, measured rather than assumed (10k cases, SQLite): every collection the
page shows costs one statement whatever its length, never one per row (a test counts them).
The one-to-one rows come joined to the case's own query (`caso_visible`). Each collection
is loaded here, before the template, only if a section that shows it is shown, from a
statement built once and run with the case id: building one, and its cache key, cost more
than running it; a lazy load from the template builds its statement and key on every view,
and `selectinload` rebuilt its query and walked its options too (about 3 ms more a view).
"""

from __future__ import annotations

from functools import cache

from flask import url_for
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from casos.acceso import Vista, puede
from casos.adjuntos import servicios as adjuntos
from casos.atenciones import servicios as atenciones
from casos.expedientes import historia, servicios
from casos.expedientes.modelos import Caso, Hecho
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones.servicios import actor, describir
from flujos import FLUJOS
from flujos.aprobacion import PENDIENTE


# Built on first use (an ORM statement needs every model mapped, so not at import) and kept.
@cache
def _coleccion(nombre: str):
    """The rows of `Caso.<nombre>` in the relationship's order, as its lazy load would read
    them; incidents with their types and modalities (lazily, three statements)."""
    relacion = getattr(Caso, nombre).property
    fila = relacion.mapper.class_
    consulta = select(fila).where(fila.caso_id == bindparam("caso_id")).order_by(*relacion.order_by or ())
    if fila is Hecho:
        consulta = consulta.options(joinedload(Hecho.tipos_rel), joinedload(Hecho.modalidades_rel))
    return consulta


def _cargar(caso, nombres) -> None:
    """Each collection as if the relationship had read it: the template and the history
    iterate `caso.<nombre>` without another statement."""
    for nombre in nombres:
        set_committed_value(caso, nombre, db.session.scalars(_coleccion(nombre), {"caso_id": caso.id}).unique().all())


def _colecciones(visibles, propia: bool) -> list[str]:
    """The collections the shown sections read (plantillas/expedientes/caso.html and the
    history): no section shown, no statement."""
    secciones = {"hechos": "hechos" in visibles, "nna": "nna" in visibles, "agresores": "agresor" in visibles,
                 "valoraciones": propia or "riesgo" in visibles, "ordenes": propia or "riesgo" in visibles,
                 "canalizaciones": propia}
    return [nombre for nombre, se_muestra in secciones.items() if se_muestra]


def _describir(caso, solicitudes) -> dict:
    """What each pending request asks for. Its referral or assessment is one the page shows
    anyway: loading those collections first (one statement each, as the template would)
    keeps the description from costing a statement per request."""
    if solicitudes:
        _cargar(caso, [n for n in ("canalizaciones", "valoraciones") if n not in caso.__dict__])
    return {s.id: describir(s) for s in solicitudes}


def contexto(caso, usuaria, vista: Vista) -> dict:
    """Everything the page needs besides the case, for what `vista` (casos/acceso) lets this
    person read. Call it after the view's audit event: the duplicate hint and the template
    read the case's data. An erased case shows only a notice: nothing else is loaded."""
    if vista.eliminado:
        return {"secciones": vista.categorias, "propia": vista.propia}
    visibles = vista.categorias
    propia = vista.propia
    _cargar(caso, _colecciones(visibles, propia))
    duplicados = []
    if propia and caso.victima is not None:
        duplicados = servicios.duplicados_de(caso.victima)
    flujo_orden = FLUJOS["orden_proteccion"]
    quien_en_orden = actor(usuaria)
    servicios_dados = _atenciones(caso, usuaria, vista)
    # The history's sources (casos/expedientes/historia.py): the owner reads every step; a
    # receiving institution only its own referral's steps and services. The case's approval
    # requests, all of them, are also where the pending ones shown at the top come from; the
    # owner's internal approvals are the owner's business (none are loaded for a receiver).
    fuentes = historia.cargar(caso, vista)
    solicitudes = [s for s in fuentes.solicitudes if s.estado == PENDIENTE]
    consentimiento = caso.consentimiento
    return {
        "secciones": visibles,
        "propia": propia,
        "duplicados": duplicados,
        "acciones": FLUJOS["caso"].disponibles(caso.estado, actor(usuaria, duena_id=caso.institucion_id)),
        "FLUJOS": FLUJOS,
        "solicitudes": solicitudes,
        "que_solicita": _describir(caso, solicitudes),
        "historia": historia.sucesos(caso, vista, fuentes, servicios_dados["atenciones"]),
        "canalizacion_recibida": vista.canalizacion,
        "revocada_por": (historia.quien(fuentes.personas.get(consentimiento.revocado_por_id))
                         if propia and consentimiento is not None and consentimiento.revocado_en else None),
        "plazos_orden": {o.id: {"limite_emision": ordenes.limite_emision(o),
                                "seguimiento": ordenes.proximo_seguimiento(o)} for o in caso.ordenes},
        "acciones_orden": {o.id: flujo_orden.disponibles(o.estado, quien_en_orden) for o in caso.ordenes},
        **servicios_dados,
        # The files she may open (casos/acceso/casos.py `Documentos`).
        "adjuntos": adjuntos.que_abre(caso, usuaria),
    }


def _atenciones(caso, usuaria, vista: Vista) -> dict:
    """The services she may see (one statement), and where she records a new one: the owner
    on the case, a receiving institution under its live referral."""
    canalizacion = None if vista.propia else vista.canalizacion
    registra = (puede(usuaria, "casos.registrar") and (vista.propia or canalizacion is not None)
                and atenciones.impedimento(caso, usuaria, canalizacion) is None)
    nueva = None
    if registra:
        nueva = (url_for("atenciones.nueva", caso_id=caso.id) if canalizacion is None
                 else url_for("atenciones.nueva_en_canalizacion", canalizacion_id=canalizacion.id))
    return {"atenciones": atenciones.atenciones_visibles(caso, usuaria), "nueva_atencion": nueva,
            "ve_notas": atenciones.ve_notas}
