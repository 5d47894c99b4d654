"""Fixtures: a migrated database per run (SQLite or PostgreSQL), a clean one per test.

`pytest` runs on SQLite; `pytest --bd=postgresql` on PostgreSQL at TEST_DATABASE_URL. The
schema is always built by the Alembic migrations, so the migrations are tested on both.
With CI=true an unreachable PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import secrets
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

import config
from casos import create_app
from casos.cripto import llavero
from casos.extensiones import db

# The suite's pinned clock (tests/reloj.py) is a plugin loaded by pytest.ini (`-p tests.reloj`).
from tests.reloj import hoy_en_mexico

PG_POR_DEFECTO = "postgresql://postgres@127.0.0.1:5432/test"
CONTRASENA = "una frase de prueba bastante larga"
SECRETO_TOTP = "KRSXG5DTMVRXEZLUORSXG5DTMVRXEZLU"  # synthetic, for the test accounts only
# Argon2id with small costs: the same algorithm, fast enough for hundreds of logins.
ARGON2_PRUEBAS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def pytest_addoption(parser):
    parser.addoption("--bd", choices=("sqlite", "postgresql"), default="sqlite",
                     help="motor de base de datos de las pruebas")


def pytest_collection_modifyitems(config, items):
    """A test about one engine (`@pytest.mark.motor("sqlite")`, or using `ruta_sqlite`) is not
    collected on the other: it is not skipped, it does not apply there."""
    motor = config.getoption("--bd")
    elegidos, fuera = [], []
    for item in items:
        marca = item.get_closest_marker("motor")
        propio = marca.args[0] if marca else ("sqlite" if "ruta_sqlite" in item.fixturenames else None)
        (fuera if propio not in (None, motor) else elegidos).append(item)
    if fuera:
        config.hook.pytest_deselected(items=fuera)
        items[:] = elegidos


def _en_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


class BaseDePruebas:
    """Builds the migrated schema once and hands each test a clean copy of it."""

    def __init__(self, motor: str, tmp: Path):
        self.motor, self.tmp = motor, tmp

    def preparar(self):
        if self.motor == "sqlite":
            self.plantilla = self.tmp / "plantilla.sqlite"
            self._migrar(f"sqlite:///{self.plantilla}")
        else:
            base = os.environ.get("TEST_DATABASE_URL", PG_POR_DEFECTO)
            from config import normalizar_url_bd

            self.url_base = normalizar_url_bd(base)
            self.esquema = f"prueba_{uuid.uuid4().hex[:12]}"
            try:
                motor = sa.create_engine(self.url_base)
                with motor.begin() as conexion:
                    conexion.exec_driver_sql(f'CREATE SCHEMA "{self.esquema}"')
                motor.dispose()
            except sa.exc.OperationalError as error:
                mensaje = f"PostgreSQL no responde en {base}: {error.orig}"
                if _en_ci():
                    pytest.exit(mensaje, returncode=3)
                pytest.skip(mensaje, allow_module_level=True)
            separador = "&" if "?" in self.url_base else "?"
            self.url = f"{self.url_base}{separador}options=-csearch_path%3D{self.esquema}"
            self._migrar(self.url)

    def _migrar(self, url: str):
        from flask_migrate import upgrade

        app = create_app(_configuracion(url, self.tmp / "claves-migracion.json"))
        with app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()

    def url_para(self, nombre: str) -> str:
        if self.motor == "sqlite":
            destino = self.tmp / f"{nombre}.sqlite"
            shutil.copyfile(self.plantilla, destino)
            return f"sqlite:///{destino}"
        return self.url

    def limpiar(self):
        if self.motor != "postgresql":
            return
        motor = sa.create_engine(self.url)
        with motor.begin() as conexion:
            tablas = conexion.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'").scalars().all()
            if tablas:
                conexion.exec_driver_sql(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tablas) + " CASCADE")
        motor.dispose()

    def destruir(self):
        if self.motor == "postgresql" and hasattr(self, "url"):
            motor = sa.create_engine(self.url_base)
            with motor.begin() as conexion:
                conexion.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.esquema}" CASCADE')
            motor.dispose()


def _configuracion(url: str, claves: Path) -> dict:
    from casos.cripto import llavero

    llavero.crear(claves, "pruebas")
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "RUTA_CLAVES": str(claves),
        "ARGON2": ARGON2_PRUEBAS,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def base_de_pruebas(request, tmp_path_factory):
    base = BaseDePruebas(request.config.getoption("--bd"), tmp_path_factory.mktemp("bd"))
    base.preparar()
    yield base
    base.destruir()


@pytest.fixture
def motor_bd(base_de_pruebas) -> str:
    return base_de_pruebas.motor


@pytest.fixture
def configuracion(base_de_pruebas, tmp_path, request) -> dict:
    nombre = re.sub(r"\W", "_", request.node.name)[:60] + "_" + uuid.uuid4().hex[:6]
    return _configuracion(base_de_pruebas.url_para(nombre), tmp_path / "claves.json")


def preparar_entorno_de_produccion(monkeypatch, tmp_path, url_bd="postgresql://app@bd.ejemplo/rv"):
    """A complete production environment (env vars and a 0600 production key file)."""
    claves = tmp_path / "claves-produccion.json"
    llavero.crear(claves, "produccion")
    monkeypatch.setenv("RUTA_VIOLETA_ENTORNO", "produccion")
    monkeypatch.setenv("DATABASE_URL", url_bd)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("RUTA_CLAVES", str(claves))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return claves


class ClienteDePruebas(FlaskClient):
    """Each request runs in its own application context, with its own database session, as
    in production; the test's transaction ends first, so the test then reads what the
    request committed, not an old snapshot."""

    def open(self, *args, **kwargs):
        if has_app_context():  # not when following a redirect inside the request's own context
            db.session.rollback()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(configuracion, base_de_pruebas):
    aplicacion = create_app(configuracion)
    aplicacion.test_client_class = ClienteDePruebas
    with aplicacion.app_context():
        yield aplicacion
        db.session.remove()
        db.engine.dispose()
    base_de_pruebas.limpiar()


@pytest.fixture
def app_produccion(app, configuracion, monkeypatch, tmp_path):
    """The production settings class, on the test database, browsed over HTTPS."""
    claves = preparar_entorno_de_produccion(monkeypatch, tmp_path,
                                            configuracion["SQLALCHEMY_DATABASE_URI"])
    # The same keys as the test app (the accounts' second factors were encrypted with them),
    # in a file marked for production.
    contenido = json.loads(Path(configuracion["RUTA_CLAVES"]).read_text())
    claves.write_text(json.dumps({**contenido, "entorno": "produccion"}))
    produccion = create_app(config.Produccion())

    class ClienteHttps(ClienteDePruebas):
        def open(self, *args, **kwargs):
            kwargs.setdefault("base_url", "https://localhost")
            return super().open(*args, **kwargs)

    produccion.test_client_class = ClienteHttps
    yield produccion
    with produccion.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- factories -----------------------------------------------------------------------------

def crear_institucion(siglas="INST", tipo="fiscalia", municipio="32056", nombre=None):
    from casos.cuentas.modelos import Institucion

    institucion = Institucion(siglas=siglas, nombre=nombre or f"Institución de prueba {siglas}",
                              tipo=tipo, municipio=municipio)
    db.session.add(institucion)
    db.session.commit()
    return institucion


def crear_usuaria(rol, institucion, correo=None, contrasena=CONTRASENA, activa=True,
                  segundo_factor=None):
    """An account. The roles that must have a second factor get SECRETO_TOTP, already
    activated (`segundo_factor=False` leaves it to enrol at login, as a new account would)."""
    from casos.bd import ahora
    from casos.cuentas import segundo_factor as factor
    from casos.cuentas import servicios

    usuaria = servicios.crear_usuaria(
        correo=correo or f"{rol}.{uuid.uuid4().hex[:8]}@prueba.mx", nombre=f"Persona {rol}",
        rol=rol, institucion=institucion, contrasena=contrasena)
    usuaria.activa = activa
    if segundo_factor if segundo_factor is not None else factor.obligatorio(usuaria):
        factor.guardar_secreto(usuaria, SECRETO_TOTP)
        usuaria.totp_activado_en = ahora()
    db.session.commit()
    return usuaria


@dataclass
class Cuentas:
    institucion_a: object
    institucion_b: object
    por_clave: dict

    def __getitem__(self, clave):
        return self.por_clave[clave]


@pytest.fixture
def cuentas(app) -> Cuentas:
    """Every role in institution A; the case roles again in institution B."""
    a = crear_institucion("INSTA", "fiscalia")
    b = crear_institucion("INSTB", "cjm")
    por_clave = {rol: crear_usuaria(rol, a) for rol in ("capturista", "supervisora", "gestora", "admin")}
    por_clave["capturista_b"] = crear_usuaria("capturista", b)
    por_clave["supervisora_b"] = crear_usuaria("supervisora", b)
    return Cuentas(a, b, por_clave)


# ---- browsing as a person would: real CSRF tokens, real forms -------------------------------

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                    r'type="hidden" name="csrf_token" value="([^"]+)"|'
                    r'name="csrf_token" value="([^"]+)"')


def token_csrf(client, ruta="/entrar") -> str:
    html = client.get(ruta).get_data(as_text=True)
    encontrado = _TOKEN.search(html)
    assert encontrado, f"sin token CSRF en {ruta}"
    return next(g for g in encontrado.groups() if g)


def enviar(client, ruta, datos=None, *, pagina=None, **kwargs):
    """POST a form the way a browser does: with the token from the page that shows it."""
    datos = dict(datos or {})
    datos.setdefault("csrf_token", token_csrf(client, pagina or ruta))
    return client.post(ruta, data=datos, **kwargs)


def codigo_totp(secreto=None) -> str:
    import pyotp

    return pyotp.TOTP(secreto or SECRETO_TOTP).now()


def olvidar_ultimo_codigo(correo) -> None:
    """Tests log the same account in many times within one 30-second step; each code is
    accepted once (tested on its own), so the helper forgets the last step it used."""
    from casos.cuentas.modelos import Usuaria

    db.session.execute(sa.update(Usuaria).where(Usuaria.correo == correo.strip().casefold())
                       .values(totp_ultimo_paso=None))
    db.session.commit()


def entrar(client, usuaria_o_correo, contrasena=CONTRASENA, *, secreto=None):
    """Log in through the pages, second factor included when the account has one."""
    correo = getattr(usuaria_o_correo, "correo", usuaria_o_correo)
    respuesta = enviar(client, "/entrar", {"correo": correo, "contrasena": contrasena})
    if respuesta.status_code == 302 and respuesta.location.endswith("/entrar/codigo"):
        olvidar_ultimo_codigo(correo)
        respuesta = enviar(client, "/entrar/codigo", {"codigo": codigo_totp(secreto)})
    return respuesta


def activar_segundo_factor(client):
    """Enrol as a person would at /entrar/alta-codigo: read the key the page shows, type the
    code, keep the recovery codes, continue. Returns (final response, recovery codes)."""
    html = client.get("/entrar/alta-codigo").get_data(as_text=True)
    if 'value="generar"' in html:
        html = enviar(client, "/entrar/alta-codigo", {"accion": "generar"}).get_data(as_text=True)
    secreto = re.search(r'<code class="secreto">([A-Z2-7]+)</code>', html).group(1)
    pagina = enviar(client, "/entrar/alta-codigo", {"codigo": codigo_totp(secreto)},
                    pagina="/entrar/alta-codigo").get_data(as_text=True)
    codigos = re.findall(r"<li><code>([0-9A-F]{5}-[0-9A-F]{5})</code></li>", pagina)
    token = _TOKEN.search(pagina)
    respuesta = client.post("/entrar/alta-codigo/continuar",
                            data={"csrf_token": next(g for g in token.groups() if g)})
    return respuesta, codigos


@pytest.fixture
def como(app, cuentas):
    """`como("admin")` returns a test client logged in as that account."""
    def _como(clave):
        cliente = app.test_client()
        respuesta = entrar(cliente, cuentas[clave])
        assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[:500]
        return cliente

    return _como


def datos_de_caso(**cambios):
    """A synthetic intake (no real person): every encrypted field filled with a canary."""
    from datetime import timedelta

    from casos.expedientes.servicios import DatosAgresor, DatosIntake, DatosNna

    datos = DatosIntake(
        nombre="Canaria Xochitl Pruebasintetica", municipio="32056", curp="PEMA850101MZSRRN02",
        telefono="4929990001", domicilio="Calle Ficticia 123, Colonia Inventada",
        lengua_indigena="Náhuatl", discapacidad="Ninguna", nacionalidad="Mexicana",
        nna=[DatosNna("Hija Sintetica Uno", 7, True)],
        agresores=[DatosAgresor("Agresor Sintetico Canario", "pareja", True, True)],
        fecha_hechos=hoy_en_mexico() - timedelta(days=30), lugar_hechos="Domicilio ficticio",
        narrativa="Relato canario sintetico: hechos inventados para pruebas.",
        tipos=["fisica", "psicologica"], modalidades=["familiar"], autoriza_canalizar=True,
        tipos_institucion=["cjm", "salud"], datos_compartibles=["identidad", "hechos"],
        contacto_seguro={"telefono": "4929990002", "horario": "9 a 11", "nunca_casa": True},
    )
    for nombre, valor in cambios.items():
        setattr(datos, nombre, valor)
    return datos


def errores_del_campo(html: str, campo: str) -> list[str]:
    """The error messages shown beside a field: the block its aria-describedby points to."""
    from html import unescape

    bloque = re.search(rf'<div id="{re.escape(campo)}-error">(.*?)</div>', html, re.S)
    if not bloque:
        return []
    assert f'aria-describedby="{campo}-error"' in html, f"{campo}: el error no está ligado al campo"
    return [unescape(m).strip() for m in re.findall(r'<p class="error">(.*?)</p>', bloque.group(1), re.S)]
