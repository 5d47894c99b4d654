"""Case operations shared by the views, the CLI and the demo seed. They flush; callers commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload, load_only

from casos.acceso import casos_visibles
from casos.bd import ahora
from casos.catalogos import NIVELES_URGENTES, rango_edad
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
    thousands of cases into one flush instead of one round trip per row."""
    hoy = ahora().date()
    caso = Caso(id=uuid.uuid4(), institucion_id=usuaria.institucion_id, creado_por_id=usuaria.id,
                municipio=datos.municipio, rango_edad=rango_edad(datos.edad(hoy)),
                estado="registrado")
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
    return [caso for caso in candidatos if confirmar(caso.victima)]


def registrar_valoracion(caso: Caso, usuaria, respuestas: dict[str, str], nivel_elegido: str | None,
                         motivo: str | None, *, volcar: bool = True) -> ValoracionRiesgo:
    """Score the answers. A professional may raise the computed level with a reason; a level
    below the computed one is only a proposal until a supervisora approves it (flujos), and
    meanwhile the case carries the computed level."""
    instrumento = riesgo.instrumento()
    puntaje = instrumento.puntaje(respuestas)
    calculado = instrumento.nivel(puntaje)
    nivel = nivel_elegido or calculado
    baja = riesgo.es_menor(nivel, calculado)
    if nivel != calculado and not (motivo or "").strip():
        raise ValueError(f"Escriba el motivo para {'bajar' if baja else 'elevar'} el nivel calculado.")
    momento = ahora()
    valoracion = ValoracionRiesgo(
        caso=caso, autor_id=usuaria.id, creada_en=momento, estado="por_aprobar" if baja else "vigente",
        version_instrumento=instrumento.version, puntaje=puntaje, nivel_calculado=calculado,
        nivel=nivel, proxima_valoracion=riesgo.proxima_valoracion(nivel, momento))
    db.session.add(valoracion)
    valoracion.respuestas = respuestas
    valoracion.motivo = (motivo or "").strip() or None
    _fijar_nivel(caso, calculado if baja else nivel, momento)
    if volcar or baja:
        db.session.flush()
    if baja:
        from casos.transiciones import servicios as transiciones

        quien = transiciones.actor(usuaria, duena_id=usuaria.institucion_id)
        transiciones.solicitar(valoracion, "aplicar", quien, usuaria, motivo=motivo)
    return valoracion


def _fijar_nivel(caso: Caso, nivel: str, desde) -> None:
    caso.nivel_riesgo = nivel
    caso.urgente = nivel in NIVELES_URGENTES
    caso.proxima_valoracion = riesgo.proxima_valoracion(nivel, desde)


def aplicar_valoracion(valoracion: ValoracionRiesgo) -> None:
    """A lower level a supervisora approved now counts for the case."""
    _fijar_nivel(valoracion.caso, valoracion.nivel, valoracion.creada_en)
    db.session.flush()


def revocar_consentimiento(caso: Caso) -> None:
    if caso.consentimiento is not None and caso.consentimiento.revocado_en is None:
        caso.consentimiento.revocado_en = ahora()
        db.session.flush()


def eliminar_datos_personales(caso: Caso) -> None:
    """Crypto-shredding: without its data key, every encrypted field of the case is unreadable
    everywhere, backups included. Categorical columns stay for statistics. Blind indexes go
    too, so the case no longer matches searches or duplicate checks."""
    caso.destruir_dek()
    if caso.victima is not None:
        caso.victima.idx_curp = caso.victima.idx_nombre = caso.victima.idx_nombre_nacimiento = None
    db.session.flush()


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
    db.session.delete(borrador)
    db.session.flush()
