"""Production settings refuse to start with a clear Spanish message; the key file is checked.

Every case starts from a complete, valid production environment and breaks one thing, so a
refusal can only come from that one thing (the valid environment itself must load).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

import config
from casos.acceso import PUBLICA, permiso
from casos.bd import escritura
from casos.cripto import llavero
from casos.cuentas.modelos import Usuaria
from casos.extensiones import db
from tests.conftest import enviar, preparar_entorno_de_produccion


@pytest.fixture
def entorno_valido(monkeypatch, tmp_path):
    return preparar_entorno_de_produccion(monkeypatch, tmp_path)


def test_un_entorno_de_produccion_completo_arranca(entorno_valido):
    produccion = config.desde_entorno()
    assert isinstance(produccion, config.Produccion)
    assert produccion.SESSION_COOKIE_SECURE is True
    assert produccion.HSTS is True
    assert produccion.DEBUG is False
    assert produccion.SQLALCHEMY_DATABASE_URI.startswith("postgresql+psycopg://")
    assert produccion.RATELIMIT_STORAGE_URI == "memory://"


@pytest.mark.parametrize("variable", ["DATABASE_URL", "SECRET_KEY", "RUTA_CLAVES",
                                      "RATELIMIT_STORAGE_URI"])
def test_produccion_exige_cada_variable(entorno_valido, monkeypatch, variable):
    monkeypatch.delenv(variable)
    with pytest.raises(config.ConfiguracionInvalida) as error:
        config.Produccion()
    mensaje = str(error.value)
    assert "Producción requiere" in mensaje
    assert variable in mensaje


@pytest.mark.parametrize("variable", ["DATABASE_URL", "SECRET_KEY"])
def test_produccion_trata_una_variable_vacia_como_ausente(entorno_valido, monkeypatch, variable):
    monkeypatch.setenv(variable, "")
    with pytest.raises(config.ConfiguracionInvalida, match=variable):
        config.Produccion()


def test_produccion_nombra_todas_las_variables_que_faltan(entorno_valido, monkeypatch):
    for variable in ("DATABASE_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(variable)
    with pytest.raises(config.ConfiguracionInvalida) as error:
        config.Produccion()
    assert "DATABASE_URL" in str(error.value)
    assert "RATELIMIT_STORAGE_URI" in str(error.value)


@pytest.mark.parametrize("clave", [
    "changeme",
    "CHANGEME",
    "secreto",
    "dev",
    secrets.token_urlsafe(48)[:31],  # random but one character too short
])
def test_produccion_rechaza_una_secret_key_corta_o_de_ejemplo(entorno_valido, monkeypatch, clave):
    monkeypatch.setenv("SECRET_KEY", clave)
    with pytest.raises(config.ConfiguracionInvalida) as error:
        config.Produccion()
    mensaje = str(error.value)
    assert "SECRET_KEY" in mensaje
    assert "32" in mensaje
    assert clave not in mensaje  # the refused secret is not echoed into logs


def test_produccion_acepta_una_secret_key_de_32_caracteres(entorno_valido, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48)[:32])
    assert len(config.Produccion().SECRET_KEY) == 32


def test_produccion_rechaza_la_secret_key_de_desarrollo(entorno_valido, monkeypatch, tmp_path):
    instancia = tmp_path / "instancia"
    clave_de_desarrollo = config.leer_o_crear_secreto(instancia / "secret_key")
    monkeypatch.setattr(config, "INSTANCIA", instancia)
    monkeypatch.setenv("SECRET_KEY", clave_de_desarrollo)
    with pytest.raises(config.ConfiguracionInvalida, match="clave de desarrollo"):
        config.Produccion()


@pytest.mark.parametrize("valor", ["1", "true", "True", "on"])
def test_produccion_no_arranca_con_flask_debug(entorno_valido, monkeypatch, valor):
    monkeypatch.setenv("FLASK_DEBUG", valor)
    with pytest.raises(config.ConfiguracionInvalida, match="FLASK_DEBUG"):
        config.Produccion()


def test_produccion_arranca_con_flask_debug_apagado(entorno_valido, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "0")
    assert config.Produccion().DEBUG is False


def test_produccion_rechaza_un_archivo_de_claves_de_desarrollo(entorno_valido, monkeypatch, tmp_path):
    desarrollo = tmp_path / "claves-desarrollo.json"
    llavero.crear(desarrollo, "desarrollo")
    monkeypatch.setenv("RUTA_CLAVES", str(desarrollo))
    with pytest.raises(config.ConfiguracionInvalida, match="desarrollo"):
        config.Produccion()


def test_produccion_rechaza_un_archivo_de_claves_legible_por_otros(entorno_valido):
    os.chmod(entorno_valido, 0o644)
    with pytest.raises(config.ConfiguracionInvalida, match="0600"):
        config.Produccion()


def test_produccion_rechaza_un_archivo_de_claves_inexistente(entorno_valido, monkeypatch, tmp_path):
    monkeypatch.setenv("RUTA_CLAVES", str(tmp_path / "no-existe.json"))
    with pytest.raises(config.ConfiguracionInvalida, match="No existe el archivo de claves"):
        config.Produccion()


def test_un_entorno_desconocido_se_rechaza(monkeypatch):
    monkeypatch.setenv("RUTA_VIOLETA_ENTORNO", "produccion-typo")
    with pytest.raises(config.ConfiguracionInvalida, match="no existe"):
        config.desde_entorno()


# ---- the key file ----------------------------------------------------------------------------

def test_el_llavero_de_produccion_carga_con_permisos_0600(tmp_path):
    ruta = tmp_path / "claves.json"
    assert llavero.crear(ruta, "produccion")
    assert oct(ruta.stat().st_mode & 0o777) == "0o600"
    cargado = llavero.cargar(ruta, exigir_produccion=True)
    assert cargado.entorno == "produccion"
    assert len(cargado.maestra(cargado.activa)) == 32


def test_el_llavero_exigido_en_produccion_rechaza_uno_de_desarrollo(tmp_path):
    ruta = tmp_path / "claves.json"
    llavero.crear(ruta, "desarrollo")
    llavero.cargar(ruta)  # fine outside production
    with pytest.raises(llavero.LlaveroInvalido, match="desarrollo"):
        llavero.cargar(ruta, exigir_produccion=True)


@pytest.mark.parametrize("modo", [0o644, 0o640, 0o604])
def test_el_llavero_rechaza_un_archivo_legible_por_otros(tmp_path, modo):
    ruta = tmp_path / "claves.json"
    llavero.crear(ruta, "produccion")
    os.chmod(ruta, modo)
    with pytest.raises(llavero.LlaveroInvalido, match="0600"):
        llavero.cargar(ruta, exigir_produccion=True)


def test_crear_no_sobrescribe_un_llavero_existente(tmp_path):
    ruta = tmp_path / "claves.json"
    assert llavero.crear(ruta, "produccion")
    antes = ruta.read_bytes()
    assert not llavero.crear(ruta, "desarrollo")
    assert ruta.read_bytes() == antes


# ---- SQLite storage -------------------------------------------------------------------------

@pytest.fixture
def ruta_sqlite(app, motor_bd):
    if motor_bd != "sqlite":
        pytest.skip("ajustes propios de SQLite")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert url.startswith("sqlite:///")
    return url.removeprefix("sqlite:///")


def _escritor_externo(ruta):
    """Another process's connection, as the sqlite3 CLI or a second worker would open it."""
    return sqlite3.connect(ruta, timeout=0, isolation_level=None)


def test_cada_conexion_sqlite_lleva_sus_pragmas(ruta_sqlite):
    for _ in range(2):  # a new connection each time, not only the first one
        with db.engine.connect() as conexion:
            pragma = lambda nombre: conexion.exec_driver_sql(f"PRAGMA {nombre}").scalar()
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 5000
        db.engine.dispose()


def test_las_llaves_foraneas_se_respetan_en_sqlite(ruta_sqlite):
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        with db.engine.begin() as conexion:
            conexion.exec_driver_sql(
                "INSERT INTO usuaria (id, correo, nombre, rol, institucion_id, activa, creada_en) "
                "VALUES (?, 'huerfana@prueba.mx', 'Huérfana', 'capturista', ?, 1, "
                "'2024-01-01 00:00:00')", (uuid.uuid4().hex, uuid.uuid4().hex))


def test_una_escritura_toma_el_candado_desde_su_primera_sentencia(ruta_sqlite):
    otro = _escritor_externo(ruta_sqlite)
    try:
        with escritura(), db.engine.connect() as conexion:
            conexion.execute(sa.select(sa.func.count()).select_from(Usuaria))  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                otro.execute("BEGIN IMMEDIATE")
            conexion.rollback()
        # Once the write transaction ends, the other writer gets its turn.
        otro.execute("BEGIN IMMEDIATE")
        otro.execute("ROLLBACK")
    finally:
        otro.close()


def test_una_lectura_fuera_de_escritura_no_bloquea_a_otro_escritor(ruta_sqlite):
    otro = _escritor_externo(ruta_sqlite)
    try:
        with db.engine.connect() as conexion:
            conexion.execute(sa.select(sa.func.count()).select_from(Usuaria))
            assert conexion.in_transaction()
            otro.execute("BEGIN IMMEDIATE")  # would raise "database is locked" if it were held
            otro.execute("ROLLBACK")
            conexion.rollback()
    finally:
        otro.close()


def test_una_peticion_post_escribe_y_una_get_solo_lee(app, ruta_sqlite):
    """A POST's transaction holds the write lock from its first read; a GET's never takes it."""
    @permiso(PUBLICA)
    def candado():
        db.session.scalar(sa.select(sa.func.count()).select_from(Usuaria))
        otro = _escritor_externo(ruta_sqlite)
        try:
            otro.execute("BEGIN IMMEDIATE")
            otro.execute("ROLLBACK")
            return "libre"
        except sqlite3.OperationalError as error:
            return "bloqueada" if "database is locked" in str(error) else "otro error"
        finally:
            otro.close()

    app.add_url_rule("/prueba-candado", "prueba_candado", candado, methods=["GET", "POST"])
    cliente = app.test_client()
    assert cliente.get("/prueba-candado").get_data(as_text=True) == "libre"
    assert enviar(cliente, "/prueba-candado", pagina="/entrar").get_data(as_text=True) == "bloqueada"
