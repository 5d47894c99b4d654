"""E-mail to staff (casos/avisos/), read off a real SMTP server (aiosmtpd) started here.

What a person would find in her inbox: who is told of each move, that no e-mail carries
anything of the woman, that the link asks for login, and that a failing SMTP server neither
fails the request nor loses the message."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from casos.avisos.envio import INTENTOS_MAXIMOS
from casos.avisos.modelos import CorreoSaliente
from casos.bd import ahora
from casos.expedientes import servicios
from casos.extensiones import db
from tests.conftest import crear_usuaria, datos_de_caso, enviar
from tests.test_movimientos_ilegales import (
    canalizacion_unica,
    pedir_canalizacion,
    resolver,
    responder,
    solicitud_de,
)
from tests.test_ordenes_y_pendientes import mover

URL = "https://rutavioleta.example"
# Everything the intake holds of her (tests/conftest.py datos_de_caso): none may be mailed.
CANARIOS = ("Canaria", "Xochitl", "Pruebasintetica", "PEMA850101", "4929990001", "Ficticia",
            "Inventada", "Sintetica", "Agresor", "Náhuatl", "32056", "Fresnillo", "Zacatecas")


class Buzon:
    """aiosmtpd handler: keeps every message that arrives."""

    def __init__(self):
        self.mensajes = []

    async def handle_DATA(self, _servidor, _sesion, sobre):
        self.mensajes.append((sobre.rcpt_tos, message_from_bytes(sobre.content, policy=policy.default)))
        return "250 OK"

    def para(self, correo: str) -> list:
        return [m for destinos, m in self.mensajes if correo in destinos]


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def correo(app):
    """A real SMTP server on a free port, and the app configured to use it."""
    buzon = Buzon()
    controlador = Controller(buzon, hostname="127.0.0.1", port=_puerto_libre())
    controlador.start()
    app.config.update(SMTP_SERVIDOR="127.0.0.1", SMTP_PUERTO=controlador.port, SMTP_STARTTLS=False,
                      URL_PUBLICA=URL, CORREO_REMITENTE="Ruta Violeta <no-responder@rutavioleta.example>")
    yield buzon
    controlador.stop()


@pytest.fixture
def caso(app, cuentas):
    registrado = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=["identidad", "hechos"]))
    db.session.commit()
    return registrado


def terminada(respuesta):
    """The response as a WSGI server ends it: closed, which runs what waits for the end
    (the e-mails go out then, casos/avisos/envio.py). The test client leaves it open."""
    respuesta.close()
    assert respuesta.status_code == 302, respuesta.status_code
    return respuesta


def _cuerpo(mensaje) -> str:
    return mensaje.get_body(preferencelist=("plain",)).get_content()


def _sin_datos_de_ella(mensaje) -> None:
    texto = f"{mensaje['Subject']}\n{_cuerpo(mensaje)}"
    for canario in CANARIOS:
        assert canario.lower() not in texto.lower(), canario


def _enlace(mensaje) -> str:
    [enlace] = re.findall(r"https://\S+", _cuerpo(mensaje))
    return enlace


def _pide_entrar(app, enlace: str) -> None:
    """The link leads to the login page, never to data, for whoever opens it without a session."""
    assert enlace.startswith(URL)
    respuesta = app.test_client().get(enlace.removeprefix(URL))
    assert respuesta.status_code == 302 and "/entrar" in respuesta.location


def test_cada_paso_de_una_canalizacion_avisa_a_quien_le_toca_y_a_nadie_mas(app, cuentas, como, caso, correo):
    otra_supervisora = crear_usuaria("supervisora", cuentas.institucion_a)
    inactiva = crear_usuaria("supervisora", cuentas.institucion_a, activa=False)
    bloqueada = crear_usuaria("capturista", cuentas.institucion_b)
    bloqueada.bloqueada_en = ahora()
    db.session.commit()
    correos = {clave: u.correo for clave, u in cuentas.por_clave.items()}
    correos.update(otra=otra_supervisora.correo, inactiva=inactiva.correo, bloqueada=bloqueada.correo)

    # The capturista asks to send it: both active supervisoras of A are told, nobody else.
    terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
    assert sorted(d for destinos, _ in correo.mensajes for d in destinos) == sorted(
        [correos["supervisora"], correos["otra"]])
    [aviso] = correo.para(correos["supervisora"])
    assert aviso["Subject"] == "Ruta Violeta: una solicitud espera su aprobación"
    assert aviso["From"] == "Ruta Violeta <no-responder@rutavioleta.example>"
    assert _enlace(aviso) == f"{URL}/aprobaciones/"
    _sin_datos_de_ella(aviso)
    _pide_entrar(app, _enlace(aviso))

    # Approved and sent: B's active case staff are told it arrived; A's supervisora isn't again.
    correo.mensajes.clear()
    terminada(resolver(como("supervisora"), solicitud_de("enviar")))
    assert sorted(d for destinos, _ in correo.mensajes for d in destinos) == sorted(
        [correos["capturista_b"], correos["supervisora_b"]])
    for _, aviso in correo.mensajes:
        assert aviso["Subject"] == "Ruta Violeta: su institución recibió una canalización"
        assert _enlace(aviso) == f"{URL}/canalizaciones/"
        _sin_datos_de_ella(aviso)

    # B accepts, then reports back: the capturista who registered the referral is told each time.
    canalizacion = canalizacion_unica()
    for evento, hecho, extra in (("aceptar", "la aceptó", {}),
                                 ("contrarreferir", "registró la contrarreferencia",
                                  {"contrarreferencia": "Se brindó asesoría (sintético)",
                                   "servicios_prestados": "juridica"})):
        correo.mensajes.clear()
        terminada(responder(como("capturista_b"), canalizacion, evento, **extra))
        [(destinos, aviso)] = correo.mensajes
        assert destinos == [correos["capturista"]]
        assert aviso["Subject"] == "Ruta Violeta: respondieron una canalización que usted registró"
        assert f"La institución que recibió una canalización que usted registró {hecho}." in _cuerpo(aviso)
        assert _enlace(aviso) == f"{URL}/canalizaciones/{canalizacion.id}"
        _sin_datos_de_ella(aviso)
        _pide_entrar(app, _enlace(aviso))
    assert not correo.para(correos["inactiva"]) and not correo.para(correos["bloqueada"])


def test_quien_pide_una_aprobacion_no_se_avisa_a_si_misma(app, cuentas, como, caso, correo):
    otra = crear_usuaria("supervisora", cuentas.institucion_a)
    db.session.commit()
    terminada(pedir_canalizacion(como("supervisora"), caso, cuentas.institucion_b))
    assert [destinos for destinos, _ in correo.mensajes] == [[otra.correo]]


def test_un_servidor_de_correo_caido_no_falla_la_peticion_y_el_correo_espera(app, cuentas, como, caso, correo, runner):
    puerto_bueno = app.config["SMTP_PUERTO"]
    app.config["SMTP_PUERTO"] = _puerto_libre()  # nothing listens there
    capturista = como("capturista")
    terminada(pedir_canalizacion(capturista, caso, cuentas.institucion_b))  # the request succeeds
    assert solicitud_de("enviar") is not None  # the move itself was saved
    db.session.rollback()
    [espera] = db.session.scalars(select(CorreoSaliente)).all()
    assert (espera.intentos, espera.enviado_en, espera.ultimo_error) == (1, None, "ConnectionRefusedError")
    assert espera.proximo_intento > ahora()
    assert not correo.mensajes

    # Not due yet: the timer leaves it; once due and with the server back, it goes out.
    app.config["SMTP_PUERTO"] = puerto_bueno
    assert "Correos enviados: 0" in runner.invoke(args=["avisos", "enviar"]).output
    db.session.execute(update(CorreoSaliente).values(proximo_intento=ahora()))
    db.session.commit()
    assert "Correos enviados: 1; fallidos (se reintentarán): 0." in runner.invoke(args=["avisos", "enviar"]).output
    assert [destinos for destinos, _ in correo.mensajes] == [[cuentas["supervisora"].correo]]
    db.session.rollback()
    [enviado] = db.session.scalars(select(CorreoSaliente)).all()
    assert enviado.enviado_en is not None and enviado.ultimo_error is None
    # Sent once: the timer does not send it again.
    assert "Correos enviados: 0" in runner.invoke(args=["avisos", "enviar"]).output
    assert len(correo.mensajes) == 1


def test_tras_los_intentos_maximos_deja_de_intentar(app, cuentas, como, caso, correo, runner):
    app.config["SMTP_PUERTO"] = _puerto_libre()
    terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
    for _ in range(INTENTOS_MAXIMOS + 2):
        db.session.execute(update(CorreoSaliente).values(proximo_intento=ahora()))
        db.session.commit()
        runner.invoke(args=["avisos", "enviar"])
    db.session.rollback()
    assert db.session.scalar(select(CorreoSaliente.intentos)) == INTENTOS_MAXIMOS


def test_sin_servidor_configurado_no_se_guarda_ningun_correo(app, cuentas, como, caso, runner):
    assert not app.config["SMTP_SERVIDOR"]
    terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
    terminada(resolver(como("supervisora"), solicitud_de("enviar")))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CorreoSaliente)) == 0
    assert "El correo está apagado" in runner.invoke(args=["avisos", "enviar"]).output


def test_una_solicitud_que_no_se_guarda_no_deja_correo(app, cuentas, como, caso, correo):
    """The same request twice: the second is refused, and its e-mail with it."""
    terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
    antes = len(correo.mensajes)
    db.session.rollback()
    from casos.transiciones import servicios as transiciones
    from flujos import MovimientoIlegal

    canalizacion = canalizacion_unica()
    with pytest.raises(MovimientoIlegal):
        transiciones.solicitar(canalizacion, "enviar", transiciones.actor(
            cuentas["capturista"], duena_id=cuentas.institucion_a.id), cuentas["capturista"])
    db.session.rollback()
    assert len(correo.mensajes) == antes
    assert db.session.scalar(select(func.count()).select_from(CorreoSaliente)) == antes


# ---- her choice: each as it happens, or one summary a day -----------------------------------

def test_quien_elige_un_resumen_al_dia_recibe_uno_solo(app, cuentas, como, correo, runner):
    supervisora_b = como("supervisora_b")
    assert "Cada aviso en cuanto ocurre" in supervisora_b.get("/cuenta/avisos").get_data(as_text=True)
    respuesta = enviar(supervisora_b, "/cuenta/avisos", {"avisos": "resumen"})
    assert respuesta.status_code == 302
    pagina = supervisora_b.get(respuesta.location).get_data(as_text=True)
    assert "Listo: así recibirá los avisos por correo." in pagina
    assert re.search(r'value="resumen"[^>]*checked|checked[^>]*value="resumen"', pagina)
    correos = {clave: u.correo for clave, u in cuentas.por_clave.items()}

    for numero in range(2):  # two referrals reach B
        caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
            nombre=f"Canaria Resumen {numero}", tipos_institucion=["cjm"]))
        db.session.commit()
        terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
        terminada(resolver(como("supervisora"), solicitud_de("enviar")))
    # The capturista of B, who kept "each as it happens", got both; her supervisora nothing yet.
    assert len(correo.para(correos["capturista_b"])) == 2
    assert correo.para(correos["supervisora_b"]) == []

    resultado = runner.invoke(args=["avisos", "resumen"])
    assert "Resúmenes: 1." in resultado.output and "Correos enviados: 1;" in resultado.output
    [resumen] = correo.para(correos["supervisora_b"])
    assert resumen["Subject"] == "Ruta Violeta: su resumen del día"
    assert "- 2 canalizaciones recibidas por su institución" in _cuerpo(resumen)
    assert _enlace(resumen) == f"{URL}/"
    _sin_datos_de_ella(resumen)
    # The next day's run finds nothing new for her.
    assert "Resúmenes: 0." in runner.invoke(args=["avisos", "resumen"]).output
    assert len(correo.para(correos["supervisora_b"])) == 1


# ---- warnings the timer raises, once ---------------------------------------------------------

def test_una_canalizacion_sin_respuesta_escala_a_la_receptora_y_luego_a_quien_la_envio(
        app, cuentas, como, caso, correo, runner):
    terminada(pedir_canalizacion(como("capturista"), caso, cuentas.institucion_b))
    terminada(resolver(como("supervisora"), solicitud_de("enviar")))
    correo.mensajes.clear()
    canalizacion = canalizacion_unica()
    correos = {clave: u.correo for clave, u in cuentas.por_clave.items()}

    def vigilar() -> str:
        resultado = runner.invoke(args=["avisos", "vigilar"])
        assert resultado.exit_code == 0, resultado.output
        db.session.rollback()
        return resultado.output

    # Late, but less than AVISO_ESCALAR_HORAS (24) past its deadline: nobody yet.
    mover(canalizacion, plazo_respuesta=ahora() - timedelta(hours=23))
    assert "Avisos nuevos: 0." in vigilar() and not correo.mensajes
    # 25 hours past: the receiving institution's supervisora, once.
    mover(canalizacion, plazo_respuesta=ahora() - timedelta(hours=25))
    assert "Avisos nuevos: 1." in vigilar()
    [(destinos, aviso)] = correo.mensajes
    assert destinos == [correos["supervisora_b"]]
    assert aviso["Subject"] == "Ruta Violeta: una canalización recibida sigue sin respuesta"
    _sin_datos_de_ella(aviso)
    assert "Avisos nuevos: 0." in vigilar() and len(correo.mensajes) == 1
    # 49 hours past: the sending institution's supervisora too, with the referral's link.
    mover(canalizacion, plazo_respuesta=ahora() - timedelta(hours=49))
    assert "Avisos nuevos: 1." in vigilar()
    destinos, aviso = correo.mensajes[-1]
    assert destinos == [correos["supervisora"]]
    assert _enlace(aviso) == f"{URL}/canalizaciones/{canalizacion.id}"
    _sin_datos_de_ella(aviso)
    _pide_entrar(app, _enlace(aviso))
    # Answered: no more warnings, whatever the timer finds.
    terminada(responder(como("capturista_b"), canalizacion, "aceptar"))
    antes = len(correo.mensajes)
    assert "Avisos nuevos: 0." in vigilar() and len(correo.mensajes) == antes


def test_un_plazo_de_orden_que_vence_avisa_a_la_responsable_y_a_la_supervisora(
        app, cuentas, como, caso, correo, runner):
    from casos.ordenes.modelos import OrdenProteccion
    from tests.test_ordenes_y_pendientes import pedir_orden

    # Requested 2 hours ago: 2 hours left to issue it, nobody is warned yet.
    terminada(pedir_orden(como("capturista"), caso, ahora() - timedelta(hours=2)))
    assert "Avisos nuevos: 0." in runner.invoke(args=["avisos", "vigilar"]).output
    # Requested 3 h 30 min ago: half an hour left.
    db.session.rollback()
    orden = db.session.scalars(select(OrdenProteccion)).one()
    mover(orden, solicitada_en=ahora() - timedelta(hours=3, minutes=30))
    assert "Avisos nuevos: 2." in runner.invoke(args=["avisos", "vigilar"]).output
    destinos = sorted(d for ds, _ in correo.mensajes for d in ds)
    assert destinos == sorted([cuentas["capturista"].correo, cuentas["supervisora"].correo])
    for _, aviso in correo.mensajes:
        assert aviso["Subject"] == "Ruta Violeta: vence o venció un plazo de una orden de protección"
        assert _enlace(aviso) == f"{URL}/pendientes?tipo=orden"
        _sin_datos_de_ella(aviso)
    assert "Avisos nuevos: 0." in runner.invoke(args=["avisos", "vigilar"]).output
