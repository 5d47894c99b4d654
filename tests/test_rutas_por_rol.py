"""Every registered route, called as anonymous, as each role and from another institution.

The routes come from the URL map, so a new route is covered the day it is added: if it has an
argument this file can't fill, the test fails and asks for it. The expected answer is derived
from the single policy in casos/acceso.py, and GET requests must leave the data untouched.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from casos import acceso
from casos.adjuntos import servicios as adjuntos
from casos.bd import ahora
from casos.canalizaciones import servicios as canalizaciones
from casos.cuentas import servicios
from casos.estadisticas import tokens as tokens_api
from casos.expedientes.servicios import guardar_borrador, registrar_caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import (
    crear_institucion,
    crear_usuaria,
    datos_de_caso,
    entrar,
    token_csrf,
)
from tests.reloj import hoy_en_mexico

IDENTIDADES = ("anonima", "capturista", "supervisora", "gestora", "admin",
               "capturista_b", "supervisora_b")
# Arguments whose object belongs to an institution: another institution gets 404, not 403,
# so that not even the existence of the object leaks.
ARGUMENTOS_DE_INSTITUCION = {"caso_id", "canalizacion_id", "orden_id", "adjunto_id", "solicitud_id"}
# Arguments whose object belongs to one person (an intake draft): everyone else gets 404.
ARGUMENTOS_DE_AUTORA = {"borrador_id"}
AUTORA = "capturista"
# Routes on an object of her institution that only its author may use (withdrawing her own
# request): her colleagues see it, so they get 403 with the reason, not 404.
SOLO_SU_AUTORA = {"flujo.retirar"}
# Routes on a referral that only its receiving institution may use (recording the services it
# gave): the sender sees the referral, so it gets 403 with the reason, not 404.
SOLO_LA_RECEPTORA = {"atenciones.nueva_en_canalizacion"}
# Written on every request (the session row) or on every read by design (the audit trail of
# who saw what): not a change of state made by a GET.
TABLAS_VOLATILES = {"sesion", "evento_auditoria", "cabeza_auditoria"}
# Routes whose successful answer is to send the person to the login page.
# (The second login step, with no password step pending, sends her back to start.)
TERMINAN_EN_ENTRAR = {"cuentas.salir", "segundo_factor.codigo", "segundo_factor.alta",
                      "segundo_factor.continuar"}


def _rutas(app):
    for regla in app.url_map.iter_rules():
        if regla.endpoint == "static":
            continue
        for metodo in sorted(regla.methods & {"GET", "POST"}):
            yield regla, metodo


# Routes that take an object only in a given state: the form that asks to read a case works
# only on a case the retention schedule blocked; a right is exercised on her data only once its
# request was granted (ARCO, casos/acceso/objetos.py `solicitud_arco`).
OBJETOS_DE_LA_RUTA = {"conservacion.pedir_lectura": {"caso_id": "caso_bloqueado"},
                      "impresos.acceso": {"solicitud_arco_id": "arco_acceso_concedida"},
                      "impresos.acceso_pdf": {"solicitud_arco_id": "arco_acceso_concedida"},
                      "arco.rectificar": {"solicitud_arco_id": "arco_rectificacion_concedida"}}


def _argumentos(regla, objetos) -> dict:
    faltan = set(regla.arguments) - objetos.keys()
    assert not faltan, (f"{regla.rule}: la prueba no sabe construir {faltan}; "
                        "añada un objeto de la institución A en `objetos`")
    propios = OBJETOS_DE_LA_RUTA.get(regla.endpoint, {})
    return {nombre: objetos[propios.get(nombre, nombre)] for nombre in regla.arguments}


def _huella_de_datos() -> str:
    """A digest of every table but the volatile ones, to prove a GET changed nothing."""
    db.session.rollback()
    huella = hashlib.sha256()
    for tabla in sorted(db.metadata.sorted_tables, key=lambda t: t.name):
        if tabla.name in TABLAS_VOLATILES:
            continue
        filas = db.session.execute(sa.select(tabla)).all()
        huella.update(repr(sorted(map(repr, filas))).encode())
    db.session.rollback()
    return huella.hexdigest()


@pytest.fixture
def objetos(app, cuentas):
    """Objects for the URL arguments. Admin POSTs edit them, so none is one of `cuentas`."""
    otra = crear_institucion("INSTC", "salud")
    pendiente = crear_usuaria("capturista", otra)
    pendiente.contrasena_hash = None
    token = servicios.crear_activacion(pendiente)
    db.session.commit()
    caso = registrar_caso(cuentas[AUTORA], datos_de_caso())
    borrador = guardar_borrador(cuentas[AUTORA], None, {"nombre": ["Borrador sintético"]})
    # A referral to a third institution, so institution B has no business with any of it.
    canalizacion = canalizaciones.solicitar(caso, cuentas[AUTORA], destino=otra, servicios=["medica"],
                                            motivo="Sintético", hoy=hoy_en_mexico())
    orden = ordenes.registrar_solicitud(caso, cuentas[AUTORA], tipo="administrativa",
                                        autoridad="ministerio_publico", medidas=["otra"],
                                        solicitada_en=ahora(), notas=None)
    db.session.commit()
    solicitud = db.session.scalars(sa.select(SolicitudAprobacion)).one()
    from tests.test_adjuntos import pdf

    adjunto = adjuntos.adjuntar(caso, cuentas[AUTORA], datos=pdf(), nombre="denuncia.pdf", categoria="denuncia")
    token_api, _ = tokens_api.crear("Sistema de prueba", cuentas["admin"])
    db.session.commit()
    # A request over her data (ARCO) on the case: the admin's, for any institution.
    from casos.arco import servicios as arco

    solicitud_arco = arco.registrar(cuentas["admin"], arco.DatosSolicitud(
        institucion_id=caso.institucion_id, caso_id=caso.id, derecho="acceso", recibida_el=hoy_en_mexico(),
        medio="presencial", presentada_por="titular", identificacion="ine", descripcion="Pide sus datos."))
    db.session.commit()
    # Requests granted with identity accredited: the acceso document, the rectificación form.
    concedidas = {}
    for derecho in ("acceso", "rectificacion"):
        otra_solicitud = arco.registrar(cuentas["admin"], arco.DatosSolicitud(
            institucion_id=caso.institucion_id, caso_id=caso.id if derecho != "acceso" else
            registrar_caso(cuentas[AUTORA], datos_de_caso()).id, derecho=derecho,
            recibida_el=hoy_en_mexico(), medio="presencial", presentada_por="titular", identificacion="ine",
            descripcion="Sintética."))
        for evento in ("acreditar_identidad", "conceder"):
            arco.mover(otra_solicitud, evento, cuentas["admin"], version_vista=otra_solicitud.version,
                       datos=arco.DatosMovimiento(cotejo=True))
        concedidas[f"arco_{derecho}_concedida"] = otra_solicitud.id
    db.session.commit()
    # A case the retention schedule blocked, and a read of it waiting for the admin.
    from casos.conservacion import servicios as conservacion

    bloqueado = registrar_caso(cuentas[AUTORA], datos_de_caso())
    db.session.commit()
    conservacion.bloquear(bloqueado, motivo="Plazo de conservación (sintético).")
    lectura = conservacion.pedir_lectura(bloqueado, cuentas["supervisora"], "Oficio sintético 1/2026")
    db.session.commit()
    # An edition of the statistics, so that their pages and downloads answer 200.
    from casos.estadisticas import ediciones

    assert ediciones.publicar().edicion is not None
    return {
        "caso_bloqueado": bloqueado.id,
        "lectura_id": lectura.id,
        "caso_id": caso.id,
        "canalizacion_id": canalizacion.id,
        "orden_id": orden.id,
        "adjunto_id": adjunto.id,
        "solicitud_id": solicitud.id,
        "borrador_id": borrador.id,
        "usuaria_id": pendiente.id,
        "institucion_id": otra.id,
        "token": token,
        "token_id": token_api.id,
        "solicitud_arco_id": solicitud_arco.id,
        **concedidas,
    }


def _esperado(accion: str | None, identidad: str, regla) -> str:
    if accion == acceso.PUBLICA:
        return "permitido"
    if accion == acceso.TOKEN_API:  # a session opens nothing there: no token, 401 for all
        return "sin_token"
    if identidad == "anonima":
        return "a_entrar"
    rol = identidad.removesuffix("_b")
    if accion is None or rol not in acceso.POLITICA[accion]:
        return "prohibido"
    if identidad.endswith("_b") and ARGUMENTOS_DE_INSTITUCION & set(regla.arguments):
        return "no_existe"
    if identidad != AUTORA and ARGUMENTOS_DE_AUTORA & set(regla.arguments):
        return "no_existe"
    if identidad != AUTORA and regla.endpoint in SOLO_SU_AUTORA:
        return "prohibido"
    if regla.endpoint in SOLO_LA_RECEPTORA:  # the referral goes from A to C: A only sent it
        return "prohibido"
    return "permitido"


def _cumple(respuesta, esperado: str, endpoint: str) -> bool:
    codigo = respuesta.status_code
    if esperado == "a_entrar":
        return codigo == 302 and "/entrar" in respuesta.location
    if esperado == "prohibido":
        return codigo == 403
    if esperado == "no_existe":
        return codigo == 404
    if esperado == "sin_token":
        return codigo == 401 and respuesta.headers.get("WWW-Authenticate", "").startswith("Bearer")
    redirige_a_entrar = codigo == 302 and "/entrar" in (respuesta.location or "")
    if endpoint in TERMINAN_EN_ENTRAR:
        return redirige_a_entrar and "next=" not in respuesta.location
    return codigo in (200, 302, 303) and not redirige_a_entrar


def recorrer(app, cuentas, objetos, datos_post=None):
    """Every route, GET and POST, by every identity, logged in through the pages: yields
    (rule, method, identity, answer, a digest of the data before a GET). POSTs carry a valid
    CSRF token (so the answer is about authorization, not CSRF) and `datos_post`."""
    for regla, metodo in _rutas(app):
        with app.test_request_context():
            ruta = app.url_for(regla.endpoint, **_argumentos(regla, objetos))
        for identidad in IDENTIDADES:
            cliente = app.test_client()
            if identidad != "anonima":
                assert entrar(cliente, cuentas[identidad]).status_code == 302
            antes = _huella_de_datos() if metodo == "GET" else None
            if metodo == "GET":
                respuesta = cliente.get(ruta)
            else:
                pagina = "/entrar" if identidad == "anonima" else "/"
                respuesta = cliente.post(ruta, data={"csrf_token": token_csrf(cliente, pagina),
                                                     **(datos_post or {})})
            yield regla, metodo, identidad, respuesta, antes


def test_cada_ruta_con_cada_identidad(app, cuentas, objetos):
    fallos = []
    probadas = 0
    for regla, metodo, identidad, respuesta, antes in recorrer(app, cuentas, objetos):
        esperado = _esperado(acceso.accion_de(regla.endpoint), identidad, regla)
        if not _cumple(respuesta, esperado, regla.endpoint):
            fallos.append(f"{metodo} {regla.rule} como {identidad}: "
                          f"{respuesta.status_code}, se esperaba {esperado}")
        if antes is not None and _huella_de_datos() != antes:
            fallos.append(f"GET {regla.rule} como {identidad} cambió datos")
        probadas += 1
    assert not fallos, "\n".join(fallos)
    assert probadas >= 7 * 10


def test_una_ruta_sin_accion_declarada_se_niega_a_todas(app, cuentas):
    """Deny by default: forgetting @permiso closes the route instead of opening it."""
    app.view_functions["admin.panel"] = lambda: "abierta"  # a view with no declared action
    for rol in ("capturista", "supervisora", "gestora", "admin"):
        cliente = app.test_client()
        entrar(cliente, cuentas[rol])
        assert cliente.get("/admin/").status_code == 403


def test_el_alcance_de_casos_es_la_institucion(app, cuentas):
    from casos.expedientes.modelos import Caso

    propio = Caso(institucion_id=cuentas.institucion_a.id)
    ajeno = Caso(institucion_id=cuentas.institucion_b.id)
    db.session.add_all([propio, ajeno])
    db.session.commit()
    visibles = lambda clave: set(db.session.scalars(acceso.casos_visibles(cuentas[clave])))
    assert visibles("capturista") == {propio}
    assert visibles("supervisora_b") == {ajeno}
    assert visibles("gestora") == set()
    assert visibles("admin") == set()
