"""Two people acting on the same thing at the same moment: exactly one wins, the other is told
that it changed meanwhile, and nothing is half-written. Real concurrent requests, each with
its own database connection (threads); `pytest -k concurrencia` selects these."""

from __future__ import annotations

import threading

import pytest

from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos.base import Flujo
from tests.conftest import CONTRASENA, crear_usuaria, datos_de_caso, entrar, token_csrf

CONFLICTO = "Alguien más cambió esto mientras usted lo veía"


def _en_paralelo(peticiones, *, encuentro=None):
    """Run the requests in threads started together; returns their responses."""
    salida = [None] * len(peticiones)
    errores = []

    def correr(i, peticion):
        try:
            salida[i] = peticion()
        except Exception as error:  # noqa: BLE001 - reported below, with its thread
            errores.append(error)

    hilos = [threading.Thread(target=correr, args=(i, p)) for i, p in enumerate(peticiones)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(timeout=60)
    assert not errores, errores
    return salida


@pytest.fixture
def encuentro(monkeypatch, motor_bd):
    """On PostgreSQL, hold both requests right after they read the row, so both saw the same
    version before either writes: the race is certain, not left to chance. (SQLite takes the
    write lock at BEGIN, so there the second request simply waits its turn.)"""
    if motor_bd != "postgresql":
        return
    barrera = threading.Barrier(2, timeout=20)
    original = Flujo.comprobar
    hilo = threading.local()

    def comprobar_y_esperar(self, *args, **kwargs):
        resultado = original(self, *args, **kwargs)
        # Only the requests' threads wait, and only at their first check.
        if threading.current_thread() is not threading.main_thread() and not getattr(hilo, "espero", False):
            hilo.espero = True
            barrera.wait()
        return resultado

    monkeypatch.setattr(Flujo, "comprobar", comprobar_y_esperar)


def _cliente(app, usuaria):
    cliente = app.test_client()
    assert entrar(cliente, usuaria, CONTRASENA).status_code == 302
    return cliente, token_csrf(cliente, "/")


def _mensaje(cliente, respuesta) -> str:
    return cliente.get(respuesta.location).get_data(as_text=True)


def test_concurrencia_dos_personas_mueven_el_mismo_caso(app, cuentas, encuentro):
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    version, ruta = caso.version, f"/casos/{caso.id}/transicion"  # read before the threads start
    personas = [_cliente(app, cuentas["capturista"]), _cliente(app, cuentas["supervisora"])]
    respuestas = _en_paralelo([
        lambda c=c, t=t: c.post(ruta, data={
            "csrf_token": t, "evento": "atender", "version": str(version)})
        for c, t in personas])
    mensajes = [_mensaje(c, r) for (c, _), r in zip(personas, respuestas)]
    ganadoras = [m for m in mensajes if "Listo: iniciar atención" in m]
    perdedoras = [m for m in mensajes if CONFLICTO in m]
    assert len(ganadoras) == 1 and len(perdedoras) == 1, [m[m.find("<main"):][:600] for m in mensajes]
    db.session.rollback()
    guardado = db.session.get(Caso, caso.id)
    assert guardado.estado == "en_atencion" and guardado.version == version + 1
    assert db.session.query(HistorialTransicion).filter_by(evento="atender").count() == 1


def test_concurrencia_dos_supervisoras_resuelven_la_misma_solicitud(app, cuentas, encuentro):
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    from casos.transiciones import servicios as transiciones

    quien = transiciones.actor(cuentas["capturista"], duena_id=caso.institucion_id)
    solicitud = transiciones.solicitar(caso, "cerrar", quien, cuentas["capturista"], motivo="Fin")
    db.session.commit()
    otra = crear_usuaria("supervisora", cuentas.institucion_a)
    personas = [_cliente(app, cuentas["supervisora"]), _cliente(app, otra)]
    decisiones = ["aprobar", "rechazar"]
    ruta, version = f"/aprobaciones/{solicitud.id}", solicitud.version
    respuestas = _en_paralelo([
        lambda c=c, t=t, d=d: c.post(ruta, data={
            "csrf_token": t, "decision": d, "version": str(version), "motivo": "Revisado"})
        for (c, t), d in zip(personas, decisiones)])
    mensajes = [_mensaje(c, r) for (c, _), r in zip(personas, respuestas)]
    assert sum(CONFLICTO in m for m in mensajes) == 1, mensajes
    db.session.rollback()
    resuelta = db.session.get(SolicitudAprobacion, solicitud.id)
    assert resuelta.estado in ("aprobada", "rechazada") and resuelta.version == version + 1
    # The case followed the one decision that won, and only it.
    assert db.session.get(Caso, caso.id).estado == ("cerrado" if resuelta.estado == "aprobada"
                                                     else "registrado")
    assert db.session.query(HistorialTransicion).filter_by(entidad="solicitud_aprobacion").count() == 1


def test_una_pagina_vieja_no_pisa_un_estado_mas_nuevo(app, cuentas, como):
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    cliente = como("capturista")
    token = token_csrf(cliente, "/")
    vieja = str(caso.version)
    cliente.post(f"/casos/{caso.id}/transicion", data={"csrf_token": token, "evento": "atender",
                                                       "version": vieja})
    respuesta = cliente.post(f"/casos/{caso.id}/transicion", data={
        "csrf_token": token, "evento": "dar_seguimiento", "version": vieja})
    assert CONFLICTO in _mensaje(cliente, respuesta)
    db.session.rollback()
    assert db.session.get(Caso, caso.id).estado == "en_atencion"
