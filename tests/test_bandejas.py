"""The inboxes say first what waits for the person reading them, and their count on her home
is the list she lands on (a caseworker reviewer's three findings).

1. /aprobaciones/: a supervisora's own requests (four eyes: she may only withdraw them) were
   mixed with those she may resolve, urgent first, so at the Fiscalía the one she could act on
   was third, off a phone's screen, while her home said "1". Now "Esperan su decisión" first,
   then "Las que usted pidió", each urgent first; the home counts the first section.
2. /canalizaciones/: the home's "N canalizaciones recibidas esperan respuesta" led to a list
   mixing waiting, accepted and attended referrals. Now "Esperan su respuesta" first.
3. /pendientes: approvals read "Aprobación pendiente" or "Resolver la solicitud de aprobación".
   Now each says what waits and who must act, from the request's plain columns only.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones.modelos import SolicitudAprobacion
from tests.conftest import crear_usuaria, datos_de_caso, entrar, enviar
from tests.test_inicio import numero
from tests.test_movimientos_ilegales import mover_caso, pedir_canalizacion, resolver, responder
from tests.test_ordenes_y_pendientes import GRAVES, mover, valorar

pytestmark = pytest.mark.reloj  # deadlines (pendientes, referral answers) counted from now


def registrar(usuaria, nombre: str) -> Caso:
    caso = servicios.registrar_caso(usuaria, datos_de_caso(nombre=nombre))
    db.session.commit()
    return caso


def solicitud_del_caso(caso) -> SolicitudAprobacion:
    db.session.rollback()
    return db.session.scalars(sa.select(SolicitudAprobacion).where(
        SolicitudAprobacion.caso_id == caso.id, SolicitudAprobacion.estado == "pendiente")).one()


def _texto(fragmento: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragmento))).strip()


def sesion(app, usuaria):
    cliente = app.test_client()
    assert entrar(cliente, usuaria).status_code == 302
    return cliente


# ---- 1. the approval inbox ------------------------------------------------------------------------

def aprobaciones(cliente) -> dict:
    """The inbox as she reads it: each section's title, its items in order (the case named,
    the forms it offers) and what it says when empty; `orden`, the titles top to bottom."""
    respuesta = cliente.get("/aprobaciones/")
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    secciones = {}
    for clave, cuerpo in re.findall(r'<section class="tarjeta" id="(esperan|suyas)"[^>]*>(.*?)</section>',
                                    html, re.S):
        items = []
        for articulo in re.findall(r'<article class="solicitud[^"]*">(.*?)</article>', cuerpo, re.S):
            items.append({
                "caso": _texto(re.search(r'Caso: <a href="/casos/[^"]+">(.*?)</a>', articulo, re.S).group(1)),
                "urgente": "URGENTE" in re.search(r"<h3>(.*?)</h3>", articulo, re.S).group(1),
                "acciones": re.findall(r'action="([^"]+)"', articulo),
                "botones": [_texto(b) for b in re.findall(r"<button[^>]*>(.*?)</button>", articulo, re.S)],
            })
        secciones[clave] = {
            "titulo": _texto(re.search(r"<h2[^>]*>(.*?)</h2>", cuerpo, re.S).group(1)),
            "items": items,
            "vacia": None if items else _texto(re.search(r"</h2>\s*<p>(.*?)</p>", cuerpo, re.S).group(1)),
        }
    orden = [_texto(t) for t in re.findall(r'<h2 id="titulo-(?:esperan|suyas)">(.*?)</h2>', html, re.S)]
    return {"secciones": secciones, "orden": orden, "html": unescape(html)}


def casos_de(bandeja, clave) -> list[str]:
    return [i["caso"] for i in bandeja["secciones"][clave]["items"]]


@pytest.fixture
def cuatro_solicitudes(cuentas, como) -> dict[str, Caso]:
    """The Fiscalía's morning: two requests of the supervisora herself (one on an urgent case),
    two of the capturista (one urgent); in each pair the ordinary one was made first, so
    "urgent first" and "oldest first" disagree."""
    supervisora, capturista = como("supervisora"), como("capturista")
    casos = {
        "propia_normal": registrar(cuentas["supervisora"], "Propia Normal Sintetica"),
        "propia_urgente": registrar(cuentas["supervisora"], "Propia Urgente Sintetica"),
        "ajena_normal": registrar(cuentas["capturista"], "Ajena Normal Sintetica"),
        "ajena_urgente": registrar(cuentas["capturista"], "Ajena Urgente Sintetica"),
    }
    mover(casos["propia_urgente"], urgente=True)
    mover(casos["ajena_urgente"], urgente=True)
    assert mover_caso(supervisora, casos["propia_normal"], "cerrar", motivo="Concluyó").status_code == 302
    assert mover_caso(supervisora, casos["propia_urgente"], "cerrar", motivo="Concluyó").status_code == 302
    assert mover_caso(capturista, casos["ajena_normal"], "cerrar", motivo="Concluyó").status_code == 302
    assert pedir_canalizacion(capturista, casos["ajena_urgente"], cuentas.institucion_b).status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SolicitudAprobacion).where(
        SolicitudAprobacion.estado == "pendiente")) == 4
    return casos


def test_primero_lo_que_espera_su_decision_y_despues_lo_que_ella_pidio(cuentas, como, cuatro_solicitudes):
    supervisora = como("supervisora")
    bandeja = aprobaciones(supervisora)
    assert bandeja["orden"] == ["Esperan su decisión (2)", "Las que usted pidió (2)"]
    # Each section urgent first, although the ordinary request of each pair is older.
    assert casos_de(bandeja, "esperan") == ["Ajena Urgente Sintetica", "Ajena Normal Sintetica"]
    assert casos_de(bandeja, "suyas") == ["Propia Urgente Sintetica", "Propia Normal Sintetica"]
    assert [i["urgente"] for i in bandeja["secciones"]["esperan"]["items"]] == [True, False]
    assert [i["urgente"] for i in bandeja["secciones"]["suyas"]["items"]] == [True, False]
    # What she may decide: approve or reject. What she asked for: only withdraw.
    for item in bandeja["secciones"]["esperan"]["items"]:
        assert item["botones"] == ["Aprobar", "Rechazar"]
        assert len(item["acciones"]) == 1 and re.fullmatch(r"/aprobaciones/[0-9a-f-]{36}", item["acciones"][0])
    for item in bandeja["secciones"]["suyas"]["items"]:
        assert item["botones"] == ["Retirar mi solicitud"]
        assert len(item["acciones"]) == 1 and re.fullmatch(r"/solicitudes/[0-9a-f-]{36}/retirar",
                                                            item["acciones"][0])
    # The count on her home is the first section.
    assert numero(supervisora, "solicitud") == len(bandeja["secciones"]["esperan"]["items"]) == 2


def test_la_cuenta_del_inicio_es_la_seccion_esperan_su_decision(app, cuentas, como, cuatro_solicitudes):
    supervisora = como("supervisora")
    colega = sesion(app, crear_usuaria("supervisora", cuentas.institucion_a))

    # Her colleague asked for none of them: all four wait for her, urgent first, then oldest.
    bandeja = aprobaciones(colega)
    assert casos_de(bandeja, "esperan") == ["Propia Urgente Sintetica", "Ajena Urgente Sintetica",
                                            "Propia Normal Sintetica", "Ajena Normal Sintetica"]
    assert casos_de(bandeja, "suyas") == []
    assert bandeja["secciones"]["suyas"]["vacia"] == "Usted no tiene solicitudes pendientes."
    assert numero(colega, "solicitud") == 4

    # She resolves one; the colleague another: what is left for her, on her home and on top.
    assert resolver(supervisora, solicitud_del_caso(cuatro_solicitudes["ajena_normal"])).status_code == 302
    bandeja = aprobaciones(supervisora)
    assert casos_de(bandeja, "esperan") == ["Ajena Urgente Sintetica"]
    assert numero(supervisora, "solicitud") == 1
    assert resolver(colega, solicitud_del_caso(cuatro_solicitudes["ajena_urgente"])).status_code == 302
    bandeja = aprobaciones(supervisora)
    assert casos_de(bandeja, "esperan") == []
    assert bandeja["secciones"]["esperan"]["vacia"] == "Ninguna solicitud espera su decisión."
    assert bandeja["orden"] == ["Esperan su decisión (0)", "Las que usted pidió (2)"]
    assert numero(supervisora, "solicitud") == 0
    assert numero(colega, "solicitud") == len(aprobaciones(colega)["secciones"]["esperan"]["items"]) == 2

    # The withdraw control of her own section still works.
    accion = bandeja["secciones"]["suyas"]["items"][0]["acciones"][0]
    solicitud = solicitud_del_caso(cuatro_solicitudes["propia_urgente"])
    assert accion == f"/solicitudes/{solicitud.id}/retirar"
    respuesta = enviar(supervisora, accion, {"version": str(solicitud.version)}, pagina="/aprobaciones/")
    assert respuesta.status_code == 302
    assert casos_de(aprobaciones(supervisora), "suyas") == ["Propia Normal Sintetica"]
    assert numero(colega, "solicitud") == len(aprobaciones(colega)["secciones"]["esperan"]["items"]) == 1


def test_una_bandeja_vacia_lo_dice_una_vez(como):
    bandeja = aprobaciones(como("supervisora"))
    assert bandeja["secciones"] == {} and bandeja["orden"] == []
    assert "No hay solicitudes pendientes." in bandeja["html"]


# ---- 2. the received referrals -----------------------------------------------------------------

def recibidas(cliente) -> dict[str, list[dict]]:
    """The received referrals' two tables: for each row its referral id and each cell by its
    data-etiqueta (the phone card's labels); `orden`, the headings top to bottom."""
    respuesta = cliente.get("/canalizaciones/")
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    tablas: dict = {"orden": [_texto(t) for t in re.findall(r'<h2 id="titulo-(?:esperan|otras)">(.*?)</h2>',
                                                            html, re.S)]}
    for clave, cuerpo in re.findall(r'<section aria-labelledby="titulo-(esperan|otras)">(.*?)</section>', html, re.S):
        filas = []
        if '<table class="apilable"' in cuerpo:
            for fila in re.findall(r"<tbody>(.*?)</tbody>", cuerpo, re.S)[0].split("</tr>")[:-1]:
                celdas = dict(re.findall(r'<td[^>]*data-etiqueta="([^"]+)"[^>]*>(.*?)</td>', fila, re.S))
                filas.append({"id": re.search(r'href="/canalizaciones/([0-9a-f-]{36})"', fila).group(1),
                              **{k: _texto(v) for k, v in celdas.items()}})
        else:
            filas = _texto(re.search(r"<p>(.*?)</p>", cuerpo, re.S).group(1))
        tablas[clave] = filas
    return tablas


def test_las_que_esperan_respuesta_van_primero_y_son_las_que_cuenta_el_inicio(cuentas, como):
    capturista, supervisora, receptora = como("capturista"), como("supervisora"), como("capturista_b")
    enviadas = {}
    for nombre, urgente in (("Primera", False), ("Segunda", False), ("Tercera", False), ("Cuarta", True)):
        caso = registrar(cuentas["capturista"], f"Mujer {nombre} Sintetica")
        if urgente:  # sent urgent: answered within 24 hours, not 72
            mover(caso, urgente=True)
        assert pedir_canalizacion(capturista, caso, cuentas.institucion_b).status_code == 302
        assert resolver(supervisora, solicitud_del_caso(caso)).status_code == 302
        db.session.rollback()
        enviadas[nombre] = db.session.scalars(sa.select(Canalizacion).where(Canalizacion.caso_id == caso.id)).one()
    assert numero(receptora, "canalizaci") == 4

    # Institution B answers two: one accepted, one accepted and reported back.
    assert responder(receptora, enviadas["Primera"], "aceptar").status_code == 302
    assert responder(receptora, enviadas["Segunda"], "aceptar").status_code == 302
    assert responder(receptora, enviadas["Segunda"], "contrarreferir", servicios_prestados=["juridica"],
                     nota="Se dio asesoría (sintético)").status_code == 302

    tablas = recibidas(receptora)
    assert tablas["orden"] == ["Esperan su respuesta (2)", "Otras canalizaciones recibidas (2)"]
    # Waiting for an answer: the soonest deadline first (the urgent one, sent last).
    assert [f["id"] for f in tablas["esperan"]] == [str(enviadas["Cuarta"].id), str(enviadas["Tercera"].id)]
    assert "URGENTE" in tablas["esperan"][0]["Responder antes de"]
    assert {f["id"]: f["Estado"] for f in tablas["otras"]} == {
        str(enviadas["Primera"].id): "Aceptada", str(enviadas["Segunda"].id): "Atendida (con contrarreferencia)"}
    # The count on the home is the rows under "Esperan su respuesta".
    assert numero(receptora, "canalizaci") == len(tablas["esperan"]) == 2
    # Phone cards: every cell but the action labelled with its column.
    for fila in tablas["esperan"]:
        assert set(fila) == {"id", "De", "Servicios", "Responder antes de"}
        assert fila["De"] == cuentas.institucion_a.nombre
    for fila in tablas["otras"]:
        assert set(fila) == {"id", "De", "Servicios", "Estado"}

    # She accepts one more: it moves down, and the home follows.
    assert responder(receptora, enviadas["Cuarta"], "aceptar").status_code == 302
    tablas = recibidas(receptora)
    assert [f["id"] for f in tablas["esperan"]] == [str(enviadas["Tercera"].id)]
    assert len(tablas["otras"]) == 3
    assert numero(receptora, "canalizaci") == len(tablas["esperan"]) == 1
    assert responder(receptora, enviadas["Tercera"], "rechazar", motivo="Fuera de su competencia").status_code == 302
    tablas = recibidas(receptora)
    assert tablas["esperan"] == "Ninguna canalización recibida espera su respuesta."
    assert numero(receptora, "canalizaci") == 0
    assert tablas["orden"] == ["Esperan su respuesta (0)", "Otras canalizaciones recibidas (3)"]


def test_sin_canalizaciones_recibidas_lo_dice_una_vez(como):
    tablas = recibidas(como("capturista_b"))
    assert tablas == {"orden": []}
    assert "Su institución no tiene canalizaciones por atender." in como("capturista_b").get(
        "/canalizaciones/").get_data(as_text=True)


# ---- 3. what each approval says in Pendientes ----------------------------------------------------

def pendientes_de_aprobacion(cliente, **consulta) -> dict[str, tuple[str, str]]:
    """Pendientes' approvals: what it says -> (the case it names, where it leads)."""
    html = cliente.get("/pendientes", query_string={"tipo": "aprobacion", **consulta}).get_data(as_text=True)
    items = re.findall(r'<li class="pendiente[ a-z-]*">(.*?)</li>', html, re.S)
    resultado = {}
    for item in items:
        enlace, que = re.search(r'<a class="pendiente-que" href="([^"]+)">(.*?)</a>', item, re.S).groups()
        caso = re.search(r'<span class="pendiente-caso">(.*?)</span>', item, re.S).group(1)
        resultado[_texto(que)] = (_texto(caso), unescape(enlace))
    assert len(resultado) == len(items)
    return resultado


MOTIVO_ENVIO = "Motivo canario del envio"
MOTIVO_CIERRE = "Motivo canario del cierre"


def test_cada_aprobacion_dice_que_espera_y_quien_debe_actuar(app, cuentas, como):
    capturista, supervisora = como("capturista"), como("supervisora")
    casos = {k: registrar(cuentas["capturista"], f"Mujer {k} Sintetica") for k in ("Envio", "Cierre", "Nivel")}
    assert pedir_canalizacion(capturista, casos["Envio"], cuentas.institucion_b, motivo=MOTIVO_ENVIO).status_code == 302
    assert mover_caso(capturista, casos["Cierre"], "cerrar", motivo=MOTIVO_CIERRE).status_code == 302
    valorar(capturista, casos["Nivel"], si=GRAVES)
    valorar(capturista, casos["Nivel"])  # every answer "no": a lower level, waiting for approval
    db.session.rollback()
    assert sorted((s.entidad, s.evento) for s in db.session.scalars(sa.select(SolicitudAprobacion))) == [
        ("canalizacion", "enviar"), ("caso", "cerrar"), ("valoracion_riesgo", "aplicar")]
    id_de = {k: str(c.id) for k, c in casos.items()}

    # The supervisora who may resolve them: what to approve, leading to her inbox.
    assert pendientes_de_aprobacion(supervisora) == {
        "Aprobar el envío de una canalización": ("Mujer Envio Sintetica", "/aprobaciones/"),
        "Aprobar el cierre del caso": ("Mujer Cierre Sintetica", "/aprobaciones/"),
        "Aprobar bajar el nivel de riesgo": ("Mujer Nivel Sintetica", "/aprobaciones/"),
    }
    # Who asked: hers, waiting; on the case's page, where she may withdraw it.
    assert pendientes_de_aprobacion(capturista) == {
        "Su solicitud espera aprobación: envío de una canalización": ("Mujer Envio Sintetica", f"/casos/{id_de['Envio']}"),
        "Su solicitud espera aprobación: cierre del caso": ("Mujer Cierre Sintetica", f"/casos/{id_de['Cierre']}"),
        "Su solicitud espera aprobación: bajar el nivel de riesgo": ("Mujer Nivel Sintetica", f"/casos/{id_de['Nivel']}"),
    }
    # A colleague who neither asked nor may approve, looking at the institution's: a supervisora must.
    companera = sesion(app, crear_usuaria("capturista", cuentas.institucion_a))
    assert sorted(pendientes_de_aprobacion(companera, ver="institucion")) == [
        "Espera la aprobación de una supervisora: bajar el nivel de riesgo",
        "Espera la aprobación de una supervisora: cierre del caso",
        "Espera la aprobación de una supervisora: envío de una canalización"]
    # A supervisora's own request is hers to wait for, not to approve.
    propio = registrar(cuentas["supervisora"], "Propio De La Supervisora Sintetico")
    assert mover_caso(supervisora, propio, "cerrar", motivo=MOTIVO_CIERRE).status_code == 302
    suyas = pendientes_de_aprobacion(supervisora)
    assert suyas["Su solicitud espera aprobación: cierre del caso"] == (
        "Propio De La Supervisora Sintetico", f"/casos/{propio.id}")
    assert len(suyas) == 4

    # Nothing of what the request carries beyond its kind: not the reasons typed (encrypted),
    # nor where the referral goes or what it would share (the inbox's description).
    for cliente, consulta in ((supervisora, {}), (capturista, {}), (companera, {"ver": "institucion"})):
        html = unescape(cliente.get("/pendientes", query_string=consulta).get_data(as_text=True))
        for ajeno in (MOTIVO_ENVIO, MOTIVO_CIERRE, cuentas.institucion_b.nombre, "Verá:", "Servicios:",
                      "propuesto"):
            assert ajeno not in html, ajeno
