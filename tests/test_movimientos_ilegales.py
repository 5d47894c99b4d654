"""Illegal moves, tried through the pages as a person (or a forged form) would: each is refused
with a clear Spanish message and changes nothing — no state, no version, no history row, no new
approval request. Versions come from the rendered pages, as a browser sends them."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from casos.bd import ahora
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso, Consentimiento, ValoracionRiesgo
from casos.extensiones import db
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso, entrar, enviar, errores_del_campo
from tests.test_intake import revocacion

CONFLICTO = ("Alguien más cambió esto mientras usted lo veía; nada se guardó. "
             "Recargue la página para ver el estado actual.")
SIN_PERMISO = "Su cuenta no puede hacer esta acción en este caso."
NO_ENCONTRADO = "La página que busca no existe o no está disponible para su cuenta."


# ---- helpers shared with tests/test_ordenes_y_pendientes.py -----------------------------------

def version_en(html: str, accion: str) -> str:
    """The version carried by the form of one action button (value="<evento>") on a page."""
    bloque = html[html.index(f'name="evento" value="{accion}"'):]
    return re.search(r'name="version" value="(\d+)"', bloque).group(1)


def version_de_solicitud(html: str, solicitud_id) -> str:
    """The version in the approval inbox's form for one request."""
    bloque = html[html.index(f'action="/aprobaciones/{solicitud_id}"'):]
    return re.search(r'name="version" value="(\d+)"', bloque).group(1)


def mensajes(cliente, respuesta, categoria: str | None = None) -> list[str]:
    """The flashed messages shown on the page a POST redirected to."""
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-800:]
    html = cliente.get(respuesta.location).get_data(as_text=True)
    encontrados = re.findall(r'<div class="mensaje ([a-z]+)" role="[a-z]+">(.*?)</div>', html, re.S)
    return [unescape(texto).strip() for clase, texto in encontrados if categoria in (None, clase)]


def errores(cliente, respuesta) -> list[str]:
    return mensajes(cliente, respuesta, "error")


def foto() -> dict:
    """Everything a move could change: each workflow row's state and version (and the
    referral's dates), and how many history rows and approval requests exist."""
    db.session.rollback()
    filas: dict = {}
    for modelo in (Caso, Canalizacion, SolicitudAprobacion, OrdenProteccion, ValoracionRiesgo):
        for fila in db.session.scalars(select(modelo)):
            filas[(modelo.__tablename__, fila.id)] = (fila.estado, fila.version)
    for c in db.session.scalars(select(Canalizacion)):
        filas[("fechas", c.id)] = (c.enviada_en, c.plazo_respuesta, c.respondida_en, c.atendida_en)
    filas["historial"] = db.session.query(HistorialTransicion).count()
    filas["solicitudes"] = db.session.query(SolicitudAprobacion).count()
    filas["canalizaciones"] = db.session.query(Canalizacion).count()
    return filas


def pedir_canalizacion(cliente, caso, destino, servicios_=("juridica",), motivo="Asesoría (sintético)"):
    return enviar(cliente, f"/canalizaciones/nueva/{caso.id}", {
        "destino_id": str(destino.id), "servicios": list(servicios_), "motivo": motivo})


def resolver(cliente, solicitud, decision="aprobar", motivo="", version=None):
    """Approve or reject from the inbox, with the version the inbox shows."""
    if version is None:
        version = version_de_solicitud(cliente.get("/aprobaciones/").get_data(as_text=True), solicitud.id)
    return enviar(cliente, f"/aprobaciones/{solicitud.id}",
                  {"decision": decision, "version": version, "motivo": motivo}, pagina="/aprobaciones/")


def responder(cliente, canalizacion, evento, version=None, **extra):
    """Act on a referral from its page (accept, reject, counter-refer…)."""
    pagina = f"/canalizaciones/{canalizacion.id}"
    if version is None:
        version = version_en(cliente.get(pagina).get_data(as_text=True), evento)
    return enviar(cliente, f"{pagina}/responder", {"evento": evento, "version": version, **extra},
                  pagina=pagina)


def mover_caso(cliente, caso, evento, version=None, motivo=None, *, pagina=None):
    pagina = pagina or f"/casos/{caso.id}"
    if version is None:
        version = version_en(cliente.get(pagina).get_data(as_text=True), evento)
    datos = {"evento": evento, "version": version}
    if motivo is not None:
        datos["motivo"] = motivo
    return enviar(cliente, f"/casos/{caso.id}/transicion", datos, pagina=pagina)


def canalizacion_unica() -> Canalizacion:
    db.session.rollback()
    return db.session.scalars(select(Canalizacion)).one()


def solicitud_de(evento: str) -> SolicitudAprobacion:
    db.session.rollback()
    return db.session.scalars(select(SolicitudAprobacion).where(
        SolicitudAprobacion.evento == evento, SolicitudAprobacion.estado == "pendiente")).one()


# ---- fixtures --------------------------------------------------------------------------------

@pytest.fixture
def caso(app, cuentas) -> Caso:
    """A case of institution A whose consent allows referring it to a CJM (institution B)."""
    registrado = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm", "salud"], datos_compartibles=["identidad"]))
    db.session.commit()
    return registrado


@pytest.fixture
def enviada(caso, cuentas, como) -> Canalizacion:
    """A referral from A to B, requested by A's capturista and approved by A's supervisora."""
    assert pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b).status_code == 302
    supervisora = como("supervisora")
    assert mensajes(supervisora, resolver(supervisora, solicitud_de("enviar")), "exito") == [
        "Solicitud aprobada."]
    canalizacion = canalizacion_unica()
    assert canalizacion.estado == "enviada"
    return canalizacion


# ---- the case ---------------------------------------------------------------------------------

def test_un_movimiento_desde_el_estado_equivocado(caso, como):
    capturista = como("capturista")
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    # "Pasar a seguimiento" is not offered to a case just registered…
    assert 'value="dar_seguimiento"' not in pagina
    antes = foto()
    # …and a forged form with the version the page shows is refused.
    respuesta = mover_caso(capturista, caso, "dar_seguimiento", version=version_en(pagina, "atender"))
    assert errores(capturista, respuesta) == [
        "No se puede «pasar a seguimiento» cuando el estado es «Registrado»."]
    assert foto() == antes


def test_un_evento_desconocido(caso, como):
    capturista = como("capturista")
    version = version_en(capturista.get(f"/casos/{caso.id}").get_data(as_text=True), "atender")
    antes = foto()
    for evento in ("borrar", "to_cerrado", "", "aprobar"):
        respuesta = mover_caso(capturista, caso, evento, version=version)
        assert errores(capturista, respuesta) == ["Esa acción no existe."], evento
    assert foto() == antes


def test_cerrar_sin_aprobacion_solo_crea_una_solicitud(caso, como):
    capturista = como("capturista")
    antes = foto()
    respuesta = mover_caso(capturista, caso, "cerrar", motivo="Concluyó la atención")
    assert mensajes(capturista, respuesta, "exito") == ["Solicitud enviada a supervisión: «Cerrar el caso»."]
    despues = foto()
    # The case did not move: same state, same version; only a pending request was added.
    assert despues[("caso", caso.id)] == antes[("caso", caso.id)] == ("registrado", 1)
    assert despues["historial"] == antes["historial"]
    assert despues["solicitudes"] == antes["solicitudes"] + 1
    solicitud = solicitud_de("cerrar")
    assert solicitud.entidad == "caso" and solicitud.entidad_id == caso.id
    assert solicitud.motivo == "Concluyó la atención"
    # The case page says it is waiting for approval; a second request is refused.
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Pendiente de aprobación: Cerrar el caso." in pagina
    antes = foto()
    respuesta = mover_caso(capturista, caso, "cerrar", motivo="Otra vez")
    assert errores(capturista, respuesta) == ["Ya hay una solicitud pendiente para esta acción."]
    assert foto() == antes


def test_pedir_el_cierre_sin_motivo(caso, como):
    capturista = como("capturista")
    antes = foto()
    respuesta = mover_caso(capturista, caso, "cerrar", motivo="   ")
    assert errores(capturista, respuesta) == ["Escriba el motivo."]
    assert foto() == antes


def test_una_pagina_vieja_no_pisa_el_estado(caso, como):
    capturista = como("capturista")
    vieja = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert mensajes(capturista, mover_caso(capturista, caso, "atender", pagina=None), "exito") == [
        "Listo: iniciar atención."]
    antes = foto()
    assert antes[("caso", caso.id)] == ("en_atencion", 2)
    # The old page's "cerrar" and "atender" forms carry version 1.
    for evento, motivo in (("atender", None), ("cerrar", "Concluyó")):
        respuesta = mover_caso(capturista, caso, evento, version=version_en(vieja, evento), motivo=motivo)
        assert errores(capturista, respuesta) == [CONFLICTO], evento
    assert foto() == antes


def test_una_version_ilegible_no_mueve_nada(caso, como):
    capturista = como("capturista")
    antes = foto()
    for version in ("", "dos", "1.0"):
        respuesta = mover_caso(capturista, caso, "atender", version=version)
        assert errores(capturista, respuesta) == [
            "La página no está completa; recárguela e intente de nuevo."]
    assert foto() == antes


def test_otra_institucion_no_mueve_un_caso_ajeno(caso, como):
    for clave in ("capturista_b", "supervisora_b"):
        ajena = como(clave)
        antes = foto()
        assert ajena.get(f"/casos/{caso.id}").status_code == 404
        # A valid token from her own home page: only the scope can stop the POST.
        for evento in ("atender", "cerrar"):
            respuesta = enviar(ajena, f"/casos/{caso.id}/transicion",
                               {"evento": evento, "version": "1", "motivo": "x"}, pagina="/")
            assert respuesta.status_code == 404
            assert NO_ENCONTRADO in respuesta.get_data(as_text=True)
            assert "Canaria" not in respuesta.get_data(as_text=True)
        assert foto() == antes


@pytest.mark.parametrize("clave", ["gestora", "admin"])
def test_otros_roles_no_mueven_casos(caso, como, clave):
    cliente = como(clave)
    antes = foto()
    respuesta = enviar(cliente, f"/casos/{caso.id}/transicion", {"evento": "atender", "version": "1"},
                       pagina="/")
    assert respuesta.status_code == 403
    assert "Su cuenta no tiene permiso para esta acción." in respuesta.get_data(as_text=True)
    assert foto() == antes


# ---- approvals (four eyes) ---------------------------------------------------------------------

@pytest.fixture
def cierre_pedido(caso, como) -> SolicitudAprobacion:
    assert mover_caso(como("capturista"), caso, "cerrar", motivo="Concluyó").status_code == 302
    return solicitud_de("cerrar")


def test_una_capturista_no_aprueba(cierre_pedido, como):
    capturista = como("capturista")
    assert capturista.get("/aprobaciones/").status_code == 403
    antes = foto()
    respuesta = enviar(capturista, f"/aprobaciones/{cierre_pedido.id}",
                       {"decision": "aprobar", "version": str(cierre_pedido.version)}, pagina="/")
    assert respuesta.status_code == 403
    assert "Su cuenta no tiene permiso para esta acción." in respuesta.get_data(as_text=True)
    assert foto() == antes


def test_una_supervisora_no_aprueba_su_propia_solicitud(app, caso, cuentas, como):
    supervisora = como("supervisora")
    assert mover_caso(supervisora, caso, "cerrar", motivo="Lo pido yo").status_code == 302
    solicitud = solicitud_de("cerrar")
    bandeja = supervisora.get("/aprobaciones/").get_data(as_text=True)
    # Her inbox shows it, without the form to resolve it…
    assert "Usted hizo esta solicitud: otra supervisora debe resolverla, o usted puede retirarla." in bandeja
    assert f'action="/aprobaciones/{solicitud.id}"' not in bandeja
    # …and a forged form, with the version another supervisora's inbox shows, is refused.
    colega = crear_usuaria("supervisora", cuentas.institucion_a)
    otra = app.test_client()
    assert entrar(otra, colega).status_code == 302
    version = version_de_solicitud(otra.get("/aprobaciones/").get_data(as_text=True), solicitud.id)
    antes = foto()
    for decision in ("aprobar", "rechazar"):
        respuesta = resolver(supervisora, solicitud, decision, motivo="Me lo apruebo", version=version)
        assert errores(supervisora, respuesta) == [
            "No puede aprobar ni rechazar una solicitud que usted misma hizo."]
    assert foto() == antes
    # The colleague can.
    assert mensajes(otra, resolver(otra, solicitud), "exito") == ["Solicitud aprobada."]
    db.session.rollback()
    assert db.session.get(Caso, caso.id).estado == "cerrado"


def test_una_supervisora_de_otra_institucion_no_resuelve(cierre_pedido, como):
    ajena = como("supervisora_b")
    assert "No hay solicitudes pendientes." in ajena.get("/aprobaciones/").get_data(as_text=True)
    antes = foto()
    for decision in ("aprobar", "rechazar"):
        respuesta = enviar(ajena, f"/aprobaciones/{cierre_pedido.id}",
                           {"decision": decision, "version": str(cierre_pedido.version),
                            "motivo": "No es mío"}, pagina="/aprobaciones/")
        assert respuesta.status_code == 404
        assert NO_ENCONTRADO in respuesta.get_data(as_text=True)
    assert foto() == antes


def test_rechazar_una_solicitud_sin_motivo(cierre_pedido, caso, como):
    supervisora = como("supervisora")
    antes = foto()
    for motivo in ("", "  "):
        respuesta = resolver(supervisora, cierre_pedido, "rechazar", motivo=motivo)
        assert errores(supervisora, respuesta) == ["Escriba el motivo."]
    assert foto() == antes
    # With a reason it is rejected, and the case stays open.
    assert mensajes(supervisora, resolver(supervisora, cierre_pedido, "rechazar", motivo="Falta el plan"),
                    "exito") == ["Solicitud rechazada."]
    db.session.rollback()
    assert db.session.get(SolicitudAprobacion, cierre_pedido.id).estado == "rechazada"
    assert db.session.get(Caso, caso.id).estado == "registrado"


def test_una_decision_desconocida_o_una_solicitud_ya_resuelta(cierre_pedido, caso, como):
    supervisora = como("supervisora")
    bandeja = supervisora.get("/aprobaciones/").get_data(as_text=True)
    version = version_de_solicitud(bandeja, cierre_pedido.id)
    antes = foto()
    respuesta = resolver(supervisora, cierre_pedido, "borrar", version=version)
    assert errores(supervisora, respuesta) == ["Elija aprobar o rechazar."]
    assert foto() == antes
    assert mensajes(supervisora, resolver(supervisora, cierre_pedido, version=version), "exito") == [
        "Solicitud aprobada."]
    antes = foto()
    # The same inbox page, sent again: it changed meanwhile.
    respuesta = resolver(supervisora, cierre_pedido, "rechazar", motivo="Ya no", version=version)
    assert errores(supervisora, respuesta) == [CONFLICTO]
    # With the current version: it is no longer pending.
    respuesta = resolver(supervisora, cierre_pedido, "rechazar", motivo="Ya no",
                         version=str(int(version) + 1))
    assert errores(supervisora, respuesta) == ["No se puede «rechazar» cuando el estado es «Aprobada»."]
    assert foto() == antes


# ---- referrals --------------------------------------------------------------------------------

def test_canalizar_a_la_propia_institucion(caso, cuentas, como):
    capturista = como("capturista")
    formulario = capturista.get(f"/canalizaciones/nueva/{caso.id}").get_data(as_text=True)
    assert f'value="{cuentas.institucion_a.id}"' not in formulario  # never offered
    antes = foto()
    respuesta = pedir_canalizacion(capturista, caso, cuentas.institucion_a)
    assert respuesta.status_code == 200
    assert errores_del_campo(respuesta.get_data(as_text=True), "destino_id") == [
        "No se puede canalizar un caso a su propia institución."]
    assert foto() == antes


def test_canalizar_a_un_tipo_de_institucion_que_el_consentimiento_no_permite(caso, como):
    refugio = crear_institucion("REFU", "refugio")  # the consent allows cjm and salud only
    capturista = como("capturista")
    assert f'value="{refugio.id}"' not in capturista.get(
        f"/canalizaciones/nueva/{caso.id}").get_data(as_text=True)
    antes = foto()
    respuesta = pedir_canalizacion(capturista, caso, refugio)
    assert respuesta.status_code == 200
    assert errores_del_campo(respuesta.get_data(as_text=True), "destino_id") == [
        "El consentimiento de la mujer no permite canalizar a esa institución."]
    assert foto() == antes


def test_canalizar_a_una_institucion_inactiva(caso, cuentas, como):
    salud = crear_institucion("SSZ", "salud")
    salud.activa = False
    db.session.commit()
    antes = foto()
    respuesta = pedir_canalizacion(como("capturista"), caso, salud)
    assert errores_del_campo(respuesta.get_data(as_text=True), "destino_id") == [
        "El consentimiento de la mujer no permite canalizar a esa institución."]
    assert foto() == antes


@pytest.mark.parametrize("como_termina", ["revocado", "vencido"])
def test_canalizar_sin_consentimiento_vigente(caso, cuentas, como, como_termina):
    capturista = como("capturista")
    if como_termina == "revocado":
        respuesta = enviar(capturista, f"/casos/{caso.id}/consentimiento/revocar", revocacion())
        assert "Consentimiento revocado" in mensajes(capturista, respuesta)[0]
    else:
        db.session.rollback()
        consentimiento = db.session.scalars(select(Consentimiento).where(
            Consentimiento.caso_id == caso.id)).one()
        consentimiento.vigente_hasta = (ahora() - timedelta(days=2)).date()
        db.session.commit()
    pagina_caso = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Sin un consentimiento vigente el caso no puede canalizarse." in pagina_caso
    assert "Canalizar a otra institución</a>" not in pagina_caso
    formulario = capturista.get(f"/canalizaciones/nueva/{caso.id}").get_data(as_text=True)
    assert "El consentimiento de la mujer no permite canalizar a ninguna institución" in formulario
    antes = foto()
    # A form kept open from before: the token from the case page, B as destination.
    respuesta = enviar(capturista, f"/canalizaciones/nueva/{caso.id}", {
        "destino_id": str(cuentas.institucion_b.id), "servicios": ["juridica"], "motivo": "x"},
        pagina=f"/casos/{caso.id}")
    assert respuesta.status_code == 200
    assert "El consentimiento de la mujer no permite canalizar a ninguna institución" in (
        respuesta.get_data(as_text=True))
    assert foto() == antes


def test_la_receptora_no_ve_ni_acepta_una_canalizacion_sin_aprobar(caso, cuentas, como):
    assert pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b).status_code == 302
    canalizacion = canalizacion_unica()
    assert canalizacion.estado == "por_aprobar"
    receptora = como("capturista_b")
    antes = foto()
    assert receptora.get(f"/canalizaciones/{canalizacion.id}").status_code == 404
    assert str(canalizacion.id) not in receptora.get("/canalizaciones/").get_data(as_text=True)
    for evento in ("aceptar", "rechazar"):
        respuesta = enviar(receptora, f"/canalizaciones/{canalizacion.id}/responder",
                           {"evento": evento, "version": str(canalizacion.version), "motivo": "x"},
                           pagina="/canalizaciones/")
        assert respuesta.status_code == 404
    assert foto() == antes
    # Once her supervisora approves, B sees it and may accept.
    supervisora = como("supervisora")
    assert mensajes(supervisora, resolver(supervisora, solicitud_de("enviar")), "exito") == [
        "Solicitud aprobada."]
    assert receptora.get(f"/canalizaciones/{canalizacion.id}").status_code == 200
    assert "Canalización actualizada: Aceptada." in mensajes(
        receptora, responder(receptora, canalizacion, "aceptar"))


def test_una_canalizacion_devuelta_vuelve_a_ser_invisible_para_la_receptora(caso, cuentas, como):
    assert pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b).status_code == 302
    supervisora = como("supervisora")
    assert errores(supervisora, resolver(supervisora, solicitud_de("enviar"), "rechazar")) == [
        "Escriba el motivo."]
    assert mensajes(supervisora, resolver(supervisora, solicitud_de("enviar"), "rechazar",
                                          motivo="Falta precisar el servicio"), "exito") == [
        "Solicitud rechazada."]
    canalizacion = canalizacion_unica()
    assert canalizacion.estado == "borrador" and canalizacion.enviada_en is None
    assert como("capturista_b").get(f"/canalizaciones/{canalizacion.id}").status_code == 404


def test_la_institucion_que_envia_no_acepta_su_propia_canalizacion(enviada, como):
    for clave in ("capturista", "supervisora"):
        cliente = como(clave)
        pagina = cliente.get(f"/canalizaciones/{enviada.id}").get_data(as_text=True)
        assert 'value="aceptar"' not in pagina and 'value="rechazar"' not in pagina
        antes = foto()
        for evento, extra in (("aceptar", {}), ("rechazar", {"motivo": "No"}),
                              ("contrarreferir", {"servicios_prestados": ["juridica"]})):
            respuesta = responder(cliente, enviada, evento, version=version_en(pagina, "cancelar"), **extra)
            assert errores(cliente, respuesta) == (
                [SIN_PERMISO] if evento != "contrarreferir"
                else ["No se puede «registrar contrarreferencia» cuando el estado es «Enviada»."]), evento
        assert foto() == antes


def test_la_receptora_no_concluye_ni_cancela(enviada, como):
    receptora = como("capturista_b")
    pagina = receptora.get(f"/canalizaciones/{enviada.id}").get_data(as_text=True)
    assert 'value="cancelar"' not in pagina
    antes = foto()
    respuesta = responder(receptora, enviada, "cancelar", version=version_en(pagina, "aceptar"),
                          motivo="No la queremos")
    assert errores(receptora, respuesta) == [SIN_PERMISO]
    assert foto() == antes


def test_aceptar_dos_veces(enviada, como):
    receptora = como("capturista_b")
    vista = receptora.get(f"/canalizaciones/{enviada.id}").get_data(as_text=True)
    version = version_en(vista, "aceptar")
    assert mensajes(receptora, responder(receptora, enviada, "aceptar", version=version), "exito") == [
        "Canalización actualizada: Aceptada."]
    antes = foto()
    # The same page again (a double click, or a colleague with the page open): it changed.
    otra = como("capturista_b")
    for cliente in (receptora, otra):
        assert errores(cliente, responder(cliente, enviada, "aceptar", version=version)) == [CONFLICTO]
    # With the version now on the page: accepting is no longer possible.
    actual = version_en(receptora.get(f"/canalizaciones/{enviada.id}").get_data(as_text=True),
                        "contrarreferir")
    assert errores(receptora, responder(receptora, enviada, "aceptar", version=actual)) == [
        "No se puede «aceptar» cuando el estado es «Aceptada»."]
    assert foto() == antes
    assert db.session.query(HistorialTransicion).filter_by(evento="aceptar").count() == 1


def test_rechazar_una_canalizacion_sin_motivo(enviada, como):
    receptora = como("capturista_b")
    antes = foto()
    for motivo in ("", "   "):
        assert errores(receptora, responder(receptora, enviada, "rechazar", motivo=motivo)) == [
            "Escriba el motivo."]
    assert foto() == antes
    assert como("capturista_b").get(f"/casos/{enviada.caso_id}").status_code == 404


def test_contrarreferir_sin_servicios(enviada, como):
    receptora = como("capturista_b")
    responder(receptora, enviada, "aceptar")
    antes = foto()
    assert errores(receptora, responder(receptora, enviada, "contrarreferir", nota="Nada")) == [
        "Marque los servicios que su institución prestó."]
    assert foto() == antes


def test_una_tercera_institucion_no_sabe_de_la_canalizacion(app, enviada):
    tercera = crear_institucion("INSTC", "cjm")
    ajena = crear_usuaria("capturista", tercera)
    cliente = app.test_client()
    assert entrar(cliente, ajena).status_code == 302
    antes = foto()
    assert cliente.get(f"/canalizaciones/{enviada.id}").status_code == 404
    respuesta = enviar(cliente, f"/canalizaciones/{enviada.id}/responder",
                       {"evento": "aceptar", "version": str(enviada.version)}, pagina="/canalizaciones/")
    assert respuesta.status_code == 404
    assert foto() == antes


def test_un_evento_desconocido_en_una_canalizacion(enviada, como):
    receptora = como("capturista_b")
    version = version_en(receptora.get(f"/canalizaciones/{enviada.id}").get_data(as_text=True), "aceptar")
    antes = foto()
    for evento in ("borrar", "enviar", "to_aceptada"):
        respuesta = responder(receptora, enviada, evento, version=version)
        mensaje = errores(receptora, respuesta)
        assert mensaje == (["Esa acción no existe."] if evento != "enviar"
                           else ["No se puede «enviar» cuando el estado es «Enviada»."]), evento
    assert foto() == antes
