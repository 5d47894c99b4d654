"""What a person may see of a case, and which cases she finds at all.

The owning institution sees all of it. A receiving institution sees only what the woman
consented to share with its kind of institution, and only while its referral is live and her
consent in force; after a rejection, a cancellation, a conclusion, a revocation or an expiry
it keeps a record without personal data. Everyone else: the case does not exist (404).

Every page, list, search and inbox asks here (`vista_de`, `casos_visibles`), never the
template: a section is shown when its category is in `Vista.categorias`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import joinedload

from casos.acceso.politica import puede
from casos.catalogos import CONSENTIMIENTO_DE_ADJUNTO, DATOS_COMPARTIBLES
from flujos.canalizacion import COMPARTEN, VIGENTES

# What only the owning institution reads, whatever her consent says: her indigenous language,
# disability and nationality are sensitive data (LGPDPPSO) that no consent category names, so
# no referral shares them ("identidad" is name, CURP and date of birth, as the form tells her).
SOLO_DE_LA_DUENA = frozenset({"perfil"})
TODAS = frozenset(DATOS_COMPARTIBLES) | SOLO_DE_LA_DUENA
NINGUNA: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Vista:
    """A person's view of one case: whose it is, which data categories she may read."""

    propia: bool
    categorias: frozenset[str]
    eliminado: bool
    canalizacion: object | None = None  # the live referral a receiving institution sees it by
    bloqueado: bool = False  # read through an authorized read (casos/conservacion/)

    @property
    def escribe(self) -> bool:
        """Only the owning institution writes the case (intake, assessments, orders,
        consent), and nobody writes an erased or a blocked one."""
        return self.propia and not self.eliminado and not self.bloqueado

    @property
    def identidad(self) -> bool:
        return "identidad" in self.categorias


def _hoy() -> date:
    from casos.bd import hoy_local

    return hoy_local()


def tipos_permitidos(caso, hoy: date) -> frozenset[str]:
    """The kinds of institution her data may go to today: those her consent in force names,
    but for any she opposed (derecho de oposición carried out, casos/arco/), which counts as
    consent withdrawn for that kind. The one rule: sending, reading and listing all ask it."""
    consentimiento = caso.consentimiento
    if consentimiento is None or not consentimiento.vigente(hoy):
        return NINGUNA
    return frozenset(consentimiento.tipos_institucion) - tipos_con_oposicion(caso)


def tipos_con_oposicion(caso) -> frozenset[str]:
    return frozenset(oposicion.tipo_institucion for oposicion in caso.oposiciones)


def consentimiento_en_vigor(caso, tipo_institucion: str, hoy: date) -> bool:
    return tipo_institucion in tipos_permitidos(caso, hoy)


def compartidas(canalizacion, hoy: date | None = None) -> frozenset[str]:
    """What the receiving institution of this referral may read now: the categories shared
    when it was sent that her current consent still allows, while the referral is live."""
    caso = canalizacion.caso
    if caso.datos_eliminados or caso.bloqueado or canalizacion.estado not in COMPARTEN:
        return NINGUNA
    if not consentimiento_en_vigor(caso, canalizacion.destino.tipo, hoy or _hoy()):
        return NINGUNA
    return frozenset(canalizacion.datos_compartidos) & frozenset(caso.consentimiento.datos_compartibles)


@dataclass(frozen=True)
class VistaCanalizacion:
    """An institution's view of a referral. `detalle`: the sender's reason and notes."""

    receptora: bool
    categorias: frozenset[str]
    detalle: bool
    abre_caso: bool  # whether the case page exists for her (casos_visibles)
    sin_datos: str | None = None  # why the receiver no longer reads her data, in Spanish


def vista_de_canalizacion(canalizacion, usuaria, hoy: date | None = None) -> VistaCanalizacion:
    from casos.conservacion import autorizada_en_esta_peticion

    caso = canalizacion.caso
    # Erased, or blocked and not reached through an authorized read: nothing of her.
    sin_ella = caso.datos_eliminados or (caso.bloqueado and not autorizada_en_esta_peticion(caso.id))
    if canalizacion.destino_id != usuaria.institucion_id:  # the sender (the loader let no one else in)
        return VistaCanalizacion(False, NINGUNA if sin_ella else TODAS, not sin_ella, True,
                                 _sin_datos(canalizacion, hoy or _hoy()) if sin_ella else None)
    categorias = compartidas(canalizacion, hoy)
    vivo = (not sin_ella and canalizacion.estado in COMPARTEN
            and consentimiento_en_vigor(canalizacion.caso, canalizacion.destino.tipo, hoy or _hoy()))
    return VistaCanalizacion(True, categorias, vivo, vivo and canalizacion.estado in VIGENTES,
                             None if vivo else _sin_datos(canalizacion, hoy or _hoy()))


def _sin_datos(canalizacion, hoy: date, *, receptora: bool = True) -> str:
    from flujos import FLUJOS

    caso, consentimiento = canalizacion.caso, canalizacion.caso.consentimiento
    if caso.datos_eliminados:
        return "se eliminaron sus datos personales"
    if receptora and canalizacion.estado not in COMPARTEN:
        return f"la canalización está {FLUJOS['canalizacion'].estados[canalizacion.estado].lower()}"
    if consentimiento is None or consentimiento.revocado_en is not None:
        return "ella revocó su consentimiento"
    if consentimiento.vigente_hasta is not None and consentimiento.vigente_hasta < hoy:
        return "su consentimiento venció"
    if canalizacion.destino.tipo in tipos_con_oposicion(caso):
        return "ella se opuso a que sus datos se compartan con ese tipo de institución (derecho de oposición)"
    return f"su consentimiento ya no incluye a {'su institución' if receptora else 'la institución que la recibe'}"


def vista_del_oficio(canalizacion, usuaria, hoy: date | None = None) -> VistaCanalizacion:
    """What the printed referral (casos/impresos/) carries of her. The oficio travels to the
    receiving institution, so whoever prints it, it carries what the receiver may read and
    never more: the receiver's own view of the referral; for the sender, the categories shared
    with it that her consent in force still allows, in any state (a draft's oficio is the one
    that will travel), and nothing of her once her consent ended or her data were erased."""
    vista = vista_de_canalizacion(canalizacion, usuaria, hoy)
    if vista.receptora:
        return vista
    hoy = hoy or _hoy()
    caso = canalizacion.caso
    if caso.datos_eliminados or not consentimiento_en_vigor(caso, canalizacion.destino.tipo, hoy):
        return replace(vista, categorias=NINGUNA, detalle=False,
                       sin_datos=_sin_datos(canalizacion, hoy, receptora=False))
    return replace(vista, categorias=frozenset(canalizacion.datos_compartidos)
                   & frozenset(caso.consentimiento.datos_compartibles))


def vista_de(caso, usuaria, hoy: date | None = None) -> Vista:
    eliminado = caso.datos_eliminados
    if caso.institucion_id == usuaria.institucion_id:
        return Vista(True, NINGUNA if eliminado else TODAS, eliminado, bloqueado=caso.bloqueado)
    from casos.canalizaciones.servicios import vigente_para

    canalizacion = vigente_para(caso.id, usuaria.institucion_id)
    if canalizacion is None:
        return Vista(False, NINGUNA, eliminado)
    return Vista(False, compartidas(canalizacion, hoy), eliminado, canalizacion)


@dataclass(frozen=True)
class Documentos:
    """Which of a case's files a person opens (casos/adjuntos/). The owning institution: all
    of them. A receiving institution, while its referral shares her data (sent, accepted or
    answered, her consent in force): those its own people attached to that referral, and the
    owner's whose category her shared data cover (CONSENTIMIENTO_DE_ADJUNTO). Nobody else,
    and nobody once her data were erased."""

    propia: bool
    canalizacion: object | None = None  # the referral a receiving institution opens them by
    categorias: frozenset[str] = NINGUNA

    def abre(self, adjunto) -> bool:
        if self.propia:
            return True
        if self.canalizacion is None:
            return False
        if adjunto.institucion_id == self.canalizacion.destino_id:
            return adjunto.canalizacion_id == self.canalizacion.id
        requeridas = CONSENTIMIENTO_DE_ADJUNTO[adjunto.categoria]
        return (adjunto.institucion_id == self.canalizacion.origen_id and requeridas is not None
                and requeridas <= self.categorias)


def documentos_de(caso, usuaria, hoy: date | None = None) -> Documentos:
    from casos.conservacion import autorizada_en_esta_peticion

    if caso.datos_eliminados or (caso.bloqueado and not autorizada_en_esta_peticion(caso.id)):
        return Documentos(False)
    if caso.institucion_id == usuaria.institucion_id:
        return Documentos(True)
    from casos.canalizaciones.servicios import vigente_para

    canalizacion = vigente_para(caso.id, usuaria.institucion_id, COMPARTEN)
    if canalizacion is None or not consentimiento_en_vigor(caso, canalizacion.destino.tipo, hoy or _hoy()):
        return Documentos(False)
    return Documentos(False, canalizacion, compartidas(canalizacion, hoy))


# ---- which cases: the SQL scope ---------------------------------------------------------------

def casos_visibles(usuaria) -> Select:
    """Every query for cases starts here: those owned by the user's institution, and those
    another institution referred to hers while the referral is live and the woman's consent
    is in force."""
    from casos.expedientes.modelos import Caso

    if not puede(usuaria, "casos.consultar"):
        return select(Caso).where(false())
    return select(Caso).where(or_(*_partes_visibles(_Quien.de(usuaria))))


def caso_visible(caso_id, usuaria):
    """`casos_visibles` narrowed to one case, with its one-to-one rows: what every page of a
    case loads first. The statement is built once with the person as parameters (building
    it and its cache key cost 0.9 ms, three times running it) and runs with her values."""
    from casos.extensiones import db

    parametros = parametros_de_alcance(usuaria)
    if parametros is None:
        return None
    return db.session.scalar(_caso_visible(), {"caso_id": caso_id, **parametros})


@cache
def casos_visibles_por_partes(*, solo_propios: bool = False) -> tuple[Select, ...]:
    """The same scope as `casos_visibles`, as disjoint queries whose union it is, built once
    with the person as parameters (`parametros_de_alcance`). A query that orders and cuts
    (the case list) runs each part on its own index and merges the few rows: on the OR of
    both, PostgreSQL reads and sorts every visible case to return 50. `solo_propios`: her
    institution's part only, for a filter on what a shared case may not show her (its risk
    level, where she lives): filtering shared cases by it would tell them apart."""
    from casos.expedientes.modelos import Caso

    partes = _partes_visibles(_quien_parametrizado())
    return tuple(select(Caso).where(parte) for parte in (partes[:1] if solo_propios else partes))


def parametros_de_alcance(usuaria) -> dict | None:
    """Her values for the statements built with the scope as parameters; None: she may see
    no case at all."""
    if not puede(usuaria, "casos.consultar"):
        return None
    return _Quien.de(usuaria).parametros()


@dataclass(frozen=True)
class _Quien:
    """What the scope depends on: the person, her institution and its kind, and the moment.
    Either her values (a statement built for this request) or bind parameters of the same
    names (a statement built once, run with `parametros()`)."""

    usuaria_id: object
    institucion_id: object
    tipo_institucion: object
    hoy: object
    ahora: object

    @classmethod
    def de(cls, usuaria) -> _Quien:
        from casos.bd import ahora

        return cls(usuaria.id, usuaria.institucion_id, usuaria.institucion.tipo, _hoy(), ahora())

    def parametros(self) -> dict:
        return {f"alcance_{nombre}": getattr(self, nombre) for nombre in self.__dataclass_fields__}


@cache
def _quien_parametrizado() -> _Quien:
    from casos.arco.modelos import Oposicion
    from casos.conservacion.modelos import LecturaBloqueada
    from casos.expedientes.modelos import Caso, Consentimiento

    tipos = {"usuaria_id": LecturaBloqueada.solicitada_por_id.type, "institucion_id": Caso.institucion_id.type,
             "tipo_institucion": Oposicion.tipo_institucion.type, "hoy": Consentimiento.vigente_hasta.type,
             "ahora": LecturaBloqueada.vence_en.type}
    return _Quien(**{nombre: bindparam(f"alcance_{nombre}", type_=tipo) for nombre, tipo in tipos.items()})


@cache
def _caso_visible() -> Select:
    from casos.expedientes.modelos import Caso

    return (select(Caso).where(Caso.id == bindparam("caso_id"), or_(*_partes_visibles(_quien_parametrizado())))
            .options(joinedload(Caso.victima), joinedload(Caso.consentimiento)))


def _partes_visibles(quien: _Quien) -> list:
    from casos.arco.modelos import Oposicion
    from casos.canalizaciones.modelos import Canalizacion
    from casos.conservacion.modelos import LecturaBloqueada
    from casos.expedientes.modelos import Caso, Consentimiento

    # The kind of institution was checked against her consent when the referral was sent,
    # and consent is only ever revoked, never widened: `compartidas` checks it again. An
    # opposition to her kind of institution narrows it afterwards, like a revocation.
    opuesta = exists().where(Oposicion.caso_id == Canalizacion.caso_id,
                             Oposicion.tipo_institucion == quien.tipo_institucion)
    compartidos = (
        select(Canalizacion.caso_id)
        .join(Consentimiento, Consentimiento.caso_id == Canalizacion.caso_id)
        .where(Canalizacion.destino_id == quien.institucion_id, Canalizacion.estado.in_(VIGENTES),
               Consentimiento.autoriza_canalizar.is_(True), Consentimiento.revocado_en.is_(None),
               or_(Consentimiento.vigente_hasta.is_(None), Consentimiento.vigente_hasta >= quien.hoy),
               ~opuesta))
    # A blocked case (retention) only through a read the admin authorized her, while it lasts.
    autorizadas = select(LecturaBloqueada.caso_id).where(
        LecturaBloqueada.solicitada_por_id == quien.usuaria_id, LecturaBloqueada.estado == "autorizada",
        LecturaBloqueada.vence_en > quien.ahora)
    # Disjoint: a case of her own institution counts once even if it were referred back.
    # Another institution's erased or blocked case is nothing to her: not even a row.
    return [and_(Caso.institucion_id == quien.institucion_id,
                 or_(Caso.bloqueado_en.is_(None), Caso.id.in_(autorizadas))),
            and_(Caso.id.in_(compartidos), Caso.institucion_id != quien.institucion_id,
                 Caso.datos_eliminados_en.is_(None), Caso.bloqueado_en.is_(None))]


def etiqueta(caso, vista: Vista) -> str:
    """How lists and inboxes name a case: her name only where the person may read it."""
    if vista.eliminado:
        return "Caso con datos personales eliminados" if vista.propia else "Caso no disponible"
    if vista.identidad and caso.victima is not None:
        return caso.victima.nombre
    return "Caso propio" if vista.propia else f"Caso canalizado por {caso.institucion.siglas}"


def etiquetas(caso_ids, usuaria) -> dict:
    """`etiqueta` of each case of `caso_ids` she finds (casos_visibles); the rest she knows
    only through what points at them (a referral waiting for her answer): no name."""
    from casos.expedientes.modelos import Caso
    from casos.extensiones import db

    if not caso_ids:
        return {}
    from sqlalchemy.orm import selectinload

    # The names in one more statement, not one per case.
    casos = db.session.scalars(casos_visibles(usuaria).where(Caso.id.in_(caso_ids))
                               .options(selectinload(Caso.victima)))
    return {caso.id: etiqueta(caso, vista_de(caso, usuaria)) for caso in casos}
