"""Case operations shared by the views, the CLI and the demo seed. They flush; callers commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from casos import auditoria
from casos.acceso import casos_visibles, vista_de
from casos.bd import ahora, hoy_local
from casos.catalogos import NIVELES_RIESGO, NIVELES_URGENTES, QUIEN_INFORMA_REVOCACION, rango_edad
from casos.cripto import indices
from casos.cuentas.modelos import Institucion
from casos.expedientes import riesgo
from casos.expedientes.curp import errores_curp, fecha_de_nacimiento
from casos.expedientes.modelos import (
    Agresor,
    Borrador,
    Caso,
    Consentimiento,
    Hecho,
    Nna,
    ValoracionRiesgo,
    Victima,
)
from casos.extensiones import db
from flujos import MovimientoIlegal
from flujos.aprobacion import FLUJO_VALORACION, PROPUESTA
from flujos.caso import FLUJO_CASO


@dataclass
class DatosNna:
    nombre: str
    edad: int | None = None
    violencia_directa: bool = False


@dataclass
class DatosAgresor:
    nombre: str | None
    relacion: str
    vive_con_ella: bool = False
    acceso_armas: bool = False


@dataclass
class DatosIntake:
    """What the intake form collects, already validated."""

    nombre: str
    municipio: str
    curp: str | None = None
    fecha_nacimiento: date | None = None
    edad_aproximada: int | None = None
    telefono: str | None = None
    domicilio: str | None = None
    lengua_indigena: str | None = None
    discapacidad: str | None = None
    nacionalidad: str | None = None
    nna: list[DatosNna] = field(default_factory=list)
    agresores: list[DatosAgresor] = field(default_factory=list)
    fecha_hechos: date | None = None
    municipio_hechos: str | None = None
    lugar_hechos: str | None = None
    narrativa: str | None = None
    tipos: list[str] = field(default_factory=list)
    modalidades: list[str] = field(default_factory=list)
    autoriza_canalizar: bool = False
    tipos_institucion: list[str] = field(default_factory=list)
    datos_compartibles: list[str] = field(default_factory=list)
    consentimiento_hasta: date | None = None
    contacto_seguro: dict = field(default_factory=dict)

    def edad(self, hoy: date) -> int | None:
        nacimiento = self.fecha_nacimiento or (fecha_de_nacimiento(self.curp) if self.curp else None)
        if nacimiento is None:
            return self.edad_aproximada
        return hoy.year - nacimiento.year - ((hoy.month, hoy.day) < (nacimiento.month, nacimiento.day))


def registrar_caso(usuaria, datos: DatosIntake, *, volcar: bool = True) -> Caso:
    """`volcar=False` leaves the INSERTs to the caller's next flush: the bulk seed batches
    thousands of cases into one flush instead of one round trip per row (and, synthetic,
    leaves no audit event)."""
    hoy = hoy_local()
    caso = Caso(id=uuid.uuid4(), institucion_id=usuaria.institucion_id, creado_por_id=usuaria.id,
                responsable_id=usuaria.id,
                municipio=datos.municipio, rango_edad=rango_edad(datos.edad(hoy)),
                estado=FLUJO_CASO.inicial)
    caso.iniciar_dek()
    victima = Victima(caso=caso)
    for campo in ("nombre", "curp", "fecha_nacimiento", "edad_aproximada", "telefono",
                  "domicilio", "lengua_indigena", "discapacidad", "nacionalidad"):
        setattr(victima, campo, getattr(datos, campo))
    victima.contacto_seguro = datos.contacto_seguro or None
    nacimiento = datos.fecha_nacimiento or (fecha_de_nacimiento(datos.curp) if datos.curp else None)
    victima.idx_curp = indices.indice_curp(datos.curp)
    victima.idx_nombre = indices.indice_nombre(datos.nombre)
    victima.idx_nombre_nacimiento = indices.indice_nombre_nacimiento(datos.nombre, nacimiento)
    for hija in datos.nna:
        nna = Nna(caso=caso, rango_edad=rango_edad(hija.edad), violencia_directa=hija.violencia_directa)
        nna.nombre, nna.edad = hija.nombre, hija.edad
    for persona in datos.agresores:
        agresor = Agresor(caso=caso, relacion=persona.relacion, vive_con_ella=persona.vive_con_ella,
                          acceso_armas=persona.acceso_armas)
        agresor.nombre = persona.nombre
    if datos.fecha_hechos is not None:
        hecho = Hecho(caso=caso, fecha=datos.fecha_hechos,
                      municipio=datos.municipio_hechos or datos.municipio)
        hecho.lugar, hecho.narrativa = datos.lugar_hechos, datos.narrativa
        hecho.tipos, hecho.modalidades = datos.tipos, datos.modalidades
    caso.consentimiento = Consentimiento(
        autoriza_canalizar=datos.autoriza_canalizar,
        tipos_institucion=datos.tipos_institucion if datos.autoriza_canalizar else [],
        datos_compartibles=datos.datos_compartibles if datos.autoriza_canalizar else [],
        vigente_hasta=datos.consentimiento_hasta, registrado_por_id=usuaria.id)
    db.session.add(caso)
    if volcar:
        db.session.flush()
        auditoria.al_confirmar("caso.registrar", caso_id=caso.id, usuaria=usuaria)
    return caso


def posibles_duplicados(curp: str | None, nombre: str | None, nacimiento: date | None,
                        *, excluir: uuid.UUID | None = None) -> list[str]:
    """Names of the institutions holding a case with the same CURP, or the same name and
    birth date. Only that: never which case, never whose. Blind indexes only, no decryption."""
    if curp and not nacimiento:
        nacimiento = fecha_de_nacimiento(indices.normalizar_curp(curp))
    return _instituciones_con(indices.indice_curp(curp),
                              indices.indice_nombre_nacimiento(nombre, nacimiento), excluir)


def duplicados_de(victima: Victima) -> list[str]:
    """`posibles_duplicados` of a registered woman, from the blind indexes stored with her at
    intake (the same values, computed the same way): nothing to decrypt or hash again."""
    return _instituciones_con(victima.idx_curp, victima.idx_nombre_nacimiento, victima.caso_id)


@cache
def _con_mismo_indice(salvo_un_caso: bool):
    """Which institutions hold a victim with either blind index. Built once per variant (the
    duplicate hint runs on every view of a case; building it cost more than running it), on
    first use: an ORM statement needs every model mapped. A NULL index matches nothing."""
    consulta = (select(Institucion.nombre).distinct()
                .join(Caso, Caso.institucion_id == Institucion.id)
                .join(Victima, Victima.caso_id == Caso.id)
                .where(or_(Victima.idx_curp == bindparam("idx_curp"),
                           Victima.idx_nombre_nacimiento == bindparam("idx_nombre_nacimiento")),
                       Caso.datos_eliminados_en.is_(None)))
    return consulta.where(Caso.id != bindparam("excluir")) if salvo_un_caso else consulta


def _instituciones_con(idx_curp: int | None, idx_nombre_nacimiento: int | None,
                       excluir: uuid.UUID | None) -> list[str]:
    if idx_curp is None and idx_nombre_nacimiento is None:
        return []
    parametros = {"idx_curp": idx_curp, "idx_nombre_nacimiento": idx_nombre_nacimiento, "excluir": excluir}
    return sorted(db.session.scalars(_con_mismo_indice(excluir is not None), parametros))


def parece_curp(texto: str) -> bool:
    return not errores_curp(indices.normalizar_curp(texto))


def buscar(usuaria, texto: str) -> list[Caso]:
    """Exact search by CURP or full name among the cases the user may see.

    The blind index narrows to a few candidates; decrypting only those confirms the match,
    since truncated indexes collide by design."""
    texto = texto.strip()
    if not texto:
        return []
    if parece_curp(texto):
        buscado = indices.normalizar_curp(texto)
        condicion, confirmar = Victima.idx_curp == indices.indice_curp(buscado), lambda v: v.curp == buscado
    else:
        buscado = indices.normalizar_nombre(texto)
        condicion = Victima.idx_nombre == indices.indice_nombre(texto)
        confirmar = lambda v: indices.normalizar_nombre(v.nombre or "") == buscado  # noqa: E731
    candidatos = db.session.scalars(
        casos_visibles(usuaria).join(Caso.victima).where(condicion, Caso.datos_eliminados_en.is_(None))
        .options(joinedload(Caso.victima).load_only(Victima.id, Victima.caso_id,
                                                    Victima.nombre_cifrado, Victima.curp_cifrado))
    ).unique().all()
    # A name or CURP she may not read can't be confirmed by searching for it either.
    return [caso for caso in candidatos
            if vista_de(caso, usuaria).identidad and confirmar(caso.victima)]


def riesgo_visible(casos: list[Caso], usuaria) -> set:
    """Which of these cases' risk level she may read (casos/acceso): a list shows the level
    only where the woman shared it."""
    return {caso.id for caso in casos if "riesgo" in vista_de(caso, usuaria).categorias}


def registrar_valoracion(caso: Caso, usuaria, respuestas: dict[str, str], nivel_elegido: str | None,
                         motivo: str | None, *, volcar: bool = True) -> ValoracionRiesgo:
    """Score the answers. A professional may choose a level other than the computed one, with a
    reason. Every way of lowering the case's risk is only a proposal until a supervisora who is
    not its author approves it (flujos: `valoracion_riesgo` in `por_aprobar`): a level below the
    computed one, or a re-assessment below the level the case carries now (`riesgo.
    requiere_aprobacion`). Meanwhile the case carries the higher of its current level and the
    computed one, with the urgency and next re-assessment date of that level. A re-assessment
    at the same or a higher level applies at once. The computed level is the score's, raised
    to the minimum of any critical combination of answers (`riesgo.Instrumento.calcular`); the
    assessment keeps the instrument's version, so it is always explained with its own."""
    instrumento = riesgo.instrumento()
    resultado = instrumento.calcular(respuestas)
    puntaje, calculado = resultado.puntaje, resultado.nivel
    nivel = nivel_elegido or calculado
    motivo = (motivo or "").strip() or None
    if nivel != calculado and motivo is None:
        accion = "bajar" if riesgo.es_menor(nivel, calculado) else "elevar"
        raise MovimientoIlegal(f"Escriba el motivo para {accion} el nivel calculado.")
    actual = caso.nivel_riesgo
    propuesta = riesgo.requiere_aprobacion(nivel, calculado, actual)
    momento = ahora()
    valoracion = ValoracionRiesgo(
        caso=caso, autor_id=usuaria.id, creada_en=momento,
        estado=PROPUESTA if propuesta else FLUJO_VALORACION.inicial,
        version_instrumento=instrumento.version, puntaje=puntaje, nivel_calculado=calculado,
        nivel=nivel, proxima_valoracion=riesgo.proxima_valoracion(nivel, momento))
    db.session.add(valoracion)
    valoracion.respuestas = respuestas
    valoracion.motivo = motivo  # only what she typed; the case's history shows it
    _fijar_nivel(caso, riesgo.nivel_en_espera(calculado, actual) if propuesta else nivel, momento)
    if volcar or propuesta:
        db.session.flush()
    if volcar:  # the bulk seed's synthetic assessments leave no event
        auditoria.al_confirmar("valoracion.registrar", caso_id=caso.id, usuaria=usuaria)
    if propuesta:
        from casos.transiciones import servicios as transiciones

        # The request always says why it exists (the levels), plus her reason if she typed one.
        quien = transiciones.actor(usuaria, duena_id=usuaria.institucion_id)
        transiciones.solicitar(valoracion, "aplicar", quien, usuaria,
                               motivo=riesgo.motivo_de_la_propuesta(nivel, calculado, actual, motivo))
    return valoracion


def _fijar_nivel(caso: Caso, nivel: str, desde) -> None:
    caso.nivel_riesgo = nivel
    caso.urgente = nivel in NIVELES_URGENTES
    caso.proxima_valoracion = riesgo.proxima_valoracion(nivel, desde)


def aplicar_valoracion(valoracion: ValoracionRiesgo) -> None:
    """A lower level a supervisora approved now counts for the case: its level, urgency and
    next re-assessment (from the day it was assessed). Only while it is still the case's most
    recent assessment: a later one (whatever its state) knows more, and approving an older
    proposal would silently undo it. Then nothing is saved and she is told why."""
    posterior = db.session.scalar(select(ValoracionRiesgo.id).where(
        ValoracionRiesgo.caso_id == valoracion.caso_id, ValoracionRiesgo.id != valoracion.id,
        ValoracionRiesgo.creada_en > valoracion.creada_en).limit(1))
    if posterior is not None:
        raise MovimientoIlegal("Después de esta propuesta se registró otra valoración de riesgo del "
                               "caso; ya no puede aplicarse. Recházela para cerrarla.")
    _fijar_nivel(valoracion.caso, valoracion.nivel, valoracion.creada_en)
    db.session.flush()


REVOCADO = "La mujer revocó su consentimiento."


@dataclass(frozen=True)
class EfectosDeRevocar:
    """What recording her revocation changes, said before it is confirmed."""

    canceladas: list  # referrals not sent yet: cancelled, their pending approvals end
    dejan_de_ver: list  # referrals sent (enviada, aceptada, atendida): the receiver stops reading


def efectos_de_revocar(caso: Caso) -> EfectosDeRevocar:
    from flujos.canalizacion import COMPARTEN, NO_ENVIADAS

    canalizaciones = list(caso.canalizaciones)
    return EfectosDeRevocar([c for c in canalizaciones if c.estado in NO_ENVIADAS],
                            [c for c in canalizaciones if c.estado in COMPARTEN])


def revocable(consentimiento: Consentimiento | None) -> bool:
    return (consentimiento is not None and consentimiento.autoriza_canalizar
            and consentimiento.revocado_en is None)


def dia_local(momento) -> date:
    """The caseworker's day (America/Mexico_City) of a stored UTC instant."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    return momento.astimezone(ZoneInfo(current_app.config["ZONA_HORARIA"])).date()


def revocar_consentimiento(caso: Caso, usuaria, *, revocada_el: date, informada_por: str,
                           motivo: str) -> None:
    """Record that she withdrew her consent: the day she did (not in the future, not before
    it was registered), who told the institution (catalogos.QUIEN_INFORMA_REVOCACION), why
    (encrypted under the case key: it may describe her situation) and who recorded it, when.
    From now on no institution reads her data by a referral (casos/acceso/casos.py asks
    whether the consent is in force on every page), whatever state the referral is in, and
    what was not sent yet is cancelled. `usuaria` None: recorded by the system."""
    from casos.canalizaciones import servicios as canalizaciones
    from casos.transiciones.servicios import SISTEMA

    consentimiento = caso.consentimiento
    if not revocable(consentimiento):
        raise MovimientoIlegal("El consentimiento ya estaba revocado o no se otorgó.")
    motivo = (motivo or "").strip()
    if not motivo:
        raise MovimientoIlegal("Escriba el motivo de la revocación.")
    if informada_por not in QUIEN_INFORMA_REVOCACION:
        raise MovimientoIlegal("Elija quién informó de la revocación.")
    if revocada_el is None or revocada_el > hoy_local():
        raise MovimientoIlegal("La fecha en que revocó su consentimiento no puede ser futura.")
    registrado_el = dia_local(consentimiento.registrado_en)
    if revocada_el < registrado_el:
        raise MovimientoIlegal("La fecha en que lo revocó no puede ser anterior al registro del "
                               f"consentimiento ({registrado_el.strftime('%d/%m/%Y')}).")
    # Compare-and-set: of two people recording it at once, one wins; the other is told, and
    # neither the record nor the audit trail holds two revocations.
    valores = {"revocado_en": ahora(), "revocada_el": revocada_el, "revocacion_informada_por": informada_por,
               "revocado_por_id": usuaria.id if usuaria is not None else None}
    tabla = Consentimiento.__table__
    hecho = db.session.execute(update(tabla).where(tabla.c.id == consentimiento.id, tabla.c.revocado_en.is_(None))
                               .values(**valores))
    if hecho.rowcount != 1:
        raise MovimientoIlegal("Alguien más ya registró la revocación de este consentimiento; nada se guardó.")
    for columna, valor in valores.items():  # what the row now holds, without another UPDATE
        set_committed_value(consentimiento, columna, valor)
    consentimiento.motivo_revocacion = motivo
    canalizaciones.cancelar_no_enviadas(caso, usuaria or SISTEMA, REVOCADO)
    db.session.flush()
    auditoria.al_confirmar("consentimiento.revocar", caso_id=caso.id, usuaria=usuaria)


def eliminar_datos_personales(caso: Caso, usuaria=None, *, motivo: str | None = None) -> None:
    """Crypto-shredding: without its data key, every encrypted field of the case is unreadable
    everywhere, backups included. Categorical columns stay for statistics. Blind indexes go
    too, so the case no longer matches searches or duplicate checks. Requests still waiting
    for approval on it end (withdrawn, with the reason), so no inbox waits on what can't be
    read any more."""
    from casos.transiciones import servicios as transiciones

    transiciones.anular_pendientes_de_caso(caso, ELIMINADO_MOTIVO)
    caso.destruir_dek()
    if caso.victima is not None:
        caso.victima.idx_curp = caso.victima.idx_nombre = caso.victima.idx_nombre_nacimiento = None
    db.session.flush()
    auditoria.al_confirmar("datos.eliminar", caso_id=caso.id, usuaria=usuaria, motivo=motivo)


ELIMINADO_MOTIVO = "Se eliminaron los datos personales del caso."


def _nombra_a_la_mujer(caso: Caso, texto: str | None) -> bool:
    """Whether a reason quotes her full name or CURP (any shape, any accents)."""
    victima = caso.victima
    if victima is None or not texto:
        return False
    escrito = indices.normalizar_nombre(texto)
    nombre = indices.normalizar_nombre(victima.nombre or "")
    curp = indices.normalizar_curp(victima.curp or "")
    return bool(nombre and nombre in escrito) or bool(curp and curp in indices.normalizar_curp(texto))


def eliminar_datos_personales_por_id(caso_id: uuid.UUID | None, usuaria=None, *, motivo: str) -> Caso:
    """The admin's form: she types the id she was given, never opens the case."""
    caso = db.session.get(Caso, caso_id) if caso_id else None
    if caso is None:
        raise MovimientoIlegal("No existe un caso con ese identificador.")
    if caso.datos_eliminados:
        raise MovimientoIlegal("Los datos personales de ese caso ya fueron eliminados.")
    if _nombra_a_la_mujer(caso, motivo):  # the trail can never be erased
        raise MovimientoIlegal("El fundamento lleva el nombre o la CURP de la mujer: escriba solo el "
                               "fundamento legal y el folio de la solicitud.")
    eliminar_datos_personales(caso, usuaria, motivo=motivo)
    return caso


# ---- drafts ---------------------------------------------------------------------------------

def guardar_borrador(usuaria, borrador_id: uuid.UUID | None, datos: dict) -> Borrador:
    borrador = borrador_de(usuaria, borrador_id) if borrador_id else None
    if borrador is None:
        borrador = Borrador(id=uuid.uuid4(), usuaria_id=usuaria.id)
        borrador.iniciar_dek()
        db.session.add(borrador)
    borrador.datos = datos
    borrador.actualizado_en = ahora()
    db.session.flush()
    auditoria.al_confirmar("borrador.guardar", objeto_id=borrador.id, usuaria=usuaria)
    return borrador


def borrador_de(usuaria, borrador_id) -> Borrador | None:
    """A draft is its author's alone: anyone else gets None, as if it did not exist."""
    return db.session.scalar(select(Borrador).where(Borrador.id == borrador_id,
                                                    Borrador.usuaria_id == usuaria.id))


@cache
def _borradores_de():
    # Built once, on first use: the case list shows the drafts on every view.
    return (select(Borrador).where(Borrador.usuaria_id == bindparam("usuaria_id"))
            .options(load_only(Borrador.id, Borrador.actualizado_en, Borrador.creado_en))
            .order_by(Borrador.actualizado_en.desc()))


def borradores_de(usuaria) -> list[Borrador]:
    return list(db.session.scalars(_borradores_de(), {"usuaria_id": usuaria.id}))


def descartar_borrador(borrador: Borrador) -> None:
    auditoria.al_confirmar("borrador.descartar", objeto_id=borrador.id)
    db.session.delete(borrador)
    db.session.flush()


def describir_valoracion(evento: str, valoracion: ValoracionRiesgo) -> str:
    """For the supervisora: from which level to which; and when the proposal goes below what
    the instrument computed, what computed it: the score, and any critical combination of
    answers (which she should not overrule lightly)."""
    actual = valoracion.caso.nivel_riesgo
    texto = (f"Aplicar el nivel de riesgo {NIVELES_RIESGO[valoracion.nivel]} propuesto "
             f"(el caso está en {NIVELES_RIESGO[actual] if actual else 'ningún nivel'}).")
    if not riesgo.es_menor(valoracion.nivel, valoracion.nivel_calculado):
        return texto
    explicacion = riesgo.explicar(valoracion.version_instrumento, valoracion.respuestas)
    criticas = "".join(f" Combinación crítica: {c.texto} (al menos {NIVELES_RIESGO[c.nivel_minimo]})."
                       for c in explicacion.combinaciones)
    return (f"{texto} El instrumento calculó {NIVELES_RIESGO[valoracion.nivel_calculado]} "
            f"({valoracion.puntaje} puntos).{criticas}")


def _registrar_descripciones() -> None:
    from casos.transiciones import servicios as transiciones

    transiciones.DESCRIBIR["valoracion_riesgo"] = describir_valoracion


_registrar_descripciones()
