"""The audit trail: an event for every wired action, nothing personal inside, written in the
transaction of its change, refused by the database when edited, chained so that verification
names the first tampered event, a truncated tail caught by an exported head, and a chain that
stays whole under concurrent writers. Plus the pages where a supervisora and an admin read it.

Tampering is done as an attacker with database access would: around the trigger (dropped and
recreated on SQLite, disabled on PostgreSQL), never through the app.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from casos.auditoria import ACCIONES, registrar, registrar_consulta
from casos.auditoria.modelos import CabezaAuditoria, EventoAuditoria, RaizAuditoria
from casos.bd import escritura
from casos.cuentas.modelos import Institucion, Usuaria
from casos.expedientes.modelos import Caso
from casos.expedientes.riesgo import instrumento
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import CONTRASENA, datos_de_caso, entrar, enviar, token_csrf
from tests.reloj import hoy_en_mexico
from tests.test_intake import CURP, NARRATIVA, NOMBRE, formulario, revocacion

MIGRACION = (Path(__file__).resolve().parent.parent / "migrations" / "versions"
             / "20261207_c9a6cbdc2ca8_auditoria_cadenas.py")
NUEVA_CONTRASENA = "girasoles bajo la lluvia de agosto"
MOTIVO = "Solicitud ARCO de cancelación, folio 2026/0145, art. 46 LGPDPPSO"
# What the woman's record holds (tests/test_intake.py's form), in the forms a leak could take.
CANARIOS = (NOMBRE, "Xóchitl", "Xochitl", "Pruebasint", CURP, CURP.lower(), NARRATIVA, "Zafiro-7731",
            "492 999 0001", "4929990001", "4929990002", "Calle Ficticia", "Hija Sintetica",
            "Agresor Sintetico", "Hermana, vía la tienda", "Decir que llaman de la escuela",
            "Domicilio ficticio", "Náhuatl")


# ---- helpers ---------------------------------------------------------------------------------

def eventos(*condiciones) -> list[dict]:
    db.session.rollback()
    tabla = EventoAuditoria.__table__
    filas = db.session.execute(sa.select(tabla).where(*condiciones).order_by(tabla.c.secuencia))
    resultado = [dict(fila) for fila in filas.mappings()]
    db.session.rollback()
    return resultado


def acciones(*condiciones) -> list[str]:
    return [e["accion"] for e in eventos(*condiciones)]


def volcado() -> str:
    """Every value of every audit row, as text: what a leak would have to hide in."""
    db.session.rollback()
    texto = []
    for tabla in ("evento_auditoria", "cabeza_auditoria"):
        for fila in db.session.execute(sa.text(f"SELECT * FROM {tabla}")):
            texto.append(" | ".join(str(v) for v in fila))
    db.session.rollback()
    return "\n".join(texto)


def sin_canarios(texto: str, *extra: str) -> None:
    minusculas = texto.lower()
    for canario in (*CANARIOS, *extra):
        assert canario.lower() not in minusculas, f"dato personal en la bitácora: {canario!r}"


def anexar(n: int) -> list[dict]:
    """n events as the CLI would write them, each in its own transaction: all in one chain
    (no account, origin "cli"), at eslabon 1…n."""
    nombres = ("sesion.entrar", "caso.ver", "busqueda", "valoracion.registrar")
    escritos = []
    for i in range(n):
        with escritura():
            escritos.append(registrar(nombres[i % len(nombres)],
                                      caso_id=uuid.uuid4() if i % 2 else None))
            db.session.commit()
    return escritos


def _migracion():
    especificacion = importlib.util.spec_from_file_location("migracion_auditoria_cadenas", MIGRACION)
    modulo = importlib.util.module_from_spec(especificacion)
    especificacion.loader.exec_module(modulo)
    return modulo


TABLAS_PROTEGIDAS = ("evento_auditoria", "cabeza_auditoria", "raiz_auditoria")
TRIGGERS_SQLITE = ("evento_auditoria_sin_update", "evento_auditoria_sin_delete",
                   "cabeza_auditoria_solo_avanza", "cabeza_auditoria_sin_delete",
                   "raiz_auditoria_sin_update", "raiz_auditoria_sin_delete")


def donde(evento: dict, eslabon: int | None = None) -> str:
    """How verification names an event: its place in its chain, and its id."""
    return f"en el eslabón {eslabon or evento['eslabon']} de la cadena {evento['cadena']} (id {evento['id']})"


@contextmanager
def sin_proteccion(motor_bd):
    """A connection that can UPDATE and DELETE audit rows, as someone with database access
    could; the protection is back (and checked) afterwards."""
    db.session.rollback()
    with escritura(), db.engine.begin() as conexion:
        if motor_bd == "postgresql":
            for tabla in TABLAS_PROTEGIDAS:
                conexion.exec_driver_sql(f"ALTER TABLE {tabla} DISABLE TRIGGER USER")
        else:
            for trigger in TRIGGERS_SQLITE:
                conexion.exec_driver_sql(f"DROP TRIGGER {trigger}")
        yield conexion
        if motor_bd == "postgresql":
            for tabla in TABLAS_PROTEGIDAS:
                conexion.exec_driver_sql(f"ALTER TABLE {tabla} ENABLE TRIGGER USER")
        else:
            migracion = _migracion()
            for trigger in (*migracion.TRIGGERS_EVENTO_SQLITE, *migracion.TRIGGERS_SQLITE):
                conexion.exec_driver_sql(trigger)
    with pytest.raises(sa.exc.DBAPIError), escritura(), db.engine.begin() as conexion:
        conexion.exec_driver_sql("DELETE FROM evento_auditoria")


def verificar(runner, *argumentos):
    db.session.rollback()
    return runner.invoke(args=["auditoria", "verificar", *argumentos])


def cabeza(runner) -> str:
    db.session.rollback()
    resultado = runner.invoke(args=["auditoria", "cabeza"])
    assert resultado.exit_code == 0, resultado.output
    return resultado.stdout.strip()


def respuestas_no() -> dict:
    return {f"r_{indicador.clave}": "no" for indicador in instrumento().indicadores}


@pytest.fixture
def caso(cuentas) -> Caso:
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    return caso


# ---- every wired action leaves its event, and nothing personal --------------------------------

def _sesion_de_una_capturista(app, como, cuentas) -> uuid.UUID:
    """Everything a caseworker does in a day, through the pages. Returns the case's id."""
    anonima = app.test_client()
    assert entrar(anonima, cuentas["capturista"], "una contraseña equivocada").status_code == 200
    assert entrar(anonima, "nadie@prueba.mx", CONTRASENA).status_code == 200

    c = como("capturista")
    borrador_id = enviar(c, "/casos/borradores/guardar", {
        "nombre": NOMBRE, "curp": CURP, "narrativa": NARRATIVA, "borrador_id": ""},
        pagina="/casos/nuevo").get_json()["borrador_id"]
    assert c.get(f"/casos/nuevo/{borrador_id}").status_code == 200
    assert enviar(c, "/casos/duplicados", {"curp": CURP, "nombre": NOMBRE},
                  pagina="/casos/nuevo").status_code == 200
    registro = enviar(c, "/casos/nuevo", formulario(borrador_id=borrador_id))
    assert registro.status_code == 302, registro.get_data(as_text=True)[-1500:]
    caso_id = uuid.UUID(registro.location.split("/")[2])
    assert c.get(registro.location).status_code == 200  # the assessment page shows her name
    assert enviar(c, f"/casos/{caso_id}/valoracion", respuestas_no()).status_code == 302
    assert c.get(f"/casos/{caso_id}").status_code == 200
    assert c.get("/casos/").status_code == 200
    for texto in (CURP, NOMBRE):
        busqueda = enviar(c, "/casos/buscar", {"texto": texto}, pagina="/casos/")
        assert f"/casos/{caso_id}" in busqueda.get_data(as_text=True)
    otro = enviar(c, "/casos/borradores/guardar", {"nombre": NOMBRE, "borrador_id": ""},
                  pagina="/casos/nuevo").get_json()["borrador_id"]
    assert enviar(c, f"/casos/borradores/{otro}/descartar", pagina="/casos/").status_code == 302
    assert enviar(c, f"/casos/{caso_id}/consentimiento/revocar", revocacion()).status_code == 302
    assert enviar(c, "/cuenta/contrasena", {"actual": "no es la mía", "nueva": NUEVA_CONTRASENA,
                                            "confirmacion": NUEVA_CONTRASENA}).status_code == 200
    assert enviar(c, "/cuenta/contrasena", {"actual": CONTRASENA, "nueva": NUEVA_CONTRASENA,
                                            "confirmacion": NUEVA_CONTRASENA}).status_code == 302
    assert enviar(c, "/salir", pagina="/").status_code == 302
    return caso_id


def test_cada_accion_de_la_capturista_deja_su_evento(app, como, cuentas):
    caso_id = _sesion_de_una_capturista(app, como, cuentas)
    ella = cuentas["capturista"]
    # Every page she opened counts, also those the test opens to take a form's CSRF token.
    assert acciones(EventoAuditoria.usuaria_id == ella.id) == [
        "sesion.entrar", "borrador.guardar", "borrador.abrir", "duplicados.consultar",
        "caso.registrar", "borrador.descartar",  # the draft she registered it from is gone
        "caso.ver", "caso.ver", "valoracion.registrar",  # the assessment page, twice
        "caso.ver", "casos.listar",
        "casos.listar", "busqueda", "casos.listar", "busqueda",
        "borrador.guardar", "casos.listar", "borrador.descartar",
        "caso.ver", "consentimiento.revocar",
        "contrasena.fallo", "contrasena.cambiar", "sesion.salir"]
    for evento in eventos(EventoAuditoria.usuaria_id == ella.id):
        assert evento["rol"] == "capturista"
        assert evento["institucion_id"] == cuentas.institucion_a.id
        assert evento["origen"] == "127.0.0.1"
        assert evento["motivo"] is None
        assert re.fullmatch(r"[0-9a-f]{64}", evento["hmac"])
        if evento["accion"] in ("caso.registrar", "caso.ver", "valoracion.registrar",
                                "consentimiento.revocar"):
            assert evento["caso_id"] == caso_id, evento["accion"]
        else:
            assert evento["caso_id"] is None, evento["accion"]


def test_un_intento_fallido_no_dice_de_que_cuenta(app, cuentas):
    """The same event whether the account exists or not: the trail can't confirm it either."""
    cliente = app.test_client()
    entrar(cliente, cuentas["supervisora"], "una contraseña equivocada")
    entrar(cliente, "nadie@prueba.mx", CONTRASENA)
    fallos = eventos(EventoAuditoria.accion == "sesion.fallo")
    assert len(fallos) == 2
    for evento in fallos:
        assert (evento["usuaria_id"], evento["rol"], evento["institucion_id"], evento["caso_id"],
                evento["objeto_id"]) == (None, None, None, None, None)
        assert evento["origen"] == "127.0.0.1"
    sin_canarios(volcado(), cuentas["supervisora"].correo, "nadie@prueba.mx")


class TestDetrasDeUnProxy:
    @pytest.fixture
    def configuracion(self, configuracion):
        configuracion["PROXIES_DE_CONFIANZA"] = 1
        return configuracion

    def test_el_origen_es_la_direccion_del_cliente_no_la_del_proxy(self, app, cuentas):
        cliente = app.test_client()
        token = token_csrf(cliente)
        for contrasena, direccion in (("una contraseña equivocada", "203.0.113.7"),
                                      (CONTRASENA, "198.51.100.4")):
            cliente.post("/entrar", data={"correo": cuentas["capturista"].correo,
                                          "contrasena": contrasena, "csrf_token": token},
                         headers={"X-Forwarded-For": direccion})
        assert [(e["accion"], e["origen"]) for e in eventos()] == [
            ("sesion.fallo", "203.0.113.7"), ("sesion.entrar", "198.51.100.4")]


def test_las_acciones_del_admin_dejan_su_evento_con_el_objeto(app, como, cuentas, caso):
    admin = como("admin")
    assert enviar(admin, "/admin/instituciones/nueva", {
        "nombre": "Instancia Municipal de las Mujeres de Fresnillo", "siglas": "IMMF",
        "tipo": "imm", "municipio": "32010", "activa": "y"}).status_code == 302
    db.session.rollback()
    nueva = db.session.scalar(sa.select(Institucion).where(Institucion.siglas == "IMMF"))
    ruta_institucion = f"/admin/instituciones/{nueva.id}"
    datos = {"nombre": nueva.nombre, "siglas": "IMM-F", "tipo": "imm", "municipio": "32010"}
    assert enviar(admin, ruta_institucion, {**datos, "activa": "y"}).status_code == 302
    assert enviar(admin, ruta_institucion, datos).status_code == 302  # unchecked: deactivated

    pagina = enviar(admin, "/admin/cuentas/nueva", {
        "correo": "nueva.persona@prueba.mx", "nombre": "Nueva Persona", "rol": "capturista",
        "institucion_id": str(cuentas.institucion_a.id), "activa": "y"}).get_data(as_text=True)
    activacion = re.search(r"https?://[^/\s<]+(/activar/[A-Za-z0-9_-]{20,})", pagina).group(1)
    db.session.rollback()
    persona = db.session.scalar(sa.select(Usuaria).where(Usuaria.correo == "nueva.persona@prueba.mx"))
    assert enviar(app.test_client(), activacion, {"nueva": NUEVA_CONTRASENA,
                                                  "confirmacion": NUEVA_CONTRASENA}).status_code == 302
    ruta_cuenta = f"/admin/cuentas/{persona.id}"
    cuenta = {"correo": persona.correo, "nombre": "Nueva Persona Editada", "rol": "capturista",
              "institucion_id": str(cuentas.institucion_a.id)}
    assert enviar(admin, ruta_cuenta, {**cuenta, "activa": "y"}).status_code == 302
    assert enviar(admin, f"{ruta_cuenta}/activacion", pagina=ruta_cuenta).status_code == 200
    assert enviar(admin, ruta_cuenta, cuenta).status_code == 302  # unchecked: deactivated
    assert enviar(admin, "/casos/eliminar-datos", {
        "caso_id": str(caso.id), "motivo": MOTIVO, "confirmacion": "ELIMINAR"}).status_code == 302

    suyos = eventos(EventoAuditoria.usuaria_id == cuentas["admin"].id)
    assert [(e["accion"], e["objeto_id"], e["caso_id"]) for e in suyos] == [
        ("sesion.entrar", None, None),
        ("institucion.crear", nueva.id, None),
        ("institucion.editar", nueva.id, None),
        ("institucion.desactivar", nueva.id, None),
        ("cuenta.crear", persona.id, None),
        ("cuenta.editar", persona.id, None),
        ("cuenta.activacion", persona.id, None),
        ("cuenta.desactivar", persona.id, None),
        ("datos.eliminar", None, caso.id),
    ]
    assert suyos[-1]["motivo"] == MOTIVO
    assert all(e["motivo"] is None for e in suyos[:-1])
    activada = eventos(EventoAuditoria.accion == "contrasena.activar")
    assert [(e["usuaria_id"], e["rol"]) for e in activada] == [(persona.id, "capturista")]
    # Staff accounts appear by id only.
    sin_canarios(volcado(), "Nueva Persona", "nueva.persona@prueba.mx", "Fresnillo", "IMMF")


def test_los_comandos_de_claves_y_cuentas_dejan_su_evento(app, runner, cuentas, caso):
    assert runner.invoke(args=["claves", "rotar"]).exit_code == 0
    assert runner.invoke(args=["claves", "retirar", "1"]).exit_code == 0
    resultado = runner.invoke(args=["crear-usuaria", "--correo", "cli@prueba.mx", "--nombre",
                                    "Cuenta De Consola", "--rol", "admin", "--institucion", "INSTA",
                                    "--contrasena", NUEVA_CONTRASENA])
    assert resultado.exit_code == 0, resultado.output
    db.session.rollback()
    creada = db.session.scalar(sa.select(Usuaria.id).where(Usuaria.correo == "cli@prueba.mx"))
    assert [(e["accion"], e["usuaria_id"], e["origen"], e["objeto_id"]) for e in eventos()] == [
        # The fixture's case, registered by the intake service outside any request.
        ("caso.registrar", cuentas["capturista"].id, "cli", None),
        ("claves.rotar", None, "cli", None), ("claves.retirar", None, "cli", None),
        ("cuenta.crear", None, "cli", creada)]
    assert verificar(runner).exit_code == 0


def test_la_bitacora_no_guarda_datos_personales_y_la_cadena_verifica(app, como, cuentas, runner):
    _sesion_de_una_capturista(app, como, cuentas)
    texto = volcado()
    assert "caso.registrar" in texto and "busqueda" in texto
    ella = cuentas["capturista"]
    sin_canarios(texto, ella.correo, ella.nombre, NUEVA_CONTRASENA, CONTRASENA)

    total = len(eventos())
    resultado = verificar(runner)
    assert resultado.exit_code == 0, resultado.output
    assert f"Cadenas de auditoría íntegras: {total} eventos en " in resultado.stdout
    # The run leaves its own event after the chain it verified (the admin's home shows it).
    ultimo = eventos()[-1]
    assert (len(eventos()), ultimo["accion"], ultimo["usuaria_id"], ultimo["origen"]) == (
        total + 1, "auditoria.verificar", None, "cli")
    assert ultimo["motivo"] == f"Cadena íntegra: {total:,} eventos."


# ---- the same transaction ----------------------------------------------------------------------

def test_un_rollback_no_deja_ni_el_cambio_ni_su_evento(app, cuentas):
    with escritura():
        crear = Institucion(siglas="TEMP", nombre="Temporal", tipo="otra", municipio="32056")
        db.session.add(crear)
        db.session.flush()
        registrar("institucion.crear", objeto_id=crear.id)
        db.session.rollback()
    assert eventos() == []
    assert db.session.scalar(sa.select(Institucion).where(Institucion.siglas == "TEMP")) is None
    assert not db.session.scalar(sa.select(sa.func.max(CabezaAuditoria.eslabon)))

    with escritura():
        registrar("institucion.crear", objeto_id=uuid.uuid4())
        db.session.commit()
    assert [e["eslabon"] for e in eventos()] == [1]  # the rolled-back one left no gap


def test_si_el_evento_no_se_escribe_el_cambio_tampoco(como, cuentas, caso, monkeypatch):
    from casos.auditoria import servicios

    c = como("capturista")
    token = token_csrf(c, "/")

    def falla(*_args, **_kwargs):
        raise RuntimeError("la bitácora no responde")

    monkeypatch.setattr(servicios, "_anexar", falla)
    revocar = c.post(f"/casos/{caso.id}/consentimiento/revocar", data={"csrf_token": token, **revocacion()})
    assert revocar.status_code == 500
    ver = c.get(f"/casos/{caso.id}")  # no trace, no reading
    assert ver.status_code == 500 and "Canaria" not in ver.get_data(as_text=True)
    monkeypatch.undo()
    db.session.rollback()
    assert db.session.get(Caso, caso.id).consentimiento.revocado_en is None
    assert acciones() == ["caso.registrar", "sesion.entrar"]  # the fixture's, and her login


def test_registrar_y_registrar_consulta_se_usan_donde_corresponde(app, runner):
    with app.test_request_context("/", method="GET"), pytest.raises(RuntimeError):
        registrar("caso.ver")
    with app.test_request_context("/", method="POST"), pytest.raises(RuntimeError):
        registrar_consulta("caso.ver")
    with escritura():  # an id given as text is stored, and chained, as the UUID it is
        registrar("caso.ver", caso_id=str(caso_id := uuid.uuid4()).upper())
        db.session.commit()
    assert eventos()[0]["caso_id"] == caso_id
    assert verificar(runner).exit_code == 0
    with pytest.raises(ValueError, match="desconocida"):
        registrar("caso.inventado")
    with pytest.raises(ValueError, match="datos personales"):
        registrar("datos.eliminar", motivo=f"Lo pidió la titular, CURP {CURP}")
    db.session.rollback()
    assert [e["accion"] for e in eventos()] == ["caso.ver", "auditoria.verificar"]


# ---- insert-only -------------------------------------------------------------------------------

def test_la_base_rechaza_modificar_o_borrar_un_evento(app):
    anexar(2)
    db.session.rollback()
    for sentencia in ("UPDATE evento_auditoria SET accion = 'caso.ver'",
                      "UPDATE evento_auditoria SET motivo = 'otro' WHERE eslabon = 1",
                      "DELETE FROM evento_auditoria WHERE eslabon = 2",
                      "DELETE FROM evento_auditoria"):
        with pytest.raises(sa.exc.DBAPIError, match="solo inserción"), escritura():
            db.session.execute(sa.text(sentencia))
        db.session.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="solo inserción"), escritura():
        db.session.delete(db.session.scalar(sa.select(EventoAuditoria)))
        db.session.flush()
    db.session.rollback()
    assert [e["eslabon"] for e in eventos()] == [1, 2]


# ---- verification names the first broken event -----------------------------------------------

def test_verificar_falla_exactamente_en_el_evento_editado(app, runner, motor_bd):
    escritos = anexar(6)
    assert verificar(runner).exit_code == 0
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql(
            "UPDATE evento_auditoria SET accion = 'sesion.entrar', caso_id = NULL WHERE eslabon = 4")
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    assert donde(escritos[3]) in resultado.stderr
    assert "Eventos íntegros antes de la rotura: 3." in resultado.stderr


@pytest.mark.parametrize("campo", ["momento", "usuaria_id", "rol", "origen", "motivo", "hmac", "secuencia"])
def test_cualquier_campo_editado_rompe_la_cadena(app, runner, motor_bd, campo):
    escritos = anexar(3)
    nuevo = {"momento": escritos[1]["momento"] + timedelta(microseconds=1),
             "usuaria_id": uuid.uuid4(), "rol": "admin", "origen": "10.0.0.9",
             "motivo": "Fundamento añadido después", "hmac": "a" * 64,
             "secuencia": escritos[-1]["secuencia"] + 100}[campo]
    tabla = EventoAuditoria.__table__
    with sin_proteccion(motor_bd) as conexion:
        conexion.execute(sa.update(tabla).where(tabla.c.eslabon == 2).values({campo: nuevo}))
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    assert donde(escritos[1]) in resultado.stderr


def test_verificar_detecta_un_evento_borrado_en_medio(app, runner, motor_bd):
    escritos = anexar(5)
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql("DELETE FROM evento_auditoria WHERE eslabon = 3")
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    assert donde(escritos[3]) in resultado.stderr
    assert f"falta el eslabón 3 de la cadena {escritos[3]['cadena']}" in resultado.stderr


def test_verificar_detecta_eventos_reordenados(app, runner, motor_bd):
    escritos = anexar(5)
    with sin_proteccion(motor_bd) as conexion:
        for de, a in ((2, -2), (3, 2), (-2, 3)):  # swap 2 and 3 (unique in the chain)
            conexion.exec_driver_sql(f"UPDATE evento_auditoria SET eslabon = {a} WHERE eslabon = {de}")
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    # The event now in place 2 is the old third one.
    assert donde(escritos[2], eslabon=2) in resultado.stderr


# ---- the exported head catches a truncated tail ------------------------------------------------

def test_una_cola_borrada_se_detecta_con_la_cabeza_exportada(app, runner, motor_bd):
    escritos = anexar(6)
    cadena = escritos[0]["cadena"]
    exportada = cabeza(runner)
    datos = json.loads(exportada)
    suya = next(c for c in datos["cabezas"] if c["cadena"] == cadena)
    assert suya["eslabon"] == 6 and suya["hmac"] == escritos[-1]["hmac"] and datos["raiz"] is None
    assert verificar(runner, "--cabeza", exportada).exit_code == 0

    # The last two events go, and the head row is made to match what is left: the chain in
    # the database looks whole...
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql(f"DELETE FROM evento_auditoria WHERE cadena = {cadena} AND eslabon > 4")
        conexion.execute(sa.update(CabezaAuditoria.__table__).where(CabezaAuditoria.cadena == cadena)
                         .values(eslabon=4, hmac=escritos[3]["hmac"]))
    assert verificar(runner).exit_code == 0
    # ...but not against the head kept elsewhere (that run appended its own event, eslabon 5).
    resultado = verificar(runner, "--cabeza", exportada)
    assert resultado.exit_code == 1
    assert f"en el eslabón 6 de la cadena {cadena}:" in resultado.stderr
    assert (f"faltan eventos al final de la cadena {cadena}: la cabeza exportada llega al eslabón 6, "
            "pero el último guardado es el 5") in resultado.stderr
    # The failed run is on the trail too, with what it found.
    assert eventos()[-1]["motivo"].startswith(f"Cadena ROTA en el eslabón 6 de la cadena {cadena}: faltan")


def test_una_cola_borrada_sin_tocar_la_cabeza_guardada_tambien_se_detecta(app, runner, motor_bd):
    escritos = anexar(4)
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql("DELETE FROM evento_auditoria WHERE eslabon = 4")
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    assert (f"faltan eventos al final de la cadena {escritos[0]['cadena']}: la cabeza guardada en la "
            "base llega al eslabón 4") in resultado.stderr


def test_una_cabeza_exportada_que_no_es_de_esta_cadena_falla(app, runner):
    escritos = anexar(3)
    falsa = json.dumps({"cabezas": [{"cadena": escritos[0]["cadena"], "eslabon": 2, "hmac": "b" * 64}],
                        "raiz": None})
    resultado = verificar(runner, "--cabeza", falsa)
    assert resultado.exit_code == 1 and donde(escritos[1]) in resultado.stderr
    assert "no es el que indica la cabeza exportada" in resultado.stderr
    # The single chain's head of before is chain 0's: here it never had events.
    antigua = verificar(runner, "--cabeza", json.dumps({"secuencia": 2, "hmac": "b" * 64}))
    assert antigua.exit_code == 1 and "faltan eventos al final de la cadena 0" in antigua.stderr
    invalida = verificar(runner, "--cabeza", "no es json")
    assert invalida.exit_code == 2 and "auditoria cabeza" in invalida.output


def test_la_cadena_vacia_verifica_y_exporta_la_cabeza_inicial(app, runner):
    assert {c["eslabon"] for c in json.loads(cabeza(runner))["cabezas"]} <= {0}
    resultado = verificar(runner)
    assert resultado.exit_code == 0 and "vacía" in resultado.stdout
    assert [e["accion"] for e in eventos()] == ["auditoria.verificar"]  # the run's own


def test_una_cabeza_guardada_modificada_se_detecta(app, runner, motor_bd):
    escritos = anexar(3)
    with sin_proteccion(motor_bd) as conexion:
        conexion.execute(sa.update(CabezaAuditoria.__table__)
                         .where(CabezaAuditoria.cadena == escritos[0]["cadena"]).values(hmac="c" * 64))
    resultado = verificar(runner)
    assert resultado.exit_code == 1 and donde(escritos[2]) in resultado.stderr
    assert "no es el que indica la cabeza guardada en la base" in resultado.stderr


# ---- several chains, and the roots over their heads ------------------------------------------

def sellar(runner) -> str:
    resultado = runner.invoke(args=["auditoria", "sellar"])
    assert resultado.exit_code == 0, resultado.output
    return resultado.stdout


def _en_cadenas_distintas(app, cuentas) -> list[dict]:
    """Events of accounts whose chains differ, each in its own transaction."""
    escritos = []
    for rol in ("capturista", "supervisora", "admin", "gestora"):
        for _ in range(2):
            with escritura():
                escritos.append(registrar("caso.ver", caso_id=uuid.uuid4(), usuaria=cuentas[rol]))
                db.session.commit()
    return escritos


def test_cada_cuenta_va_a_su_cadena_y_todas_verifican(app, runner, cuentas):
    escritos = _en_cadenas_distintas(app, cuentas)
    por_cadena: dict[int, list[int]] = {}
    for evento in escritos:
        por_cadena.setdefault(evento["cadena"], []).append(evento["eslabon"])
    assert len(por_cadena) > 1 and all(c >= 1 for c in por_cadena)  # chain 0 is the old one
    # One account's events follow each other in its chain.
    assert escritos[0]["cadena"] == escritos[1]["cadena"]
    assert escritos[1]["eslabon"] == escritos[0]["eslabon"] + 1
    secuencias = [e["secuencia"] for e in escritos]
    assert secuencias == sorted(set(secuencias))  # the reading order, unique and increasing
    cadenas = {e["cadena"] for e in eventos()}
    resultado = verificar(runner)
    assert resultado.exit_code == 0, resultado.output
    assert f"en {len(cadenas)} cadena(s)" in resultado.stdout


def test_una_transaccion_con_eventos_de_varias_cuentas_toma_una_sola_cabeza(app, runner, cuentas):
    with escritura():
        juntos = [registrar("cuenta.editar", objeto_id=uuid.uuid4(), usuaria=cuentas[rol])
                  for rol in ("capturista", "supervisora", "admin", "gestora")]
        db.session.commit()
    assert len({e["cadena"] for e in juntos}) == 1  # two heads held at once could deadlock
    assert verificar(runner).exit_code == 0


def test_una_cola_borrada_se_detecta_con_la_raiz_sin_cabeza_exportada(app, runner, motor_bd):
    escritos = anexar(6)
    cadena = escritos[0]["cadena"]
    assert "Raíz número 1 sellada" in sellar(runner)
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql(f"DELETE FROM evento_auditoria WHERE cadena = {cadena} AND eslabon > 4")
        conexion.execute(sa.update(CabezaAuditoria.__table__).where(CabezaAuditoria.cadena == cadena)
                         .values(eslabon=4, hmac=escritos[3]["hmac"]))
    resultado = verificar(runner)
    assert resultado.exit_code == 1
    assert (f"en el eslabón 5 de la cadena {cadena}: faltan eventos al final de la cadena {cadena}: "
            "la raíz número 1 llega al eslabón 6, pero el último guardado es el 4") in resultado.stderr


def test_las_raices_se_encadenan_y_verifican(app, runner, cuentas):
    _en_cadenas_distintas(app, cuentas)
    sellar(runner)
    anexar(2)
    assert "Raíz número 2 sellada" in sellar(runner)
    resultado = verificar(runner)
    assert resultado.exit_code == 0 and "2 raíz(ces)" in resultado.stdout
    exportada = json.loads(cabeza(runner))
    assert exportada["raiz"]["numero"] == 2
    assert verificar(runner, "--cabeza", json.dumps(exportada)).exit_code == 0


def test_una_raiz_falsificada_modificada_o_borrada_se_detecta(app, runner, motor_bd):
    anexar(2)
    for _ in range(3):
        sellar(runner)
    exportada = cabeza(runner)
    tabla = sa.table("raiz_auditoria", sa.column("numero"), sa.column("cabezas"), sa.column("hmac"))
    with sin_proteccion(motor_bd) as conexion:  # a root that claims less than it did
        conexion.execute(sa.update(tabla).where(tabla.c.numero == 2).values(cabezas="[]"))
    resultado = verificar(runner)
    assert resultado.exit_code == 1 and "en la raíz número 2: su HMAC no corresponde" in resultado.stderr

    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql("DELETE FROM raiz_auditoria WHERE numero = 2")
    resultado = verificar(runner)
    assert resultado.exit_code == 1 and "en la raíz número 3: falta la raíz número 2" in resultado.stderr

    with sin_proteccion(motor_bd) as conexion:  # the last one gone: only an exported root tells
        conexion.exec_driver_sql("DELETE FROM raiz_auditoria WHERE numero >= 2")
    assert verificar(runner).exit_code == 0
    resultado = verificar(runner, "--cabeza", exportada)
    assert resultado.exit_code == 1 and "faltan raíces al final: la raíz exportada es la número 3" in resultado.stderr

    momento = eventos()[-1]["momento"]
    with escritura(), db.engine.begin() as conexion:  # forged: inserted without the key
        conexion.execute(sa.insert(RaizAuditoria.__table__).values(
            numero=2, momento=momento, cabezas="[]", hmac="d" * 64))
    resultado = verificar(runner)
    assert resultado.exit_code == 1 and "en la raíz número 2: su HMAC no corresponde" in resultado.stderr


def test_la_base_solo_deja_avanzar_las_cabezas_y_no_toca_las_raices(app, runner):
    escritos = anexar(2)
    sellar(runner)
    cadena = escritos[0]["cadena"]
    db.session.rollback()
    for sentencia in (f"UPDATE cabeza_auditoria SET eslabon = 1 WHERE cadena = {cadena}",
                      f"UPDATE cabeza_auditoria SET eslabon = 2 WHERE cadena = {cadena}",
                      f"UPDATE cabeza_auditoria SET cadena = 99 WHERE cadena = {cadena}",
                      f"DELETE FROM cabeza_auditoria WHERE cadena = {cadena}"):
        with pytest.raises(sa.exc.DBAPIError, match="solo avanza"), escritura():
            db.session.execute(sa.text(sentencia))
        db.session.rollback()
    for sentencia in ("UPDATE raiz_auditoria SET hmac = 'x'", "DELETE FROM raiz_auditoria"):
        with pytest.raises(sa.exc.DBAPIError, match="solo inserción"), escritura():
            db.session.execute(sa.text(sentencia))
        db.session.rollback()
    assert verificar(runner).exit_code == 0


def test_la_cadena_antigua_verifica_con_su_formato(app, runner, motor_bd):
    """Chain 0 holds the single chain's events of before issue 14, HMAC'd in format 1."""
    from casos.auditoria import formato
    from casos.cripto import llavero_actual

    escritos = antiguos(3, llavero_actual().auditoria)
    with escritura(), db.engine.begin() as conexion:
        conexion.execute(sa.insert(EventoAuditoria.__table__), escritos)
        cero = sa.update(CabezaAuditoria.__table__).where(CabezaAuditoria.cadena == 0)
        if not conexion.execute(cero.values(eslabon=3, hmac=escritos[-1]["hmac"])).rowcount:
            conexion.execute(sa.insert(CabezaAuditoria.__table__).values(  # PostgreSQL's TRUNCATE
                cadena=0, eslabon=3, hmac=escritos[-1]["hmac"]))
    assert formato.version_de(0) == 1
    anexar(2)
    resultado = verificar(runner)
    assert resultado.exit_code == 0, resultado.output
    assert "cadena 0: eslabones 1 a 3" in resultado.stdout
    with sin_proteccion(motor_bd) as conexion:
        conexion.exec_driver_sql("UPDATE evento_auditoria SET rol = 'admin' WHERE cadena = 0 AND eslabon = 2")
    resultado = verificar(runner)
    assert resultado.exit_code == 1 and donde(escritos[1]) in resultado.stderr


def antiguos(n: int, clave: bytes) -> list[dict]:
    """n events as the single chain wrote them (format 1, secuencia = eslabon, chain 0)."""
    from casos.auditoria import formato
    from casos.bd import ahora

    anterior, escritos = formato.GENESIS, []
    for i in range(1, n + 1):
        evento = {"id": uuid.uuid4(), "secuencia": i, "momento": ahora(), "usuaria_id": None, "rol": None,
                  "institucion_id": None, "accion": "sesion.entrar", "caso_id": None, "objeto_id": None,
                  "origen": "cli", "motivo": None, "cadena": 0, "eslabon": i}
        evento["hmac"] = anterior = formato.calcular_hmac(evento, anterior, clave, version=1)
        escritos.append(evento)
    return escritos


# ---- concurrent writers ---------------------------------------------------------------------

def test_concurrencia_anexos_simultaneos_dejan_cadenas_contiguas(app, runner, cuentas):
    """Writers in several threads, each with its own connection, append at the same moment:
    both ways of appending (in the request's transaction, and in one of its own), some as
    accounts of the same chain, some without one."""
    hilos, por_hilo = 6, 12
    barrera = threading.Barrier(hilos)
    errores: list[BaseException] = []
    # Plain values: the accounts' rows belong to this thread's session.
    quienes = [SimpleNamespace(id=c.id, rol=c.rol, institucion_id=c.institucion_id)
               for c in (cuentas[rol] for rol in ("capturista", "supervisora", "admin"))]

    def escribir(numero: int):
        try:
            with app.app_context():
                barrera.wait()
                for i in range(por_hilo):
                    if (numero + i) % 2:
                        with escritura():
                            registrar("caso.ver", caso_id=uuid.uuid4(), usuaria=quienes[numero % 3])
                            db.session.commit()
                    else:
                        registrar_consulta("busqueda")
                db.session.remove()
        except BaseException as error:  # reported in the main thread
            errores.append(error)

    trabajadores = [threading.Thread(target=escribir, args=(n,)) for n in range(hilos)]
    for hilo in trabajadores:
        hilo.start()
    for hilo in trabajadores:
        hilo.join(timeout=120)
    assert not errores, errores
    todos = eventos()
    assert len(todos) == hilos * por_hilo and len({e["secuencia"] for e in todos}) == len(todos)
    for cadena in {e["cadena"] for e in todos}:
        eslabones = sorted(e["eslabon"] for e in todos if e["cadena"] == cadena)
        assert eslabones == list(range(1, len(eslabones) + 1))
    resultado = verificar(runner)
    assert resultado.exit_code == 0, resultado.output


# ---- who accessed a case: the supervisora's page ------------------------------------------------

def test_la_supervisora_ve_quien_abrio_el_caso_y_cuando(como, cuentas, caso):
    capturista = como("capturista")
    assert capturista.get(f"/casos/{caso.id}").status_code == 200
    supervisora = como("supervisora")
    ruta = f"/casos/{caso.id}/accesos"
    assert ruta in supervisora.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert ruta not in capturista.get(f"/casos/{caso.id}").get_data(as_text=True)

    respuesta = supervisora.get(ruta)
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    filas = re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>(.*?)</tr>", html, re.S)
    # Newest first: the capturista, the supervisora and the capturista again opened it.
    textos = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fila)) for _, fila in filas]
    assert "Registró el caso" in textos.pop()  # the oldest: the fixture's registration
    assert len(textos) == 3
    assert "Persona supervisora" in textos[1] and "Supervisora" in textos[1]
    assert "Persona capturista" in textos[-1] and "Capturista" in textos[-1]
    assert "INSTA" in textos[-1] and "Abrió el caso" in textos[-1] and "127.0.0.1" in textos[-1]
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", textos[-1])
    sin_canarios(html)  # metadata only
    # Her look at this page is on the trail too, and the next look shows it.
    assert acciones(EventoAuditoria.caso_id == caso.id)[-1] == "auditoria.caso"
    assert "Consultó los accesos al caso" in supervisora.get(ruta).get_data(as_text=True)

    for quien, codigo in (("capturista", 403), ("gestora", 403), ("admin", 403),
                          ("capturista_b", 403), ("supervisora_b", 404)):
        assert como(quien).get(ruta).status_code == codigo, quien
    assert supervisora.get(f"/casos/{uuid.uuid4()}/accesos").status_code == 404


def test_los_accesos_de_un_caso_con_datos_eliminados_siguen_visibles(como, cuentas, caso):
    como("capturista").get(f"/casos/{caso.id}")
    enviar(como("admin"), "/casos/eliminar-datos", {
        "caso_id": str(caso.id), "motivo": MOTIVO, "confirmacion": "ELIMINAR"})
    supervisora = como("supervisora")
    assert f"/casos/{caso.id}/accesos" in supervisora.get(f"/casos/{caso.id}").get_data(as_text=True)
    html = supervisora.get(f"/casos/{caso.id}/accesos").get_data(as_text=True)
    assert "Eliminó los datos personales del caso" in html and MOTIVO in html
    assert "Abrió el caso" in html


# ---- the admin's audit log -----------------------------------------------------------------

@pytest.mark.reloj  # filters by today and tomorrow in Mexico City
def test_el_admin_consulta_la_bitacora_con_filtros(como, cuentas, caso):
    como("capturista").get(f"/casos/{caso.id}")
    como("supervisora_b").get("/casos/")
    admin = como("admin")
    pagina = admin.get("/admin/auditoria")
    assert pagina.status_code == 200
    html = pagina.get_data(as_text=True)
    assert "Abrió el caso" in html and str(caso.id) in html and "Persona capturista" in html
    assert "Consultó la lista de casos" in html and "INSTB" in html
    assert "/admin/auditoria" in admin.get("/admin/").get_data(as_text=True)
    sin_canarios(html)

    def secuencias(consulta: str) -> list[int]:
        respuesta = admin.get("/admin/auditoria" + consulta)
        assert respuesta.status_code == 200
        return [int(n) for n in re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", respuesta.get_data(as_text=True))]

    por_caso = secuencias(f"?caso_id={caso.id}")
    assert [e["accion"] for e in eventos(EventoAuditoria.secuencia.in_(por_caso))] == [
        "caso.registrar", "caso.ver"]
    por_cuenta = secuencias(f"?usuaria_id={cuentas['supervisora_b'].id}")
    assert {e["accion"] for e in eventos(EventoAuditoria.secuencia.in_(por_cuenta))} == {
        "sesion.entrar", "casos.listar"}
    assert secuencias("?accion=sesion.entrar") == sorted(
        (e["secuencia"] for e in eventos(EventoAuditoria.accion == "sesion.entrar")), reverse=True)
    hoy = hoy_en_mexico()
    manana = hoy + timedelta(days=2)
    assert secuencias(f"?desde={manana}") == []
    assert len(secuencias(f"?desde={hoy - timedelta(days=1)}&hasta={manana}")) >= 5
    invalido = admin.get("/admin/auditoria?caso_id=no-es-un-id&accion=inventada").get_data(as_text=True)
    assert "Se ignoró un filtro no válido (identificador de caso)." in invalido
    assert "Se ignoró un filtro no válido (acción)." in invalido

    for quien in ("capturista", "supervisora", "gestora"):
        assert como(quien).get("/admin/auditoria").status_code == 403, quien


def test_la_bitacora_pagina_por_secuencia(como, cuentas):
    anexar(130)
    admin = como("admin")  # 131: her login (a page never lists its own visit)
    html = admin.get("/admin/auditoria").get_data(as_text=True)
    # secuencia: unique and increasing, contiguous on SQLite only (a sequence on PostgreSQL).
    todas = [e["secuencia"] for e in reversed(eventos())][1:]  # not her own visit
    assert len(todas) == 131
    primera = [int(n) for n in re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", html)]
    assert primera == todas[:100]
    siguiente = re.search(r'href="(/admin/auditoria\?[^"]+)">Siguientes 100', html).group(1)
    assert siguiente == f"/admin/auditoria?antes={todas[99]}"
    segunda = admin.get(siguiente).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", segunda)] == todas[100:]
    assert "Siguientes" not in segunda

    # The filters travel with the cursor.
    filtrada = admin.get("/admin/auditoria?accion=caso.ver").get_data(as_text=True)
    assert len(re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", filtrada)) == 33  # 1, 5, … 129
    assert "Siguientes" not in filtrada


# ---- the legal ground of a crypto-shredding, and nothing more ---------------------------------

def test_el_fundamento_con_datos_personales_se_rechaza(como, cuentas, caso):
    admin = como("admin")
    formulario_html = admin.get("/casos/eliminar-datos").get_data(as_text=True)
    assert "No escriba datos personales" in formulario_html
    for motivo in (f"Lo pidió ella, CURP {CURP}", "Pidió que le llamen al 492 999 0001",
                   "Escribió desde ella@ejemplo.mx"):
        respuesta = enviar(admin, "/casos/eliminar-datos", {
            "caso_id": str(caso.id), "motivo": motivo, "confirmacion": "ELIMINAR"})
        assert respuesta.status_code == 200
        assert "Escríbalo sin datos personales." in respuesta.get_data(as_text=True)
    db.session.rollback()
    assert not db.session.get(Caso, caso.id).datos_eliminados
    assert "datos.eliminar" not in acciones()


def test_el_catalogo_nombra_cada_accion_en_espanol():
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", clave) for clave in ACCIONES)
    assert all(texto and texto[0].isupper() for texto in ACCIONES.values())
