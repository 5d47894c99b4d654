"""The command line of the README: init, demo, crear-usuaria, purgar-sesiones.

Run as an operator runs them (`flask --app wsgi …`), through the app's own CLI runner; what they
leave behind is checked in the database and, for accounts, by logging in.
"""

from __future__ import annotations

import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from casos.bd import ahora
from casos.cripto import llavero
from casos.cuentas.modelos import Institucion, Sesion, Usuaria
from casos.demo import CONTRASENA_DEMO, CUENTAS, SECRETO_TOTP_DEMO
from casos.extensiones import db
from tests.conftest import activar_segundo_factor, crear_institucion, crear_usuaria, entrar

README = Path(__file__).resolve().parent.parent / "README.md"
BUENA = "girasoles bajo la lluvia de agosto"
ENCABEZADO_DE_INICIO = {
    "capturista": "Casos de su institución",
    "supervisora": "Supervisión",
    "gestora": "Estadística estatal",
    "admin": "Administración",
}


def _contar(modelo, *condiciones) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(modelo).where(*condiciones))


def _cuentas_del_readme() -> list[tuple[str, str, str]]:
    """(correo, rol, institución) of the README's table of demo accounts."""
    filas = re.findall(r"^\| `([^`]+@[^`]+\.demo)` \| (\w+) \| ([^|]+?) \|$", README.read_text(),
                       re.MULTILINE)
    assert sorted(f[0] for f in filas) == sorted(c[0] for c in CUENTAS), \
        "la tabla de cuentas de demostración del README no coincide con casos/demo.py"
    return filas


# ---- init ------------------------------------------------------------------------------------

def _revisiones(app):
    configuracion = app.extensions["migrate"].migrate.get_config()
    cabeza = set(ScriptDirectory.from_config(configuracion).get_heads())
    db.session.rollback()
    actual = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    db.session.rollback()
    return actual, cabeza


def test_init_dos_veces_deja_el_esquema_al_dia(app, runner, tmp_path):
    app.config["RUTA_CLAVES"] = str(tmp_path / "claves-init.json")
    for _ in range(2):
        resultado = runner.invoke(args=["init"])
        assert resultado.exit_code == 0, resultado.output
        assert "Base de datos al día." in resultado.stdout
    actual, cabeza = _revisiones(app)
    assert actual == cabeza and len(cabeza) == 1
    # The schema still works: the app reads and writes its tables.
    crear_usuaria("admin", crear_institucion("POSTINIT"))
    assert _contar(Usuaria) == 1


def test_init_crea_el_archivo_de_claves_0600_y_no_lo_reescribe(app, runner, tmp_path):
    ruta = tmp_path / "instance" / "claves.json"
    app.config["RUTA_CLAVES"] = str(ruta)

    primera = runner.invoke(args=["init"])
    assert primera.exit_code == 0, primera.output
    assert f"Claves de desarrollo creadas en {ruta} (0600)." in primera.stdout
    assert stat.S_IMODE(ruta.stat().st_mode) == 0o600
    claves = llavero.cargar(ruta)
    assert claves.entorno == "pruebas" and claves.activa in claves.maestras
    contenido = ruta.read_bytes()

    segunda = runner.invoke(args=["init"])
    assert segunda.exit_code == 0, segunda.output
    assert "Claves de desarrollo creadas" not in segunda.stdout
    assert ruta.read_bytes() == contenido  # an existing key file is never replaced


def test_init_en_produccion_rechaza_un_archivo_de_claves_de_desarrollo(app, runner, tmp_path):
    ruta = tmp_path / "claves-desarrollo.json"
    llavero.crear(ruta, "desarrollo")
    app.config.update(ENTORNO="produccion", RUTA_CLAVES=str(ruta))

    resultado = runner.invoke(args=["init"])
    assert resultado.exit_code != 0
    assert "Producción no arranca con un archivo de claves de desarrollo." in resultado.stderr
    assert "Traceback" not in resultado.output
    assert "Base de datos al día." not in resultado.output


def test_init_en_produccion_sin_archivo_de_claves_no_lo_inventa(app, runner, tmp_path):
    ruta = tmp_path / "no-existe.json"
    app.config.update(ENTORNO="produccion", RUTA_CLAVES=str(ruta))

    resultado = runner.invoke(args=["init"])
    assert resultado.exit_code != 0
    assert f"No existe el archivo de claves {ruta}" in resultado.stderr
    assert not ruta.exists()


# ---- demo ------------------------------------------------------------------------------------

def test_demo_dos_veces_crea_las_instituciones_y_cuentas_una_sola_vez(app, runner):
    primera = runner.invoke(args=["demo"])
    assert primera.exit_code == 0, primera.output
    assert f"{len(CUENTAS)} cuentas nuevas" in primera.stdout
    segunda = runner.invoke(args=["demo"])
    assert segunda.exit_code == 0, segunda.output
    assert "0 cuentas nuevas" in segunda.stdout

    assert _contar(Institucion) == 3
    assert _contar(Usuaria) == len(CUENTAS) == 11
    creadas = {u.correo: u for u in db.session.scalars(select(Usuaria))}
    for correo, rol, institucion in _cuentas_del_readme():
        cuenta = creadas[correo]
        assert cuenta.rol == rol and cuenta.activa
        nombre = institucion.removesuffix(" (demo)")
        assert cuenta.institucion.nombre.startswith(nombre), (correo, cuenta.institucion.nombre)
        assert cuenta.institucion.nombre.endswith("(demo)")


def test_cada_cuenta_de_demo_entra_y_llega_a_su_inicio(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for correo, rol, _institucion in _cuentas_del_readme():
        cliente = app.test_client()
        respuesta = entrar(cliente, correo, CONTRASENA_DEMO, secreto=SECRETO_TOTP_DEMO)
        assert respuesta.status_code == 302, correo
        assert respuesta.location.endswith("/")
        inicio = cliente.get("/").get_data(as_text=True)
        assert f"<h1>{ENCABEZADO_DE_INICIO[rol]}</h1>" in inicio, correo
        db.session.rollback()
        propia = db.session.scalar(select(Usuaria).where(Usuaria.correo == correo)).institucion
        assert propia.nombre in inicio, correo
    assert CONTRASENA_DEMO == "clave-de-prueba-demo"  # the one the README publishes


def test_cada_institucion_de_demo_tiene_dos_supervisoras(app, runner):
    """Four eyes: with one, her own requests could never be approved. The admin sees no warning."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    for institucion in db.session.scalars(select(Institucion)):
        supervisoras = [u for u in institucion.usuarias if u.rol == "supervisora" and u.activa]
        assert len(supervisoras) == 2, institucion.siglas
    admin = app.test_client()
    assert entrar(admin, "admin@semujer.demo", CONTRASENA_DEMO, secreto=SECRETO_TOTP_DEMO).status_code == 302
    assert "Registre al menos dos" not in admin.get("/admin/instituciones").get_data(as_text=True)


def test_demo_se_niega_en_produccion(app, runner):
    app.config["ENTORNO"] = "produccion"
    resultado = runner.invoke(args=["demo"])

    assert resultado.exit_code != 0
    assert "«demo» no se ejecuta en producción" in resultado.stderr
    assert "contraseña pública" in resultado.stderr
    assert _contar(Institucion) == 0
    assert _contar(Usuaria) == 0


# ---- crear-usuaria ---------------------------------------------------------------------------

def _crear_usuaria(runner, contrasena, confirmacion=None, correo="Directora@Fiscalia.gob.mx",
                   siglas="FGJEZ", rol="admin"):
    return runner.invoke(
        args=["crear-usuaria", "--correo", correo, "--nombre", "Directora General",
              "--rol", rol, "--institucion", siglas],
        input=f"{contrasena}\n{contrasena if confirmacion is None else confirmacion}\n")


def test_crear_usuaria_con_buena_contrasena_crea_una_cuenta_que_entra(app, runner):
    crear_institucion("FGJEZ", "fiscalia")
    resultado = _crear_usuaria(runner, BUENA)

    assert resultado.exit_code == 0, resultado.output
    assert "Cuenta creada." in resultado.stdout
    assert BUENA not in resultado.output  # the prompt hides what she types
    db.session.rollback()
    cuenta = db.session.scalar(select(Usuaria))
    assert (cuenta.correo, cuenta.rol, cuenta.institucion.siglas) == (
        "directora@fiscalia.gob.mx", "admin", "FGJEZ")
    assert cuenta.contrasena_hash.startswith("$argon2id$")

    cliente = app.test_client()
    # Her role requires a second factor: she enrols it at her first login.
    assert entrar(cliente, "directora@fiscalia.gob.mx", BUENA).location.endswith("/entrar/alta-codigo")
    respuesta, codigos = activar_segundo_factor(cliente)
    assert respuesta.status_code == 302 and len(codigos) == 10
    assert "<h1>Administración</h1>" in cliente.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(("debil", "motivo"), [
    ("corta de mas", "Debe tener al menos 15 caracteres."),
    ("passwordpassword", "Es una contraseña común o fácil de adivinar; elija otra frase."),
    ("directora de la fiscalia", "No debe contener el nombre del sistema, de su institución ni de su cuenta."),
])
def test_crear_usuaria_rechaza_una_contrasena_debil_y_no_crea_nada(app, runner, debil, motivo):
    crear_institucion("FGJEZ", "fiscalia")
    resultado = _crear_usuaria(runner, debil)

    assert resultado.exit_code != 0
    assert f"Contraseña rechazada: {motivo}" in resultado.stderr
    assert "Cuenta creada." not in resultado.output
    assert _contar(Usuaria) == 0


def test_crear_usuaria_por_segunda_vez_dice_que_existe_y_no_cambia_nada(app, runner):
    crear_institucion("FGJEZ", "fiscalia")
    assert _crear_usuaria(runner, BUENA).exit_code == 0
    db.session.rollback()
    antes = db.session.scalar(select(Usuaria))
    hash_antes, rol_antes = antes.contrasena_hash, antes.rol

    otra = "otra frase que nadie debe conocer"
    segunda = _crear_usuaria(runner, otra, correo="DIRECTORA@fiscalia.gob.mx", rol="capturista")
    assert segunda.exit_code == 0, segunda.output
    assert "Esa cuenta ya existe; no se cambió nada." in segunda.stdout
    assert _contar(Usuaria) == 1
    despues = db.session.scalar(select(Usuaria))
    assert (despues.contrasena_hash, despues.rol) == (hash_antes, rol_antes)
    assert entrar(app.test_client(), "directora@fiscalia.gob.mx", otra).status_code == 200


def test_crear_usuaria_con_siglas_desconocidas_falla_en_espanol(app, runner):
    resultado = _crear_usuaria(runner, BUENA, siglas="NOEXISTE")
    assert resultado.exit_code != 0
    assert "No existe una institución con siglas 'NOEXISTE'." in resultado.stderr
    assert _contar(Usuaria) == 0


# ---- purgar-sesiones -------------------------------------------------------------------------

def test_purgar_sesiones_borra_solo_las_caducadas(app, runner):
    usuaria = crear_usuaria("capturista", crear_institucion("PURGA"))
    cliente = app.test_client()
    assert entrar(cliente, usuaria).status_code == 302  # a live session, through the real login

    momento = ahora()
    inactividad, maxima = app.config["SESION_INACTIVIDAD"], app.config["SESION_MAXIMA"]
    filas = {
        "reciente": (momento - timedelta(minutes=5), momento - timedelta(minutes=1)),
        "casi_inactiva": (momento - timedelta(hours=1), momento - inactividad + timedelta(minutes=1)),
        "casi_vieja": (momento - maxima + timedelta(minutes=5), momento - timedelta(minutes=1)),
        "inactiva": (momento - timedelta(hours=1), momento - inactividad - timedelta(minutes=1)),
        "vieja": (momento - maxima - timedelta(minutes=1), momento - timedelta(minutes=1)),
        "anonima_vieja": (momento - timedelta(days=3), momento - timedelta(days=3)),
    }
    for nombre, (creada, actividad) in filas.items():
        db.session.add(Sesion(id_hash=nombre.ljust(64, "0"), datos="{}", creada_en=creada,
                              ultima_actividad=actividad,
                              usuaria_id=None if nombre.startswith("anonima") else usuaria.id))
    db.session.commit()
    total = _contar(Sesion)

    resultado = runner.invoke(args=["purgar-sesiones"])
    assert resultado.exit_code == 0, resultado.output
    assert "Sesiones borradas: 3" in resultado.stdout

    assert _contar(Sesion) == total - 3
    quedan = set(db.session.scalars(select(Sesion.id_hash)))
    for nombre in ("reciente", "casi_inactiva", "casi_vieja"):
        assert nombre.ljust(64, "0") in quedan
    for nombre in ("inactiva", "vieja", "anonima_vieja"):
        assert nombre.ljust(64, "0") not in quedan
    assert cliente.get("/").status_code == 200  # the real session survived

    otra_vez = runner.invoke(args=["purgar-sesiones"])
    assert "Sesiones borradas: 0" in otra_vez.stdout
