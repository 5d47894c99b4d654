"""Every POST route the app registers leaves exactly its audit trail; a refused one, no change.

The table below has a row per POST route of the URL map (keyed by the URL rule: one endpoint,
admin.institucion, serves two URLs, and each must be proven). A row lists submissions: who
sends it, how the state is set up so that it succeeds (or is refused for a stated reason), the
form data, and the exact audit events it must leave, in chain order, with their actor, case
and object. Each submission goes through the pages as a browser would: the form is read from
the page that shows it (hidden fields, defaults, the real CSRF token), the person logged in
through /entrar (second factor included), and only then is the POST sent. The events written
by opening the page (a case view's "caso.ver") come before the count starts.

For every route, besides its own rows, the same submission is also sent without its CSRF token,
by a role the policy refuses (or by nobody logged in, where every role may) and, for a route
that loads a case's object, from another institution: none of them may leave any event.
A refusal may leave only the route's declared read (a form sent back shows her data again) or
a failure the design audits on purpose (wrong password or code, and the lockout it triggers);
the table can't declare anything else for one.

`test_cada_post_del_mapa_tiene_su_fila` compares the table with the URL map: a POST route
added next year fails it, by name, until its row is written.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict

from casos import acceso
from casos.acceso.politica import PUBLICA
from casos.adjuntos.modelos import Adjunto
from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora
from casos.canalizaciones import servicios as canalizaciones
from casos.conservacion import servicios as conservacion
from casos.conservacion.modelos import LecturaBloqueada
from casos.cuentas import segundo_factor
from casos.cuentas import servicios as cuentas_servicios
from casos.cuentas.modelos import Institucion, Usuaria
from casos.estadisticas import tokens as tokens_api
from casos.estadisticas.modelos import TokenApi
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones import servicios as transiciones
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import (
    CONTRASENA,
    codigo_totp,
    crear_institucion,
    crear_usuaria,
    datos_de_caso,
    entrar,
    enviar,
    olvidar_ultimo_codigo,
)
from tests.reloj import MEXICO, hoy_en_mexico
from tests.test_adjuntos import pdf

pytestmark = pytest.mark.reloj  # dates of the facts, of orders and of assessments

# ---- the expected trail ---------------------------------------------------------------------

QUIEN_ENVIA = "<quien envía>"  # the event's actor is whoever sent the POST

EXITO = "exito"
SIN_CSRF = "sin token CSRF"
ROL = "rol sin permiso"
AJENA = "objeto ajeno"
INVALIDA = "formulario o movimiento inválido"

# Failures the design audits on purpose (DESIGN.md, "Lockout"): a wrong password or code, and
# the lockout it may trigger. They are the trace of the refusal, not of the change asked for.
FALLOS_AUDITADOS = frozenset({"sesion.fallo", "contrasena.fallo", "cuenta.bloquear"})
# The intake's failure keeps what she typed as an encrypted draft (nothing typed is lost):
# that is a change, and the trail must show it.
CAMBIOS_DE_UN_RECHAZO = {"/casos/nuevo": frozenset({"borrador.guardar"})}
# Routes whose form has no data to get wrong: the CSRF token is all they carry (its absence is
# proven for every route), or anything sent is worth keeping.
SIN_DATO_INVALIDO = {
    "/salir": "un botón: su único dato es el token",
    "/casos/borradores/guardar": "el autoguardado guarda lo que llegue; nada es inválido en un borrador",
}


@dataclass(frozen=True)
class Ev:
    """One expected event. `caso`, `objeto` and `quien` are keys of the scenario's ids (an
    account key of `cuentas`, or an object `preparar` made): names, so a failure reads well.
    `objeto` is what DESIGN.md gives it: the account, institution, API token or draft acted
    on; a workflow move names its case only (casos/transiciones/servicios.py `_auditar`)."""

    accion: str
    caso: str | None = None
    objeto: str | None = None
    quien: str | None = QUIEN_ENVIA
    motivo: str | None = None


def _el_adjunto_nuevo(m, _respuesta) -> None:
    """The document the POST just stored (the world may hold others of earlier rows)."""
    m.ids.update(adjunto=db.session.scalar(sa.select(Adjunto.id).order_by(Adjunto.subido_en.desc()).limit(1)))


def _archivo(datos: bytes):
    """A file field's value as a browser sends it (one value, not a tuple to split)."""
    return FileStorage(stream=io.BytesIO(datos), filename="denuncia.pdf", content_type="application/pdf")


def del_caso(accion: str) -> Ev:
    """An event of the submission's case (m.ids["caso_id"]), by whoever sent it."""
    return Ev(accion, caso="caso_id")


@dataclass(frozen=True)
class Envio:
    """One POST of a route and what it must leave on the trail."""

    que: str
    quien: str | None  # who is logged in and sends it (None: nobody)
    eventos: tuple[Ev, ...]
    codigo: int = 302
    rechazo: str = EXITO
    preparar: Callable | None = None  # (Mundo) -> None: the state, ids into m.ids
    pagina: str | None = None  # the page with the form, "{id}" from m.ids (default: the route)
    datos: dict | Callable = field(default_factory=dict)  # what she types over the page's form
    evento: str | None = None  # which of the page's forms for this route (its hidden "evento")
    de_formulario: str | None = None  # the form is another route's (the intake's autosave)
    del_formulario: bool = True  # False: only the page's token (a stale or forged form)
    token: bool = True
    entre: Callable | None = None  # (Mundo) after the page was read: someone else acted first
    despues: Callable | None = None  # (Mundo, answer): ids of what the POST created
    comprobar: Callable | None = None  # (Mundo, answer) -> a failure message, or None
    a_entrar: bool = False  # its redirect goes to the login page (otherwise a session lost)
    por_que: str | None = None  # what the row protects, said when it fails


# ---- the state each submission starts from ---------------------------------------------------

class Mundo:
    """One submission's browser and the ids it refers to."""

    def __init__(self, app, cliente, ids: dict):
        self.app, self.cliente, self.ids = app, cliente, ids

    def usuaria(self, clave: str) -> Usuaria:
        return db.session.get(Usuaria, self.ids[clave])

    def institucion(self, clave: str) -> Institucion:
        return db.session.get(Institucion, self.ids[clave])


def _cuenta(m: Mundo, clave: str, rol: str = "capturista", institucion: str = "institucion_a", **kwargs):
    """A fresh account, so a submission that changes one (a password, a lock, a factor) leaves
    the shared accounts usable by the next submission."""
    usuaria = crear_usuaria(rol, m.institucion(institucion), **kwargs)
    m.ids[clave] = usuaria.id
    return usuaria


def _caso(m: Mundo, clave: str = "caso_id", autora: str = "capturista", **cambios):
    caso = expedientes.registrar_caso(m.usuaria(autora), datos_de_caso(**cambios))
    db.session.commit()
    m.ids[clave] = caso.id
    return caso


def _mover_caso(m: Mundo, caso, *eventos: str, quien: str = "capturista"):
    usuaria = m.usuaria(quien)
    for evento in eventos:
        transiciones.disparar(caso, evento, transiciones.actor(usuaria, duena_id=caso.institucion_id),
                              usuaria, version_vista=caso.version, motivo="Motivo sintético")
        db.session.commit()


def _solicitar(m: Mundo, fila, evento: str, quien: str = "capturista", motivo: str | None = None):
    usuaria = m.usuaria(quien)
    caso = fila if fila.__tablename__ == "caso" else fila.caso
    quien_pide = transiciones.actor(usuaria, duena_id=caso.institucion_id)
    solicitud = transiciones.solicitar(fila, evento, quien_pide, usuaria, motivo=motivo)
    db.session.commit()
    m.ids["solicitud_id"] = solicitud.id
    return solicitud


def _aprobar(m: Mundo, solicitud, quien: str = "supervisora"):
    supervisora = m.usuaria(quien)
    entidad = transiciones.entidad_de(solicitud)
    valores = (canalizaciones.VALORES.get(solicitud.evento, lambda c: {})(entidad)
               if solicitud.entidad == "canalizacion" else None)
    transiciones.aprobar(solicitud, entidad, supervisora, version_vista=solicitud.version, valores=valores)
    if solicitud.entidad == "valoracion_riesgo":
        expedientes.aplicar_valoracion(entidad)
    db.session.commit()


def _respuestas(valor: str) -> dict:
    return {i.clave: valor for i in instrumento().indicadores}


def _valorar(m: Mundo, caso, valor: str, autora: str = "capturista"):
    valoracion = expedientes.registrar_valoracion(caso, m.usuaria(autora), _respuestas(valor), None, None)
    db.session.commit()
    return valoracion


def _propuesta_de_bajar(m: Mundo, autora: str = "capturista"):
    """A case at extreme risk and a re-assessment that would lower it: waits for approval."""
    caso = _caso(m)
    _valorar(m, caso, "si", autora)
    valoracion = _valorar(m, caso, "no", autora)
    m.ids["solicitud_id"] = transiciones.pendiente_de(valoracion, "aplicar").id
    return caso, valoracion


def _canalizacion(m: Mundo, estado: str = "por_aprobar"):
    """A referral of a case of institution A to institution C (B has no business with it)."""
    caso = _caso(m)
    canalizacion = canalizaciones.solicitar(
        caso, m.usuaria("capturista"), destino=m.institucion("institucion_c"), servicios=["medica"],
        motivo="Atención médica sintética", hoy=hoy_en_mexico())
    db.session.commit()
    m.ids["canalizacion_id"] = canalizacion.id
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    m.ids["solicitud_id"] = solicitud.id
    if estado == "por_aprobar":
        return canalizacion
    _aprobar(m, solicitud)
    pasos = {"enviada": (), "aceptada": ("aceptar",), "atendida": ("aceptar", "contrarreferir")}
    for evento in pasos[estado]:
        canalizaciones.responder(canalizacion, evento, m.usuaria("capturista_c"),
                                 version_vista=canalizacion.version,
                                 servicios_prestados=["medica"] if evento == "contrarreferir" else None)
        db.session.commit()
    return canalizacion


def _orden(m: Mundo, estado: str = "solicitada"):
    caso = _caso(m)
    capturista = m.usuaria("capturista")
    orden = ordenes.registrar_solicitud(caso, capturista, tipo="administrativa",
                                        autoridad="ministerio_publico", medidas=["prohibicion_acercarse"],
                                        solicitada_en=ahora() - timedelta(hours=2), notas=None)
    db.session.commit()
    m.ids["orden_id"] = orden.id
    if estado == "vigente":
        ordenes.actuar(orden, "emitir", capturista, version_vista=orden.version,
                       momento=ahora() - timedelta(hours=1), dias=60)
        db.session.commit()
    return caso, orden


def _local(delta: timedelta = timedelta()) -> str:
    """A date-time field as the caseworker types it (Mexico City, to the minute)."""
    return (datetime.now(MEXICO) + delta).strftime("%Y-%m-%dT%H:%M")


def _paso_de_contrasena(m: Mundo, clave: str):
    """The password step only: the second factor (or its enrolment) is still pending."""
    respuesta = enviar(m.cliente, "/entrar", {"correo": m.usuaria(clave).correo, "contrasena": CONTRASENA})
    assert respuesta.status_code == 302, respuesta.status_code
    return respuesta.location


def _casi_bloqueada(m: Mundo, clave: str):
    """One failure short of the lockout."""
    usuaria = m.usuaria(clave)
    usuaria.fallos_consecutivos = m.app.config["BLOQUEO_TRAS_FALLOS"] - 1
    db.session.commit()


# ---- the table -------------------------------------------------------------------------------

HOY = hoy_en_mexico()  # at collection, on the suite's pinned clock
INTAKE = {
    "nombre": "Canaria Xochitl Pruebasintetica", "fecha_nacimiento": "1985-01-01", "municipio": "32056",
    "telefono": "4929990001", "fecha_hechos": (HOY - timedelta(days=7)).isoformat(),
    "narrativa": "Relato canario sintetico: hechos inventados para pruebas.",
    "tipos": ["fisica", "psicologica"], "modalidades": ["familiar"], "autoriza_canalizar": "y",
    "tipos_institucion": ["cjm", "salud"], "datos_compartibles": ["identidad", "hechos"],
}
TODO_NO = {f"r_{clave}": "no" for clave in _respuestas("no")}
NUEVA_CONTRASENA = "girasoles bajo la lluvia de agosto"
FUNDAMENTO = "Solicitud ARCO folio 2026/0145, art. 46 LGPDPPSO"


def _id_en(patron: str, clave: str):
    def despues(m: Mundo, respuesta):
        encontrado = re.search(patron, respuesta.location or "")
        m.ids[clave] = uuid.UUID(encontrado.group(1)) if encontrado else None
    return despues


def _borrador_en_json(m: Mundo, respuesta):
    m.ids["borrador_nuevo"] = uuid.UUID(respuesta.get_json()["borrador_id"])


def _borrador_en_pagina(m: Mundo, respuesta):
    """The intake page sent back carries the draft it saved, for the next submission."""
    html = respuesta.get_data(as_text=True)
    valor = formulario_de(html, "/casos/nuevo", "/casos/nuevo", None).get("borrador_id")
    m.ids["borrador_nuevo"] = uuid.UUID(valor) if valor else None


def _buscar(modelo, columna, valor, clave):
    def despues(m: Mundo, _respuesta):
        db.session.rollback()
        m.ids[clave] = db.session.scalar(sa.select(modelo.id).where(columna == valor))
    return despues


def _borrador(m: Mundo, clave: str = "borrador_id", autora: str = "capturista"):
    borrador = expedientes.guardar_borrador(m.usuaria(autora), None, {"nombre": ["Borrador sintético"]})
    db.session.commit()
    m.ids[clave] = borrador.id


def _otro_borrador_no_es_el_suyo(m: Mundo, _respuesta):
    if m.ids["borrador_nuevo"] == m.ids["borrador_id"]:
        return "el autoguardado escribió en el borrador de otra persona"
    return None


def _revocar_consentimiento(m: Mundo):
    caso = db.session.get(Caso, m.ids["caso_id"])
    expedientes.revocar_consentimiento(caso, m.usuaria("capturista"), revocada_el=hoy_en_mexico(),
                                       informada_por="ella_telefono", motivo="Motivo sintético")
    db.session.commit()


def _envio_rechazado(m: Mundo):
    """A referral whose sending a supervisora rejected: back to draft, to be asked again."""
    canalizacion = _canalizacion(m)
    solicitud = db.session.get(SolicitudAprobacion, m.ids["solicitud_id"])
    transiciones.rechazar(solicitud, canalizacion, m.usuaria("supervisora"), version_vista=solicitud.version,
                          motivo="Falta precisar el servicio")
    db.session.commit()


def _caso_con(*eventos):
    def preparar(m: Mundo):
        _mover_caso(m, _caso(m), *eventos)
    return preparar


def _caso_cerrado(m: Mundo):
    caso = _caso(m)
    _aprobar(m, _solicitar(m, caso, "cerrar", motivo="Concluyó la atención"))


def _cierre_pedido(quien: str):
    def preparar(m: Mundo):
        _solicitar(m, _caso(m), "cerrar", quien=quien, motivo="Concluyó la atención")
    return preparar


def _propuesta_superada(m: Mundo):
    """A lowering proposal that is no longer the case's latest assessment."""
    caso, _valoracion = _propuesta_de_bajar(m)
    _valorar(m, caso, "si")


def _version_de_la_solicitud(m: Mundo):
    m.ids["version"] = db.session.get(SolicitudAprobacion, m.ids["solicitud_id"]).version


def _aprobar_la_pendiente(m: Mundo):
    _aprobar(m, db.session.get(SolicitudAprobacion, m.ids["solicitud_id"]))


def _atender_el_caso(m: Mundo):
    _mover_caso(m, db.session.get(Caso, m.ids["caso_id"]), "atender")


def _bloqueada(m: Mundo):
    usuaria = _cuenta(m, "usuaria_id")
    usuaria.bloqueada_en, usuaria.fallos_consecutivos = ahora(), m.app.config["BLOQUEO_TRAS_FALLOS"]
    db.session.commit()


def _bloquear(m: Mundo, clave: str):
    usuaria = m.usuaria(clave)
    usuaria.bloqueada_en = ahora()
    db.session.commit()


def _eliminar_el_caso(m: Mundo):
    expedientes.eliminar_datos_personales(db.session.get(Caso, m.ids["caso_id"]), m.usuaria("admin"),
                                          motivo=FUNDAMENTO)
    db.session.commit()


def _desbloquear(m: Mundo):
    cuentas_servicios.desbloquear(m.usuaria("usuaria_id"))
    db.session.commit()


def _token(m: Mundo):
    fila, _ = tokens_api.crear("Tablero de prueba", m.usuaria("admin"))
    db.session.commit()
    m.ids["token_id"] = fila.id


def _bloqueado(m: Mundo):
    """A case the retention schedule blocked (casos/conservacion/)."""
    caso = _caso(m)
    conservacion.bloquear(caso, motivo="Plazo de conservación (sintético).")
    db.session.commit()
    return caso


def _lectura_pedida(m: Mundo):
    lectura = conservacion.pedir_lectura(_bloqueado(m), m.usuaria("capturista"), "Oficio sintético 12/2026")
    db.session.commit()
    m.ids["lectura_id"] = lectura.id


def _autorizar_lectura(m: Mundo):
    conservacion.resolver_lectura(db.session.get(LecturaBloqueada, m.ids["lectura_id"]), m.usuaria("admin"),
                                  autorizar=True)
    db.session.commit()


def _la_lectura_nueva(m: Mundo, _respuesta) -> None:
    m.ids.update(lectura=db.session.scalar(sa.select(LecturaBloqueada.id)))


def _revocar_token(m: Mundo):
    tokens_api.revocar(db.session.get(TokenApi, m.ids["token_id"]))
    db.session.commit()


def _activacion(m: Mundo):
    pendiente = _cuenta(m, "nueva")
    pendiente.contrasena_hash = None
    m.ids["token"] = cuentas_servicios.crear_activacion(pendiente)
    db.session.commit()


def _descartar_borrador(m: Mundo):
    expedientes.descartar_borrador(expedientes.borrador_de(m.usuaria("capturista"), m.ids["borrador_id"]))
    db.session.commit()


def _al_codigo(clave_nueva: str = "ella", **kwargs):
    def preparar(m: Mundo):
        _cuenta(m, clave_nueva, "supervisora", **kwargs)
        _paso_de_contrasena(m, clave_nueva)
    return preparar


def _codigos_de_recuperacion(m: Mundo):
    _al_codigo()(m)
    m.ids["codigos"] = segundo_factor.nuevos_codigos(m.usuaria("ella"))
    db.session.commit()


def _al_codigo_casi_bloqueada(m: Mundo):
    _al_codigo()(m)
    _casi_bloqueada(m, "ella")


def _alta_con_clave(m: Mundo):
    """Password step of an account that must enrol, and her key already generated."""
    _al_codigo(segundo_factor=False)(m)
    assert enviar(m.cliente, "/entrar/alta-codigo", {"accion": "generar"}).status_code == 200
    db.session.rollback()
    m.ids["secreto"] = segundo_factor.secreto(m.usuaria("ella"))


def _alta_terminada(m: Mundo):
    """Enrolled at login: the recovery codes page, whose button completes the login."""
    _alta_con_clave(m)
    respuesta = enviar(m.cliente, "/entrar/alta-codigo", {"codigo": codigo_totp(m.ids["secreto"])})
    assert respuesta.status_code == 200
    m.ids["_html"] = respuesta.get_data(as_text=True)


def _clave_propia_generada(m: Mundo):
    _cuenta(m, "ella")
    segundo_factor.iniciar_alta(m.usuaria("ella"))
    db.session.commit()
    m.ids["secreto"] = segundo_factor.secreto(m.usuaria("ella"))


def _codigo_de(clave: str | None = "secreto"):
    """The code her app shows now; `None`: the test accounts' shared secret (conftest)."""
    return lambda ids: {"codigo": codigo_totp(ids[clave] if clave else None)}


def _institucion_nueva(m: Mundo):
    siglas = f"I{uuid.uuid4().hex[:6].upper()}"  # several rows share one database
    m.ids["institucion_id"] = crear_institucion(siglas, "salud").id


def _propia_como_objeto(clave: str, cual: str):
    def preparar(m: Mundo):
        m.ids[clave] = m.ids[cual]
    return preparar


def _caso_ya_eliminado(m: Mundo):
    caso = _caso(m)
    expedientes.eliminar_datos_personales(caso, m.usuaria("admin"), motivo=FUNDAMENTO)
    db.session.commit()


def _caso_y_otra(m: Mundo):
    """A case of A and a second capturista of A to put in charge of it."""
    _caso(m)
    _cuenta(m, "otra")


def _asignado_por_otra(m: Mundo):
    """Another supervisora assigned the case while the page was open (its version moved)."""
    from casos.expedientes import asignacion

    caso = db.session.get(Caso, m.ids["caso_id"])
    asignacion.asignar(caso, m.usuaria("supervisora"), m.usuaria("supervisora"), version_vista=caso.version)
    db.session.commit()


def _cerrado_mientras_elegia(m: Mundo):
    _aprobar(m, _solicitar(m, db.session.get(Caso, m.ids["caso_id"]), "cerrar", motivo="Concluyó la atención"))


def _recibido_con_supervisora(m: Mundo):
    """A case of A referred to C and accepted there; C has a supervisora too."""
    _cuenta(m, "supervisora_c", "supervisora", "institucion_c")
    _canalizacion(m, "aceptada")


A_OTRA = lambda ids: {"responsable": str(ids["otra"])}  # noqa: E731

CASO = "/casos/{caso_id}"
CANALIZACION = "/canalizaciones/{canalizacion_id}"


def _canalizar_a(institucion: str, motivo: str | None = "Atención médica sintética"):
    """The referral form: to which institution, for which service, why."""
    return lambda ids: {"destino_id": str(ids[institucion]), "servicios": ["medica"], "motivo": motivo}


def _orden_pedida(hace: timedelta, medidas=("prohibicion_acercarse",)):
    """The order form: its measures and when it was requested (`hace` ago, in local time)."""
    return lambda ids: {"medidas": list(medidas), "solicitada_en": _local(-hace)}

ORDEN_VIGENTE = lambda m: _orden(m, "vigente")  # noqa: E731
ELIMINAR = lambda ids: {  # noqa: E731
    "caso_id": str(ids["caso_id"]), "motivo": FUNDAMENTO, "confirmacion": "ELIMINAR"}
# The reason typed in a move's form (a case transition, a referral answer, an order action).
MOTIVO = {"motivo": "Motivo sintético, sin datos personales"}
# Her withdrawal of consent: the day (today) comes filled in by the form.
REVOCACION = {"informada_por": "ella_persona", "motivo": "Ya no quiere que se comparta (sintético)",
              "confirmacion": "y"}
# A service: the type chosen; today and herself as who gave it come filled in by the form.
ATENCION = {"tipo": "psicologica", "duracion_minutos": "50", "notas": "Nota sintética de la atención"}


def _cerrar_el_caso(m: Mundo):
    _aprobar(m, _solicitar(m, db.session.get(Caso, m.ids["caso_id"]), "cerrar", motivo="Concluyó la atención"))


# ---- ARCO requests (casos/arco/): the admin, for any institution ----------------------------------

def _arco(derecho: str = "acceso", *eventos: str, presentada_por: str = "titular"):
    """A case of A, a request over it registered by the admin, moved through `eventos`."""
    def preparar(m: Mundo):
        from casos.arco import servicios as arco

        caso = _caso(m)
        solicitud = arco.registrar(m.usuaria("admin"), arco.DatosSolicitud(
            institucion_id=caso.institucion_id, caso_id=caso.id, derecho=derecho, recibida_el=hoy_en_mexico(),
            medio="presencial", presentada_por=presentada_por, identificacion="ine",
            descripcion="Solicitud sintética"))
        db.session.commit()
        m.ids["solicitud_arco_id"] = solicitud.id
        for evento in eventos:
            arco.mover(solicitud, evento, m.usuaria("admin"), version_vista=solicitud.version,
                       datos=arco.DatosMovimiento(cotejo=True, motivo="Motivo sintético"))
            db.session.commit()
    return preparar


def _arco_movida_por_otra(m: Mundo):
    from casos.arco import servicios as arco
    from casos.arco.modelos import SolicitudArco

    solicitud = db.session.get(SolicitudArco, m.ids["solicitud_arco_id"])
    arco.mover(solicitud, "prevenir", m.usuaria("admin"), version_vista=solicitud.version,
               datos=arco.DatosMovimiento(motivo="Falta la identificación"))
    db.session.commit()


def _arco_bloqueada(m: Mundo):
    """A request registered before its case was blocked by the retention schedule."""
    from casos.conservacion import servicios as conservacion

    _arco()(m)
    conservacion.bloquear(db.session.get(Caso, m.ids["caso_id"]), motivo="Plazo de conservación (sintético).")
    db.session.commit()


def _formulario_arco(**cambios):
    def datos(ids):
        valores = {"institucion_id": str(ids["institucion_a"]), "caso_id": str(ids["caso_id"]), "derecho": "acceso",
                   "medio": "presencial", "presentada_por": "titular", "identificacion": "ine",
                   "descripcion": "Pide sus datos (sintético)"}
        valores.update({k: (v(ids) if callable(v) else v) for k, v in cambios.items()})
        return valores
    return datos


ARCO = "/arco/{solicitud_arco_id}"


TABLA: dict[str, tuple[Envio, ...]] = {
    # ---- login, logout, her own account --------------------------------------------------
    "/entrar": (
        Envio("entra con su contraseña (sin segundo factor)", None,
              (Ev("sesion.entrar", quien="capturista"),),
              datos=lambda ids: {"correo": ids["_correo_capturista"], "contrasena": CONTRASENA}),
        Envio("contraseña correcta de quien tiene segundo factor: aún no entra", None, (),
              datos=lambda ids: {"correo": ids["_correo_supervisora"], "contrasena": CONTRASENA}),
        Envio("contraseña equivocada: un fallo sin cuenta", None, (Ev("sesion.fallo", quien=None),),
              codigo=200, rechazo=INVALIDA,
              datos=lambda ids: {"correo": ids["_correo_capturista"], "contrasena": "no es la suya"}),
        Envio("correo desconocido: el mismo fallo", None, (Ev("sesion.fallo", quien=None),),
              codigo=200, rechazo=INVALIDA,
              datos={"correo": "nadie@prueba.mx", "contrasena": "no es la suya"}),
        Envio("el fallo que bloquea: el bloqueo, luego el fallo", None,
              (Ev("cuenta.bloquear", objeto="ella", quien=None), Ev("sesion.fallo", quien=None)),
              codigo=200, rechazo=INVALIDA,
              preparar=lambda m: (_cuenta(m, "ella"), _casi_bloqueada(m, "ella")),
              datos=lambda ids: {"correo": ids["_correo_ella"], "contrasena": "no es la suya"}),
        Envio("cuenta bloqueada, contraseña correcta: un fallo", None, (Ev("sesion.fallo", quien=None),),
              codigo=200, rechazo=INVALIDA, preparar=_bloqueada,
              datos=lambda ids: {"correo": ids["_correo_usuaria_id"], "contrasena": CONTRASENA}),
        Envio("sin contraseña", None, (), codigo=200, rechazo=INVALIDA,
              datos=lambda ids: {"correo": ids["_correo_capturista"]}),
        Envio("ya dentro: vuelve a su inicio", "capturista", (), rechazo=INVALIDA, pagina="/",
              del_formulario=False,
              datos=lambda ids: {"correo": ids["_correo_capturista"], "contrasena": CONTRASENA}),
    ),
    "/salir": (
        Envio("sale", "capturista", (Ev("sesion.salir"),), pagina="/", a_entrar=True),
    ),
    "/cuenta/avisos": (
        Envio("elige un resumen al día", "capturista", (Ev("cuenta.avisos"),), datos={"avisos": "resumen"}),
        Envio("un modo que no existe", "capturista", (), codigo=200, rechazo=INVALIDA,
              datos={"avisos": "cada_hora"}),
    ),
    "/cuenta/contrasena": (
        Envio("cambia su contraseña", "ella", (Ev("contrasena.cambiar"),),
              preparar=lambda m: _cuenta(m, "ella"),
              datos={"actual": CONTRASENA, "nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}),
        Envio("contraseña actual equivocada", "ella", (Ev("contrasena.fallo"),), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: _cuenta(m, "ella"),
              datos={"actual": "no es la suya", "nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}),
        # After her login (a complete login resets the count).
        Envio("el fallo que bloquea", "ella",
              (Ev("cuenta.bloquear", objeto="ella"), Ev("contrasena.fallo")), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: _cuenta(m, "ella"), entre=lambda m: _casi_bloqueada(m, "ella"),
              datos={"actual": "no es la suya", "nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}),
        Envio("la confirmación no coincide", "ella", (), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: _cuenta(m, "ella"),
              datos={"actual": CONTRASENA, "nueva": NUEVA_CONTRASENA, "confirmacion": "otra frase distinta"}),
        Envio("la nueva es demasiado corta", "ella", (), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: _cuenta(m, "ella"),
              datos={"actual": CONTRASENA, "nueva": "corta", "confirmacion": "corta"}),
    ),
    "/activar/<token>": (
        Envio("establece su contraseña con el enlace", None, (Ev("contrasena.activar", quien="nueva"),),
              preparar=_activacion, pagina="/activar/{token}",
              datos={"nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}),
        Envio("desde el navegador de otra persona que está dentro: la cuenta es la del enlace", "admin",
              (Ev("contrasena.activar", quien="nueva"),), preparar=_activacion, pagina="/activar/{token}",
              datos={"nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}, a_entrar=True),
        Envio("la confirmación no coincide", None, (), codigo=200, rechazo=INVALIDA,
              preparar=_activacion, pagina="/activar/{token}",
              datos={"nueva": NUEVA_CONTRASENA, "confirmacion": "otra frase distinta"}),
        Envio("una contraseña demasiado corta", None, (), codigo=200, rechazo=INVALIDA,
              preparar=_activacion, pagina="/activar/{token}",
              datos={"nueva": "corta", "confirmacion": "corta"}),
        Envio("un enlace que no existe", None, (), codigo=404, rechazo=INVALIDA,
              preparar=lambda m: m.ids.update(token="no-existe-este-enlace"), pagina="/entrar",
              del_formulario=False, datos={"nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}),
    ),
    "/entrar/codigo": (
        Envio("el código de su aplicación", None, (Ev("sesion.entrar", quien="ella"),),
              preparar=_al_codigo(), datos=_codigo_de(None)),
        Envio("un código de recuperación", None, (Ev("sesion.entrar", quien="ella"),),
              preparar=_codigos_de_recuperacion, datos=lambda ids: {"codigo": ids["codigos"][0]}),
        Envio("un código equivocado: un fallo sin cuenta", None, (Ev("sesion.fallo", quien=None),),
              codigo=200, rechazo=INVALIDA, preparar=_al_codigo(), datos={"codigo": "000000"}),
        Envio("el fallo que bloquea, en el segundo paso", None,
              (Ev("cuenta.bloquear", objeto="ella", quien=None), Ev("sesion.fallo", quien=None)),
              codigo=200, rechazo=INVALIDA, preparar=_al_codigo_casi_bloqueada, datos={"codigo": "000000"}),
        Envio("bloqueada tras su contraseña: el código bueno es un fallo", None,
              (Ev("sesion.fallo", quien=None),),
              codigo=200, rechazo=INVALIDA, preparar=_al_codigo(), datos=_codigo_de(None),
              entre=lambda m: _bloquear(m, "ella")),
        Envio("sin el paso de la contraseña", None, (), rechazo=INVALIDA, pagina="/entrar",
              del_formulario=False, datos=_codigo_de(None)),
    ),
    "/entrar/alta-codigo": (
        Envio("genera su clave: pendiente, sin evento", None, (), codigo=200,
              preparar=_al_codigo(segundo_factor=False), datos={"accion": "generar"}),
        Envio("el primer código bueno activa el segundo factor", None,
              (Ev("cuenta.segundo_factor", quien="ella"),), codigo=200,
              preparar=_alta_con_clave, datos=_codigo_de()),
        Envio("un código que no coincide", None, (), codigo=200, rechazo=INVALIDA,
              preparar=_alta_con_clave, datos={"codigo": "000000"}),
    ),
    "/entrar/alta-codigo/continuar": (
        Envio("guardó sus códigos: entra", None, (Ev("sesion.entrar", quien="ella"),),
              preparar=_alta_terminada),
        Envio("sin alta pendiente", None, (), rechazo=INVALIDA, pagina="/entrar", del_formulario=False),
    ),
    "/cuenta/segundo-factor": (
        Envio("genera su clave (capturista, opcional): pendiente, sin evento", "ella", (), codigo=200,
              preparar=lambda m: _cuenta(m, "ella"), datos={"accion": "generar"}),
        Envio("lo activa con su primer código", "ella", (Ev("cuenta.segundo_factor"),), codigo=200,
              preparar=_clave_propia_generada, datos=_codigo_de()),
        Envio("renueva sus códigos de recuperación", "supervisora", (Ev("cuenta.segundo_factor"),),
              codigo=200),
        Envio("un código que no coincide", "ella", (), codigo=200, rechazo=INVALIDA,
              preparar=_clave_propia_generada, datos={"codigo": "000000"}),
    ),
    # ---- administration ----------------------------------------------------------------------
    "/admin/cuentas/nueva": (
        Envio("crea una cuenta", "admin", (Ev("cuenta.crear", objeto="nueva"),), codigo=200,
              datos=lambda ids: {"correo": "persona.nueva@prueba.mx", "nombre": "Persona Nueva",
                                 "rol": "capturista", "institucion_id": str(ids["institucion_a"])},
              despues=_buscar(Usuaria, Usuaria.correo, "persona.nueva@prueba.mx", "nueva")),
        Envio("un correo que ya existe", "admin", (), codigo=200, rechazo=INVALIDA,
              datos=lambda ids: {"correo": ids["_correo_capturista"], "nombre": "Persona Repetida",
                                 "rol": "capturista", "institucion_id": str(ids["institucion_a"])}),
    ),
    "/admin/cuentas/<uuid:usuaria_id>": (
        Envio("edita una cuenta", "admin", (Ev("cuenta.editar", objeto="usuaria_id"),),
              preparar=lambda m: _cuenta(m, "usuaria_id"), datos={"nombre": "Nombre Cambiado"}),
        Envio("desactiva una cuenta", "admin", (Ev("cuenta.desactivar", objeto="usuaria_id"),),
              preparar=lambda m: _cuenta(m, "usuaria_id"), datos={"activa": None}),
        Envio("desactivar la propia", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=_propia_como_objeto("usuaria_id", "admin"), datos={"activa": None}),
    ),
    "/admin/cuentas/<uuid:usuaria_id>/activacion": (
        Envio("nuevo enlace de activación", "admin", (Ev("cuenta.activacion", objeto="usuaria_id"),),
              codigo=200, preparar=lambda m: _cuenta(m, "usuaria_id"), pagina="/admin/cuentas/{usuaria_id}"),
        Envio("para su propia cuenta", "admin", (), rechazo=INVALIDA,
              preparar=_propia_como_objeto("usuaria_id", "admin"), pagina="/admin/cuentas/{usuaria_id}"),
    ),
    "/admin/cuentas/<uuid:usuaria_id>/segundo-factor": (
        Envio("restablece el segundo factor de otra", "admin",
              (Ev("cuenta.segundo_factor", objeto="usuaria_id"),),
              preparar=lambda m: _cuenta(m, "usuaria_id", "supervisora"),
              pagina="/admin/cuentas/{usuaria_id}"),
        Envio("el suyo propio", "admin", (), rechazo=INVALIDA,
              preparar=_propia_como_objeto("usuaria_id", "admin"), pagina="/admin/cuentas/{usuaria_id}"),
    ),
    "/admin/cuentas/<uuid:usuaria_id>/desbloquear": (
        Envio("desbloquea una cuenta", "admin", (Ev("cuenta.desbloquear", objeto="usuaria_id"),),
              preparar=_bloqueada, pagina="/admin/cuentas/{usuaria_id}"),
        Envio("ya la desbloqueó otra persona (página vieja)", "admin", (), rechazo=INVALIDA,
              preparar=_bloqueada, pagina="/admin/cuentas/{usuaria_id}", entre=_desbloquear),
        Envio("la propia", "admin", (), rechazo=INVALIDA, preparar=_propia_como_objeto("usuaria_id", "admin"),
              pagina="/admin/cuentas/{usuaria_id}", del_formulario=False),
    ),
    "/admin/instituciones/nueva": (
        Envio("crea una institución", "admin", (Ev("institucion.crear", objeto="nueva"),),
              datos={"nombre": "Instituto Sintético de Prueba", "siglas": "ISP", "municipio": "32056"},
              despues=_buscar(Institucion, Institucion.siglas, "ISP", "nueva")),
        Envio("un nombre que ya existe", "admin", (), codigo=200, rechazo=INVALIDA,
              datos={"nombre": "Institución de prueba INSTB", "siglas": "OTRA", "municipio": "32056"}),
    ),
    "/admin/instituciones/<uuid:institucion_id>": (
        Envio("edita una institución", "admin", (Ev("institucion.editar", objeto="institucion_id"),),
              preparar=_institucion_nueva, datos={"nombre": "Nombre Corregido"}),
        Envio("desactiva una institución", "admin", (Ev("institucion.desactivar", objeto="institucion_id"),),
              preparar=_institucion_nueva, datos={"activa": None}),
        Envio("desactivar la de su propia cuenta", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=_propia_como_objeto("institucion_id", "institucion_a"), datos={"activa": None}),
    ),
    "/admin/api/tokens": (
        Envio("crea un token", "admin", (Ev("api.token.crear", objeto="nuevo"),), codigo=200,
              datos={"nombre": "Modelo para la Igualdad"},
              despues=_buscar(TokenApi, TokenApi.nombre, "Modelo para la Igualdad", "nuevo")),
        Envio("sin nombre", "admin", (), codigo=200, rechazo=INVALIDA, datos={"nombre": ""}),
    ),
    "/admin/api/tokens/<uuid:token_id>/revocar": (
        Envio("revoca un token", "admin", (Ev("api.token.revocar", objeto="token_id"),),
              preparar=_token, pagina="/admin/api/tokens"),
        Envio("ya revocado (página vieja)", "admin", (), rechazo=INVALIDA,
              preparar=_token, pagina="/admin/api/tokens", entre=_revocar_token),
    ),
    # ---- retention: reading a blocked case --------------------------------------------------------
    "/casos/<uuid:caso_id>/lectura-autorizada": (
        Envio("pide leer un caso bloqueado, con su fundamento", "capturista",
              (Ev("lectura_bloqueada.pedir", caso="caso_id", objeto="lectura"),), preparar=_bloqueado,
              datos={"fundamento": "Requerimiento judicial sintético, expediente 45/2026"}, despues=_la_lectura_nueva),
        Envio("un fundamento con una CURP: la página vuelve con el error", "capturista",
              (Ev("lectura_bloqueada.formulario", caso="caso_id"),), codigo=200, rechazo=INVALIDA,
              preparar=_bloqueado, datos={"fundamento": "Lo pide PEMA850101MZSRRN02"}),
        Envio("un caso que no está bloqueado no tiene esta página", "capturista", (), codigo=404, rechazo=AJENA,
              preparar=_caso, pagina="/", del_formulario=False,
              datos={"fundamento": "Requerimiento judicial sintético, expediente 45/2026"}),
    ),
    "/admin/lecturas-bloqueadas/<uuid:lectura_id>": (
        Envio("autoriza la lectura", "admin", (Ev("lectura_bloqueada.autorizar", caso="caso_id", objeto="lectura_id"),),
              preparar=_lectura_pedida, pagina="/admin/lecturas-bloqueadas", datos={"decision": "autorizar"}),
        Envio("la rechaza", "admin", (Ev("lectura_bloqueada.rechazar", caso="caso_id", objeto="lectura_id"),),
              preparar=_lectura_pedida, pagina="/admin/lecturas-bloqueadas", datos={"decision": "rechazar"}),
        Envio("ya resuelta por otra administradora (página vieja)", "admin", (), rechazo=INVALIDA,
              preparar=_lectura_pedida, pagina="/admin/lecturas-bloqueadas", entre=_autorizar_lectura,
              datos={"decision": "rechazar"}),
    ),
    "/casos/eliminar-datos": (
        Envio("elimina los datos personales de un caso", "admin",
              (Ev("datos.eliminar", caso="caso_id", motivo=FUNDAMENTO),), preparar=_caso, datos=ELIMINAR),
        Envio("con una solicitud pendiente: el sistema la deja sin efecto", "admin",
              (Ev("solicitud_aprobacion.anular", caso="caso_id", quien=None),
               Ev("datos.eliminar", caso="caso_id", motivo=FUNDAMENTO)),
              preparar=_cierre_pedido("capturista"), datos=ELIMINAR),
        Envio("un identificador que no existe", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: m.ids.update(caso_id=uuid.uuid4()), datos=ELIMINAR),
        Envio("un caso ya eliminado", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=_caso_ya_eliminado, datos=ELIMINAR),
        Envio("un fundamento con una CURP", "admin", (), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=lambda ids: {**ELIMINAR(ids), "motivo": "ARCO de PEMA850101MZSRRN02"}),
    ),
    # ---- intake and drafts ---------------------------------------------------------------------
    "/casos/nuevo": (
        Envio("registra un caso", "capturista", (Ev("caso.registrar", caso="caso_nuevo"),), datos=INTAKE,
              despues=_id_en(r"/casos/([0-9a-f-]{36})/valoracion", "caso_nuevo")),
        Envio("registra un caso desde su borrador, que se descarta", "capturista",
              (Ev("caso.registrar", caso="caso_nuevo"), Ev("borrador.descartar", objeto="borrador_id")),
              preparar=_borrador, pagina="/casos/nuevo/{borrador_id}", datos=INTAKE,
              despues=_id_en(r"/casos/([0-9a-f-]{36})/valoracion", "caso_nuevo")),
        Envio("incompleto: lo escrito queda como borrador", "capturista",
              (Ev("borrador.guardar", objeto="borrador_nuevo"),), codigo=200, rechazo=INVALIDA,
              datos={**INTAKE, "narrativa": ""}, despues=_borrador_en_pagina),
        Envio("incompleto desde su borrador: lo actualiza", "capturista",
              (Ev("borrador.guardar", objeto="borrador_id"),), codigo=200, rechazo=INVALIDA,
              preparar=_borrador, pagina="/casos/nuevo/{borrador_id}", datos={**INTAKE, "narrativa": ""}),
        Envio("en blanco: nada que guardar", "capturista", (), codigo=200, rechazo=INVALIDA),
    ),
    "/casos/borradores/guardar": (
        Envio("autoguardado de una captura nueva", "capturista",
              (Ev("borrador.guardar", objeto="borrador_nuevo"),), codigo=200, pagina="/casos/nuevo",
              de_formulario="/casos/nuevo", datos={"nombre": "Canaria a medias"}, despues=_borrador_en_json),
        Envio("autoguardado de su borrador", "capturista", (Ev("borrador.guardar", objeto="borrador_id"),),
              codigo=200, preparar=_borrador, pagina="/casos/nuevo/{borrador_id}",
              de_formulario="/casos/nuevo",
              datos={"nombre": "Canaria corregida"}),
        Envio("con el borrador de otra persona: guarda uno nuevo, suyo", "capturista",
              (Ev("borrador.guardar", objeto="borrador_nuevo"),), codigo=200,
              preparar=lambda m: _borrador(m, autora="supervisora"), pagina="/casos/nuevo",
              de_formulario="/casos/nuevo",
              datos=lambda ids: {"nombre": "Canaria a medias", "borrador_id": str(ids["borrador_id"])},
              despues=_borrador_en_json, comprobar=_otro_borrador_no_es_el_suyo),
    ),
    "/casos/borradores/<uuid:borrador_id>/descartar": (
        Envio("descarta su borrador", "capturista", (Ev("borrador.descartar", objeto="borrador_id"),),
              preparar=_borrador, pagina="/casos/"),
        Envio("ya descartado (otra pestaña)", "capturista", (), codigo=404, rechazo=INVALIDA,
              preparar=_borrador, pagina="/casos/", entre=_descartar_borrador),
    ),
    "/casos/duplicados": (
        Envio("consulta posibles duplicados", "capturista", (Ev("duplicados.consultar"),), codigo=200,
              pagina="/casos/nuevo", de_formulario="/casos/nuevo", datos=INTAKE),
        Envio("una CURP mal escrita: la consulta ocurrió igual", "capturista", (Ev("duplicados.consultar"),),
              codigo=200, rechazo=INVALIDA, pagina="/casos/nuevo", de_formulario="/casos/nuevo",
              datos={"curp": "NO-ES-UNA-CURP"}),
    ),
    "/casos/buscar": (
        Envio("busca por nombre", "capturista", (Ev("busqueda"),), codigo=200, pagina="/casos/",
              datos={"texto": "Canaria Xochitl Pruebasintetica"}),
        Envio("sin texto: la búsqueda ocurrió igual", "capturista", (Ev("busqueda"),), codigo=200,
              rechazo=INVALIDA, pagina="/casos/", datos={"texto": ""}),
    ),
    # ---- the case --------------------------------------------------------------------------------
    "/casos/<uuid:caso_id>/valoracion": (
        Envio("valora el riesgo: se aplica", "capturista", (del_caso("valoracion.registrar"),),
              preparar=_caso, datos=TODO_NO),
        Envio("una revaloración que lo baja: propuesta y su solicitud", "capturista",
              (del_caso("valoracion.registrar"), del_caso("solicitud_aprobacion.crear")),
              preparar=lambda m: _valorar(m, _caso(m), "si"), datos=TODO_NO,
              por_que="una valoración, un evento: el SAVEPOINT de transiciones.solicitar "
                      "(begin_nested) dispara before_commit, que escribe la cola antes de tiempo, y "
                      "entonces cambio() ya no ve «valoracion.registrar» en cola y la añade otra vez"),
        Envio("el caso se eliminó mientras llenaba el formulario", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, datos=TODO_NO, entre=_eliminar_el_caso),
        Envio("falta una respuesta: la página vuelve con sus datos", "capturista",
              (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos={**TODO_NO, "r_aumento_violencia": None}),
        Envio("eleva el nivel sin motivo", "capturista", (del_caso("caso.ver"),), codigo=200,
              rechazo=INVALIDA, preparar=_caso, datos={**TODO_NO, "nivel": "alto", "motivo": ""}),
        Envio("la institución receptora no escribe el caso", "capturista_c", (), codigo=403, rechazo=AJENA,
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina="/", del_formulario=False,
              datos=TODO_NO),
    ),
    "/casos/<uuid:caso_id>/consentimiento/revocar": (
        Envio("registra la revocación", "capturista", (del_caso("consentimiento.revocar"),),
              preparar=_caso, datos=REVOCACION),
        Envio("sin motivo: la página vuelve con lo que escribió", "capturista", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso, datos={**REVOCACION, "motivo": " "}),
        Envio("una fecha futura", "capturista", (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA,
              preparar=_caso, datos={**REVOCACION, "revocada_el": (HOY + timedelta(days=1)).isoformat()}),
        Envio("ya revocado (otra pestaña): nada cambia", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, datos=REVOCACION, entre=_revocar_consentimiento,
              por_que="revocar lo ya revocado no cambia nada y no debe dejar evento, como revocar un "
                      "token revocado: ni el servicio ni el evento declarado de la ruta (peticion.cambio)"),
        Envio("con una canalización aún no enviada: la cancela y retira su solicitud", "capturista",
              (del_caso("canalizacion.cancelar"), del_caso("solicitud_aprobacion.retirar"),
               del_caso("consentimiento.revocar")),
              preparar=_canalizacion, datos=REVOCACION),
        Envio("la institución receptora no la registra", "capturista_c", (), codigo=403, rechazo=AJENA,
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina="/", del_formulario=False),
    ),
    "/casos/<uuid:caso_id>/transicion": (
        Envio("inicia la atención", "capturista", (del_caso("caso.atender"),),
              preparar=_caso, pagina=CASO, evento="atender"),
        Envio("pasa a seguimiento", "capturista", (del_caso("caso.dar_seguimiento"),),
              preparar=_caso_con("atender"), pagina=CASO, evento="dar_seguimiento"),
        Envio("vuelve a atención", "capturista", (del_caso("caso.volver_a_atencion"),),
              preparar=_caso_con("atender", "dar_seguimiento"), pagina=CASO, evento="volver_a_atencion"),
        Envio("pide cerrarlo: solo la solicitud", "capturista", (del_caso("solicitud_aprobacion.crear"),),
              preparar=_caso, pagina=CASO, evento="cerrar", datos=MOTIVO),
        Envio("lo reabre", "capturista", (del_caso("caso.reabrir"),),
              preparar=_caso_cerrado, pagina=CASO, evento="reabrir", datos=MOTIVO),
        Envio("pide cerrarlo sin motivo", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, pagina=CASO, evento="cerrar"),
        Envio("página vieja: otra persona ya lo movió", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, pagina=CASO, evento="atender", entre=_atender_el_caso),
        Envio("un movimiento que no existe", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, pagina=CASO, evento="atender", datos={"evento": "archivar"}),
    ),
    "/casos/<uuid:caso_id>/asignar": (
        Envio("asigna el caso a otra capturista", "supervisora",
              (Ev("caso.asignar", caso="caso_id", objeto="otra"),), preparar=_caso_y_otra, datos=A_OTRA),
        Envio("se lo asigna a sí misma", "supervisora", (Ev("caso.asignar", caso="caso_id", objeto="supervisora"),),
              preparar=_caso, datos=lambda ids: {"responsable": str(ids["supervisora"])}),
        Envio("a quien ya es responsable: nada cambia, nada se audita", "supervisora", (), preparar=_caso),
        Envio("a una cuenta de otra institución: la página vuelve con el motivo", "supervisora",
              (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=lambda ids: {"responsable": str(ids["capturista_b"])}),
        Envio("a la gestora", "supervisora", (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA,
              preparar=_caso, datos=lambda ids: {"responsable": str(ids["gestora"])}),
        Envio("página vieja: otra supervisora lo asignó antes", "supervisora", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso_y_otra, entre=_asignado_por_otra, datos=A_OTRA),
        Envio("el caso se cerró mientras elegía", "supervisora", (del_caso("caso.ver"),), codigo=200,
              rechazo=INVALIDA, preparar=_caso_y_otra, entre=_cerrado_mientras_elegia, datos=A_OTRA),
        Envio("el caso se eliminó mientras elegía", "supervisora", (), rechazo=INVALIDA,
              preparar=_caso_y_otra, entre=_eliminar_el_caso, datos=A_OTRA),
        Envio("la institución receptora no asigna el caso de otra", "supervisora_c", (), codigo=403,
              rechazo=AJENA, preparar=_recibido_con_supervisora, pagina="/", del_formulario=False,
              datos=lambda ids: {"responsable": str(ids["capturista_c"])}),
    ),
    # ---- referrals -----------------------------------------------------------------------------
    "/canalizaciones/nueva/<uuid:caso_id>": (
        Envio("pide canalizar: la canalización, su envío y la solicitud", "capturista",
              (del_caso("canalizacion.crear"), del_caso("canalizacion.solicitar_envio"),
               del_caso("solicitud_aprobacion.crear")),
              preparar=_caso, datos=_canalizar_a("institucion_c")),
        Envio("a su propia institución: la página vuelve con sus datos", "capturista",
              (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=_canalizar_a("institucion_a")),
        Envio("sin motivo", "capturista", (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA,
              preparar=_caso, datos=_canalizar_a("institucion_c", motivo=None)),
    ),
    "/canalizaciones/<uuid:canalizacion_id>/responder": (
        Envio("la receptora acepta", "capturista_c", (del_caso("canalizacion.aceptar"),),
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION,
              evento="aceptar"),
        Envio("la receptora rechaza", "capturista_c", (del_caso("canalizacion.rechazar"),),
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION,
              evento="rechazar", datos=MOTIVO),
        Envio("la receptora contrarrefiere", "capturista_c", (del_caso("canalizacion.contrarreferir"),),
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina=CANALIZACION,
              evento="contrarreferir",
              datos={"servicios_prestados": ["medica"], "nota": "Atención prestada"}),
        Envio("la dueña concluye", "capturista", (del_caso("canalizacion.concluir"),),
              preparar=lambda m: _canalizacion(m, "atendida"), pagina=CANALIZACION,
              evento="concluir"),
        Envio("la dueña cancela mientras espera aprobación: también su solicitud", "capturista",
              (del_caso("canalizacion.cancelar"), del_caso("solicitud_aprobacion.retirar")),
              preparar=_canalizacion, pagina=CANALIZACION, evento="cancelar", datos=MOTIVO),
        Envio("la dueña cancela una enviada", "capturista", (del_caso("canalizacion.cancelar"),),
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION,
              evento="cancelar", datos=MOTIVO),
        Envio("vuelve a pedir el envío de un borrador rechazado", "capturista",
              (del_caso("canalizacion.solicitar_envio"), del_caso("solicitud_aprobacion.crear")),
              preparar=_envio_rechazado, pagina=CANALIZACION, evento="solicitar_envio"),
        Envio("rechaza sin motivo", "capturista_c", (), rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION,
              evento="rechazar"),
        Envio("un servicio que no está en el catálogo", "capturista_c", (), rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina=CANALIZACION,
              evento="contrarreferir", datos={"servicios_prestados": ["inventado"]}),
        Envio("contrarrefiere sin servicios", "capturista_c", (), rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina=CANALIZACION,
              evento="contrarreferir"),
    ),
    # ---- approvals (four eyes) -----------------------------------------------------------------
    "/aprobaciones/<uuid:solicitud_id>": (
        Envio("aprueba un envío: la aprobación y el envío", "supervisora",
              (del_caso("solicitud_aprobacion.aprobar"), del_caso("canalizacion.enviar")),
              preparar=_canalizacion, pagina="/aprobaciones/", datos={"decision": "aprobar"}),
        Envio("rechaza un envío: vuelve a borrador", "supervisora",
              (del_caso("solicitud_aprobacion.rechazar"), del_caso("canalizacion.devolver")),
              preparar=_canalizacion, pagina="/aprobaciones/", datos={"decision": "rechazar", **MOTIVO}),
        Envio("aprueba un cierre", "supervisora",
              (del_caso("solicitud_aprobacion.aprobar"), del_caso("caso.cerrar")),
              preparar=_cierre_pedido("capturista"), pagina="/aprobaciones/", datos={"decision": "aprobar"}),
        Envio("rechaza un cierre", "supervisora", (del_caso("solicitud_aprobacion.rechazar"),),
              preparar=_cierre_pedido("capturista"), pagina="/aprobaciones/",
              datos={"decision": "rechazar", **MOTIVO}),
        Envio("aprueba bajar el riesgo", "supervisora",
              (del_caso("solicitud_aprobacion.aprobar"), del_caso("valoracion_riesgo.aplicar")),
              preparar=_propuesta_de_bajar, pagina="/aprobaciones/", datos={"decision": "aprobar"}),
        Envio("rechaza bajar el riesgo", "supervisora",
              (del_caso("solicitud_aprobacion.rechazar"),
               del_caso("valoracion_riesgo.descartar")),
              preparar=_propuesta_de_bajar, pagina="/aprobaciones/",
              datos={"decision": "rechazar", **MOTIVO}),
        Envio("rechaza sin motivo", "supervisora", (), rechazo=INVALIDA, preparar=_canalizacion,
              pagina="/aprobaciones/", datos={"decision": "rechazar"}),
        Envio("sin decisión", "supervisora", (), rechazo=INVALIDA, preparar=_canalizacion,
              pagina="/aprobaciones/"),
        Envio("el consentimiento se revocó con la bandeja abierta: nada se envía", "supervisora", (),
              rechazo=INVALIDA, preparar=_canalizacion, pagina="/aprobaciones/",
              datos={"decision": "aprobar"},
              entre=_revocar_consentimiento),
        Envio("una propuesta que ya no es la última valoración: nada se guarda", "supervisora", (),
              rechazo=INVALIDA, preparar=_propuesta_superada, pagina="/aprobaciones/",
              datos={"decision": "aprobar"}),
        Envio("su propia solicitud", "supervisora", (), rechazo=INVALIDA,
              preparar=lambda m: (_cierre_pedido("supervisora")(m), _version_de_la_solicitud(m)),
              pagina="/aprobaciones/", del_formulario=False,
              datos=lambda ids: {"decision": "aprobar", "version": str(ids["version"])}),
    ),
    "/solicitudes/<uuid:solicitud_id>/retirar": (
        Envio("retira su pedido de envío: vuelve a borrador", "capturista",
              (del_caso("solicitud_aprobacion.retirar"), del_caso("canalizacion.devolver")),
              preparar=_canalizacion, pagina=CASO),
        Envio("retira su pedido de cierre", "capturista", (del_caso("solicitud_aprobacion.retirar"),),
              preparar=_cierre_pedido("capturista"), pagina=CASO),
        Envio("retira su propuesta de bajar el riesgo", "capturista",
              (del_caso("solicitud_aprobacion.retirar"),
               del_caso("valoracion_riesgo.descartar")),
              preparar=_propuesta_de_bajar, pagina=CASO),
        Envio("ya resuelta (página vieja)", "capturista", (), rechazo=INVALIDA,
              preparar=_cierre_pedido("capturista"), pagina=CASO, entre=_aprobar_la_pendiente),
        Envio("una compañera no retira la de otra", "supervisora", (), codigo=403, rechazo=AJENA,
              preparar=lambda m: (_cierre_pedido("capturista")(m), _version_de_la_solicitud(m)),
              pagina="/", del_formulario=False, datos=lambda ids: {"version": str(ids["version"])}),
    ),
    # ---- protection orders ---------------------------------------------------------------------
    "/casos/<uuid:caso_id>/ordenes/nueva": (
        Envio("registra la solicitud de una orden", "capturista", (del_caso("orden_proteccion.solicitar"),),
              preparar=_caso,
              datos=_orden_pedida(timedelta(hours=1))),
        Envio("una fecha futura: la página vuelve con sus datos", "capturista", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=_orden_pedida(-timedelta(days=1))),
        Envio("sin medidas", "capturista", (del_caso("caso.ver"),), codigo=200, rechazo=INVALIDA,
              preparar=_caso, datos=_orden_pedida(timedelta(hours=1), medidas=())),
    ),
    "/ordenes/<uuid:orden_id>/accion": (
        Envio("registra la emisión", "capturista", (del_caso("orden_proteccion.emitir"),),
              preparar=_orden, pagina=CASO, evento="emitir",
              datos=lambda ids: {"momento": _local(-timedelta(minutes=30))}),
        Envio("registra que se negó", "capturista", (del_caso("orden_proteccion.negar"),),
              preparar=_orden, pagina=CASO, evento="negar", datos=MOTIVO),
        Envio("registra una prórroga", "capturista", (del_caso("orden_proteccion.prorrogar"),),
              preparar=ORDEN_VIGENTE, pagina=CASO, evento="prorrogar"),
        Envio("registra el levantamiento tras revalorar", "capturista",
              (del_caso("orden_proteccion.levantar"),),
              preparar=lambda m: _valorar(m, ORDEN_VIGENTE(m)[0], "no"), pagina=CASO, evento="levantar",
              datos=MOTIVO),
        Envio("levantarla sin revalorar", "capturista", (), rechazo=INVALIDA,
              preparar=ORDEN_VIGENTE, pagina=CASO, evento="levantar", datos=MOTIVO),
        Envio("una prórroga de 999 días", "capturista", (), rechazo=INVALIDA,
              preparar=ORDEN_VIGENTE, pagina=CASO, evento="prorrogar", datos={"dias": "999"}),
    ),
    "/ordenes/<uuid:orden_id>/seguimiento": (
        Envio("registra un contacto de seguimiento", "capturista",
              (del_caso("orden_proteccion.seguimiento"),), preparar=ORDEN_VIGENTE, pagina=CASO),
        Envio("a una orden aún no emitida", "capturista", (), rechazo=INVALIDA,
              preparar=_orden, pagina=CASO, del_formulario=False),
    ),
    # ---- documents attached to her case ----------------------------------------------------------
    "/casos/<uuid:caso_id>/adjuntos/nuevo": (
        # Its event names the document (objeto), so "who saw what" can tell which one.
        Envio("la dueña adjunta un PDF", "capturista", (Ev("adjunto.subir", caso="caso_id", objeto="adjunto"),),
              preparar=_caso, datos=lambda ids: {"categoria": "denuncia", "archivo": _archivo(pdf())},
              despues=lambda m, _r: m.ids.update(adjunto=db.session.scalar(sa.select(Adjunto.id)))),
        Envio("un ejecutable renombrado: la página vuelve con el error", "capturista", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=lambda ids: {"categoria": "denuncia", "archivo": _archivo(b"MZ\x90\x00" * 64)}),
        Envio("el caso se eliminó mientras llenaba el formulario", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, entre=_eliminar_el_caso,
              datos=lambda ids: {"categoria": "denuncia", "archivo": _archivo(pdf())}),
    ),
    "/canalizaciones/<uuid:canalizacion_id>/adjuntos/nuevo": (
        Envio("la remitente adjunta el oficio firmado", "capturista",
              (Ev("adjunto.subir", caso="caso_id", objeto="adjunto"),), preparar=lambda m: _canalizacion(m, "enviada"),
              datos=lambda ids: {"categoria": "otro", "archivo": _archivo(pdf())}, despues=_el_adjunto_nuevo),
        Envio("la receptora adjunta su informe a la canalización aceptada", "capturista_c",
              (Ev("adjunto.subir", caso="caso_id", objeto="adjunto"),), preparar=lambda m: _canalizacion(m, "aceptada"),
              datos=lambda ids: {"categoria": "dictamen_medico", "archivo": _archivo(pdf())},
              despues=_el_adjunto_nuevo),
        Envio("un PDF truncado: la página vuelve con el error", "capturista_c",
              (Ev("canalizacion.ver", caso="caso_id", objeto="canalizacion_id"),), codigo=200, rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "aceptada"),
              datos=lambda ids: {"categoria": "denuncia", "archivo": _archivo(pdf(3)[:300])}),
        Envio("la receptora, aún sin aceptar", "capturista_c", (), rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION, del_formulario=False,
              datos=lambda ids: {"categoria": "otro", "archivo": _archivo(pdf())}),
    ),
    # ---- services given to her (atenciones) ----------------------------------------------------
    "/casos/<uuid:caso_id>/atenciones/nueva": (
        Envio("la dueña registra una atención", "capturista", (del_caso("atencion.registrar"),),
              preparar=_caso, datos=ATENCION),
        Envio("una fecha futura: la página vuelve con sus datos", "capturista", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos={**ATENCION, "fecha": (HOY + timedelta(days=1)).isoformat()}),
        Envio("una duración de 2000 minutos", "capturista", (del_caso("caso.ver"),), codigo=200,
              rechazo=INVALIDA, preparar=_caso, datos={**ATENCION, "duracion_minutos": "2000"}),
        Envio("el caso se cerró mientras llenaba el formulario", "capturista", (del_caso("caso.ver"),),
              codigo=200, rechazo=INVALIDA, preparar=_caso, datos=ATENCION, entre=_cerrar_el_caso),
        Envio("el caso se eliminó mientras llenaba el formulario", "capturista", (), rechazo=INVALIDA,
              preparar=_caso, datos=ATENCION, entre=_eliminar_el_caso),
        Envio("la institución receptora no la registra en el caso", "capturista_c", (), codigo=403,
              rechazo=AJENA, preparar=lambda m: _canalizacion(m, "aceptada"), pagina="/",
              del_formulario=False, datos=ATENCION),
    ),
    "/canalizaciones/<uuid:canalizacion_id>/atenciones/nueva": (
        Envio("la receptora registra una atención en su canalización aceptada", "capturista_c",
              (del_caso("atencion.registrar"),), preparar=lambda m: _canalizacion(m, "aceptada"),
              datos=ATENCION),
        Envio("y después de su contrarreferencia", "capturista_c", (del_caso("atencion.registrar"),),
              preparar=lambda m: _canalizacion(m, "atendida"), datos=ATENCION),
        Envio("sin tipo: la página vuelve con sus datos", "capturista_c",
              (Ev("canalizacion.ver", caso="caso_id", objeto="canalizacion_id"),), codigo=200,
              rechazo=INVALIDA, preparar=lambda m: _canalizacion(m, "aceptada"),
              datos={**ATENCION, "tipo": ""}),
        Envio("aún sin aceptar", "capturista_c", (), rechazo=INVALIDA,
              preparar=lambda m: _canalizacion(m, "enviada"), pagina=CANALIZACION, del_formulario=False,
              datos=ATENCION),
        Envio("la institución que canalizó no la registra ahí", "capturista", (), codigo=403, rechazo=AJENA,
              preparar=lambda m: _canalizacion(m, "aceptada"), pagina=CANALIZACION, del_formulario=False,
              datos=ATENCION),
    ),
    # ---- ARCO requests (casos/arco/) ---------------------------------------------------------------
    "/arco/nueva": (
        Envio("registra una solicitud de acceso", "admin",
              (Ev("solicitud_arco.crear", caso="caso_id"),), preparar=_caso, datos=_formulario_arco()),
        Envio("sin identificación oficial: no hay identidad verificable", "admin", (), codigo=200,
              rechazo=INVALIDA, preparar=_caso, datos=_formulario_arco(identificacion="")),
        Envio("un caso que no existe", "admin", (), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=_formulario_arco(caso_id=lambda ids: str(uuid.uuid4()))),
        Envio("un caso de otra institución", "admin", (), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=_formulario_arco(institucion_id=lambda ids: str(ids["institucion_b"]))),
        Envio("recibida mañana", "admin", (), codigo=200, rechazo=INVALIDA, preparar=_caso,
              datos=_formulario_arco(recibida_el=(HOY + timedelta(days=1)).isoformat())),
        Envio("recibida antes de que existiera el caso", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=_caso, datos=_formulario_arco(recibida_el=(HOY - timedelta(days=1)).isoformat())),
        Envio("una segunda solicitud abierta del mismo derecho", "admin", (), codigo=200, rechazo=INVALIDA,
              preparar=_arco("acceso"), datos=_formulario_arco()),
    ),
    "/arco/<uuid:solicitud_arco_id>/mover": (
        Envio("acredita la identidad", "admin", (del_caso("solicitud_arco.acreditar_identidad"),),
              preparar=_arco(), pagina=ARCO, evento="acreditar_identidad", datos={"cotejo": "y"}),
        Envio("previene", "admin", (del_caso("solicitud_arco.prevenir"),),
              preparar=_arco(), pagina=ARCO, evento="prevenir", datos=MOTIVO),
        Envio("responde: procedente", "admin", (del_caso("solicitud_arco.conceder"),),
              preparar=_arco("acceso", "acreditar_identidad"), pagina=ARCO, evento="conceder"),
        Envio("niega por daño a un tercero", "admin", (del_caso("solicitud_arco.negar"),),
              preparar=_arco("acceso", "acreditar_identidad"), pagina=ARCO, evento="negar",
              datos={**MOTIVO, "causal": "dano_tercero"}),
        Envio("hace efectiva una cancelación: elimina los datos del caso", "admin",
              (del_caso("solicitud_arco.hacer_efectivo"),
               Ev("datos.eliminar", caso="caso_id",
                  motivo="Derecho de cancelación (ARCO, LGPDPPSO): solicitud hecha efectiva")),
              preparar=_arco("cancelacion", "acreditar_identidad", "conceder"), pagina=ARCO,
              evento="hacer_efectivo", datos={"confirmacion": "y"}),
        Envio("acredita sin cotejar la identificación", "admin", (), rechazo=INVALIDA,
              preparar=_arco(), pagina=ARCO, evento="acreditar_identidad"),
        Envio("una representante sin el documento que la acredita", "admin", (), rechazo=INVALIDA,
              preparar=_arco(presentada_por="representante"), pagina=ARCO, evento="acreditar_identidad",
              datos={"cotejo": "y"}),
        Envio("niega sin causal", "admin", (), rechazo=INVALIDA,
              preparar=_arco("acceso", "acreditar_identidad"), pagina=ARCO, evento="negar", datos=MOTIVO),
        Envio("cancelación sin confirmar", "admin", (), rechazo=INVALIDA,
              preparar=_arco("cancelacion", "acreditar_identidad", "conceder"), pagina=ARCO,
              evento="hacer_efectivo"),
        Envio("hace efectiva una oposición a compartir con un tipo de institución", "admin",
              (del_caso("solicitud_arco.hacer_efectivo"),
               Ev("oposicion.registrar", caso="caso_id", objeto="solicitud_arco_id",
                  motivo="Oposición a compartir con: salud.")),
              preparar=_arco("oposicion", "acreditar_identidad", "conceder"), pagina=ARCO,
              evento="hacer_efectivo", datos={"tipos_institucion": "salud"}),
        Envio("oposición sin tipo de institución", "admin", (), rechazo=INVALIDA,
              preparar=_arco("oposicion", "acreditar_identidad", "conceder"), pagina=ARCO,
              evento="hacer_efectivo"),
        Envio("rectificación: se hace efectiva en su formulario, no aquí", "admin", (), rechazo=INVALIDA,
              preparar=_arco("rectificacion", "acreditar_identidad", "conceder"), pagina=ARCO,
              del_formulario=False,
              datos=lambda ids: {"evento": "hacer_efectivo", "version": "3"}),
        Envio("página vieja: otra persona ya la movió", "admin", (), rechazo=INVALIDA,
              preparar=_arco(), pagina=ARCO, evento="acreditar_identidad", datos={"cotejo": "y"},
              entre=_arco_movida_por_otra),
        Envio("su caso se eliminó mientras la tenía abierta", "admin", (), rechazo=INVALIDA,
              preparar=_arco(), pagina=ARCO, evento="acreditar_identidad", datos={"cotejo": "y"},
              entre=_eliminar_el_caso),
    ),
    "/arco/<uuid:solicitud_arco_id>/rectificar": (
        Envio("rectifica su nombre tras ver el antes y el después", "admin",
              (del_caso("solicitud_arco.hacer_efectivo"),
               Ev("arco.rectificar", caso="caso_id", objeto="solicitud_arco_id", motivo="Rectificó: nombre.")),
              preparar=_arco("rectificacion", "acreditar_identidad", "conceder"), pagina=ARCO + "/rectificar",
              datos={"nombre": "Nombre Corregido Sintetico", "confirmar": "y"}),
        Envio("revisa los cambios: la confirmación, nada guardado", "admin",
              (Ev("arco.rectificacion.ver", caso="caso_id", objeto="solicitud_arco_id"),), codigo=200,
              rechazo=INVALIDA, preparar=_arco("rectificacion", "acreditar_identidad", "conceder"),
              pagina=ARCO + "/rectificar", datos={"nombre": "Nombre Corregido Sintetico"}),
        Envio("una fecha de nacimiento que no existe", "admin",
              (Ev("arco.rectificacion.ver", caso="caso_id", objeto="solicitud_arco_id"),), codigo=200,
              rechazo=INVALIDA, preparar=_arco("rectificacion", "acreditar_identidad", "conceder"),
              pagina=ARCO + "/rectificar", datos={"fecha_nacimiento": "1985-02-31", "confirmar": "y"}),
        Envio("una solicitud aún no concedida", "admin", (), rechazo=INVALIDA,
              preparar=_arco("rectificacion", "acreditar_identidad"), pagina=ARCO, del_formulario=False,
              datos={"nombre": "Nombre Corregido Sintetico", "confirmar": "y"}),
    ),
    "/arco/<uuid:solicitud_arco_id>/lectura": (
        Envio("su caso está bloqueado: pide la lectura autorizada", "admin",
              (Ev("lectura_bloqueada.pedir", caso="caso_id", objeto="lectura"),),
              preparar=_arco_bloqueada, pagina=ARCO, despues=_la_lectura_nueva),
        Envio("su caso no está bloqueado", "admin", (), rechazo=INVALIDA, preparar=_arco(), pagina=ARCO,
              del_formulario=False),
    ),
}


# ---- reading a form as a browser sends it ------------------------------------------------------

class _Formularios(HTMLParser):
    """Every form of a page: its action and the name/value pairs a browser would submit
    (checked boxes only, the selected option, or the first one of a single select)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.formularios: list[dict] = []
        self._actual: dict | None = None
        self._textarea: list | None = None
        self._select: dict | None = None

    def handle_starttag(self, etiqueta, atributos):
        a = dict(atributos)
        if etiqueta == "form":
            self._actual = {"accion": a.get("action"), "metodo": (a.get("method") or "get").lower(),
                            "campos": []}
            self.formularios.append(self._actual)
            return
        if self._actual is None or not a.get("name") or "disabled" in a:
            if etiqueta == "option" and self._select is not None:
                self._opcion(a)
            return
        nombre = a["name"]
        if etiqueta == "input":
            tipo = (a.get("type") or "text").lower()
            if tipo in ("checkbox", "radio"):
                if "checked" in a:
                    self._actual["campos"].append((nombre, a.get("value") or "on"))
            elif tipo not in ("submit", "button", "image", "reset", "file"):
                self._actual["campos"].append((nombre, a.get("value") or ""))
        elif etiqueta == "textarea":
            self._textarea = [nombre, ""]
        elif etiqueta == "select":
            self._select = {"nombre": nombre, "multiple": "multiple" in a, "opciones": [], "elegidas": []}

    def _opcion(self, a):
        valor = a.get("value") or ""
        self._select["opciones"].append(valor)
        if "selected" in a:
            self._select["elegidas"].append(valor)

    def handle_endtag(self, etiqueta):
        if etiqueta == "form":
            self._actual = None
        elif etiqueta == "textarea" and self._textarea and self._actual is not None:
            nombre, texto = self._textarea
            self._actual["campos"].append((nombre, re.sub(r"^\r?\n", "", texto)))
            self._textarea = None
        elif etiqueta == "select" and self._select and self._actual is not None:
            s = self._select
            elegidas = s["elegidas"] or ([] if s["multiple"] or not s["opciones"] else s["opciones"][:1])
            self._actual["campos"] += [(s["nombre"], v) for v in elegidas]
            self._select = None

    def handle_data(self, datos):
        if self._textarea is not None:
            self._textarea[1] += datos


def formulario_de(html: str, pagina: str, accion: str, evento: str | None) -> MultiDict:
    """The one POST form of the page that goes to `accion` (and carries `evento`)."""
    lector = _Formularios()
    lector.feed(html)
    candidatos = [f for f in lector.formularios
                  if f["metodo"] == "post" and (f["accion"] or pagina) == accion
                  and (evento is None or ("evento", evento) in f["campos"])]
    assert len(candidatos) == 1, (
        f"{pagina} muestra {len(candidatos)} formularios hacia {accion}"
        f"{f' con evento={evento}' if evento else ''}; formularios: "
        f"{[(f['accion'], [c for c in f['campos'] if c[0] == 'evento']) for f in lector.formularios]}")
    return MultiDict(candidatos[0]["campos"])


def token_de(html: str, pagina: str) -> str:
    lector = _Formularios()
    lector.feed(html)
    for formulario in lector.formularios:
        for nombre, valor in formulario["campos"]:
            if nombre == "csrf_token":
                return valor
    raise AssertionError(f"{pagina} no lleva un token CSRF")


def rellenar(campos: MultiDict, cambios: dict) -> MultiDict:
    """What she types over the page's form; None clears a field (an unchecked box)."""
    for nombre, valor in cambios.items():
        campos.poplist(nombre)
        if valor is not None:
            for v in valor if isinstance(valor, (list, tuple)) else [valor]:
                campos.add(nombre, v)
    return campos


# ---- the trail ---------------------------------------------------------------------------------

def _ultima() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(EventoAuditoria.secuencia))) or 0


def _desde(secuencia: int) -> list[tuple]:
    db.session.rollback()
    filas = db.session.execute(
        sa.select(EventoAuditoria.accion, EventoAuditoria.usuaria_id, EventoAuditoria.caso_id,
                  EventoAuditoria.objeto_id, EventoAuditoria.motivo)
        .where(EventoAuditoria.secuencia > secuencia).order_by(EventoAuditoria.secuencia)).all()
    db.session.rollback()
    return [tuple(f) for f in filas]


def _legible(eventos: list[tuple], ids: dict) -> list[str]:
    """Events with the ids named as the table names them."""
    nombres = {v: k for k, v in ids.items() if isinstance(v, uuid.UUID) and not k.startswith("_")}

    def nombre(valor):
        return None if valor is None else nombres.get(valor, str(valor))

    return [f"{accion}(quien={nombre(u)}, caso={nombre(c)}, objeto={nombre(o)}"
            f"{f', motivo={m!r}' if m else ''})" for accion, u, c, o, m in eventos]


def _esperados(envio: Envio, ids: dict) -> list[tuple]:
    def valor(clave):
        return None if clave is None else ids.get(clave, f"<sin id {clave}>")

    return [(ev.accion, valor(envio.quien if ev.quien == QUIEN_ENVIA else ev.quien),
             valor(ev.caso), valor(ev.objeto), ev.motivo) for ev in envio.eventos]


# ---- the generic refusals of every route --------------------------------------------------------

ORDEN_DE_ROLES = ("capturista", "supervisora", "gestora", "admin")
# URL arguments whose object belongs to an institution (another one gets 404), and to one
# person (anyone else gets 404): casos/acceso/objetos.py.
DE_INSTITUCION = {"caso_id", "canalizacion_id", "orden_id", "solicitud_id"}
DE_AUTORA = {"borrador_id"}


def variantes(vista, envio: Envio) -> list[Envio]:
    """The same submission without its token, by a role the policy refuses (or nobody, where
    every role may) and from another institution. None of them may leave any event."""
    base = replace(envio, eventos=(), entre=None, despues=None, comprobar=None)
    propias = [replace(base, que=f"{envio.que}, {SIN_CSRF}", rechazo=SIN_CSRF, token=False, codigo=400)]
    accion = vista.accion
    forjada = {"del_formulario": False, "evento": None, "de_formulario": None}
    if accion != PUBLICA:
        fuera = [r for r in ORDEN_DE_ROLES if r not in acceso.POLITICA[accion]]
        if fuera:
            propias.append(replace(base, que=f"{envio.que}, como {fuera[0]}", rechazo=ROL, quien=fuera[0],
                                   codigo=403, pagina="/", **forjada))
        else:
            propias.append(replace(base, que=f"{envio.que}, sin entrar", rechazo=ROL, quien=None,
                                   codigo=302, pagina="/entrar", a_entrar=True, **forjada))
    declarados = set(getattr(vista, "regla", None).objetos if getattr(vista, "regla", None) else ())
    if declarados & DE_INSTITUCION:
        otra = "capturista_b" if "capturista" in acceso.POLITICA[accion] else "supervisora_b"
        propias.append(replace(base, que=f"{envio.que}, desde otra institución", rechazo=AJENA, quien=otra,
                               codigo=404, pagina="/", **forjada))
    if declarados & DE_AUTORA:
        propias.append(replace(base, que=f"{envio.que}, por otra persona", rechazo=AJENA, quien="supervisora",
                               codigo=404, pagina="/", **forjada))
    return propias


# ---- running one submission -------------------------------------------------------------------------

@pytest.fixture
def ids_base(app, cuentas) -> dict:
    """Institution C (health) receives the referrals, so institution B has no business with any
    object here; its caseworker answers them."""
    c = crear_institucion("INSTC", "salud")
    cuentas.por_clave["capturista_c"] = crear_usuaria("capturista", c)
    ids = {clave: u.id for clave, u in cuentas.por_clave.items()}
    ids.update(institucion_a=cuentas.institucion_a.id, institucion_b=cuentas.institucion_b.id,
               institucion_c=c.id)
    return ids


def _url(app, regla_url: str, ids: dict) -> str:
    regla = next(r for r in app.url_map.iter_rules() if r.rule == regla_url and "POST" in r.methods)
    with app.test_request_context():
        return app.url_for(regla.endpoint, **{a: ids[a] for a in regla.arguments})


def _derivados(m: Mundo):
    """Values a row may need that exist only once the state does (an account's e-mail)."""
    for clave, valor in list(m.ids.items()):
        if isinstance(valor, uuid.UUID) and not clave.startswith("_"):
            usuaria = db.session.get(Usuaria, valor)
            if usuaria is not None:
                m.ids[f"_correo_{clave}"] = usuaria.correo


def ejecutar(app, regla_url: str, envio: Envio, ids_base: dict) -> str | None:
    """Send one submission as a browser would; the failure message, or None."""
    m = Mundo(app, app.test_client(), dict(ids_base))
    if envio.preparar:
        envio.preparar(m)
    _derivados(m)
    etiqueta = f"POST {regla_url} — {envio.que} [{envio.rechazo}]"
    if envio.quien is not None:
        usuaria = m.usuaria(envio.quien)
        olvidar_ultimo_codigo(usuaria.correo)
        entrada = entrar(m.cliente, usuaria)
        assert entrada.status_code == 302 and "/entrar" not in entrada.location, f"{etiqueta}: no pudo entrar"
    ruta = _url(app, regla_url, m.ids)
    pagina = (envio.pagina or ruta).format(**m.ids)
    html = m.ids.pop("_html", None)
    if html is None:
        respuesta_pagina = m.cliente.get(pagina)
        assert respuesta_pagina.status_code == 200, \
            f"{etiqueta}: {pagina} respondió {respuesta_pagina.status_code}"
        html = respuesta_pagina.get_data(as_text=True)
    if envio.del_formulario:
        datos = formulario_de(html, pagina, envio.de_formulario or ruta, envio.evento)
    else:
        datos = MultiDict({"csrf_token": token_de(html, pagina)})
    cambios = envio.datos(m.ids) if callable(envio.datos) else envio.datos
    datos = rellenar(datos, cambios)
    if not envio.token:
        datos.poplist("csrf_token")
    if envio.entre:
        envio.entre(m)
    desde = _ultima()
    respuesta = m.cliente.post(ruta, data=datos)
    if envio.despues and respuesta.status_code == envio.codigo:
        envio.despues(m, respuesta)
    dejados, esperados = _desde(desde), _esperados(envio, m.ids)
    fallos = []
    if respuesta.status_code != envio.codigo:
        fallos.append(f"respondió {respuesta.status_code} ({respuesta.location or 'sin redirección'}), "
                      f"se esperaba {envio.codigo}")
    elif envio.quien is not None and respuesta.status_code == 302 and \
            respuesta.location.startswith("/entrar") != envio.a_entrar:
        fallos.append(f"redirigió a {respuesta.location}")
    if dejados != esperados:
        fallos.append(f"dejó {_legible(dejados, m.ids)}, debía dejar {_legible(esperados, m.ids)}")
    if envio.comprobar and (problema := envio.comprobar(m, respuesta)):
        fallos.append(problema)
    if fallos and envio.por_que:
        fallos.append(f"({envio.por_que})")
    return f"{etiqueta}: " + "; ".join(fallos) if fallos else None


# ---- the tests ---------------------------------------------------------------------------------------

def _posts(app) -> dict[str, str]:
    """Every POST rule of the URL map -> its endpoint."""
    return {regla.rule: regla.endpoint for regla in app.url_map.iter_rules()
            if "POST" in regla.methods and regla.endpoint != "static"}


def test_cada_post_del_mapa_tiene_su_fila(app):
    registradas = _posts(app)
    faltan = [f"añada una fila para POST {rule} ({endpoint}) en TABLA de {__name__}"
              for rule, endpoint in sorted(registradas.items()) if rule not in TABLA]
    sobran = [f"quite la fila de POST {rule}: la aplicación ya no la registra"
              for rule in sorted(TABLA) if rule not in registradas]
    assert not faltan + sobran, "\n".join(faltan + sobran)
    assert len(registradas) >= 33  # the walk found the routes (it can't pass by seeing none)


def test_la_tabla_esta_completa_y_ningun_rechazo_declara_un_cambio(app):
    """A refused submission may leave its route's declared read, or an audited failure; every
    route proves a success and, unless its form carries nothing but the token, a refusal."""
    fallos = []
    for regla_url, envios in TABLA.items():
        endpoint = _posts(app).get(regla_url)
        if endpoint is None:
            continue  # the URL-map test names it
        regla = getattr(app.view_functions[endpoint], "regla", None)
        lectura = {regla.lectura} if regla and regla.lectura else set()
        permitidos = FALLOS_AUDITADOS | lectura | CAMBIOS_DE_UN_RECHAZO.get(regla_url, frozenset())
        if not any(e.rechazo == EXITO for e in envios):
            fallos.append(f"{regla_url}: ninguna fila prueba un envío que funciona")
        if regla_url not in SIN_DATO_INVALIDO and not any(e.rechazo == INVALIDA for e in envios):
            fallos.append(f"{regla_url}: ninguna fila prueba un formulario o movimiento inválido")
        for envio in envios:
            if envio.rechazo != EXITO and {ev.accion for ev in envio.eventos} - permitidos:
                fallos.append(f"{regla_url} — {envio.que}: un rechazo no deja "
                              f"{sorted({ev.accion for ev in envio.eventos} - permitidos)}")
    assert not fallos, "\n".join(fallos)


@pytest.mark.parametrize("regla_url", sorted(TABLA))
def test_cada_post_deja_exactamente_sus_eventos(app, ids_base, regla_url):
    endpoint = _posts(app).get(regla_url)
    assert endpoint is not None, f"POST {regla_url} ya no existe: quite su fila"
    vista = app.view_functions[endpoint]
    envios = list(TABLA[regla_url])
    exito = next(e for e in envios if e.rechazo == EXITO)
    envios += variantes(vista, exito)
    fallos = [f for f in (ejecutar(app, regla_url, envio, ids_base) for envio in envios) if f]
    assert not fallos, "\n".join(fallos)
