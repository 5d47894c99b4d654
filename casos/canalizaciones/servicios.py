"""Referral operations. They flush; the view commits."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from casos.acceso.casos import tipos_con_oposicion, tipos_permitidos
from casos.bd import ahora, hoy_local
from casos.canalizaciones.modelos import Canalizacion
from casos.catalogos import TIPOS_INSTITUCION
from casos.cuentas.modelos import Institucion
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from flujos import MovimientoIlegal
from flujos.base import CASO
from flujos.canalizacion import COMPARTEN, FLUJO_CANALIZACION, NO_ENVIADAS, VIGENTES
from flujos.plazos import horas_respuesta_canalizacion


def destinos_posibles(caso, hoy) -> list[Institucion]:
    """Active institutions of a kind the woman's current consent allows (and she did not
    oppose: casos/acceso/casos.py `tipos_permitidos`), never her own."""
    tipos = tipos_permitidos(caso, hoy)
    if not tipos:
        return []
    return list(db.session.scalars(
        select(Institucion).where(Institucion.activa.is_(True), Institucion.id != caso.institucion_id,
                                  Institucion.tipo.in_(sorted(tipos)))
        .order_by(Institucion.nombre)))


OPOSICION = ("La mujer ejerció su derecho de oposición: sus datos no se comparten con {tipo}. "
             "No se puede canalizar a esa institución.")
SIN_CONSENTIMIENTO = "El consentimiento de la mujer no permite canalizar a esa institución."


def por_que_no_a(caso, destino_id) -> str:
    """Why a referral can't go to that institution, in Spanish: her opposition to its kind
    when that is the reason, so the caseworker does not ask her consent again."""
    destino = db.session.get(Institucion, destino_id) if isinstance(destino_id, uuid.UUID) else None
    if destino is not None and destino.tipo in tipos_con_oposicion(caso):
        return OPOSICION.format(tipo=TIPOS_INSTITUCION[destino.tipo].lower())
    return SIN_CONSENTIMIENTO


def solicitar(caso, usuaria, *, destino: Institucion, servicios: list[str], motivo: str, hoy):
    """Create the referral and ask for its approval in one step: borrador -> por_aprobar."""
    if destino.id == caso.institucion_id or destino.id == usuaria.institucion_id:
        raise MovimientoIlegal("No se puede canalizar un caso a su propia institución.")
    if destino not in destinos_posibles(caso, hoy):
        raise MovimientoIlegal(por_que_no_a(caso, destino.id))
    if caso.institucion_id != usuaria.institucion_id:
        raise MovimientoIlegal("Solo la institución dueña del caso puede canalizarlo.")
    canalizacion = Canalizacion(caso=caso, origen_id=caso.institucion_id, destino_id=destino.id,
                                creada_por_id=usuaria.id, creada_en=ahora(), servicios=servicios,
                                datos_compartidos=list(caso.consentimiento.datos_compartibles))
    db.session.add(canalizacion)
    canalizacion.motivo = motivo
    db.session.flush()
    transiciones.registrar_historial(canalizacion, "crear", "", FLUJO_CANALIZACION.inicial, usuaria)
    quien = transiciones.actor(usuaria, duena_id=canalizacion.origen_id)
    transiciones.disparar(canalizacion, "solicitar_envio", quien, usuaria, version_vista=1)
    transiciones.solicitar(canalizacion, "enviar", quien, usuaria, motivo=motivo)
    return canalizacion


def contexto_de_envio(canalizacion, hoy=None) -> dict:
    """What the "enviar" move's guard needs (flujos/canalizacion.py): whether her consent,
    as it is now, still names the receiving institution."""
    return {"consentimiento_permite": canalizacion.destino in destinos_posibles(canalizacion.caso, hoy or hoy_local())}


def al_mover(evento: str, canalizacion) -> dict:
    """What requesting or approving a referral's move needs: the columns written with it and
    the guard's context (transiciones.AL_MOVER)."""
    return {"valores": VALORES.get(evento, lambda c: {})(canalizacion),
            "contexto": contexto_de_envio(canalizacion) if evento == "enviar" else None}


def cancelar_no_enviadas(caso, usuaria, motivo: str, tipos: frozenset[str] | None = None) -> None:
    """Her consent was revoked (or, with `tipos`, she opposed sharing with those kinds of
    institution): what was not sent yet is never sent (the sent ones keep their state; the
    receiver just stops seeing her data, casos/acceso/casos.py)."""
    for canalizacion in list(caso.canalizaciones):
        if canalizacion.estado in NO_ENVIADAS and (tipos is None or canalizacion.destino.tipo in tipos):
            _cancelar(canalizacion, transiciones.actor_de(usuaria, canalizacion.origen_id), usuaria, motivo)


def _cancelar(canalizacion, quien, usuaria, motivo: str | None, version_vista: int | None = None) -> None:
    transiciones.disparar(canalizacion, "cancelar", quien, usuaria,
                          version_vista=canalizacion.version if version_vista is None else version_vista,
                          motivo=motivo)
    pendiente = transiciones.pendiente_de(canalizacion, "enviar")
    if pendiente is not None:  # nothing left to approve
        transiciones.disparar(pendiente, "retirar" if usuaria.rol in CASO else "anular", quien, usuaria,
                              version_vista=pendiente.version, motivo=motivo)


def valores_al_enviar(canalizacion) -> dict:
    momento = ahora()
    horas = horas_respuesta_canalizacion(
        urgente=canalizacion.caso.urgente,
        salud_por_violencia_sexual=("medica" in canalizacion.servicios and any(
            "sexual" in h.tipos for h in canalizacion.caso.hechos)))
    return {"enviada_en": momento, "plazo_respuesta": momento + timedelta(hours=horas),
            "urgente": canalizacion.caso.urgente}


# Columns each answer writes together with its new state.
VALORES = {
    "enviar": valores_al_enviar,
    "aceptar": lambda c: {"respondida_en": ahora()},
    "rechazar": lambda c: {"respondida_en": ahora()},
    "contrarreferir": lambda c: {"atendida_en": ahora()},
    "concluir": lambda c: {"concluida_en": ahora()},
}


def responder(canalizacion, evento: str, usuaria, *, version_vista: int, motivo: str | None = None,
              servicios_prestados: list[str] | None = None, nota: str | None = None):
    """Any direct move on a referral (accept, reject, counter-refer, conclude, cancel), and
    asking again to send a draft (after a withdrawal or a rejection), which, like the first
    time, asks a supervisora under the woman's consent as it is now."""
    quien = transiciones.actor(usuaria, duena_id=canalizacion.origen_id,
                               receptora_id=canalizacion.destino_id)
    if evento == "solicitar_envio":
        contexto = contexto_de_envio(canalizacion)
        if not contexto["consentimiento_permite"]:
            raise MovimientoIlegal(por_que_no_a(canalizacion.caso, canalizacion.destino_id))
        transiciones.disparar(canalizacion, evento, quien, usuaria, version_vista=version_vista)
        canalizacion.datos_compartidos = list(canalizacion.caso.consentimiento.datos_compartibles)
        transiciones.solicitar(canalizacion, "enviar", quien, usuaria, motivo=canalizacion.motivo,
                               contexto=contexto)
        db.session.flush()
        return
    if evento == "cancelar":
        _cancelar(canalizacion, quien, usuaria, motivo, version_vista)
        db.session.flush()
        return
    valores = VALORES.get(evento, lambda c: {})(canalizacion)
    if nota and evento != "contrarreferir":
        raise MovimientoIlegal("La nota de contrarreferencia solo se escribe al registrar la contrarreferencia.")
    if evento == "contrarreferir":
        if not servicios_prestados:
            raise MovimientoIlegal("Marque los servicios que su institución prestó.")
        valores["servicios_prestados"] = servicios_prestados
    transiciones.disparar(canalizacion, evento, quien, usuaria, version_vista=version_vista,
                          motivo=motivo, valores=valores)
    if nota:
        canalizacion.contrarreferencia = nota
    db.session.flush()


def vigente_para(caso_id, institucion_id, estados=VIGENTES):
    """The live referral through which an institution sees a case, if any (in `estados`:
    the case page needs it accepted; its files are open to it from when it was sent)."""
    return db.session.scalar(select(Canalizacion).where(
        Canalizacion.caso_id == caso_id, Canalizacion.destino_id == institucion_id,
        Canalizacion.estado.in_(estados)).order_by(Canalizacion.creada_en.desc()))


# The inbox lists open referrals of cases whose data still exist: an erased case waits for
# nothing (its referrals stay, without personal data, for statistics).
def recibidas(institucion_id) -> list[Canalizacion]:
    return list(db.session.scalars(
        select(Canalizacion).join(Caso, Caso.id == Canalizacion.caso_id)
        .where(Canalizacion.destino_id == institucion_id, Canalizacion.estado.in_(COMPARTEN),
               Caso.datos_eliminados_en.is_(None))
        .order_by(Canalizacion.plazo_respuesta)))


def enviadas(institucion_id) -> list[Canalizacion]:
    return list(db.session.scalars(
        select(Canalizacion).join(Caso, Caso.id == Canalizacion.caso_id)
        .where(Canalizacion.origen_id == institucion_id,
               Canalizacion.estado.notin_(FLUJO_CANALIZACION.finales), Caso.datos_eliminados_en.is_(None))
        .order_by(Canalizacion.creada_en.desc())))


def describir(evento: str, canalizacion) -> str:
    """For the supervisora: where it goes, what for, and which of her data it carries."""
    from casos.catalogos import DATOS_COMPARTIBLES, SERVICIOS

    servicios = ", ".join(SERVICIOS.get(s, s) for s in canalizacion.servicios)
    datos = "; ".join(v for k, v in DATOS_COMPARTIBLES.items() if k in canalizacion.datos_compartidos)
    que = {"enviar": "Enviar la canalización", "devolver": "Devolver a borrador la canalización"}.get(
        evento, FLUJO_CANALIZACION.transicion(evento).etiqueta)
    return (f"{que} a {canalizacion.destino.nombre}. Servicios: {servicios}. "
            f"Verá: {datos or 'ningún dato de la mujer'}.")


transiciones.AL_MOVER["canalizacion"] = al_mover
transiciones.DESCRIBIR["canalizacion"] = describir
