"""The retention review, blocking, shredding at the end, and the reads the admin authorizes.

A case is due for blocking when it is closed (`cerrado`) and its last closure is older than
its institution's period after closure; a blocked case is due for shredding when it has been
blocked longer than its blocking period. Both are idempotent conditions on the database, so a
review cut short is resumed by running it again: what was done no longer matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from casos import auditoria
from casos.auditoria.motivos import datos_personales_en
from casos.bd import ahora, hoy_local
from casos.conservacion import autorizar_en_esta_peticion, plazos
from casos.conservacion.modelos import LecturaBloqueada
from casos.cuentas.modelos import Institucion
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from casos.transiciones.modelos import HistorialTransicion
from flujos import MovimientoIlegal

BLOQUEO_MOTIVO = "Se bloqueó el caso al vencer su plazo de conservación."


def _hace_anios(hoy: date, anios: int) -> date:
    try:
        return hoy.replace(year=hoy.year - anios)
    except ValueError:  # 29 February in a year without it
        return hoy.replace(year=hoy.year - anios, day=28)


def _inicio_del_dia(dia: date) -> datetime:
    """The instant a local day begins (America/Mexico_City): periods end at local midnight."""
    return datetime.combine(dia, time(0), ZoneInfo(current_app.config["ZONA_HORARIA"]))


def _cierres():
    """When each case was last closed (its workflow history)."""
    return (select(HistorialTransicion.entidad_id.label("caso_id"),
                   func.max(HistorialTransicion.momento).label("cerrado_en"))
            .where(HistorialTransicion.entidad == "caso", HistorialTransicion.evento == "cerrar")
            .group_by(HistorialTransicion.entidad_id).subquery())


def por_bloquear(institucion, hoy: date):
    cierres = _cierres()
    limite = _inicio_del_dia(_hace_anios(hoy, plazos.de(institucion).anios_tras_cierre))
    return (select(Caso.id).join(cierres, cierres.c.caso_id == Caso.id)
            .where(Caso.institucion_id == institucion.id, Caso.estado == "cerrado",
                   Caso.bloqueado_en.is_(None), Caso.datos_eliminados_en.is_(None),
                   cierres.c.cerrado_en < limite)
            .order_by(Caso.id))


def por_eliminar(institucion, hoy: date):
    limite = _inicio_del_dia(_hace_anios(hoy, plazos.de(institucion).anios_bloqueado))
    return (select(Caso.id)
            .where(Caso.institucion_id == institucion.id, Caso.bloqueado_en.is_not(None),
                   Caso.datos_eliminados_en.is_(None), Caso.bloqueado_en < limite)
            .order_by(Caso.id))


@dataclass
class Revision:
    """What a review found (and did, when applied), per institution's acronym."""

    bloquear: dict[str, int] = field(default_factory=dict)
    eliminar: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.bloquear.values()) + sum(self.eliminar.values())

    def resumen(self) -> str:
        return (f"{sum(self.bloquear.values())} por bloquear, {sum(self.eliminar.values())} por eliminar")


def revisar(*, hoy: date | None = None) -> Revision:
    """What the schedule names today, changing nothing."""
    hoy = hoy or hoy_local()
    revision = Revision()
    for institucion in db.session.scalars(select(Institucion).order_by(Institucion.siglas)):
        contar = select(func.count()).select_from
        revision.bloquear[institucion.siglas] = db.session.scalar(contar(por_bloquear(institucion, hoy).subquery()))
        revision.eliminar[institucion.siglas] = db.session.scalar(contar(por_eliminar(institucion, hoy).subquery()))
    return revision


def aplicar(revision: Revision, *, hoy: date | None = None, lote: int = 100,
            avance: Callable[[int], None] = lambda _n: None) -> None:
    """Block, then shred, what the schedule names, `lote` cases per transaction; `avance(n)`
    after each batch. Interrupted, it is resumed by running it again."""
    hoy = hoy or hoy_local()
    for institucion in db.session.scalars(select(Institucion).order_by(Institucion.siglas)):
        periodo = plazos.de(institucion)
        for ids in _lotes(lambda: por_bloquear(institucion, hoy), lote):
            for caso in db.session.scalars(select(Caso).where(Caso.id.in_(ids))):
                bloquear(caso, motivo=f"Plazo de conservación: {periodo.anios_tras_cierre} años tras el cierre.")
            db.session.commit()
            avance(len(ids))
        for ids in _lotes(lambda: por_eliminar(institucion, hoy), lote):
            for caso in db.session.scalars(select(Caso).where(Caso.id.in_(ids))):
                expedientes.eliminar_datos_personales(
                    caso, None, motivo=f"Fin del plazo de conservación: {periodo.anios_bloqueado} años bloqueado.")
            db.session.commit()
            avance(len(ids))


def _lotes(consulta: Callable, lote: int) -> Iterator[list]:
    """The next `lote` ids the condition still names: what a batch did drops out of it."""
    while ids := list(db.session.scalars(consulta().limit(lote))):
        yield ids


def bloquear(caso: Caso, *, motivo: str) -> None:
    """Requests still waiting on it end first (their reasons are encrypted under the case's
    key, which a blocked case no longer gives up)."""
    transiciones.anular_pendientes_de_caso(caso, BLOQUEO_MOTIVO)
    caso.bloqueado_en = ahora()
    db.session.flush()
    auditoria.al_confirmar("caso.bloquear", caso_id=caso.id, motivo=motivo)


def auditar_revision(revision: Revision, aplicada: bool) -> None:
    auditoria.al_confirmar("conservacion.revisar", motivo=(
        f"Revisión de conservación: {revision.resumen()}; {'aplicada' if aplicada else 'solo consulta'}."))
    db.session.commit()


# ---- reads of a blocked case -------------------------------------------------------------------

def horas_de_lectura() -> int:
    return int(current_app.config.get("CONSERVACION_HORAS_LECTURA", 24))


def lecturas_de(caso: Caso, usuaria) -> list[LecturaBloqueada]:
    return list(db.session.scalars(select(LecturaBloqueada).where(
        LecturaBloqueada.caso_id == caso.id, LecturaBloqueada.solicitada_por_id == usuaria.id)
        .order_by(LecturaBloqueada.solicitada_en.desc())))


def pedir_lectura(caso: Caso, usuaria, fundamento: str) -> LecturaBloqueada:
    fundamento = (fundamento or "").strip()
    if not fundamento:
        raise MovimientoIlegal("Escriba el fundamento: para qué necesita leer el caso y con qué base legal.")
    if encontrados := datos_personales_en(fundamento):
        raise MovimientoIlegal(f"El fundamento parece llevar {', '.join(encontrados)}: escriba solo la base "
                               "legal y el número de expediente u oficio, sin datos de la mujer.")
    momento = ahora()
    if any(lectura.estado == "pendiente" or (lectura.estado == "autorizada" and lectura.vence_en > momento)
           for lectura in lecturas_de(caso, usuaria)):
        raise MovimientoIlegal("Ya tiene una solicitud de lectura de este caso pendiente o autorizada.")
    lectura = LecturaBloqueada(caso_id=caso.id, institucion_id=caso.institucion_id, solicitada_por_id=usuaria.id,
                               fundamento=fundamento, estado="pendiente", solicitada_en=momento)
    db.session.add(lectura)
    db.session.flush()
    auditoria.al_confirmar("lectura_bloqueada.pedir", caso_id=caso.id, objeto_id=lectura.id, usuaria=usuaria)
    return lectura


def lectura_en_vigor(caso: Caso, usuaria) -> LecturaBloqueada | None:
    """Her read of this case the admin authorized, while it lasts."""
    return db.session.scalar(select(LecturaBloqueada).where(
        LecturaBloqueada.caso_id == caso.id, LecturaBloqueada.solicitada_por_id == usuaria.id,
        LecturaBloqueada.estado == "autorizada", LecturaBloqueada.vence_en > ahora()).limit(1))


def abrir_con_lectura(caso: Caso, usuaria) -> bool:
    """Whether this request may use the case's key: always for a case not blocked; for a
    blocked one only within her authorized read, which this marks for the request (the one
    way `Caso.dek()` opens a blocked case, for the case loader and the ARCO path alike)."""
    if caso.bloqueado_en is None:
        return True
    if lectura_en_vigor(caso, usuaria) is None:
        return False
    autorizar_en_esta_peticion(caso.id)
    return True


def pendientes() -> list[LecturaBloqueada]:
    return list(db.session.scalars(select(LecturaBloqueada).where(LecturaBloqueada.estado == "pendiente")
                                   .order_by(LecturaBloqueada.solicitada_en)))


def cuantas_pendientes() -> int:
    return db.session.scalar(select(func.count()).select_from(LecturaBloqueada)
                             .where(LecturaBloqueada.estado == "pendiente")) or 0


def resolver_lectura(lectura: LecturaBloqueada, admin, *, autorizar: bool) -> None:
    """Compare-and-set on the state: two admins deciding at once, one wins."""
    from sqlalchemy import update

    momento = ahora()
    valores = {"estado": "autorizada" if autorizar else "rechazada", "resuelta_por_id": admin.id,
               "resuelta_en": momento,
               "vence_en": momento + timedelta(hours=horas_de_lectura()) if autorizar else None}
    cambiadas = db.session.execute(update(LecturaBloqueada).where(
        LecturaBloqueada.id == lectura.id, LecturaBloqueada.estado == "pendiente").values(**valores)).rowcount
    if cambiadas != 1:
        raise MovimientoIlegal("Esta solicitud ya fue resuelta.")
    db.session.refresh(lectura)
    auditoria.al_confirmar("lectura_bloqueada.autorizar" if autorizar else "lectura_bloqueada.rechazar",
                           caso_id=lectura.caso_id, objeto_id=lectura.id, usuaria=admin)
