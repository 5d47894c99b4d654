"""A case's responsible caseworker: a supervisora assigns and reassigns, the list shows whose.

Through the pages, as each person would: who may open /casos/<id>/asignar and send it, for a
case of her institution, one referred to it and another institution's, open, closed or
erased; what a successful assignment leaves (the case, its `Asignacion` row, the audit event,
"Mis casos" of both people); the accounts that can't be put in charge and why; a page left
open while someone else assigned the case; and the list's "Mis casos" / "Todos" switch with
its keyset pages.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes import servicios
from casos.expedientes.asignacion import AJENA, CERRADO
from casos.expedientes.modelos import Asignacion, Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from casos.transiciones.servicios import CAMBIO_CONCURRENTE
from tests.conftest import crear_usuaria, datos_de_caso, entrar, errores_del_campo, token_csrf
from tests.test_consultas_por_pagina import SENTENCIAS_LISTA, _sentencias_de
from tests.test_lista_y_busqueda import ids_en, siguiente

# ---- state ------------------------------------------------------------------------------------


def _nombrar(usuaria, nombre: str):
    usuaria.nombre = nombre
    db.session.commit()
    return usuaria


@pytest.fixture
def gente(cuentas):
    """Distinct names, so a page that names someone can be read; a second capturista of A."""
    _nombrar(cuentas["capturista"], "Ana Capturista Sintetica")
    _nombrar(cuentas["supervisora"], "Sara Supervisora Sintetica")
    _nombrar(cuentas["capturista_b"], "Berta Ajena Sintetica")
    cuentas.por_clave["capturista2"] = _nombrar(crear_usuaria("capturista", cuentas.institucion_a),
                                                "Rosa Segunda Sintetica")
    return cuentas


def _caso(autora, **cambios) -> Caso:
    caso = servicios.registrar_caso(autora, datos_de_caso(**cambios))
    db.session.commit()
    return caso


def _cerrar(caso, capturista, supervisora) -> None:
    """Closing takes a request and a supervisora's approval (four eyes)."""
    quien = transiciones.actor(capturista, duena_id=caso.institucion_id)
    solicitud = transiciones.solicitar(caso, "cerrar", quien, capturista, motivo="Concluyó la atención")
    db.session.commit()
    transiciones.aprobar(solicitud, caso, supervisora, version_vista=solicitud.version)
    db.session.commit()
    assert caso.estado == "cerrado"


def _recibido_por_a(cuentas) -> Caso:
    """A case of institution B referred to A and accepted there: A sees it, B owns it."""
    caso = _caso(cuentas["capturista_b"], tipos_institucion=["fiscalia", "cjm"], curp=None,
                 nombre="Compartida Sintetica Recibida")
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista_b"], destino=cuentas.institucion_a,
                                            servicios=["psicologica"], motivo="Atención", hoy=hoy_local())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora_b"], version_vista=solicitud.version,
                         valores=canalizaciones.VALORES["enviar"](canalizacion))
    canalizaciones.responder(canalizacion, "aceptar", cuentas["capturista"], version_vista=canalizacion.version)
    db.session.commit()
    return caso


def _asignaciones(caso_id) -> list[Asignacion]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Asignacion).where(Asignacion.caso_id == caso_id)))


def _eventos_de_asignar(caso_id) -> list[tuple]:
    db.session.rollback()
    return [tuple(f) for f in db.session.execute(
        sa.select(EventoAuditoria.usuaria_id, EventoAuditoria.caso_id, EventoAuditoria.objeto_id)
        .where(EventoAuditoria.accion == "caso.asignar", EventoAuditoria.caso_id == caso_id))]


def _fresco(caso_id) -> Caso:
    db.session.rollback()
    return db.session.get(Caso, caso_id)


def _cliente(app, usuaria):
    cliente = app.test_client()
    assert entrar(cliente, usuaria).status_code == 302
    return cliente


def _version_en(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _asignar(cliente, caso_id, responsable, version=None):
    """Send the page's form as a browser would: read it first, then choose `responsable`."""
    ruta = f"/casos/{caso_id}/asignar"
    html = cliente.get(ruta).get_data(as_text=True)
    return cliente.post(ruta, data={
        "csrf_token": token_csrf(cliente, ruta), "version": version or _version_en(html),
        "responsable": str(getattr(responsable, "id", responsable))})


# ---- who may, on which case, in which state ---------------------------------------------------

DE_QUIEN = ("propio", "recibido", "ajeno")
ESTADOS = ("abierto", "cerrado", "eliminado")
# The supervisora of A: (GET, POST). A case referred to her institution is its owner's to
# assign (403 with the reason); another institution's, and an erased one of another, do not
# exist for her (404). Her own erased case: the page is gone (410), a form sent to it goes
# back to the case with the reason (302). A closed one: the page says why, nothing is saved.
ESPERADO_SUPERVISORA = {
    ("propio", "abierto"): (200, 302), ("propio", "cerrado"): (200, 200), ("propio", "eliminado"): (410, 302),
    ("recibido", "abierto"): (403, 403), ("recibido", "cerrado"): (403, 403),
    ("recibido", "eliminado"): (404, 404),
    ("ajeno", "abierto"): (404, 404), ("ajeno", "cerrado"): (404, 404), ("ajeno", "eliminado"): (404, 404),
}
# Every other role of A: the policy refuses the route before any case is looked up.
OTROS_ROLES = ("capturista", "gestora", "admin")


def _escenario(cuentas, de_quien: str, estado: str) -> Caso:
    if de_quien == "propio":
        caso, capturista, supervisora = _caso(cuentas["capturista"]), cuentas["capturista"], cuentas["supervisora"]
    elif de_quien == "recibido":
        caso, capturista, supervisora = _recibido_por_a(cuentas), cuentas["capturista_b"], cuentas["supervisora_b"]
    else:
        caso = _caso(cuentas["capturista_b"], curp=None, nombre="Ajena Sintetica")
        capturista, supervisora = cuentas["capturista_b"], cuentas["supervisora_b"]
    if estado == "cerrado":
        _cerrar(caso, capturista, supervisora)
    elif estado == "eliminado":
        servicios.eliminar_datos_personales(caso)
        db.session.commit()
    return caso


@pytest.mark.parametrize("estado", ESTADOS)
@pytest.mark.parametrize("de_quien", DE_QUIEN)
def test_quien_abre_y_envia_la_asignacion_segun_el_caso_y_su_estado(app, gente, de_quien, estado):
    caso = _escenario(gente, de_quien, estado)
    caso_id, version, antes = caso.id, caso.version, caso.responsable_id
    ruta = f"/casos/{caso_id}/asignar"
    destino = gente["capturista2"]
    fallos = []

    def post(cliente):
        return cliente.post(ruta, data={"csrf_token": token_csrf(cliente, "/"), "version": str(version),
                                        "responsable": str(destino.id)})

    for rol in OTROS_ROLES:
        cliente = _cliente(app, gente[rol])
        for metodo, respuesta in (("GET", cliente.get(ruta)), ("POST", post(cliente))):
            if respuesta.status_code != 403:
                fallos.append(f"{metodo} como {rol}: {respuesta.status_code}, se esperaba 403")

    cliente = _cliente(app, gente["supervisora"])
    get_esperado, post_esperado = ESPERADO_SUPERVISORA[(de_quien, estado)]
    pagina = cliente.get(ruta)
    html = unescape(pagina.get_data(as_text=True))
    if pagina.status_code != get_esperado:
        fallos.append(f"GET como supervisora: {pagina.status_code}, se esperaba {get_esperado}")
    elif get_esperado == 200:
        tiene_formulario = 'name="responsable"' in html
        if tiene_formulario != (estado == "abierto"):
            fallos.append(f"GET como supervisora: formulario {'presente' if tiene_formulario else 'ausente'}")
        if estado == "cerrado" and CERRADO not in html:
            fallos.append("GET de un caso cerrado: no dice por qué no se asigna")
    if "Compartida Sintetica" in html or "Ajena Sintetica" in html:
        fallos.append("una página negada muestra el nombre")

    respuesta = post(cliente)
    if respuesta.status_code != post_esperado:
        fallos.append(f"POST como supervisora: {respuesta.status_code}, se esperaba {post_esperado}")
    elif (de_quien, estado) == ("propio", "cerrado"):
        if CERRADO not in unescape(respuesta.get_data(as_text=True)):
            fallos.append("POST a un caso cerrado: no dice por qué")
    elif (de_quien, estado) == ("propio", "eliminado"):
        if respuesta.location != f"/casos/{caso_id}":
            fallos.append(f"POST a un caso eliminado redirigió a {respuesta.location}")
        elif "fueron eliminados" not in unescape(cliente.get(respuesta.location).get_data(as_text=True)):
            fallos.append("POST a un caso eliminado: no dice por qué")

    cambio = (de_quien, estado) == ("propio", "abierto")
    caso = _fresco(caso_id)
    if (caso.responsable_id == destino.id) != cambio or (not cambio and caso.responsable_id != antes):
        fallos.append(f"la responsable quedó en {caso.responsable_id}")
    if len(_asignaciones(caso_id)) != cambio or len(_eventos_de_asignar(caso_id)) != cambio:
        fallos.append("las asignaciones o los eventos no corresponden")
    assert not fallos, f"{de_quien}, {estado}: " + "; ".join(fallos)


# ---- a successful assignment -------------------------------------------------------------------

def _mis_casos(cliente) -> list[str]:
    respuesta = cliente.get("/casos/?ver=mios")
    assert respuesta.status_code == 200
    return ids_en(respuesta.get_data(as_text=True))


def test_asignar_cambia_mis_casos_de_ambas_y_deja_la_asignacion_y_el_evento(app, gente):
    caso = _caso(gente["capturista"])
    version = caso.version
    ana, rosa, sara = gente["capturista"], gente["capturista2"], gente["supervisora"]
    de_ana, de_rosa = _cliente(app, ana), _cliente(app, rosa)
    assert _mis_casos(de_ana) == [str(caso.id)]  # who registered it is in charge
    assert _mis_casos(de_rosa) == []

    supervisora = _cliente(app, sara)
    antes = ahora()
    respuesta = _asignar(supervisora, caso.id, rosa)
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{caso.id}"
    assert "Caso asignado a Rosa Segunda Sintetica." in unescape(
        supervisora.get(respuesta.location).get_data(as_text=True))

    caso = _fresco(caso.id)
    assert caso.responsable_id == rosa.id and caso.version == version + 1
    [asignacion] = _asignaciones(caso.id)
    assert (asignacion.responsable_id, asignacion.anterior_id, asignacion.asignada_por_id) == (rosa.id, ana.id, sara.id)
    assert antes <= asignacion.momento <= ahora()
    assert _eventos_de_asignar(caso.id) == [(sara.id, caso.id, rosa.id)]

    assert _mis_casos(de_ana) == []
    assert _mis_casos(de_rosa) == [str(caso.id)]
    # The whole institution's list names who is in charge; the page keeps the record.
    todos = unescape(de_ana.get("/casos/").get_data(as_text=True))
    assert "Rosa Segunda Sintetica" in todos
    pagina = unescape(supervisora.get(f"/casos/{caso.id}/asignar").get_data(as_text=True))
    assert "Sara Supervisora Sintetica lo asignó a Rosa Segunda Sintetica (antes, Ana Capturista Sintetica)" in pagina


def test_la_supervisora_puede_asignarse_el_caso(app, gente):
    caso = _caso(gente["capturista"])
    supervisora = _cliente(app, gente["supervisora"])
    assert _asignar(supervisora, caso.id, gente["supervisora"]).status_code == 302
    assert _fresco(caso.id).responsable_id == gente["supervisora"].id
    assert _mis_casos(supervisora) == [str(caso.id)]


def test_asignar_a_quien_ya_es_responsable_no_cambia_nada(app, gente):
    caso = _caso(gente["capturista"])
    version = caso.version
    supervisora = _cliente(app, gente["supervisora"])
    respuesta = _asignar(supervisora, caso.id, gente["capturista"])
    assert respuesta.status_code == 302
    assert "Ana Capturista Sintetica ya es responsable del caso; no cambió nada." in unescape(
        supervisora.get(respuesta.location).get_data(as_text=True))
    assert _fresco(caso.id).version == version
    assert _asignaciones(caso.id) == [] and _eventos_de_asignar(caso.id) == []


def test_la_pagina_ofrece_solo_al_personal_activo_que_atiende_casos_con_su_carga(app, gente):
    ana = gente["capturista"]
    for i in range(2):
        _caso(ana, curp=None, nombre=f"Abierta Sintetica {i}")
    _cerrar(_caso(ana, curp=None, nombre="Cerrada Sintetica"), ana, gente["supervisora"])
    servicios.eliminar_datos_personales(_caso(ana, curp=None, nombre="Borrada Sintetica"))
    db.session.commit()
    _nombrar(crear_usuaria("capturista", gente.institucion_a, activa=False), "Ines Inactiva Sintetica")
    _nombrar(gente["gestora"], "Gema Gestora Sintetica")
    _nombrar(gente["admin"], "Alma Admin Sintetica")
    caso = _caso(gente["capturista2"], curp=None, nombre="Por Asignar Sintetica")

    html = unescape(_cliente(app, gente["supervisora"]).get(f"/casos/{caso.id}/asignar").get_data(as_text=True))
    opciones = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert opciones == [
        "— Elija a una persona —",
        "Ana Capturista Sintetica — Capturista · 2 casos abiertos",  # closed and erased don't count
        "Rosa Segunda Sintetica — Capturista · 1 caso abierto (responsable actual)",
        "Sara Supervisora Sintetica — Supervisora · 0 casos abiertos",
    ]
    assert re.search(r'<option selected value="[^"]+">Rosa Segunda', html) or \
        re.search(r'<option value="[^"]+" selected>Rosa Segunda', html)
    assert "Por Asignar Sintetica" in html  # whose case it is: the page's read was audited


# ---- who can't be put in charge -----------------------------------------------------------------

MALOS = {
    "de otra institución": (lambda c: c["capturista_b"], AJENA),
    "una cuenta desactivada": (lambda c: _nombrar(crear_usuaria("capturista", c.institucion_a, activa=False),
                                                  "Ines Inactiva Sintetica"),
                               "La cuenta de Ines Inactiva Sintetica está desactivada: elija a una persona activa."),
    "una gestora": (lambda c: _nombrar(c["gestora"], "Gema Gestora Sintetica"),
                    "Gema Gestora Sintetica tiene el rol de gestora: solo una capturista o una supervisora "
                    "puede ser responsable de un caso."),
    "una administradora": (lambda c: _nombrar(c["admin"], "Alma Admin Sintetica"),
                           "Alma Admin Sintetica tiene el rol de administración: solo una capturista o una "
                           "supervisora puede ser responsable de un caso."),
    "un id que no existe": (lambda c: uuid.uuid4(), AJENA),
    "algo que no es un id": (lambda c: "no-es-un-id", AJENA),
    "nadie": (lambda c: "", "Elija a quién asignar el caso."),
}


@pytest.mark.parametrize("malo", list(MALOS))
def test_una_cuenta_que_no_puede_ser_responsable_se_rechaza_con_su_motivo(app, gente, malo):
    elegir, mensaje = MALOS[malo]
    objetivo = elegir(gente)
    caso = _caso(gente["capturista"])
    version = caso.version
    respuesta = _asignar(_cliente(app, gente["supervisora"]), caso.id, objetivo)
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    assert errores_del_campo(html, "responsable") == [mensaje]
    caso = _fresco(caso.id)
    assert (caso.responsable_id, caso.version) == (gente["capturista"].id, version)
    assert _asignaciones(caso.id) == [] and _eventos_de_asignar(caso.id) == []


# ---- concurrency ---------------------------------------------------------------------------------

def test_una_pagina_vieja_no_pisa_la_asignacion_de_otra_supervisora(app, gente):
    otra_supervisora = _nombrar(crear_usuaria("supervisora", gente.institucion_a), "Olga Otra Supervisora")
    caso = _caso(gente["capturista"])
    sara = _cliente(app, gente["supervisora"])
    ruta = f"/casos/{caso.id}/asignar"
    vieja = sara.get(ruta).get_data(as_text=True)

    assert _asignar(_cliente(app, otra_supervisora), caso.id, otra_supervisora).status_code == 302

    respuesta = sara.post(ruta, data={"csrf_token": token_csrf(sara, ruta), "version": _version_en(vieja),
                                      "responsable": str(gente["capturista2"].id)})
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    assert errores_del_campo(html, "responsable") == [CAMBIO_CONCURRENTE]
    assert _fresco(caso.id).responsable_id == otra_supervisora.id
    assert len(_asignaciones(caso.id)) == 1
    # The page she gets back shows who is in charge now; from it, her choice goes through.
    assert "Olga Otra Supervisora" in unescape(html)
    respuesta = sara.post(ruta, data={"csrf_token": token_csrf(sara, ruta), "version": _version_en(html),
                                      "responsable": str(gente["capturista2"].id)})
    assert respuesta.status_code == 302
    assert _fresco(caso.id).responsable_id == gente["capturista2"].id


def test_un_caso_cerrado_mientras_elegia_no_se_asigna(app, gente):
    caso = _caso(gente["capturista"])
    sara = _cliente(app, gente["supervisora"])
    ruta = f"/casos/{caso.id}/asignar"
    vieja = sara.get(ruta).get_data(as_text=True)
    _cerrar(db.session.get(Caso, caso.id), gente["capturista"], _nombrar(
        crear_usuaria("supervisora", gente.institucion_a), "Olga Otra Supervisora"))

    respuesta = sara.post(ruta, data={"csrf_token": token_csrf(sara, ruta), "version": _version_en(vieja),
                                      "responsable": str(gente["capturista2"].id)})
    assert respuesta.status_code == 200
    html = unescape(respuesta.get_data(as_text=True))
    assert CERRADO in html and 'name="responsable"' not in html  # no form to send again
    assert _fresco(caso.id).responsable_id == gente["capturista"].id


# ---- the list: "Mis casos" and "Todos" --------------------------------------------------------------

def _recorrer(cliente, ruta: str) -> list[str]:
    vistos, paginas = [], 0
    while ruta:
        html = cliente.get(ruta).get_data(as_text=True)
        vistos += ids_en(html)
        paginas += 1
        assert paginas <= 10, "la paginación no termina"
        ruta = siguiente(html)
        assert ruta is None or "ver=mios" in ruta or "ver=" not in ruta
    return vistos


def test_mis_casos_pagina_por_cursor_sin_perder_ni_repetir(app, gente):
    inicio = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    suyos = []
    for i in range(120):
        autora = gente["capturista"] if i % 2 == 0 else gente["supervisora"]
        caso = servicios.registrar_caso(autora, datos_de_caso(nombre=f"Persona {i}", curp=None))
        caso.creado_en = inicio + timedelta(minutes=i // 4)  # shared instants: the id breaks ties
        if autora is gente["capturista"]:
            suyos.append(caso)
    db.session.commit()
    esperado = [str(c.id) for c in sorted(suyos, key=lambda c: (c.creado_en, c.id), reverse=True)]

    ana = _cliente(app, gente["capturista"])
    assert _recorrer(ana, "/casos/?ver=mios") == esperado
    assert _recorrer(ana, "/casos/?ver=mios&orden=antiguos") == list(reversed(esperado))
    assert len(_recorrer(ana, "/casos/")) == 120


def test_el_recibido_esta_en_todos_y_no_en_mis_casos(app, gente):
    propio = _caso(gente["capturista"], curp=None, nombre="Propia Sintetica")
    recibido = _recibido_por_a(gente)
    ana = _cliente(app, gente["capturista"])

    todos = unescape(ana.get("/casos/").get_data(as_text=True))
    assert set(ids_en(todos)) == {str(propio.id), str(recibido.id)}
    assert "Berta Ajena Sintetica" not in todos  # who works it at B is B's business
    assert re.search(r'aria-current="page"[^>]*>Todos los de mi institución', todos) or \
        re.search(r'href="/casos/"\s+aria-current="page">Todos los de mi institución', todos)
    assert "Todos los casos de INSTA" in todos

    mios = unescape(ana.get("/casos/?ver=mios").get_data(as_text=True))
    assert ids_en(mios) == [str(propio.id)]
    assert "<h2>Mis casos</h2>" in mios and 'aria-current="page">Mis casos' in mios
    # Filters keep the view: the filter form carries it.
    assert '<input type="hidden" name="ver" value="mios">' in mios
    assert ids_en(ana.get("/casos/?ver=mios&estado=registrado").get_data(as_text=True)) == [str(propio.id)]


def test_la_columna_responsable_nombra_a_cada_una(app, gente):
    de_ana = _caso(gente["capturista"], curp=None, nombre="De Ana Sintetica")
    de_rosa = _caso(gente["capturista2"], curp=None, nombre="De Rosa Sintetica")
    html = unescape(_cliente(app, gente["capturista"]).get("/casos/").get_data(as_text=True))
    filas = {re.search(r"/casos/([0-9a-f-]{36})\"", f).group(1): f for f in html.split("<tr")[1:] if "/casos/" in f}
    assert "<strong>Ana Capturista Sintetica</strong> (usted)" in filas[str(de_ana.id)]
    assert "Rosa Segunda Sintetica" in filas[str(de_rosa.id)]


def test_un_valor_de_ver_desconocido_se_ignora_con_una_nota(app, gente):
    caso = _caso(gente["supervisora"])
    html = unescape(_cliente(app, gente["capturista"]).get("/casos/?ver=de_otra").get_data(as_text=True))
    assert ids_en(html) == [str(caso.id)]
    assert '<p class="error">Se ignoró un filtro no válido (ver).</p>' in html


def test_mis_casos_hace_las_mismas_consultas_con_una_fila_o_con_una_pagina_llena(app, gente):
    ana = _cliente(app, gente["capturista"])
    _caso(gente["capturista"], curp=None, nombre="Unica Sintetica")
    con_una = _sentencias_de(ana, "/casos/?ver=mios")
    for i in range(55):
        servicios.registrar_caso(gente["capturista"], datos_de_caso(nombre=f"Persona Sintetica {i}", curp=None))
        servicios.registrar_caso(gente["supervisora"], datos_de_caso(nombre=f"Otra Sintetica {i}", curp=None))
    db.session.commit()
    con_pagina_llena = _sentencias_de(ana, "/casos/?ver=mios")
    assert len(con_pagina_llena) == len(con_una) <= SENTENCIAS_LISTA, "\n".join(con_pagina_llena)
