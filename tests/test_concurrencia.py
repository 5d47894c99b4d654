"""Two people acting on the same thing at the same moment: exactly one wins, the other is told
that it changed meanwhile, and nothing is half-written. Real concurrent requests, each with
its own database connection (threads); `pytest -k concurrencia` selects these."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from casos.cuentas.vistas import CREDENCIALES_INCORRECTAS
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion
from flujos.base import Flujo
from tests.conftest import (
    ARGON2_PRUEBAS,
    CONTRASENA,
    crear_usuaria,
    datos_de_caso,
    entrar,
    enviar,
    token_csrf,
)

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


@pytest.fixture
def verificacion_detenida(monkeypatch):
    """Hold a login started in another thread inside its password check (Argon2id, the
    slowest work of any request) until the test lets it go; the test's own thread logs in
    without waiting. Returns (inside, go_on) events."""
    from casos.cuentas import contrasenas

    dentro, seguir = threading.Event(), threading.Event()
    original = contrasenas.verificar

    def verificar(*argumentos):
        resultado = original(*argumentos)
        if threading.current_thread() is not threading.main_thread():
            dentro.set()
            assert seguir.wait(20)
        return resultado

    monkeypatch.setattr(contrasenas, "verificar", verificar)
    return dentro, seguir


def _entrar_en_otro_hilo(app, correo, contrasena):
    """Her login POST, sent from a thread of its own; returns (thread, its responses)."""
    cliente = app.test_client()
    token = token_csrf(cliente)
    salida = []
    hilo = threading.Thread(target=lambda: salida.append(cliente.post(
        "/entrar", data={"csrf_token": token, "correo": correo, "contrasena": contrasena})))
    hilo.start()
    return cliente, hilo, salida


def test_concurrencia_nadie_espera_a_que_otra_verifique_su_contrasena(app, cuentas, como,
                                                                      verificacion_detenida):
    """While one person's password is being checked, everyone else keeps working: a new visitor
    gets the login page (a session saved), a caseworker opens a case (a read event chained)
    and logs out (an event, a session deleted). On SQLite these waited for the login's write
    lock and, under a burst of logins, got an error page after the busy timeout."""
    dentro, seguir = verificacion_detenida
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    capturista = como("capturista")
    _, hilo, salida = _entrar_en_otro_hilo(app, cuentas["supervisora_b"].correo, CONTRASENA)
    try:
        assert dentro.wait(20), "el inicio de sesión no llegó a verificar la contraseña"
        pagina = app.test_client().get("/entrar")
        assert pagina.status_code == 200 and 'name="contrasena"' in pagina.get_data(as_text=True)
        assert capturista.get(f"/casos/{caso.id}").status_code == 200
        salida_capturista = capturista.post("/salir", data={"csrf_token": token_csrf(capturista, "/")})
        assert salida_capturista.status_code == 302
        assert capturista.get("/").status_code == 302  # her session really ended
        assert hilo.is_alive(), "la verificación terminó antes de tiempo: la prueba no prueba nada"
    finally:
        seguir.set()
        hilo.join(30)
    assert salida and salida[0].status_code == 302
    assert not salida[0].location.endswith("/entrar")


def test_concurrencia_una_contrasena_anulada_mientras_se_verifica_no_abre_la_sesion(
        app, cuentas, como, verificacion_detenida):
    """The admin voids a stolen password (a new activation link) while the thief's login with
    it is being checked: the login is refused, as any wrong password is."""
    dentro, seguir = verificacion_detenida
    capturista = cuentas["capturista"]
    ladrona, hilo, salida = _entrar_en_otro_hilo(app, capturista.correo, CONTRASENA)
    try:
        assert dentro.wait(20), "el inicio de sesión no llegó a verificar la contraseña"
        admin = como("admin")
        ruta_cuenta = f"/admin/cuentas/{capturista.id}"
        anulada = enviar(admin, f"{ruta_cuenta}/activacion", pagina=ruta_cuenta)
        assert anulada.status_code == 200 and "/activar/" in anulada.get_data(as_text=True)
    finally:
        seguir.set()
        hilo.join(30)
    assert salida and salida[0].status_code == 200
    assert CREDENCIALES_INCORRECTAS in salida[0].get_data(as_text=True)
    assert ladrona.get("/").status_code == 302


def test_concurrencia_dos_ingresos_a_la_vez_entran_los_dos_aunque_uno_recifre_la_contrasena(
        app, cuentas, verificacion_detenida):
    """After the Argon2id costs change, her login hashes her password again. A second login sent
    at the same moment (a double click, two tabs) had verified the old hash: it checks again
    and gets in, and no failure is counted against her."""
    from casos.cuentas.contrasenas import necesita_rehash
    from casos.cuentas.modelos import Usuaria

    dentro, seguir = verificacion_detenida
    usuaria_id, correo = cuentas["capturista"].id, cuentas["capturista"].correo
    db.session.rollback()
    app.config["ARGON2"] = {**ARGON2_PRUEBAS, "time_cost": ARGON2_PRUEBAS["time_cost"] + 1}
    _, hilo, salida = _entrar_en_otro_hilo(app, correo, CONTRASENA)
    try:
        assert dentro.wait(20), "el inicio de sesión no llegó a verificar la contraseña"
        assert entrar(app.test_client(), correo).status_code == 302  # rehashed and committed
    finally:
        seguir.set()
        hilo.join(30)
    assert salida and salida[0].status_code == 302
    assert not salida[0].location.endswith("/entrar")
    db.session.rollback()
    cuenta = db.session.get(Usuaria, usuaria_id)
    assert cuenta.fallos_consecutivos == 0 and not necesita_rehash(cuenta.contrasena_hash)


@pytest.mark.parametrize("cambio", ["objeto", "sentencia", "volcado", "evento"])
def test_fuera_de_la_escritura_se_niega_cuando_la_peticion_ya_cambio_algo(app, cuentas, cambio):
    """Ending the request's transaction to hash a password would drop, without a word, what the
    request already changed: a changed object, a statement that wrote, a flush, a queued audit
    event. It refuses instead, and the change is still there to commit."""
    from sqlalchemy import update

    from casos import auditoria
    from casos.bd import fuera_de_la_escritura
    from casos.cuentas.modelos import Usuaria

    usuaria = cuentas["capturista"]
    if cambio == "objeto":
        usuaria.nombre = "Nombre cambiado"
    elif cambio == "sentencia":
        db.session.execute(update(Usuaria).where(Usuaria.id == usuaria.id).values(nombre="Nombre cambiado"))
    elif cambio == "volcado":
        usuaria.nombre = "Nombre cambiado"
        db.session.flush()
    else:
        auditoria.al_confirmar("cuenta.desbloquear", objeto_id=usuaria.id)
    with pytest.raises(RuntimeError), fuera_de_la_escritura():
        pass
    db.session.commit()
    db.session.expire_all()
    if cambio == "evento":
        from casos.auditoria.modelos import EventoAuditoria

        assert db.session.scalar(select(func.count()).select_from(EventoAuditoria).where(
            EventoAuditoria.accion == "cuenta.desbloquear")) == 1
    else:
        assert db.session.get(Usuaria, usuaria.id).nombre == "Nombre cambiado"
