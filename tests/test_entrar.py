"""Login as a person (and an attacker) sees it: home pages, refusals, throttling, `next=`."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from casos.bd import ahora
from casos.cuentas.modelos import Sesion
from casos.extensiones import db
from tests.conftest import (
    ARGON2_PRUEBAS,
    CONTRASENA,
    codigo_totp,
    crear_institucion,
    crear_usuaria,
    entrar,
    enviar,
    token_csrf,
)

MENSAJE_CREDENCIALES = "Correo o contraseña incorrectos."
ENCABEZADOS_POR_ROL = {
    "capturista": "Casos de su institución",
    "supervisora": "Supervisión",
    "gestora": "Estadística estatal",
    "admin": "Administración",
}


def _h1(respuesta) -> str:
    encontrado = re.search(r"<h1>(.*?)</h1>", respuesta.get_data(as_text=True), re.S)
    assert encontrado, respuesta.get_data(as_text=True)[:500]
    return encontrado.group(1).strip()


def _sin_sesion(cliente) -> bool:
    """The client is anonymous: the home page sends it to the login page."""
    respuesta = cliente.get("/")
    return respuesta.status_code == 302 and urlsplit(respuesta.location).path == "/entrar"


def _sesiones_de(usuaria) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Sesion)
                             .where(Sesion.usuaria_id == usuaria.id))


def _normalizada(respuesta, correo: str) -> str:
    """The page without what legitimately differs: the CSRF token and the e-mail typed."""
    html = respuesta.get_data(as_text=True)
    html = re.sub(r'(name="csrf_token" type="hidden" value=)"[^"]+"', r'\1"TOKEN"', html)
    return html.replace(correo, "CORREO")


# ---- each role lands on its own page ------------------------------------------------------

@pytest.mark.parametrize("rol", list(ENCABEZADOS_POR_ROL))
def test_cada_rol_llega_a_su_inicio(app, cuentas, rol):
    cliente = app.test_client()
    respuesta = entrar(cliente, cuentas[rol])
    assert respuesta.status_code == 302
    assert urlsplit(respuesta.location).path == "/"
    inicio = cliente.get("/")
    assert inicio.status_code == 200
    assert _h1(inicio) == ENCABEZADOS_POR_ROL[rol]
    assert cuentas.institucion_a.nombre in inicio.get_data(as_text=True)


def test_ya_dentro_entrar_lleva_al_inicio(como):
    cliente = como("gestora")
    respuesta = cliente.get("/entrar")
    assert respuesta.status_code == 302
    assert urlsplit(respuesta.location).path == "/"


# ---- refusals look the same, whatever the reason --------------------------------------------

def test_contrasena_incorrecta_y_correo_desconocido_responden_igual(app, cuentas):
    usuaria = cuentas["capturista"]
    desconocido = "nadie.existe@prueba.mx"

    mala = entrar(app.test_client(), usuaria, "otra frase de prueba bastante larga")
    inexistente = entrar(app.test_client(), desconocido)

    assert mala.status_code == inexistente.status_code == 200
    assert MENSAJE_CREDENCIALES in mala.get_data(as_text=True)
    assert MENSAJE_CREDENCIALES in inexistente.get_data(as_text=True)
    assert _normalizada(mala, usuaria.correo) == _normalizada(inexistente, desconocido)
    assert _sesiones_de(usuaria) == 0


def test_cuenta_inactiva_no_entra_y_recibe_el_mismo_mensaje(app, cuentas):
    institucion = crear_institucion("INSTX", "dif")
    inactiva = crear_usuaria("capturista", institucion, activa=False)
    cliente = app.test_client()
    respuesta = entrar(cliente, inactiva)  # the right password
    assert respuesta.status_code == 200
    assert MENSAJE_CREDENCIALES in respuesta.get_data(as_text=True)
    assert _sin_sesion(cliente)
    assert _sesiones_de(inactiva) == 0


def test_cuenta_de_institucion_inactiva_no_entra(app, cuentas):
    usuaria = cuentas["capturista_b"]
    cuentas.institucion_b.activa = False
    db.session.commit()
    cliente = app.test_client()
    respuesta = entrar(cliente, usuaria)
    assert respuesta.status_code == 200
    assert MENSAJE_CREDENCIALES in respuesta.get_data(as_text=True)
    assert _sin_sesion(cliente)
    assert _sesiones_de(usuaria) == 0
    # The same account in an active institution would get in: the refusal is the institution.
    cuentas.institucion_b.activa = True
    db.session.commit()
    assert entrar(app.test_client(), usuaria).status_code == 302


def test_cuenta_sin_contrasena_establecida_no_entra(app, cuentas):
    pendiente = cuentas["supervisora"]
    pendiente.contrasena_hash = None
    db.session.commit()
    for intento, codigo in ((CONTRASENA, 200), ("", 200), ("\0", 400)):  # a NUL: refused up front
        cliente = app.test_client()
        respuesta = entrar(cliente, pendiente, intento)
        assert respuesta.status_code == codigo
        assert _sin_sesion(cliente)


@pytest.mark.parametrize("variante", [
    CONTRASENA.upper(),
    CONTRASENA.capitalize(),
    CONTRASENA + " ",
    " " + CONTRASENA,
    CONTRASENA[:-1],
], ids=["mayusculas", "inicial_mayuscula", "espacio_al_final", "espacio_al_inicio",
        "sin_la_ultima_letra"])
def test_la_contrasena_se_compara_tal_como_se_escribe(app, cuentas, variante):
    cliente = app.test_client()
    respuesta = entrar(cliente, cuentas["capturista"], variante)
    assert respuesta.status_code == 200
    assert MENSAJE_CREDENCIALES in respuesta.get_data(as_text=True)
    assert _sin_sesion(cliente)
    assert entrar(cliente, cuentas["capturista"]).status_code == 302  # the exact one works


def test_el_correo_no_distingue_mayusculas_ni_espacios(app, cuentas):
    usuaria = cuentas["gestora"]
    cliente = app.test_client()
    respuesta = entrar(cliente, "  " + usuaria.correo.upper() + " ")
    assert respuesta.status_code == 302
    assert _h1(cliente.get("/")) == ENCABEZADOS_POR_ROL["gestora"]


def test_un_post_sin_token_csrf_no_entra(app, cuentas):
    cliente = app.test_client()
    cliente.get("/entrar")
    respuesta = cliente.post("/entrar", data={"correo": cuentas["admin"].correo,
                                              "contrasena": CONTRASENA})
    assert respuesta.status_code == 400
    assert "El formulario caducó o no es válido" in respuesta.get_data(as_text=True)
    assert _sin_sesion(cliente)
    assert _sesiones_de(cuentas["admin"]) == 0


def test_un_post_con_token_csrf_falso_no_entra(app, cuentas):
    cliente = app.test_client()
    token = token_csrf(cliente)
    respuesta = cliente.post("/entrar", data={
        "correo": cuentas["admin"].correo, "contrasena": CONTRASENA,
        "csrf_token": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")})
    assert respuesta.status_code == 400
    assert "El formulario caducó o no es válido" in respuesta.get_data(as_text=True)
    assert _sin_sesion(cliente)


def test_el_token_csrf_de_otra_sesion_no_sirve(app, cuentas):
    ajeno = token_csrf(app.test_client())
    cliente = app.test_client()
    cliente.get("/entrar")
    respuesta = cliente.post("/entrar", data={"correo": cuentas["admin"].correo,
                                              "contrasena": CONTRASENA, "csrf_token": ajeno})
    assert respuesta.status_code == 400
    assert _sin_sesion(cliente)


# ---- throttling -----------------------------------------------------------------------------

def _intento(cliente, correo, contrasena, token, ip="127.0.0.1"):
    return cliente.post("/entrar", data={"correo": correo, "contrasena": contrasena,
                                         "csrf_token": token},
                        environ_base={"REMOTE_ADDR": ip})


def _assert_bloqueado(respuesta):
    assert respuesta.status_code == 429
    texto = respuesta.get_data(as_text=True)
    assert "Demasiados intentos" in texto
    assert "Espere" in texto


def test_once_intentos_fallidos_desde_una_ip_reciben_429(app, cuentas):
    usuaria = cuentas["capturista"]
    cliente = app.test_client()
    token = token_csrf(cliente)
    for _ in range(10):
        respuesta = _intento(cliente, usuaria.correo, "frase equivocada de prueba", token)
        assert respuesta.status_code == 200
        assert MENSAJE_CREDENCIALES in respuesta.get_data(as_text=True)
    _assert_bloqueado(_intento(cliente, usuaria.correo, "frase equivocada de prueba", token))
    # Blocked means blocked: not even the right password gets in during the window.
    _assert_bloqueado(_intento(cliente, usuaria.correo, CONTRASENA, token))
    assert _sin_sesion(cliente)
    assert _sesiones_de(usuaria) == 0


def test_el_limite_por_ip_tambien_cubre_correos_distintos(app, cuentas):
    """Password spraying from one address: one wrong try at each of many accounts."""
    cliente = app.test_client()
    token = token_csrf(cliente)
    for numero in range(10):
        respuesta = _intento(cliente, f"persona{numero}@prueba.mx", "frase equivocada de prueba",
                             token)
        assert respuesta.status_code == 200
    _assert_bloqueado(_intento(cliente, cuentas["admin"].correo, CONTRASENA, token))


def test_el_limite_por_cuenta_no_depende_de_la_ip(app, cuentas):
    usuaria = cuentas["supervisora"]
    cliente = app.test_client()
    token = token_csrf(cliente)
    for numero in range(10):
        # Case and spaces vary too: it is still the same account.
        correo = usuaria.correo.upper() if numero % 2 else f" {usuaria.correo} "
        respuesta = _intento(cliente, correo, "frase equivocada de prueba", token,
                             ip=f"10.0.0.{numero + 1}")
        assert respuesta.status_code == 200
    _assert_bloqueado(_intento(cliente, usuaria.correo, CONTRASENA, token, ip="10.0.1.1"))
    assert _sesiones_de(usuaria) == 0
    # Another account from a fresh address is not affected.
    otra = app.test_client()
    assert _intento(otra, cuentas["gestora"].correo, CONTRASENA, token_csrf(otra),
                    ip="10.0.2.1").status_code == 302


def test_el_bloqueo_no_revela_si_la_cuenta_existe(app, cuentas):
    def bloqueo(correo, red):
        cliente = app.test_client()
        token = token_csrf(cliente)
        for numero in range(10):
            _intento(cliente, correo, "frase equivocada de prueba", token, ip=f"{red}.{numero}")
        return _intento(cliente, correo, "frase equivocada de prueba", token, ip=f"{red}.99")

    existente = bloqueo(cuentas["admin"].correo, "10.1.0")
    desconocido = bloqueo("nadie.existe@prueba.mx", "10.2.0")
    _assert_bloqueado(existente)
    _assert_bloqueado(desconocido)
    assert existente.get_data() == desconocido.get_data()
    assert existente.headers.get("Retry-After") is not None
    assert (set(existente.headers.keys()) - {"Set-Cookie"}
            == set(desconocido.headers.keys()) - {"Set-Cookie"})


def test_los_ingresos_correctos_no_cuentan_para_el_limite(app, cuentas):
    usuaria = cuentas["capturista"]
    for _ in range(12):
        cliente = app.test_client()
        assert entrar(cliente, usuaria).status_code == 302


def test_adivinar_la_contrasena_actual_desde_una_sesion_tambien_se_limita(app, cuentas, como):
    """A stolen session must not become an unlimited oracle for the account's password."""
    app.config["BLOQUEO_TRAS_FALLOS"] = 100  # the rate limit alone (lockout: tests/seguridad)
    usuaria = cuentas["capturista"]
    cliente = como("capturista")
    token = token_csrf(cliente, "/cuenta/contrasena")
    nueva = "el rio corre despacio bajo el puente viejo"

    def cambio(actual, ip):
        return cliente.post("/cuenta/contrasena", data={
            "actual": actual, "nueva": nueva, "confirmacion": nueva, "csrf_token": token},
            environ_base={"REMOTE_ADDR": ip})

    for numero in range(10):
        respuesta = cambio(f"intento equivocado numero {numero}", f"10.3.0.{numero}")
        assert respuesta.status_code == 200
        assert "La contraseña actual no es correcta." in respuesta.get_data(as_text=True)
    _assert_bloqueado(cambio(CONTRASENA, "10.3.1.1"))
    assert entrar(app.test_client(), usuaria).status_code == 302  # the password did not change
    assert entrar(app.test_client(), usuaria, nueva).status_code == 200


class TestVentanaCortaDeIntentos:
    @pytest.fixture
    def configuracion(self, configuracion):
        configuracion["LIMITE_LOGIN"] = "10 per 3 second"
        configuracion["BLOQUEO_TRAS_FALLOS"] = 100  # the rate limit alone, not the lockout
        return configuracion

    def test_pasada_la_ventana_la_contrasena_correcta_entra(self, app, cuentas):
        usuaria = cuentas["capturista"]
        cliente = app.test_client()
        token = token_csrf(cliente)
        for _ in range(10):
            assert _intento(cliente, usuaria.correo, "frase equivocada de prueba",
                            token).status_code == 200
        _assert_bloqueado(_intento(cliente, usuaria.correo, CONTRASENA, token))
        time.sleep(3.5)
        respuesta = _intento(cliente, usuaria.correo, CONTRASENA, token)
        assert respuesta.status_code == 302
        assert _h1(cliente.get("/")) == ENCABEZADOS_POR_ROL["capturista"]


# ---- where login returns to -----------------------------------------------------------------

def test_next_local_vuelve_ahi_despues_de_entrar(app, cuentas):
    cliente = app.test_client()
    respuesta = enviar(cliente, "/entrar", {"correo": cuentas["admin"].correo,
                                            "contrasena": CONTRASENA},
                       query_string={"next": "/admin/"})
    # The second factor comes in between, and the destination survives it.
    assert respuesta.status_code == 302 and respuesta.location == "/entrar/codigo"
    respuesta = enviar(cliente, "/entrar/codigo", {"codigo": codigo_totp()})
    assert respuesta.location == "/admin/"
    assert cliente.get("/admin/").status_code == 200


def test_una_pagina_protegida_manda_a_entrar_y_luego_regresa(app, cuentas):
    cliente = app.test_client()
    protegida = cliente.get("/admin/cuentas")
    assert protegida.status_code == 302
    destino = urlsplit(protegida.location)
    assert destino.path == "/entrar"
    pagina_de_entrada = f"{destino.path}?{destino.query}"
    respuesta = enviar(cliente, pagina_de_entrada, {"correo": cuentas["admin"].correo,
                                                    "contrasena": CONTRASENA})
    assert respuesta.status_code == 302 and respuesta.location == "/entrar/codigo"
    respuesta = enviar(cliente, "/entrar/codigo", {"codigo": codigo_totp()})
    assert respuesta.location == "/admin/cuentas"


@pytest.mark.parametrize("siguiente", [
    "//evil.example",
    "//evil.example/admin/",
    "https://evil.example/x",
    "http://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "https:evil.example",
    "",
], ids=["doble_diagonal", "doble_diagonal_con_ruta", "https", "http", "diagonal_invertida",
        "dos_diagonales_invertidas", "javascript", "tabulador", "esquema_sin_diagonales",
        "vacio"])
def test_next_nunca_lleva_fuera_del_sitio(app, cuentas, siguiente):
    cliente = app.test_client()
    respuesta = enviar(cliente, "/entrar", {"correo": cuentas["capturista"].correo,
                                            "contrasena": CONTRASENA},
                       query_string={"next": siguiente})
    assert respuesta.status_code == 302
    assert respuesta.location == "/"
    assert _h1(cliente.get("/")) == ENCABEZADOS_POR_ROL["capturista"]


class TestDetrasDeUnProxy:
    """Behind the proxy the README describes, clients are told apart by X-Forwarded-For:
    one client's failures must not lock everyone else out."""

    @pytest.fixture
    def configuracion(self, configuracion):
        configuracion["PROXIES_DE_CONFIANZA"] = 1
        return configuracion

    def test_el_limite_por_ip_distingue_a_los_clientes_del_proxy(self, app, cuentas):
        atacante = app.test_client()
        token = token_csrf(atacante)
        for numero in range(10):
            respuesta = atacante.post("/entrar", data={
                "correo": f"persona{numero}@prueba.mx", "contrasena": "frase equivocada de prueba",
                "csrf_token": token}, headers={"X-Forwarded-For": "203.0.113.7"})
            assert respuesta.status_code == 200
        bloqueado = atacante.post("/entrar", data={
            "correo": "otra@prueba.mx", "contrasena": "x" * 20, "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.7"})
        _assert_bloqueado(bloqueado)
        # Another person, through the same proxy, still gets in.
        colega = app.test_client()
        respuesta = colega.post("/entrar", data={
            "correo": cuentas["capturista"].correo, "contrasena": CONTRASENA,
            "csrf_token": token_csrf(colega)}, headers={"X-Forwarded-For": "198.51.100.4"})
        assert respuesta.status_code == 302


@pytest.mark.parametrize("motivo", ["bloqueada", "inactiva", "institucion_inactiva"])
def test_en_una_cuenta_que_no_puede_entrar_la_contrasena_buena_cuesta_lo_que_una_mala(
        app, cuentas, monkeypatch, motivo):
    """After the Argon2id costs change, a right password is hashed again at login (a second
    Argon2id). An attacker who times the answers of a locked or deactivated account must not
    learn that a guess was right: there both guesses do the same Argon2id work and say the same."""
    import argon2

    usuaria = cuentas["capturista_b"]
    if motivo == "bloqueada":
        usuaria.bloqueada_en = ahora()
    elif motivo == "inactiva":
        usuaria.activa = False
    else:
        usuaria.institucion.activa = False
    db.session.commit()
    correo = usuaria.correo
    app.config["ARGON2"] = {**ARGON2_PRUEBAS, "time_cost": ARGON2_PRUEBAS["time_cost"] + 1}
    trabajo = []
    for operacion in ("hash", "verify"):
        original = getattr(argon2.PasswordHasher, operacion)
        monkeypatch.setattr(argon2.PasswordHasher, operacion,
                            lambda self, *a, _o=original, _n=operacion: trabajo.append(_n) or _o(self, *a))

    def intento(contrasena):
        trabajo.clear()
        respuesta = entrar(app.test_client(), correo, contrasena)
        return respuesta.status_code, MENSAJE_CREDENCIALES in respuesta.get_data(as_text=True), list(trabajo)

    mala, buena = intento("otra frase de prueba bastante larga"), intento(CONTRASENA)
    assert mala == buena == (200, True, ["verify"])
    # The same account, able to enter, is hashed again: the costs really changed.
    db.session.rollback()
    usuaria.bloqueada_en, usuaria.activa, usuaria.institucion.activa = None, True, True
    db.session.commit()
    codigo, _, hecho = intento(CONTRASENA)
    assert codigo == 302 and hecho == ["verify", "hash"]
