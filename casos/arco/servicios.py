"""ARCO requests: registering one, each move of its workflow (flujos/arco.py) with the terms
computed again at every step, and what carrying it out does. They flush; the view commits.

Every move is a compare-and-set through casos/transiciones (`disparar`), so its history row
and its audit event ("solicitud_arco.<evento>", the case's id) come with it, and a stale page
loses. The text a person writes is encrypted under the case's key; the legal ground of a
refusal is a catalogue key (casos/catalogos.py `CAUSALES_IMPROCEDENCIA_ARCO`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casos import auditoria
from casos.arco.calendario import calendario
from casos.arco.modelos import Oposicion, SolicitudArco
from casos.bd import hoy_local
from casos.catalogos import (
    CAUSALES_IMPROCEDENCIA_ARCO,
    DERECHOS_ARCO,
    IDENTIFICACIONES_ARCO,
    MEDIOS_SOLICITUD_ARCO,
    QUIEN_PRESENTA_ARCO,
    REPRESENTACIONES_ARCO,
    TIPOS_INSTITUCION,
)
from casos.conservacion.servicios import abrir_con_lectura
from casos.cuentas.modelos import Institucion
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from flujos import MovimientoIlegal, plazos
from flujos.arco import ABIERTAS, FLUJO_ARCO, QUE_VENCE, Fechas, vence
from flujos.arco import plazos as terminos


def _fecha(dia: date) -> str:
    return dia.strftime("%d/%m/%Y")


# ---- registering a request --------------------------------------------------------------------

@dataclass
class DatosSolicitud:
    """What the officer typed, already read from the form (ids parsed, None if unreadable)."""

    institucion_id: uuid.UUID | None
    caso_id: uuid.UUID | None
    derecho: str
    recibida_el: date | None
    medio: str
    presentada_por: str
    identificacion: str
    descripcion: str
    folio: str | None = None


def instituciones_activas() -> list[Institucion]:
    """Where a request may have been filed: any active institution, by name."""
    return list(db.session.scalars(select(Institucion).where(Institucion.activa.is_(True))
                                   .order_by(Institucion.nombre)))


def abierta_de(caso_id, derecho: str) -> SolicitudArco | None:
    return db.session.scalar(select(SolicitudArco).where(
        SolicitudArco.caso_id == caso_id, SolicitudArco.derecho == derecho,
        SolicitudArco.estado.in_(ABIERTAS)))


def errores_de_registro(datos: DatosSolicitud, hoy: date | None = None, usuaria=None) -> dict[str, str]:
    """Each field's problem in Spanish ({} when the request may be registered): read only,
    so a refused form changes nothing. `registrar` asks again inside its transaction."""
    hoy = hoy or hoy_local()
    errores: dict[str, str] = {}
    institucion = db.session.get(Institucion, datos.institucion_id) if datos.institucion_id else None
    if institucion is None:
        errores["institucion_id"] = "Elija la institución ante la que se presentó la solicitud."
    caso = db.session.get(Caso, datos.caso_id) if datos.caso_id else None
    if caso is None:
        errores["caso_id"] = ("No existe un caso con ese identificador. Cópielo de la solicitud o del "
                              "oficio con que se lo turnaron (36 caracteres, con guiones).")
    elif institucion is not None and caso.institucion_id != institucion.id:
        errores["caso_id"] = (f"Ese caso no es de {institucion.nombre}: una solicitud ARCO se presenta "
                              "ante la institución que tiene los datos. Revise el identificador o la "
                              "institución; si se presentó ante una que no los tiene, esa institución "
                              "responde que no es competente.")
    elif caso.datos_eliminados:
        errores["caso_id"] = ("Los datos personales de ese caso ya fueron eliminados: no queda ningún dato "
                              "suyo sobre el cual ejercer un derecho ARCO.")
    if datos.derecho not in DERECHOS_ARCO:
        errores["derecho"] = "Elija el derecho que ejerce."
    elif caso is not None and "caso_id" not in errores and (otra := abierta_de(caso.id, datos.derecho)):
        errores["derecho"] = (f"Ya hay una solicitud de {_nombre_derecho(datos.derecho)} abierta sobre ese "
                              f"caso (recibida el {_fecha(otra.recibida_el)}): se atiende esa; "
                              "esta no se registró.")
    if datos.recibida_el is None:
        errores["recibida_el"] = "Escriba el día en que la institución recibió la solicitud."
    elif datos.recibida_el > hoy:
        errores["recibida_el"] = "La fecha de recepción no puede ser futura."
    elif caso is not None and datos.recibida_el < _dia_local(caso.creado_en):
        errores["recibida_el"] = ("La fecha de recepción no puede ser anterior al registro del caso "
                                  f"({_fecha(_dia_local(caso.creado_en))}): entonces no tenía datos suyos.")
    elif calendario().sumar(datos.recibida_el, plazos.ARCO_RECEPCION_MAXIMA_ANTIGUEDAD_DIAS_HABILES) < hoy:
        errores["recibida_el"] = (
            f"Esa fecha es de hace más de {plazos.ARCO_RECEPCION_MAXIMA_ANTIGUEDAD_DIAS_HABILES} días "
            "hábiles: el plazo para responder ya habría vencido. Revise la fecha; si es la real, la "
            "solicitud está fuera de plazo y debe llevarse al Comité de Transparencia.")
    if datos.medio not in MEDIOS_SOLICITUD_ARCO:
        errores["medio"] = "Elija cómo llegó la solicitud."
    if datos.presentada_por not in QUIEN_PRESENTA_ARCO:
        errores["presentada_por"] = "Elija quién presenta la solicitud."
    if datos.identificacion not in IDENTIFICACIONES_ARCO:
        errores["identificacion"] = (
            "Sin una identificación oficial no hay identidad verificable y la solicitud no se registra: "
            "quien la presenta puede ser la persona agresora. Elija la identificación que presentó "
            "(la de la titular, también cuando la presenta una representante).")
    if (caso is not None and "caso_id" not in errores and caso.bloqueado_en is not None
            and not (usuaria is not None and abrir_con_lectura(caso, usuaria))):
        # What she asks is encrypted under the case's key, which a blocked case gives up only
        # within a read the admin authorized: registered without it, it is written in the answer.
        if (datos.descripcion or "").strip():
            errores["descripcion"] = (
                "Ese caso está bloqueado por su plazo de conservación: lo escrito se cifra con su clave, que "
                "solo se abre con una lectura autorizada. Deje este campo vacío y registre la solicitud; "
                "desde ella pida la lectura, y anote lo que pide en la respuesta.")
    elif not (datos.descripcion or "").strip():
        errores["descripcion"] = "Escriba qué pide, sin más datos personales que los necesarios."
    return errores


def bloqueado(caso) -> bool:
    """Blocked by the retention schedule (casos/conservacion/) and not opened in this request
    through a read the admin authorized: its key opens for nobody here."""
    from casos.conservacion import autorizada_en_esta_peticion

    return getattr(caso, "bloqueado_en", None) is not None and not autorizada_en_esta_peticion(caso.id)


def _nombre_derecho(derecho: str) -> str:
    return DERECHOS_ARCO[derecho].split(" (")[0].lower()


def _dia_local(momento: datetime) -> date:
    return momento.astimezone(ZoneInfo(current_app.config["ZONA_HORARIA"])).date()


def registrar(usuaria, datos: DatosSolicitud) -> SolicitudArco:
    errores = errores_de_registro(datos, usuaria=usuaria)  # a blocked case: only within her authorized read
    if errores:
        raise MovimientoIlegal(next(iter(errores.values())))
    caso = db.session.get(Caso, datos.caso_id)
    solicitud = SolicitudArco(
        id=uuid.uuid4(), caso=caso, institucion_id=caso.institucion_id, folio=(datos.folio or "").strip() or None,
        derecho=datos.derecho, estado=FLUJO_ARCO.inicial, medio=datos.medio,
        presentada_por=datos.presentada_por, identificacion=datos.identificacion,
        registrada_por_id=usuaria.id, recibida_el=datos.recibida_el)
    solicitud.descripcion = datos.descripcion.strip()
    for columna, valor in _terminos(solicitud, FLUJO_ARCO.inicial, {}).items():
        setattr(solicitud, columna, valor)
    db.session.add(solicitud)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # another officer registered the same a moment ago
        raise MovimientoIlegal(f"Ya hay una solicitud de {_nombre_derecho(datos.derecho)} abierta sobre ese "
                               "caso: esta no se registró.") from None
    transiciones.registrar_historial(solicitud, "crear", "", FLUJO_ARCO.inicial, usuaria)
    return solicitud


# ---- the terms --------------------------------------------------------------------------------

def _terminos(solicitud: SolicitudArco, estado: str, valores: dict) -> dict:
    """The term columns after a step: every term from the dates it leaves, and the deadline of
    the state it leads to."""
    def dia(columna):
        return valores.get(columna, getattr(solicitud, columna))

    calculados = terminos(Fechas(recibida_el=dia("recibida_el"), prevenida_el=dia("prevenida_el"),
                                 subsanada_el=dia("subsanada_el"), ampliada_el=dia("ampliada_el"),
                                 respondida_el=dia("respondida_el")), calendario())
    return {"plazo_respuesta": calculados.respuesta, "plazo_prevencion": calculados.prevencion,
            "plazo_no_competencia": calculados.no_competencia, "plazo_subsanacion": calculados.subsanacion,
            "plazo_efectivo": calculados.efectivo, "vence_el": vence(estado, calculados)}


# ---- each move --------------------------------------------------------------------------------

@dataclass
class DatosMovimiento:
    """What a move's form may carry besides its event and version."""

    motivo: str | None = None
    causal: str | None = None
    representacion: str | None = None
    cotejo: bool = False
    identidad_notas: str | None = None
    respuesta: str | None = None
    confirmacion: bool = False
    tipos_institucion: tuple[str, ...] = ()  # oposición: the kinds her data never go to again
    rectificados: tuple[str, ...] = ()  # rectificación: the fields written (casos/arco/rectificacion.py)


# The legal ground the audit trail keeps for the crypto-shredding (no personal data: the
# request's own event, of the same case, comes just before it in the same transaction).
MOTIVO_CANCELACION = "Derecho de cancelación (ARCO, LGPDPPSO): solicitud hecha efectiva"


def mover(solicitud: SolicitudArco, evento: str, usuaria, *, version_vista: int,
          datos: DatosMovimiento | None = None) -> None:
    datos = datos or DatosMovimiento()
    hoy = hoy_local()
    transicion = FLUJO_ARCO.transicion(evento)
    valores: dict = {}
    contexto: dict = {"derecho": solicitud.derecho,
                      "prevencion_en_plazo": hoy <= solicitud.plazo_prevencion,
                      "subsanacion_vencida": (solicitud.plazo_subsanacion is not None
                                              and hoy > solicitud.plazo_subsanacion),
                      "respuesta_en_plazo": (solicitud.plazo_respuesta is not None
                                             and hoy <= solicitud.plazo_respuesta),
                      "ampliaciones": 1 if solicitud.ampliada_el else 0,
                      "rectificados": datos.rectificados, "tipos_opuestos": datos.tipos_institucion}
    texto = None  # the request's own encrypted column this move writes
    if evento == "acreditar_identidad":
        if not datos.cotejo:
            raise MovimientoIlegal("Confirme que cotejó la identificación con su original (o la firma "
                                   "electrónica) y que corresponde a quien solicita.")
        if solicitud.presentada_por == "representante":
            if datos.representacion not in REPRESENTACIONES_ARCO:
                raise MovimientoIlegal("Elija el documento que acredita la representación: sin él no se da "
                                       "trámite a lo que pide una representante.")
            valores["representacion"] = datos.representacion
        valores["identidad_acreditada_el"] = hoy
        texto = ("identidad_notas", datos.identidad_notas)
    elif evento == "prevenir":
        valores["prevenida_el"] = hoy
    elif evento == "subsanar":
        valores["subsanada_el"] = hoy
    elif evento == "ampliar_plazo":
        valores["ampliada_el"] = hoy
    elif evento in ("conceder", "conceder_en_parte", "negar", "declarar_no_competente"):
        if evento in ("conceder_en_parte", "negar"):
            if datos.causal not in CAUSALES_IMPROCEDENCIA_ARCO:
                raise MovimientoIlegal("Elija la causal de improcedencia que funda la negativa.")
            valores["causal"] = datos.causal
        valores["respondida_el"] = hoy
        texto = ("respuesta", datos.respuesta)
    elif evento == "hacer_efectivo":
        if solicitud.derecho == "cancelacion" and not datos.confirmacion:
            raise MovimientoIlegal("Confirme que entiende que los datos personales del caso se eliminarán "
                                   "para siempre.")
        if not set(datos.tipos_institucion) <= TIPOS_INSTITUCION.keys():
            raise MovimientoIlegal("Elija los tipos de institución del catálogo.")
        valores["efectuada_el"] = hoy
    valores |= _terminos(solicitud, transicion.destino, valores)
    quien = transiciones.actor(usuaria, duena_id=solicitud.institucion_id)
    transiciones.disparar(solicitud, evento, quien, usuaria, version_vista=version_vista,
                          motivo=datos.motivo, contexto=contexto, valores=valores)
    if texto and (texto[1] or "").strip():
        setattr(solicitud, texto[0], texto[1].strip())
    if evento == "hacer_efectivo" and solicitud.derecho == "cancelacion":
        from casos.expedientes.servicios import eliminar_datos_personales

        eliminar_datos_personales(solicitud.caso, usuaria, motivo=MOTIVO_CANCELACION)
    if evento == "hacer_efectivo" and solicitud.derecho == "oposicion":
        oponer(solicitud, usuaria, frozenset(datos.tipos_institucion))
    db.session.flush()


def oponer(solicitud: SolicitudArco, usuaria, tipos: frozenset[str]) -> None:
    """Her opposition in force from now: casos/acceso/casos.py reads it as consent withdrawn
    for those kinds (no view remembers it). Referrals to them not sent yet are cancelled, as
    a revocation does; sent ones keep their state and their receiver stops reading her data."""
    from casos.canalizaciones.servicios import cancelar_no_enviadas
    from casos.transiciones.servicios import SISTEMA

    caso = solicitud.caso
    nuevos = sorted(tipos - {o.tipo_institucion for o in caso.oposiciones})
    for tipo in nuevos:
        db.session.add(Oposicion(caso_id=caso.id, tipo_institucion=tipo, solicitud_arco_id=solicitud.id,
                                 registrada_por_id=usuaria.id))
    db.session.flush()
    db.session.expire(caso, ["oposiciones"])
    cancelar_no_enviadas(caso, SISTEMA, MOTIVO_OPOSICION, frozenset(tipos))
    # Catalogue keys and the request's id: nothing of her.
    auditoria.al_confirmar("oposicion.registrar", caso_id=caso.id, objeto_id=solicitud.id, usuaria=usuaria,
                           motivo=f"Oposición a compartir con: {', '.join(sorted(tipos))}.")


MOTIVO_OPOSICION = "Ella se opuso a que sus datos se compartan con ese tipo de institución (derecho de oposición)."


def disponibles(solicitud: SolicitudArco, usuaria) -> list:
    """The moves this person may offer now (the machine decides; a guard may still refuse)."""
    if solicitud.caso.datos_eliminados or bloqueado(solicitud.caso):
        return []
    quien = transiciones.actor(usuaria, duena_id=solicitud.institucion_id)
    return FLUJO_ARCO.disponibles(solicitud.estado, quien)


# ---- lists, pendientes and the admin's home -----------------------------------------------------

def fin_del_dia(dia: date) -> datetime:
    """A term ends at the close of its last día hábil, in Mexico City."""
    return datetime.combine(dia, time.max, tzinfo=ZoneInfo(current_app.config["ZONA_HORARIA"]))


def horizonte(hoy: date) -> date:
    """Up to which deadline an open request is shown as due (ARCO_AVISO_DIAS_HABILES ahead)."""
    return calendario().sumar(hoy, plazos.ARCO_AVISO_DIAS_HABILES)


def _vivas():
    """Open requests of cases whose data still exist (an erased case waits for nothing)."""
    return (select(SolicitudArco).join(Caso, Caso.id == SolicitudArco.caso_id)
            .where(SolicitudArco.estado.in_(ABIERTAS), Caso.datos_eliminados_en.is_(None)))


def por_vencer(hoy: date) -> list[SolicitudArco]:
    """Open requests late or due within the warning period, soonest deadline first."""
    return list(db.session.scalars(
        _vivas().where(SolicitudArco.vence_el <= horizonte(hoy)).order_by(SolicitudArco.vence_el)))


def que_hacer(solicitud: SolicitudArco) -> str:
    return f"{QUE_VENCE[solicitud.estado][1]}: solicitud ARCO de {_nombre_derecho(solicitud.derecho)}"


@dataclass(frozen=True)
class Conteos:
    atrasadas: int
    hoy: int
    por_vencer: int  # not late, due within the warning period (today's included)


def conteos(hoy: date | None = None) -> Conteos:
    """The admin's home: one statement, counts only."""
    hoy = hoy or hoy_local()
    fila = db.session.execute(
        select(func.count().filter(SolicitudArco.vence_el < hoy),
               func.count().filter(SolicitudArco.vence_el == hoy),
               func.count().filter(SolicitudArco.vence_el >= hoy, SolicitudArco.vence_el <= horizonte(hoy)))
        .select_from(SolicitudArco).join(Caso, Caso.id == SolicitudArco.caso_id)
        .where(SolicitudArco.estado.in_(ABIERTAS), Caso.datos_eliminados_en.is_(None))).one()
    return Conteos(*fila)


def lista(*, abiertas: bool = True) -> list[SolicitudArco]:
    consulta = select(SolicitudArco)
    if abiertas:
        consulta = consulta.where(SolicitudArco.estado.in_(ABIERTAS))
    return list(db.session.scalars(consulta.order_by(SolicitudArco.vence_el.is_(None),
                                                     SolicitudArco.vence_el, SolicitudArco.registrada_en.desc())))


# ---- what the officer may see of the case --------------------------------------------------------

@dataclass(frozen=True)
class DelCaso:
    """What the page shows of the case once identity is accredited: facts the answer depends on
    (a live investigation, an order protecting her), never her data: the admin reads no case."""

    estado: str
    registrado_el: date
    eliminado: bool
    ordenes_vigentes: int
    canalizaciones_vivas: int


def del_caso(solicitud: SolicitudArco) -> DelCaso:
    from casos.canalizaciones.modelos import Canalizacion
    from casos.ordenes.modelos import OrdenProteccion
    from flujos import FLUJOS
    from flujos.canalizacion import COMPARTEN
    from flujos.orden_proteccion import SOLICITADA, VIGENTES

    caso = solicitud.caso
    ordenes = db.session.scalar(select(func.count()).select_from(OrdenProteccion).where(
        OrdenProteccion.caso_id == caso.id, OrdenProteccion.estado.in_((SOLICITADA, *VIGENTES))))
    canalizaciones = db.session.scalar(select(func.count()).select_from(Canalizacion).where(
        Canalizacion.caso_id == caso.id, Canalizacion.estado.in_(COMPARTEN)))
    return DelCaso(FLUJOS["caso"].estados[caso.estado], _dia_local(caso.creado_en), caso.datos_eliminados,
                   ordenes, canalizaciones)


def dias_para(dia: date | None, hoy: date) -> int | None:
    """Días hábiles left until a deadline (negative: how many it is late)."""
    if dia is None:
        return None
    if dia >= hoy:
        return calendario().habiles_entre(hoy, dia)
    return -calendario().habiles_entre(dia, hoy)


def oposiciones_de(solicitud: SolicitudArco) -> list[str]:
    """The kinds of institution this request's opposition names (catalogue labels)."""
    return [TIPOS_INSTITUCION[o.tipo_institucion] for o in solicitud.caso.oposiciones
            if o.solicitud_arco_id == solicitud.id]


# ---- a request over a blocked case ----------------------------------------------------------------

def pedir_lectura(solicitud: SolicitudArco, usuaria):
    """A request over a blocked case needs its key: the officer asks the admin for a read like
    anyone else (casos/conservacion/), its ground the request itself (no personal data)."""
    from casos.conservacion import servicios as conservacion

    caso = solicitud.caso
    if caso.datos_eliminados or caso.bloqueado_en is None:
        raise MovimientoIlegal("El caso de esta solicitud no está bloqueado: no hace falta una lectura autorizada.")
    fundamento = (f"Atender la solicitud ARCO de {_nombre_derecho(solicitud.derecho)} recibida el "
                  f"{_fecha(solicitud.recibida_el)} (LGPDPPSO, arts. 43 a 51).")
    return conservacion.pedir_lectura(caso, usuaria, fundamento)


def lecturas_de(solicitud: SolicitudArco, usuaria) -> list:
    from casos.conservacion import servicios as conservacion

    return conservacion.lecturas_de(solicitud.caso, usuaria) if solicitud.caso.bloqueado_en else []
