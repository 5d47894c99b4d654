"""Who is in charge of a case: a supervisora assigns or reassigns it within her institution.

A case starts in the hands of whoever registered it (`registrar_caso`). Each change writes
`Caso.responsable_id`, an `Asignacion` row (append-only: who, who before, by whom, when) and a
"caso.asignar" audit event whose object is the account put in charge. Staff, not her data:
nothing here is encrypted and nothing of the woman is written.

Decisions (issue 12, item 2):
- only a supervisora of the owning institution assigns (the route's policy and the case's
  loader say so first; `asignar` checks again, for callers that are not a route);
- she may assign herself: a supervisora takes a case when her team is short;
- the responsible is an active capturista or supervisora of the case's institution: a gestora
  or an admin never opens a case, and a deactivated account can't work it;
- a closed case is nobody's work: it is reopened first (by a caseworker, with a reason), then
  assigned; an erased case takes no change at all;
- choosing the one already in charge changes nothing and leaves no trace;
- the case's `version` is the lock, as on every case form: a page shown before another
  change of the case loses (`Conflicto`), and an assignment bumps it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from casos import auditoria
from casos.bd import ahora
from casos.catalogos import ROLES
from casos.cripto.campos import DatosEliminados
from casos.cuentas.modelos import Usuaria
from casos.expedientes.modelos import Asignacion, Caso
from casos.extensiones import db
from casos.transiciones.servicios import Conflicto
from flujos import MovimientoIlegal
from flujos.caso import ABIERTOS

# Who may be in charge of a case: the roles that work cases (DESIGN.md, "Who uses it").
ROLES_RESPONSABLES = ("capturista", "supervisora")
CERRADO = ("El caso está cerrado: no se asigna. Si hay que volver a atenderla, pida reabrirlo "
           "(con el motivo) y después asígnelo.")
AJENA = "Solo puede asignar el caso a una persona de su institución: elija una de la lista."


@dataclass(frozen=True)
class Elegible:
    """A person who may be put in charge, with how many open cases she already has."""

    usuaria: Usuaria
    abiertos: int

    @property
    def etiqueta(self) -> str:
        casos = "1 caso abierto" if self.abiertos == 1 else f"{self.abiertos} casos abiertos"
        return f"{self.usuaria.nombre} — {ROLES[self.usuaria.rol]} · {casos}"


def abiertos_por_responsable(institucion_id) -> dict[uuid.UUID, int]:
    """Open cases of the institution per responsible: one grouped query. An erased case is
    nobody's work any more, whatever its state."""
    filas = db.session.execute(
        select(Caso.responsable_id, func.count(Caso.id))
        .where(Caso.institucion_id == institucion_id, Caso.estado.in_(ABIERTOS),
               Caso.datos_eliminados_en.is_(None), Caso.responsable_id.is_not(None))
        .group_by(Caso.responsable_id))
    return dict(filas.tuples().all())


def elegibles(institucion_id) -> list[Elegible]:
    """The active capturistas and supervisoras of the institution, by name."""
    personas = db.session.scalars(
        select(Usuaria).where(Usuaria.institucion_id == institucion_id, Usuaria.activa.is_(True),
                              Usuaria.rol.in_(ROLES_RESPONSABLES))
        .order_by(Usuaria.nombre, Usuaria.id)).all()
    cuentas = abiertos_por_responsable(institucion_id)
    return [Elegible(p, cuentas.get(p.id, 0)) for p in personas]


def cuenta(identificador: uuid.UUID | None) -> Usuaria | None:
    """The account a form named, or None (an id that is not one: `asignar` says why)."""
    return db.session.get(Usuaria, identificador) if identificador is not None else None


def historial(caso: Caso, limite: int = 10) -> list[Asignacion]:
    """The latest assignments of the case, newest first (staff names only)."""
    return list(db.session.scalars(
        select(Asignacion).where(Asignacion.caso_id == caso.id)
        .order_by(Asignacion.momento.desc(), Asignacion.id.desc()).limit(limite)))


def motivo_de_rechazo(caso: Caso, responsable: Usuaria | None) -> str | None:
    """Why this person can't be put in charge of this case, in Spanish; None if she can."""
    if responsable is None or responsable.institucion_id != caso.institucion_id:
        # Unknown, or of another institution: the same answer, so a guessed id confirms nothing.
        return AJENA
    if responsable.rol not in ROLES_RESPONSABLES:
        return (f"{responsable.nombre} tiene el rol de {ROLES[responsable.rol].lower()}: solo una "
                "capturista o una supervisora puede ser responsable de un caso.")
    if not responsable.activa:
        return f"La cuenta de {responsable.nombre} está desactivada: elija a una persona activa."
    return None


def asignar(caso: Caso, responsable: Usuaria | None, supervisora, *, version_vista: int) -> Asignacion | None:
    """Put `responsable` in charge of `caso`. Returns the new `Asignacion`, or None when she
    already was (nothing changes, nothing is audited). Refusals raise `MovimientoIlegal`
    (Spanish message), `Conflicto` for a stale page, `DatosEliminados` for an erased case."""
    if supervisora.rol != "supervisora" or supervisora.institucion_id != caso.institucion_id:
        raise MovimientoIlegal("Solo una supervisora de la institución del caso puede asignarlo.")
    if caso.datos_eliminados:
        raise DatosEliminados()
    if caso.estado not in ABIERTOS:
        raise MovimientoIlegal(CERRADO)
    if (motivo := motivo_de_rechazo(caso, responsable)) is not None:
        raise MovimientoIlegal(motivo)
    if caso.responsable_id == responsable.id:
        return None
    if caso.version != version_vista:  # the page was stale before we even start
        raise Conflicto()
    anterior_id = caso.responsable_id
    # Compare-and-set on the version, as a workflow move does: of two supervisoras assigning
    # from the same page, one wins and the other is told to reload.
    tabla = Caso.__table__
    resultado = db.session.execute(
        update(tabla)
        .where(tabla.c.id == caso.id, tabla.c.version == version_vista, tabla.c.estado.in_(ABIERTOS),
               tabla.c.datos_eliminados_en.is_(None))
        .values(responsable_id=responsable.id, version=tabla.c.version + 1))
    if resultado.rowcount != 1:
        raise Conflicto()
    db.session.expire(caso)
    asignacion = Asignacion(caso_id=caso.id, responsable_id=responsable.id, anterior_id=anterior_id,
                            asignada_por_id=supervisora.id, momento=ahora())
    db.session.add(asignacion)
    db.session.flush()
    auditoria.al_confirmar("caso.asignar", caso_id=caso.id, objeto_id=responsable.id, usuaria=supervisora)
    return asignacion
