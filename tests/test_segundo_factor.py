"""Two-factor login (TOTP) as the people who use it and an attacker would meet it."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from casos.bd import ahora
from casos.cuentas.modelos import CodigoRecuperacion, Sesion, Usuaria
from casos.extensiones import db
from tests.conftest import (
    CONTRASENA,
    SECRETO_TOTP,
    activar_segundo_factor,
    codigo_totp,
    crear_usuaria,
    enviar,
    olvidar_ultimo_codigo,
    token_csrf,
)

NO_VALIDO = "El código no es válido o ya se usó. Espere el siguiente."


def _contrasena(cliente, usuaria):
    return enviar(cliente, "/entrar", {"correo": usuaria.correo, "contrasena": CONTRASENA})


def _codigo(cliente, codigo):
    return enviar(cliente, "/entrar/codigo", {"codigo": codigo})


def _dentro(cliente) -> bool:
    respuesta = cliente.get("/")
    return respuesta.status_code == 200


@pytest.mark.parametrize("rol", ["supervisora", "gestora", "admin"])
def test_la_contrasena_sola_no_basta_para_los_roles_que_lo_exigen(app, cuentas, rol):
    cliente = app.test_client()
    respuesta = _contrasena(cliente, cuentas[rol])
    assert respuesta.status_code == 302 and respuesta.location == "/entrar/codigo"
    assert not _dentro(cliente)
    assert "Verificación en dos pasos" in cliente.get("/entrar/codigo").get_data(as_text=True)
    olvidar_ultimo_codigo(cuentas[rol].correo)
    assert _codigo(cliente, codigo_totp()).status_code == 302
    assert _dentro(cliente)


def test_una_capturista_sin_segundo_factor_entra_con_su_contrasena(app, cuentas):
    cliente = app.test_client()
    assert _contrasena(cliente, cuentas["capturista"]).location == "/"
    assert _dentro(cliente)


def test_una_capturista_que_lo_activo_tambien_debe_dar_el_codigo(app, cuentas):
    capturista = crear_usuaria("capturista", cuentas.institucion_a, segundo_factor=True)
    cliente = app.test_client()
    assert _contrasena(cliente, capturista).location == "/entrar/codigo"
    assert not _dentro(cliente)


def test_un_codigo_equivocado_se_rechaza_en_espanol(app, cuentas):
    cliente = app.test_client()
    _contrasena(cliente, cuentas["supervisora"])
    actual = codigo_totp()
    equivocado = f"{(int(actual) + 1) % 1_000_000:06d}"
    respuesta = _codigo(cliente, equivocado)
    assert respuesta.status_code == 200 and NO_VALIDO in respuesta.get_data(as_text=True)
    assert not _dentro(cliente)


def test_cada_codigo_sirve_una_sola_vez(app, cuentas):
    """Replay within the code's own 30 seconds (seen over a shoulder) is refused."""
    supervisora = cuentas["supervisora"]
    olvidar_ultimo_codigo(supervisora.correo)
    codigo = codigo_totp()
    primera, segunda = app.test_client(), app.test_client()
    _contrasena(primera, supervisora)
    assert _codigo(primera, codigo).status_code == 302
    _contrasena(segunda, supervisora)
    respuesta = _codigo(segunda, codigo)
    assert NO_VALIDO in respuesta.get_data(as_text=True)
    assert not _dentro(segunda)


def test_un_codigo_anterior_ya_no_sirve_despues_de_uno_nuevo(app, cuentas):
    supervisora = cuentas["supervisora"]
    olvidar_ultimo_codigo(supervisora.correo)
    totp = pyotp.TOTP(SECRETO_TOTP)
    ahora_paso = int(ahora().timestamp()) // 30
    cliente = app.test_client()
    _contrasena(cliente, supervisora)
    assert _codigo(cliente, totp.at((ahora_paso + 1) * 30)).status_code == 302  # clock drift: next
    otro = app.test_client()
    _contrasena(otro, supervisora)
    assert NO_VALIDO in _codigo(otro, totp.at(ahora_paso * 30)).get_data(as_text=True)


def test_el_paso_del_codigo_caduca_a_los_cinco_minutos(app, cuentas):
    correo = cuentas["gestora"].correo
    cliente = app.test_client()
    _contrasena(cliente, cuentas["gestora"])
    with cliente.session_transaction() as sesion:  # six minutes pass
        sesion["mfa_desde"] = (ahora() - timedelta(minutes=6)).isoformat()
    olvidar_ultimo_codigo(correo)
    respuesta = enviar(cliente, "/entrar/codigo", {"codigo": codigo_totp()}, pagina="/entrar")
    assert respuesta.location == "/entrar"
    assert "Pasaron más de 5 minutos" in cliente.get("/entrar").get_data(as_text=True)
    assert not _dentro(cliente)


def test_sin_la_contrasena_no_se_llega_al_codigo(app, cuentas):
    cliente = app.test_client()
    token = token_csrf(cliente)
    respuesta = cliente.post("/entrar/codigo", data={"csrf_token": token, "codigo": codigo_totp()})
    assert respuesta.location == "/entrar"
    assert not _dentro(cliente)


def test_los_codigos_equivocados_se_limitan_por_cuenta(app, cuentas):
    cliente = app.test_client()
    _contrasena(cliente, cuentas["admin"])
    token = token_csrf(cliente, "/entrar/codigo")
    for intento in range(10):
        respuesta = cliente.post("/entrar/codigo", data={"csrf_token": token, "codigo": f"{intento:06d}"},
                                 environ_base={"REMOTE_ADDR": f"10.9.0.{intento}"})
        assert respuesta.status_code == 200
    bloqueado = cliente.post("/entrar/codigo", data={"csrf_token": token, "codigo": codigo_totp()},
                             environ_base={"REMOTE_ADDR": "10.9.1.1"})
    assert bloqueado.status_code == 429 and "Demasiados intentos" in bloqueado.get_data(as_text=True)


def test_alta_con_qr_codigos_de_recuperacion_y_secretos_cifrados(app, cuentas, motor_bd):
    nueva = crear_usuaria("supervisora", cuentas.institucion_a, segundo_factor=False)
    cliente = app.test_client()
    assert _contrasena(cliente, nueva).location == "/entrar/alta-codigo"
    assert not _dentro(cliente)
    pagina = cliente.get("/entrar/alta-codigo").get_data(as_text=True)
    assert "Generar mi clave" in pagina
    generada = enviar(cliente, "/entrar/alta-codigo", {"accion": "generar"}).get_data(as_text=True)
    assert "<svg" in generada and "<script" not in generada
    secreto = re.search(r'<code class="secreto">([A-Z2-7]+)</code>', generada).group(1)
    # A wrong first code does not switch anything on.
    malo = enviar(cliente, "/entrar/alta-codigo", {"codigo": "000000"}).get_data(as_text=True)
    assert "El código no coincide" in malo
    db.session.rollback()
    assert db.session.get(Usuaria, nueva.id).totp_activado_en is None
    respuesta, codigos = activar_segundo_factor(cliente)
    assert respuesta.status_code == 302 and _dentro(cliente)
    assert len(codigos) == 10 and len(set(codigos)) == 10
    db.session.rollback()
    guardada = db.session.get(Usuaria, nueva.id)
    assert guardada.totp_activado_en is not None
    # Neither the secret nor any recovery code is stored in clear.
    crudo = repr(db.session.execute(sa.select(Usuaria.__table__).where(Usuaria.id == nueva.id)).all())
    crudo += repr(db.session.execute(sa.select(CodigoRecuperacion.__table__)).all())
    assert secreto not in crudo and secreto.encode() not in guardada.totp_secreto_cifrado
    assert all(c not in crudo and c.replace("-", "") not in crudo for c in codigos)


def test_un_codigo_de_recuperacion_sirve_una_vez(app, cuentas):
    nueva = crear_usuaria("gestora", cuentas.institucion_a, segundo_factor=False)
    cliente = app.test_client()
    _contrasena(cliente, nueva)
    _respuesta, codigos = activar_segundo_factor(cliente)
    for intento in range(2):
        otro = app.test_client()
        _contrasena(otro, nueva)
        respuesta = _codigo(otro, codigos[0].lower())
        if intento == 0:
            inicio = otro.get("/")
            assert respuesta.status_code == 302 and inicio.status_code == 200
            assert "código de recuperación" in inicio.get_data(as_text=True)
        else:
            assert NO_VALIDO in respuesta.get_data(as_text=True) and not _dentro(otro)


def test_la_administracion_restablece_sin_ver_el_secreto(app, cuentas, como):
    supervisora = cuentas["supervisora"]
    abierta = como("supervisora")
    admin = como("admin")
    pagina = admin.get(f"/admin/cuentas/{supervisora.id}").get_data(as_text=True)
    assert SECRETO_TOTP not in pagina and "Restablecer verificación en dos pasos" in pagina
    respuesta = enviar(admin, f"/admin/cuentas/{supervisora.id}/segundo-factor", {},
                       pagina=f"/admin/cuentas/{supervisora.id}")
    assert respuesta.status_code == 302
    assert SECRETO_TOTP not in admin.get(respuesta.location).get_data(as_text=True)
    db.session.rollback()
    restablecida = db.session.get(Usuaria, supervisora.id)
    assert restablecida.totp_secreto_cifrado is None and restablecida.totp_activado_en is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sesion).where(
        Sesion.usuaria_id == supervisora.id)) == 0
    assert not _dentro(abierta)
    # At her next login she enrols again; the old secret no longer opens anything.
    cliente = app.test_client()
    assert _contrasena(cliente, supervisora).location == "/entrar/alta-codigo"


def test_una_administradora_no_restablece_su_propio_segundo_factor(app, cuentas, como):
    admin = como("admin")
    yo = cuentas["admin"]
    respuesta = enviar(admin, f"/admin/cuentas/{yo.id}/segundo-factor", {}, pagina=f"/admin/cuentas/{yo.id}")
    assert "Otra persona administradora" in admin.get(respuesta.location).get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Usuaria, yo.id).totp_activado_en is not None


def test_una_capturista_puede_activarlo_desde_su_cuenta(app, cuentas, como):
    capturista = como("capturista")
    pagina = capturista.get("/cuenta/segundo-factor").get_data(as_text=True)
    assert "Generar mi clave" in pagina
    generada = enviar(capturista, "/cuenta/segundo-factor", {"accion": "generar"}).get_data(as_text=True)
    secreto = re.search(r'<code class="secreto">([A-Z2-7]+)</code>', generada).group(1)
    respuesta = enviar(capturista, "/cuenta/segundo-factor", {"codigo": pyotp.TOTP(secreto).now()})
    assert "Sus códigos de recuperación" in respuesta.get_data(as_text=True)
    cliente = app.test_client()
    assert _contrasena(cliente, cuentas["capturista"]).location == "/entrar/codigo"
