"""Each role's home is her work: counts with links, which change when the data change, and
never a woman's name (the home writes no read event, so it must show nothing of hers)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora, hoy_local
from casos.estadisticas import ediciones
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.pendientes.servicios import fin_del_dia
from tests.conftest import CONTRASENA, crear_usuaria, datos_de_caso, entrar, enviar
from tests.test_acceso_por_estructura import CANARIOS
from tests.test_movimientos_ilegales import canalizacion_unica, mover_caso, pedir_canalizacion
from tests.test_ordenes_y_pendientes import GRAVES, mover, pendientes, valorar

pytestmark = pytest.mark.reloj  # "late" and "due today" are counted from now


def conteos(cliente) -> dict[str, tuple[int | str, str]]:
    """The home's counts: what each counts (without its number) -> (number, link)."""
    respuesta = cliente.get("/")
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    for canario in CANARIOS:  # counts, never her data
        assert canario not in html, canario
    encontrados = {}
    for enlace, numero, texto in re.findall(
            r'<(?:a|span) class="inicio-conteo[^"]*"(?: id="[^"]*")?(?: href="([^"]*)")?[^>]*>\s*'
            r'<span class="inicio-numero">(.*?)</span>(.*?)(?:<span class="inicio-detalle">|</a>|</span></li>)',
            html, re.S):
        numero = unescape(re.sub(r"<[^>]+>", "", numero)).strip()
        clave = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", texto))).strip()
        encontrados[clave] = (int(numero) if numero.isdigit() else numero, unescape(enlace))
    return encontrados


def numero(cliente, que: str) -> int | str:
    """The number of the count whose text starts with `que` (singular and plural differ)."""
    elegidos = [v[0] for k, v in conteos(cliente).items() if k.startswith(que)]
    assert len(elegidos) == 1, (que, conteos(cliente))
    return elegidos[0]


def enlace(cliente, que: str) -> str:
    (elegido,) = [v[1] for k, v in conteos(cliente).items() if k.startswith(que)]
    return elegido


def registrar(usuaria, **cambios) -> Caso:
    caso = servicios.registrar_caso(usuaria, datos_de_caso(**cambios))
    db.session.commit()
    return caso


def sin_eventos_nuevos(cliente) -> bool:
    """The home writes no audit event: it shows nothing of a woman."""
    db.session.rollback()
    antes = db.session.scalar(sa.select(sa.func.count()).select_from(EventoAuditoria))
    cliente.get("/")
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(EventoAuditoria)) == antes


def atrasados(cliente):
    return next(v[0] for k, v in conteos(cliente).items() if re.fullmatch(r"pendientes? atrasados?", k))


def de_hoy(cliente):
    return next(v[0] for k, v in conteos(cliente).items() if re.fullmatch(r"pendientes? vencen? hoy", k))


# ---- the caseworker -------------------------------------------------------------------------------

def test_la_capturista_ve_sus_atrasados_lo_de_hoy_lo_recibido_y_sus_urgentes(app, cuentas, como):
    capturista = como("capturista")
    colega = crear_usuaria("capturista", cuentas.institucion_a)
    suyo = registrar(cuentas["capturista"], nombre="Mujer Suya Sintetica")
    otro_suyo = registrar(cuentas["capturista"], nombre="Otra Suya Sintetica")
    ajeno = registrar(colega, nombre="Mujer Ajena Sintetica")
    assert atrasados(capturista) == 0 and de_hoy(capturista) == 0
    assert numero(capturista, "canalizaci") == 0 and numero(capturista, "caso") == 0
    assert sin_eventos_nuevos(capturista)

    # A late re-assessment of her case counts; one of a colleague's case does not.
    mover(suyo, proxima_valoracion=ahora() - timedelta(days=40))
    mover(ajeno, proxima_valoracion=ahora() - timedelta(days=2))
    assert atrasados(capturista) == 1
    # One due before midnight (Mexico City) counts as today; one due tomorrow, not.
    medianoche = fin_del_dia(ahora())
    mover(otro_suyo, proxima_valoracion=medianoche - timedelta(minutes=10))
    assert de_hoy(capturista) == 1
    mover(otro_suyo, proxima_valoracion=medianoche + timedelta(hours=2))
    assert de_hoy(capturista) == 0
    mover(otro_suyo, proxima_valoracion=medianoche - timedelta(minutes=10))

    # The links open Pendientes filtered to exactly what was counted.
    enlaces = {k: v[1] for k, v in conteos(capturista).items()}
    assert enlaces["pendiente atrasado"] == "/pendientes?situacion=atrasados"
    assert [f[2] for f in pendientes(capturista, situacion="atrasados")] == ["Mujer Suya Sintetica"]
    assert [f[2] for f in pendientes(capturista, situacion="hoy")] == ["Otra Suya Sintetica"]

    # A referral institution B sends to hers waits for her institution's answer.
    de_b = registrar(cuentas["capturista_b"], nombre="Mujer De B Sintetica", tipos_institucion=["fiscalia"])
    b = como("capturista_b")
    assert pedir_canalizacion(b, de_b, cuentas.institucion_a).status_code == 302
    from tests.test_movimientos_ilegales import resolver, solicitud_de

    resolver(como("supervisora_b"), solicitud_de("enviar"))
    assert numero(capturista, "canalización recibida") == 1
    assert enlace(capturista, "canalización recibida") == "/canalizaciones/"
    assert capturista.get("/canalizaciones/").status_code == 200
    html = unescape(capturista.get("/").get_data(as_text=True))
    assert "fuera de plazo" not in html
    mover(canalizacion_unica(), plazo_respuesta=ahora() - timedelta(hours=1))
    assert "1 ya fuera de plazo" in unescape(capturista.get("/").get_data(as_text=True))
    # Her colleague sees the same received referral: nobody is in charge of it yet.
    otra = app.test_client()
    assert entrar(otra, colega).status_code == 302
    assert numero(otra, "canalización recibida") == 1

    # Her open urgent cases: a high risk makes one urgent.
    valorar(capturista, suyo, si=GRAVES)
    assert numero(capturista, "caso urgente") == 1
    assert numero(otra, "caso") == 0  # not the colleague's
    destino = enlace(capturista, "caso urgente")
    assert "urgentes=1" in destino and "ver=mios" in destino
    assert capturista.get(destino).status_code == 200
    # An urgent case of hers that was closed since: neither counted nor listed as urgent work.
    cerrado = registrar(cuentas["capturista"], nombre="Cerrada Suya Sintetica")
    valorar(capturista, cerrado, si=GRAVES)
    db.session.execute(sa.update(Caso).where(Caso.id == cerrado.id).values(estado="cerrado"))
    db.session.commit()
    assert numero(capturista, "caso urgente") == 1
    lista = unescape(capturista.get(destino).get_data(as_text=True))
    assert lista.count('class="fila-urgente"') == 1 and "Cerrada Suya Sintetica" not in lista
    todos = unescape(capturista.get("/casos/?ver=mios").get_data(as_text=True))
    assert "Cerrada Suya Sintetica" in todos and todos.count('class="fila-urgente"') == 1
    assert sin_eventos_nuevos(capturista)


def test_la_supervisora_ve_ademas_lo_que_espera_su_aprobacion(app, cuentas, como):
    capturista, supervisora = como("capturista"), como("supervisora")
    caso = registrar(cuentas["capturista"])
    propio = registrar(cuentas["supervisora"], nombre="Caso De La Supervisora Sintetico")
    assert numero(supervisora, "solicitud") == 0
    assert not any(k.startswith("solicitud") for k in conteos(capturista))  # not a capturista's
    mover_caso(capturista, caso, "cerrar", motivo="Concluyó")
    assert numero(supervisora, "solicitud") == 1
    assert enlace(supervisora, "solicitud") == "/aprobaciones/"
    assert supervisora.get("/aprobaciones/").status_code == 200
    # Her own request is not hers to approve.
    mover_caso(supervisora, propio, "cerrar", motivo="Concluyó")
    assert numero(supervisora, "solicitud") == 1
    # A second supervisora sees both.
    otra = app.test_client()
    assert entrar(otra, crear_usuaria("supervisora", cuentas.institucion_a)).status_code == 302
    assert numero(otra, "solicitudes") == 2
    # Institution B's supervisora has nothing of A's.
    assert numero(como("supervisora_b"), "solicitud") == 0
    assert sin_eventos_nuevos(supervisora)


# ---- the gestora ----------------------------------------------------------------------------------

def _indicadores(cliente) -> dict[str, str]:
    html = cliente.get("/").get_data(as_text=True)
    for canario in CANARIOS:
        assert canario not in html
    return {unescape(dt).strip(): re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", dd))).strip()
            for dt, dd in re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", html, re.S)}


def test_la_gestora_ve_la_ultima_edicion_sin_calcular_nada(app, cuentas, como, runner):
    gestora = como("gestora")
    html = unescape(gestora.get("/").get_data(as_text=True))
    assert "Todavía no hay cifras" in html and 'href="/estadisticas/"' in html
    assert _indicadores(gestora) == {}

    # Three women registered in the last month an edition may publish.
    mes = ediciones.ultimo_mes_publicable(hoy_local(), ediciones.gracia_dias())
    en_el_mes = datetime(int(mes[:4]), int(mes[5:7]), 15, 18, tzinfo=timezone.utc)
    for i in range(3):
        servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Persona Sintetica {i}")
                                 ).creado_en = en_el_mes
    db.session.commit()
    # Nothing published yet: the home computes nothing, so it still has nothing to show.
    assert _indicadores(gestora) == {}
    db.session.rollback()
    assert runner.invoke(args=["estadisticas", "publicar"]).exit_code == 0
    cifras = _indicadores(gestora)
    assert cifras["Mujeres atendidas"] == "<10"  # three: published only as a mark
    assert "Edición 1: cifras de" in unescape(gestora.get("/").get_data(as_text=True))

    # Nine more in that month, registered late: the edition does not change, and publishing
    # again finds no new month (they wait for a revision).
    for i in range(3, 12):
        servicios.registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Persona Sintetica {i}")
                                 ).creado_en = en_el_mes
    db.session.commit()
    db.session.rollback()
    resultado = runner.invoke(args=["estadisticas", "publicar"])
    assert resultado.exit_code == 0 and "Sin meses nuevos" in resultado.output
    assert _indicadores(gestora)["Mujeres atendidas"] == "<10"
    assert gestora.get("/estadisticas/").status_code == 200


# ---- the admin ------------------------------------------------------------------------------------

def test_el_admin_ve_cuentas_bloqueadas_e_instituciones_sin_dos_supervisoras(app, cuentas, como):
    admin = como("admin")
    assert numero(admin, "cuenta") == 0
    # Both institutions of the fixture have one supervisora each: four eyes need two.
    assert numero(admin, "instituciones") == 2
    assert enlace(admin, "instituciones") == "/admin/instituciones"
    crear_usuaria("supervisora", cuentas.institucion_a)
    assert numero(admin, "institución") == 1

    # An account locks itself after failed logins (two here).
    app.config["BLOQUEO_TRAS_FALLOS"] = 2
    intruso = app.test_client()
    for _ in range(2):
        enviar(intruso, "/entrar", {"correo": cuentas["capturista_b"].correo, "contrasena": "no es esta"})
    assert numero(admin, "cuenta") == 1
    assert enlace(admin, "cuenta") == "/admin/cuentas"
    assert "Bloqueada" in admin.get("/admin/cuentas").get_data(as_text=True)
    # Even with the right password now: locked until the admin unlocks it.
    assert entrar(app.test_client(), cuentas["capturista_b"], CONTRASENA).status_code == 200
    assert sin_eventos_nuevos(admin)


def test_el_admin_ve_la_edad_de_la_clave_maestra_y_la_ultima_verificacion(app, cuentas, como, runner, motor_bd):
    from tests.test_auditoria import sin_proteccion

    admin = como("admin")
    html = unescape(admin.get("/").get_data(as_text=True))
    assert "Nunca se ha rotado" in html and "versión 1" in html
    assert numero(admin, "se ha verificado") == "Nunca"

    db.session.rollback()
    assert runner.invoke(args=["auditoria", "verificar"]).exit_code == 0
    assert numero(admin, "la cadena de auditoría") == "Íntegra"
    destino = enlace(admin, "la cadena de auditoría")
    assert destino == "/admin/auditoria?accion=auditoria.verificar"
    assert "Verificó la cadena de la bitácora" in admin.get(destino).get_data(as_text=True)

    db.session.rollback()
    assert runner.invoke(args=["claves", "rotar"]).exit_code == 0
    html = unescape(admin.get("/").get_data(as_text=True))
    assert "versión 2" in html and "Última rotación completada el" in html

    # Someone with database access edits an event: the next verification says so.
    db.session.rollback()
    segundo = db.session.execute(sa.select(EventoAuditoria.cadena, EventoAuditoria.eslabon)
                                 .order_by(EventoAuditoria.secuencia).limit(1).offset(1)).one()
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql("UPDATE evento_auditoria SET accion = 'caso.ver' "
                                 f"WHERE cadena = {segundo.cadena} AND eslabon = {segundo.eslabon}")
    db.session.rollback()
    assert runner.invoke(args=["auditoria", "verificar"]).exit_code == 1
    assert numero(admin, "la cadena de auditoría") == "ROTA"
    html = unescape(admin.get("/").get_data(as_text=True))
    assert f"Cadena ROTA en el eslabón {segundo.eslabon} de la cadena {segundo.cadena}" in html
