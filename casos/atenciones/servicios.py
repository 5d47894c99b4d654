"""Services given to her (atenciones). The owning institution records hers on its case; a
receiving institution records its own under its referral, once it accepted it and while it
is live. They flush; the view commits. docs/DESIGN.md, "Services (atenciones)", says who
sees what.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from casos import auditoria
from casos.atenciones.modelos import DURACION_MAXIMA_MINUTOS, Atencion
from casos.bd import ahora, hoy_local
from casos.catalogos import tipos_atencion
from casos.cuentas.modelos import Usuaria
from casos.extensiones import db
from flujos import MovimientoIlegal
from flujos.base import CASO
from flujos.canalizacion import VIGENTES
from flujos.caso import FLUJO_CASO

# A service may be recorded after the fact, even one given before the case was typed in (a
# caseworker who registers, months later, a woman she already attends on paper); a year
# before the registration is the limit. Under a referral, nothing before it was requested.
MARGEN_ANTES_DEL_REGISTRO = timedelta(days=365)
DURACION_INVALIDA = f"La duración va de 1 a {DURACION_MAXIMA_MINUTOS} minutos (24 horas), o se deja vacía."
PERSONA_INVALIDA = "Elija a una persona activa de su institución (capturista o supervisora)."


def _dia_local(momento) -> date:
    from flask import current_app

    return momento.astimezone(ZoneInfo(current_app.config["ZONA_HORARIA"])).date()


def personal_que_atiende(institucion_id) -> list[Usuaria]:
    """Who may be named as having given a service: her institution's active caseworkers
    and supervisoras (the gestora and the admin never attend a woman)."""
    return list(db.session.scalars(
        select(Usuaria).where(Usuaria.institucion_id == institucion_id, Usuaria.activa.is_(True),
                              Usuaria.rol.in_(CASO))
        .order_by(Usuaria.nombre, Usuaria.id)))


def limites_de_fecha(caso, canalizacion=None) -> tuple[date, date]:
    """The first and last day a service may carry (local days): today at most."""
    if canalizacion is None:
        desde = _dia_local(caso.creado_en) - MARGEN_ANTES_DEL_REGISTRO
    else:
        desde = _dia_local(canalizacion.creada_en)
    return desde, hoy_local()


def problema_de_fecha(fecha: date, caso, canalizacion=None) -> str | None:
    desde, hasta = limites_de_fecha(caso, canalizacion)
    if fecha > hasta:
        return "La fecha de la atención no puede ser futura."
    if fecha < desde:
        cuando = ("un año antes del registro del caso" if canalizacion is None
                  else "el día en que se solicitó la canalización")
        return f"La fecha no puede ser anterior al {desde:%d/%m/%Y} ({cuando})."
    return None


def impedimento(caso, usuaria, canalizacion=None) -> str | None:
    """Why this person can't record a service on this case now (None: she can)."""
    from casos.acceso.objetos import ELIMINADO

    if caso.datos_eliminados:
        return ELIMINADO
    if usuaria.rol not in CASO:
        return "Solo el personal que atiende (capturista o supervisora) registra atenciones."
    if canalizacion is None:
        if caso.institucion_id != usuaria.institucion_id:
            return ("Su institución ve este caso por una canalización: registre sus atenciones "
                    "en esa canalización.")
    else:
        if canalizacion.caso_id != caso.id:
            raise ValueError("la canalización es de otro caso")
        if canalizacion.destino_id != usuaria.institucion_id:
            return "Las atenciones de una canalización las registra la institución que la recibió."
        if canalizacion.estado not in VIGENTES:
            return ("Su institución registra atenciones en esta canalización una vez que la acepta "
                    "y mientras siga vigente (aceptada o con contrarreferencia).")
    if caso.estado in FLUJO_CASO.finales:
        # Closing ended the institution's attention: a new service means it goes on (reopen).
        return ("El caso está cerrado. Para registrar una atención, primero reábralo." if canalizacion is None
                else "El caso está cerrado: la institución que lo registró debe reabrirlo antes de "
                     "registrar más atenciones.")
    return None


def registrar_atencion(caso, usuaria, *, tipo: str, fecha: date, duracion_minutos: int | None,
                       notas: str | None, brindada_por: Usuaria, canalizacion=None) -> Atencion:
    """Record a service given to her: by her own institution on its case (`canalizacion`
    None), or by the receiving institution under its live referral. Refuses with a Spanish
    message (MovimientoIlegal) whatever the caller: the form checks the same rules first."""
    motivo = impedimento(caso, usuaria, canalizacion)
    if motivo is not None:
        raise MovimientoIlegal(motivo)
    if tipo not in tipos_atencion():
        raise MovimientoIlegal("Elija un tipo de atención del catálogo.")
    if (problema := problema_de_fecha(fecha, caso, canalizacion)) is not None:
        raise MovimientoIlegal(problema)
    if duracion_minutos is not None and not 1 <= duracion_minutos <= DURACION_MAXIMA_MINUTOS:
        raise MovimientoIlegal(DURACION_INVALIDA)
    institucion_id = caso.institucion_id if canalizacion is None else canalizacion.destino_id
    if (brindada_por is None or not brindada_por.activa or brindada_por.rol not in CASO
            or brindada_por.institucion_id != institucion_id):
        raise MovimientoIlegal(PERSONA_INVALIDA)
    atencion = Atencion(caso=caso, canalizacion=canalizacion, institucion_id=institucion_id, tipo=tipo,
                        fecha=fecha, duracion_minutos=duracion_minutos, brindada_por_id=brindada_por.id,
                        registrada_por_id=usuaria.id, registrada_en=ahora())
    db.session.add(atencion)
    atencion.notas = notas or None  # encrypted under the case's key
    db.session.flush()
    auditoria.al_confirmar("atencion.registrar", caso_id=caso.id, usuaria=usuaria)
    return atencion


# ---- what each institution sees ------------------------------------------------------------------
# One statement each, whatever the number of services (the case page counts its statements).
# Who gave it and its institution come joined (the model's relationships).

@cache
def _del_caso():
    return (select(Atencion).where(Atencion.caso_id == bindparam("caso_id"))
            .order_by(Atencion.fecha.desc(), Atencion.registrada_en.desc()))


@cache
def _de_una_institucion():
    return _del_caso().where(Atencion.institucion_id == bindparam("institucion_id"))


@cache
def _de_la_canalizacion():
    return (select(Atencion).where(Atencion.canalizacion_id == bindparam("canalizacion_id"))
            .order_by(Atencion.fecha.desc(), Atencion.registrada_en.desc()))


def atenciones_visibles(caso, usuaria) -> list[Atencion]:
    """The services she may see on a case: the owning institution, all of them (its own and
    those the receiving institutions gave); a receiving institution, only those it gave
    (another's would tell it where else she goes)."""
    if caso.institucion_id == usuaria.institucion_id:
        return list(db.session.scalars(_del_caso(), {"caso_id": caso.id}))
    return list(db.session.scalars(_de_una_institucion(),
                                   {"caso_id": caso.id, "institucion_id": usuaria.institucion_id}))


def todas_del_caso(caso) -> list[Atencion]:
    """Every service given to her on this case, by any institution: what an ARCO acceso lists
    (casos/impresos/acceso_arco.py); a person's view is `atenciones_visibles`."""
    return list(db.session.scalars(_del_caso(), {"caso_id": caso.id}))


def atenciones_de_canalizacion(canalizacion) -> list[Atencion]:
    """The services given under one referral: both of its institutions see them (the loader
    lets no one else reach the referral); the notes, only the one that gave them."""
    return list(db.session.scalars(_de_la_canalizacion(), {"canalizacion_id": canalizacion.id}))


def ve_notas(atencion, usuaria) -> bool:
    """Notes are the giving institution's professional record of her (a psychologist's, a
    lawyer's): the other institution sees that the service was given, not what was said."""
    return atencion.institucion_id == usuaria.institucion_id and not atencion.caso.datos_eliminados
