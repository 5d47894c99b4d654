"""Server-side sessions as a user or an attacker holding a cookie sees them.

The cookie value is the only thing a browser has; every test replays or plants cookie values
the way an attacker would, and checks the answer (login page or not) and the `sesion` rows.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from casos.bd import ahora
from casos.cuentas import sesiones
from casos.cuentas.modelos import Institucion, Sesion, Usuaria
from casos.cuentas.sesiones import RESOLUCION_ACTIVIDAD
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import CONTRASENA, activar_segundo_factor, datos_de_caso, entrar, enviar
from tests.test_consultas_por_pagina import sentencias

COOKIE = "rv_sesion"
NUEVA_CONTRASENA = "el rio corre despacio bajo el puente viejo"


def _cookie(cliente) -> str:
    galleta = cliente.get_cookie(COOKIE)
    assert galleta is not None, "el cliente no tiene cookie de sesión"
    return galleta.value


def _cliente_con(app, valor: str):
    """A fresh browser (the attacker's) holding a given cookie value."""
    cliente = app.test_client()
    cliente.set_cookie(COOKIE, valor)
    return cliente


def _va_a_entrar(respuesta) -> bool:
    return respuesta.status_code == 302 and urlsplit(respuesta.location).path == "/entrar"


def _hash(valor: str) -> str:
    return hashlib.sha256(valor.encode()).hexdigest()


def _fila(valor: str):
    db.session.rollback()
    return db.session.get(Sesion, _hash(valor))


def _sesiones_de(usuaria) -> list[Sesion]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Sesion).where(Sesion.usuaria_id == usuaria.id)))


def _mover(valor: str, **campos) -> None:
    """Move a session's clocks back, as if time had passed."""
    db.session.rollback()
    resultado = db.session.execute(sa.update(Sesion).where(Sesion.id_hash == _hash(valor))
                                   .values(**campos))
    assert resultado.rowcount == 1
    db.session.commit()


def _set_cookie(respuesta) -> str:
    cabeceras = [c for c in respuesta.headers.getlist("Set-Cookie") if c.startswith(COOKIE + "=")]
    assert len(cabeceras) == 1, respuesta.headers.getlist("Set-Cookie")
    return cabeceras[0]


def _atributos(set_cookie: str) -> set[str]:
    return {parte.strip().split("=")[0].lower() for parte in set_cookie.split(";")[1:]}


# ---- logout, fixation -----------------------------------------------------------------------

def test_cerrar_sesion_invalida_la_cookie_anterior(app, cuentas):
    cliente = app.test_client()
    assert entrar(cliente, cuentas["capturista"]).status_code == 302
    anterior = _cookie(cliente)
    assert _cliente_con(app, anterior).get("/").status_code == 200  # the copy works while open

    salida = enviar(cliente, "/salir", pagina="/")
    assert _va_a_entrar(salida)
    assert "next=" not in salida.location

    assert _va_a_entrar(_cliente_con(app, anterior).get("/"))
    assert _va_a_entrar(cliente.get("/"))
    assert _fila(anterior) is None
    assert _sesiones_de(cuentas["capturista"]) == []


def test_salir_por_get_no_cierra_la_sesion(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["capturista"])
    assert cliente.get("/salir").status_code == 405
    assert cliente.get("/").status_code == 200


def test_el_id_de_sesion_cambia_al_entrar(app, cuentas):
    """Session fixation: a cookie planted before login is useless after it."""
    atacante = app.test_client()
    atacante.get("/entrar")
    plantada = _cookie(atacante)
    assert _fila(plantada) is not None  # a real anonymous session, as an attacker would get

    victima = _cliente_con(app, plantada)
    assert entrar(victima, cuentas["supervisora"]).status_code == 302
    nueva = _cookie(victima)
    assert nueva != plantada
    assert victima.get("/").status_code == 200

    assert _va_a_entrar(atacante.get("/"))
    assert _va_a_entrar(_cliente_con(app, plantada).get("/"))
    assert _fila(plantada) is None
    assert [s.id_hash for s in _sesiones_de(cuentas["supervisora"])] == [_hash(nueva)]


def test_una_cookie_inventada_no_da_acceso(app, cuentas):
    for valor in ("x", uuid.uuid4().hex, "A" * 43, "A" * 500, str(cuentas["admin"].id)):
        assert _va_a_entrar(_cliente_con(app, valor).get("/admin/"))


# ---- revocation ---------------------------------------------------------------------------

def _datos_de_cuenta(usuaria, **cambios) -> dict:
    datos = {"correo": usuaria.correo, "nombre": usuaria.nombre, "rol": usuaria.rol,
             "institucion_id": str(usuaria.institucion_id), "activa": "y"}
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def test_desactivar_la_cuenta_cierra_sus_sesiones(app, cuentas, como):
    objetivo = cuentas["capturista"]
    primera, segunda = como("capturista"), como("capturista")
    ajena = como("capturista_b")
    administradora = como("admin")

    respuesta = enviar(administradora, f"/admin/cuentas/{objetivo.id}",
                       _datos_de_cuenta(objetivo, activa=None))
    assert respuesta.status_code == 302

    assert _va_a_entrar(primera.get("/"))
    assert _va_a_entrar(segunda.get("/"))
    assert _sesiones_de(objetivo) == []
    assert ajena.get("/").status_code == 200  # other accounts keep theirs
    assert administradora.get("/admin/").status_code == 200
    assert entrar(app.test_client(), objetivo).status_code == 200  # and it can't come back


def test_cambiar_el_rol_cierra_sus_sesiones(app, cuentas, como):
    objetivo = cuentas["capturista"]
    abierta = como("capturista")
    administradora = como("admin")

    respuesta = enviar(administradora, f"/admin/cuentas/{objetivo.id}",
                       _datos_de_cuenta(objetivo, rol="supervisora"))
    assert respuesta.status_code == 302

    assert _va_a_entrar(abierta.get("/"))
    assert _sesiones_de(objetivo) == []
    nueva = app.test_client()
    assert entrar(nueva, objetivo).location.endswith("/entrar/alta-codigo")  # supervisoras need 2FA
    activar_segundo_factor(nueva)
    assert "<h1>Supervisión</h1>" in nueva.get("/").get_data(as_text=True)


def test_guardar_la_cuenta_sin_cambiar_el_acceso_no_cierra_sesiones(app, cuentas, como):
    objetivo = cuentas["capturista"]
    abierta = como("capturista")
    respuesta = enviar(como("admin"), f"/admin/cuentas/{objetivo.id}",
                       _datos_de_cuenta(objetivo, nombre="Otro nombre de prueba"))
    assert respuesta.status_code == 302
    assert abierta.get("/").status_code == 200


def test_cambiar_la_contrasena_cierra_las_otras_sesiones(app, cuentas, como):
    usuaria = cuentas["supervisora"]
    otra, esta = como("supervisora"), como("supervisora")
    cookie_otra = _cookie(otra)
    cookie_esta = _cookie(esta)

    respuesta = enviar(esta, "/cuenta/contrasena", {
        "actual": CONTRASENA, "nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA})
    assert respuesta.status_code == 302
    assert urlsplit(respuesta.location).path == "/"

    assert _va_a_entrar(otra.get("/"))
    assert _va_a_entrar(_cliente_con(app, cookie_otra).get("/"))
    assert esta.get("/").status_code == 200  # the one that changed it stays in...
    assert _cookie(esta) != cookie_esta      # ...under a new session id
    assert _va_a_entrar(_cliente_con(app, cookie_esta).get("/"))
    assert [s.id_hash for s in _sesiones_de(usuaria)] == [_hash(_cookie(esta))]

    assert entrar(app.test_client(), usuaria).status_code == 200  # old password refused
    assert entrar(app.test_client(), usuaria, NUEVA_CONTRASENA).status_code == 302


def test_contrasena_actual_incorrecta_no_cambia_nada(app, cuentas, como):
    usuaria = cuentas["supervisora"]
    otra, esta = como("supervisora"), como("supervisora")
    respuesta = enviar(esta, "/cuenta/contrasena", {
        "actual": "no es la contrasena actual", "nueva": NUEVA_CONTRASENA,
        "confirmacion": NUEVA_CONTRASENA})
    assert respuesta.status_code == 200
    assert "La contraseña actual no es correcta." in respuesta.get_data(as_text=True)
    assert otra.get("/").status_code == 200
    assert esta.get("/").status_code == 200
    assert entrar(app.test_client(), usuaria).status_code == 302


# Every way an account loses its access, or its password or second factor is reset, ends the
# sessions it had: one opened before is sent to the login page on its next request, copies of
# its cookie too, and the case it could read is out of reach.

def _bloquear(app, admin, objetivo):
    app.config["BLOQUEO_TRAS_FALLOS"] = 3
    for _ in range(3):
        assert entrar(app.test_client(), objetivo, "frase equivocada de prueba").status_code == 200


def _desactivar(app, admin, objetivo):
    return enviar(admin, f"/admin/cuentas/{objetivo.id}", _datos_de_cuenta(objetivo, activa=None))


def _enlace_de_activacion(app, admin, objetivo):
    return enviar(admin, f"/admin/cuentas/{objetivo.id}/activacion", pagina=f"/admin/cuentas/{objetivo.id}")


def _restablecer_segundo_factor(app, admin, objetivo):
    return enviar(admin, f"/admin/cuentas/{objetivo.id}/segundo-factor",
                  pagina=f"/admin/cuentas/{objetivo.id}")


def _cambiar_rol(app, admin, objetivo):
    return enviar(admin, f"/admin/cuentas/{objetivo.id}", _datos_de_cuenta(objetivo, rol="capturista"))


@pytest.mark.parametrize("accion", [_bloquear, _desactivar, _enlace_de_activacion,
                                    _restablecer_segundo_factor, _cambiar_rol],
                         ids=["bloqueo", "desactivar", "enlace-de-activacion", "segundo-factor", "rol"])
def test_bloquear_desactivar_o_restablecer_la_cuenta_cierra_sus_sesiones(app, cuentas, como, accion):
    objetivo = cuentas["supervisora"]
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    abierta, otra = como("supervisora"), como("supervisora")
    copia = _cliente_con(app, _cookie(abierta))
    ajena = como("supervisora_b")
    administradora = como("admin")
    assert abierta.get(f"/casos/{caso.id}").status_code == 200

    respuesta = accion(app, administradora, objetivo)
    assert respuesta is None or respuesta.status_code in (200, 302)

    assert _sesiones_de(objetivo) == []
    for cliente in (abierta, otra, copia):
        assert _va_a_entrar(cliente.get(f"/casos/{caso.id}"))
        assert _va_a_entrar(cliente.get("/"))
    assert ajena.get("/").status_code == 200  # other accounts keep theirs
    assert administradora.get("/admin/").status_code == 200


# A session row that outlived the change (a request racing it, a lock written by hand) is
# refused all the same: the account loaded with the session must still be allowed in.

def _bloqueada(usuaria):
    return sa.update(Usuaria).where(Usuaria.id == usuaria.id).values(bloqueada_en=ahora())


def _inactiva(usuaria):
    return sa.update(Usuaria).where(Usuaria.id == usuaria.id).values(activa=False)


def _institucion_inactiva(usuaria):
    return sa.update(Institucion).where(Institucion.id == usuaria.institucion_id).values(activa=False)


@pytest.mark.parametrize("cambio", [_bloqueada, _inactiva, _institucion_inactiva],
                         ids=["bloqueada", "inactiva", "institucion-inactiva"])
def test_una_sesion_que_sobrevivio_no_sirve_a_una_cuenta_que_ya_no_puede_entrar(app, cuentas, cambio):
    ella = cuentas["capturista"]
    caso = registrar_caso(ella, datos_de_caso())
    db.session.commit()
    cliente = app.test_client()
    _entrar_sin_avisos(cliente, ella)
    valor = _cookie(cliente)
    db.session.rollback()
    db.session.execute(cambio(ella))  # behind the services' back: no revocation
    db.session.commit()
    assert _fila(valor) is not None

    assert _va_a_entrar(cliente.get(f"/casos/{caso.id}"))
    assert _fila(valor) is None  # the useless row is gone
    assert _va_a_entrar(_cliente_con(app, valor).get("/"))


# ---- timeouts -----------------------------------------------------------------------------

def test_quince_minutos_de_inactividad_terminan_la_sesion(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["gestora"])
    valor = _cookie(cliente)
    _mover(valor, ultima_actividad=ahora() - timedelta(minutes=16))

    respuesta = cliente.get("/")
    assert _va_a_entrar(respuesta)
    pagina = cliente.get(respuesta.location)
    assert pagina.status_code == 200
    assert "Su sesión terminó por inactividad" in pagina.get_data(as_text=True)
    assert _fila(valor) is None
    assert _va_a_entrar(_cliente_con(app, valor).get("/"))


def test_catorce_minutos_de_inactividad_no_terminan_la_sesion(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["gestora"])
    valor = _cookie(cliente)
    _mover(valor, ultima_actividad=ahora() - timedelta(minutes=14))
    assert cliente.get("/").status_code == 200
    # The request counted as activity: the idle clock starts again.
    assert ahora() - _fila(valor).ultima_actividad < timedelta(minutes=1)


def test_doce_horas_terminan_la_sesion_aunque_este_activa(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["capturista"])
    valor = _cookie(cliente)
    _mover(valor, creada_en=ahora() - timedelta(hours=12, minutes=1),
           ultima_actividad=ahora() - timedelta(minutes=1))

    respuesta = cliente.get("/")
    assert _va_a_entrar(respuesta)
    assert "duración máxima de 12 horas" in cliente.get(respuesta.location).get_data(as_text=True)
    assert _fila(valor) is None


def test_once_horas_de_sesion_activa_siguen_valiendo(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["capturista"])
    valor = _cookie(cliente)
    _mover(valor, creada_en=ahora() - timedelta(hours=11, minutes=50),
           ultima_actividad=ahora() - timedelta(minutes=1))
    assert cliente.get("/").status_code == 200


def test_la_sesion_caducada_no_revive_al_volver_a_usarla(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["capturista"])
    valor = _cookie(cliente)
    _mover(valor, ultima_actividad=ahora() - timedelta(minutes=16))
    assert _va_a_entrar(_cliente_con(app, valor).get("/"))
    # Even after the clock is put right again, that id is gone for good.
    assert _fila(valor) is None
    assert _va_a_entrar(cliente.get("/"))


# ---- the idle clock is written only when it is behind -------------------------------------
# (RESOLUCION_ACTIVIDAD): a request that changes nothing writes nothing, and the timeout is
# still never later than 15 minutes, nor earlier than 15 minutes minus the resolution.

def _entrar_sin_avisos(cliente, cuenta) -> None:
    """Log in, then open a page: the first one shows (and so removes from the session) the
    login's messages; later requests change nothing in the session by themselves."""
    entrar(cliente, cuenta)
    assert cliente.get("/").status_code == 200


def test_una_peticion_que_no_cambia_la_sesion_no_escribe(app, cuentas):
    cliente = app.test_client()
    _entrar_sin_avisos(cliente, cuentas["capturista"])
    with sentencias(con_begin=True) as vistas:
        respuesta = cliente.get("/")
    assert respuesta.status_code == 200
    assert not [s for s in vistas if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    # On SQLite even an empty write transaction takes the database's only write lock.
    assert not [s for s in vistas if "IMMEDIATE" in s.upper()]
    # The account came with the session row: one statement read both (the home's own counts
    # of her work are other statements, none of them on the session or the account).
    lecturas = [s for s in vistas if s.lstrip().upper().startswith("SELECT")]
    de_sesion = [s for s in lecturas if re.search(r"\bFROM sesion\b", s)]
    assert len(de_sesion) == 1 and "usuaria.correo" in de_sesion[0], lecturas
    assert not [s for s in lecturas if re.search(r"\bFROM usuaria\b", s)], lecturas
    assert not respuesta.headers.getlist("Set-Cookie")


def test_el_reloj_de_inactividad_solo_se_escribe_cuando_va_atrasado(app, cuentas):
    cliente = app.test_client()
    _entrar_sin_avisos(cliente, cuentas["capturista"])
    valor = _cookie(cliente)

    reciente = ahora() - RESOLUCION_ACTIVIDAD + timedelta(seconds=10)
    _mover(valor, ultima_actividad=reciente)
    assert cliente.get("/").status_code == 200
    assert _fila(valor).ultima_actividad == reciente

    atrasado = ahora() - RESOLUCION_ACTIVIDAD - timedelta(seconds=10)
    _mover(valor, ultima_actividad=atrasado)
    assert cliente.get("/").status_code == 200
    assert ahora() - _fila(valor).ultima_actividad < timedelta(seconds=5)


def test_la_inactividad_termina_la_sesion_a_los_15_minutos_con_la_resolucion_documentada(
        app, cuentas, monkeypatch):
    cliente = app.test_client()
    _entrar_sin_avisos(cliente, cuentas["capturista"])
    valor = _cookie(cliente)
    inicio = ahora()
    _mover(valor, ultima_actividad=inicio)
    inactividad = app.config["SESION_INACTIVIDAD"]

    def a_las(segundos: float):
        monkeypatch.setattr(sesiones, "ahora", lambda: inicio + timedelta(seconds=segundos))

    # A request 20 s later is not written down...
    a_las(20)
    assert cliente.get("/").status_code == 200
    assert _fila(valor).ultima_actividad == inicio
    # ...so the session ends 15 minutes after the recorded activity: 14 min 41 s after the
    # last request, within RESOLUCION_ACTIVIDAD of the 15 minutes, never after them.
    ultima_peticion = 20
    a_las(inactividad.total_seconds() + 1)
    assert _va_a_entrar(cliente.get("/"))
    sin_peticiones = timedelta(seconds=inactividad.total_seconds() + 1 - ultima_peticion)
    assert inactividad - RESOLUCION_ACTIVIDAD <= sin_peticiones < inactividad
    assert _fila(valor) is None


def test_una_sesion_activa_cada_14_minutos_no_caduca(app, cuentas, monkeypatch):
    cliente = app.test_client()
    _entrar_sin_avisos(cliente, cuentas["capturista"])
    valor = _cookie(cliente)
    inicio = ahora()
    _mover(valor, ultima_actividad=inicio)
    for vuelta in range(1, 5):
        momento = inicio + timedelta(minutes=14 * vuelta)
        monkeypatch.setattr(sesiones, "ahora", lambda momento=momento: momento)
        assert cliente.get("/").status_code == 200
        assert _fila(valor).ultima_actividad == momento


# ---- cookie and storage -------------------------------------------------------------------

def test_la_cookie_es_httponly_y_samesite_lax_sin_secure_en_desarrollo(app, cuentas):
    respuesta = entrar(app.test_client(), cuentas["capturista"])
    cabecera = _set_cookie(respuesta)
    atributos = _atributos(cabecera)
    assert "httponly" in atributos
    assert "samesite=lax" in cabecera.lower().replace(" ", "")
    assert "secure" not in atributos


def test_la_fila_guarda_solo_el_sha256_del_token(app, cuentas):
    cliente = app.test_client()
    entrar(cliente, cuentas["admin"])
    valor = _cookie(cliente)
    assert len(valor) >= 32
    db.session.rollback()
    filas = db.session.execute(sa.select(Sesion.__table__)).all()
    assert filas
    for fila in filas:
        for columna in fila:
            assert valor not in str(columna)
    assert _fila(valor).usuaria_id == cuentas["admin"].id
    assert db.session.get(Sesion, valor) is None


def test_la_cookie_es_secure_en_produccion(app_produccion, cuentas):
    cliente = app_produccion.test_client()
    respuesta = entrar(cliente, cuentas["capturista"])
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[:300]
    cabecera = _set_cookie(respuesta)
    atributos = _atributos(cabecera)
    assert {"secure", "httponly"} <= atributos
    assert "samesite=lax" in cabecera.lower().replace(" ", "")
    assert cliente.get("/").status_code == 200
