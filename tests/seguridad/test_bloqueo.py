"""Lockout after repeated failed logins, admin unlock, and no enumeration through it.

A locked account answers exactly as a wrong password and an unknown e-mail do (same status,
same page, same work), at login, at the second step and at /cuenta/contrasena. Locking ends
every session of the account at once, so a stolen session is out with it. The rate limits
(per address and per account) are tested in tests/test_entrar.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.cuentas import contrasenas
from casos.cuentas.modelos import Sesion, Usuaria
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import (
    CONTRASENA,
    codigo_totp,
    datos_de_caso,
    entrar,
    enviar,
    olvidar_ultimo_codigo,
    token_csrf,
)

MENSAJE = "Correo o contraseña incorrectos."
EQUIVOCADA = "frase equivocada de prueba"
LIMITE = 3
COOKIE = "rv_sesion"


@pytest.fixture
def configuracion(configuracion):
    configuracion["BLOQUEO_TRAS_FALLOS"] = LIMITE
    return configuracion


def _recargar(usuaria) -> Usuaria:
    db.session.rollback()
    return db.session.get(Usuaria, usuaria.id)


def _normalizada(respuesta, correo: str) -> str:
    html = respuesta.get_data(as_text=True)
    html = re.sub(r'(name="csrf_token" type="hidden" value=)"[^"]+"', r'\1"TOKEN"', html)
    return html.replace(correo, "CORREO")


def _fallar(app, correo, veces=LIMITE):
    for _ in range(veces):
        respuesta = entrar(app.test_client(), correo, EQUIVOCADA)
        assert respuesta.status_code == 200 and MENSAJE in respuesta.get_data(as_text=True)


def _sesiones_de(usuaria) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Sesion)
                             .where(Sesion.usuaria_id == usuaria.id))


def _va_a_entrar(respuesta) -> bool:
    return respuesta.status_code == 302 and urlsplit(respuesta.location).path == "/entrar"


def _cliente_con(app, cookie: str):
    """Another browser holding a copy of the cookie, as a thief would."""
    cliente = app.test_client()
    cliente.set_cookie(COOKIE, cookie)
    return cliente


def _eventos(accion):
    db.session.rollback()
    return db.session.scalars(sa.select(EventoAuditoria).where(EventoAuditoria.accion == accion)).all()


def test_tras_n_fallos_ni_la_contrasena_correcta_entra(app, cuentas):
    ella = cuentas["capturista"]
    _fallar(app, ella.correo, LIMITE - 1)
    assert _recargar(ella).bloqueada_en is None
    _fallar(app, ella.correo, 1)
    assert _recargar(ella).bloqueada_en is not None
    assert _recargar(ella).fallos_consecutivos == LIMITE
    respuesta = entrar(app.test_client(), ella)
    assert respuesta.status_code == 200 and MENSAJE in respuesta.get_data(as_text=True)
    assert _sesiones_de(ella) == 0
    assert [e.objeto_id for e in _eventos("cuenta.bloquear")] == [ella.id]


def test_bloqueada_responde_igual_que_mala_contrasena_y_correo_desconocido(app, cuentas):
    ella, otra = cuentas["capturista"], cuentas["supervisora_b"]
    desconocido = "nadie.existe@prueba.mx"
    _fallar(app, ella.correo)
    bloqueada = entrar(app.test_client(), ella)  # the right password
    mala = entrar(app.test_client(), otra, EQUIVOCADA)
    inexistente = entrar(app.test_client(), desconocido)
    assert bloqueada.status_code == mala.status_code == inexistente.status_code == 200
    assert (_normalizada(bloqueada, ella.correo) == _normalizada(mala, otra.correo)
            == _normalizada(inexistente, desconocido))
    assert (set(bloqueada.headers.keys()) == set(mala.headers.keys())
            == set(inexistente.headers.keys()))


def test_bloqueada_hace_el_mismo_trabajo_que_un_correo_desconocido(app, cuentas, monkeypatch):
    """Timing: one Argon2 verification in every case (the decoy for an unknown e-mail)."""
    ella = cuentas["capturista"]
    _fallar(app, ella.correo)
    llamadas = []
    original = contrasenas.verificar
    monkeypatch.setattr(contrasenas, "verificar",
                        lambda h, c: llamadas.append(h is not None) or original(h, c))
    entrar(app.test_client(), ella)
    entrar(app.test_client(), ella, EQUIVOCADA)
    entrar(app.test_client(), "nadie.existe@prueba.mx")
    assert llamadas == [True, True, False]


def test_un_acierto_reinicia_la_cuenta(app, cuentas):
    ella = cuentas["capturista"]
    _fallar(app, ella.correo, LIMITE - 1)
    assert entrar(app.test_client(), ella).status_code == 302
    assert _recargar(ella).fallos_consecutivos == 0
    _fallar(app, ella.correo, LIMITE - 1)
    assert entrar(app.test_client(), ella).status_code == 302


def test_por_omision_bloquea_tras_diez(app, cuentas):
    app.config["BLOQUEO_TRAS_FALLOS"] = 10
    app.config["LIMITE_LOGIN"] = "100 per minute"  # the lockout alone, not the rate limit
    ella = cuentas["capturista"]
    _fallar(app, ella.correo, 9)
    assert _recargar(ella).bloqueada_en is None
    _fallar(app, ella.correo, 1)
    assert _recargar(ella).bloqueada_en is not None


def test_los_codigos_equivocados_tambien_bloquean_y_responden_igual(app, cuentas):
    """Knowing the password must not allow endless second-factor guessing."""
    ella = cuentas["supervisora"]
    cliente = app.test_client()
    assert enviar(cliente, "/entrar", {"correo": ella.correo, "contrasena": CONTRASENA}
                  ).location.endswith("/entrar/codigo")
    for _ in range(LIMITE):
        mala = enviar(cliente, "/entrar/codigo", {"codigo": "000000"})
        assert mala.status_code == 200
    assert _recargar(ella).bloqueada_en is not None
    olvidar_ultimo_codigo(ella.correo)
    buena = enviar(cliente, "/entrar/codigo", {"codigo": codigo_totp()})
    assert buena.status_code == 200
    sin_codigo = lambda r: _normalizada(r, ella.correo).replace(codigo_totp(), "000000")
    assert sin_codigo(buena) == sin_codigo(mala)  # only the echoed code differs
    assert _sesiones_de(ella) == 0
    assert entrar(app.test_client(), ella).status_code == 200


def test_el_paso_del_codigo_no_reinicia_la_cuenta_hasta_entrar(app, cuentas):
    """Right password, wrong codes, right password again...: the count goes on."""
    ella = cuentas["supervisora"]
    for _ in range(LIMITE):
        cliente = app.test_client()
        enviar(cliente, "/entrar", {"correo": ella.correo, "contrasena": CONTRASENA})
        enviar(cliente, "/entrar/codigo", {"codigo": "000000"})
    assert _recargar(ella).bloqueada_en is not None


def test_cambiar_contrasena_hasta_bloquear_responde_igual_y_termina_la_sesion(app, cuentas, como):
    """A stolen session guessing the password at /cuenta/contrasena: the attempt that locks
    answers like the others, and then the session is over (the lock ended it)."""
    ella = cuentas["capturista"]
    cliente = como("capturista")
    nueva = "el rio corre despacio bajo el puente viejo"
    datos = {"nueva": nueva, "confirmacion": nueva}
    token = token_csrf(cliente, "/cuenta/contrasena")
    respuestas = []
    for numero in range(LIMITE):
        respuestas.append(cliente.post("/cuenta/contrasena", data={
            **datos, "actual": f"equivocada numero {numero}", "csrf_token": token}))
        assert "La contraseña actual no es correcta." in respuestas[-1].get_data(as_text=True)
    assert _recargar(ella).bloqueada_en is not None
    assert {r.status_code for r in respuestas} == {200}
    assert _normalizada(respuestas[-1], ella.correo) == _normalizada(respuestas[0], ella.correo)
    hash_antes = _recargar(ella).contrasena_hash

    assert _sesiones_de(ella) == 0
    assert _va_a_entrar(cliente.get("/cuenta/contrasena"))
    buena = cliente.post("/cuenta/contrasena", data={**datos, "actual": CONTRASENA, "csrf_token": token})
    assert buena.status_code == 400 or _va_a_entrar(buena)  # the token died with the session
    assert _recargar(ella).contrasena_hash == hash_antes


def test_admin_ve_bloqueada_y_desbloquea_con_auditoria(app, cuentas, como):
    ella = cuentas["capturista"]
    _fallar(app, ella.correo)
    admin = como("admin")
    lista = admin.get("/admin/cuentas").get_data(as_text=True)
    fila = re.search(rf"{re.escape(ella.correo)}.*?</tr>", lista, re.S).group(0)
    assert "Bloqueada" in fila
    pagina = admin.get(f"/admin/cuentas/{ella.id}").get_data(as_text=True)
    assert "Cuenta bloqueada" in pagina and f"/admin/cuentas/{ella.id}/desbloquear" in pagina

    respuesta = enviar(admin, f"/admin/cuentas/{ella.id}/desbloquear", pagina=f"/admin/cuentas/{ella.id}")
    assert respuesta.status_code == 302
    assert "Cuenta desbloqueada" in admin.get(respuesta.location).get_data(as_text=True)
    despues = _recargar(ella)
    assert despues.bloqueada_en is None and despues.fallos_consecutivos == 0
    assert [e.objeto_id for e in _eventos("cuenta.desbloquear")] == [ella.id]
    assert entrar(app.test_client(), ella).status_code == 302
    assert "Bloqueada" not in admin.get("/admin/cuentas").get_data(as_text=True)


def test_desbloquear_sin_token_csrf_no_cambia_nada(app, cuentas, como):
    ella = cuentas["capturista"]
    _fallar(app, ella.correo)
    admin = como("admin")
    respuesta = admin.post(f"/admin/cuentas/{ella.id}/desbloquear", data={})
    assert respuesta.status_code == 400
    assert _recargar(ella).bloqueada_en is not None


def test_una_sesion_abierta_termina_cuando_la_cuenta_se_bloquea(app, cuentas, como):
    """Someone holding her session (a stolen cookie) is out the moment the account locks:
    sent to /entrar on the next request, with no access to the case she could read before."""
    ella = cuentas["capturista"]
    caso = registrar_caso(ella, datos_de_caso())
    db.session.commit()
    abierta = como("capturista")
    copia = _cliente_con(app, abierta.get_cookie(COOKIE).value)
    assert abierta.get(f"/casos/{caso.id}").status_code == 200
    assert _sesiones_de(ella) == 1

    _fallar(app, ella.correo)  # from other browsers: whoever knows the address

    assert _sesiones_de(ella) == 0
    for cliente in (abierta, copia):
        assert _va_a_entrar(cliente.get(f"/casos/{caso.id}"))
        assert _va_a_entrar(cliente.get("/"))
    assert "Canaria" not in abierta.get(f"/casos/{caso.id}", follow_redirects=True).get_data(as_text=True)


def test_admin_bloqueada_pierde_su_sesion_y_no_se_desbloquea(app, cuentas, como):
    admin_cuenta = cuentas["admin"]
    cliente = como("admin")
    token = token_csrf(cliente, "/admin/cuentas")
    _fallar(app, admin_cuenta.correo)
    # The lock ended her session: it can't lift its own lock, not even with a token it kept.
    assert _va_a_entrar(cliente.get("/admin/cuentas"))
    respuesta = cliente.post(f"/admin/cuentas/{admin_cuenta.id}/desbloquear", data={"csrf_token": token})
    assert respuesta.status_code == 400 or _va_a_entrar(respuesta)  # the token died with it
    assert _recargar(admin_cuenta).bloqueada_en is not None
    assert _eventos("cuenta.desbloquear") == []


def test_un_enlace_de_activacion_nuevo_termina_el_bloqueo(app, cuentas, como):
    """Forgotten password: the admin's new link is the other way out of a lockout."""
    ella = cuentas["capturista"]
    _fallar(app, ella.correo)
    admin = como("admin")
    pagina = enviar(admin, f"/admin/cuentas/{ella.id}/activacion",
                    pagina=f"/admin/cuentas/{ella.id}").get_data(as_text=True)
    enlace = re.search(r"(/activar/[A-Za-z0-9_\-]+)", pagina).group(1)
    nueva = "el rio corre despacio bajo el puente viejo"
    cliente = app.test_client()
    assert enviar(cliente, enlace, {"nueva": nueva, "confirmacion": nueva}).status_code == 302
    assert entrar(app.test_client(), ella, nueva).status_code == 302


def test_el_correo_desconocido_no_crea_ni_bloquea_nada(app, cuentas):
    _fallar(app, "nadie.existe@prueba.mx", LIMITE + 1)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Usuaria)
                             .where(Usuaria.bloqueada_en.is_not(None))) == 0
    assert token_csrf(app.test_client())  # the login page still answers
