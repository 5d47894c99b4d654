"""The orchestrator of `make bench`: per scenario, a database of its own, seeded; gunicorn with
the production settings; the load generator in another process; the in-app measurements; and
everything removed afterwards, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.rendimiento import maquina, tabla

RAIZ = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TRABAJADORES = 2
ANFITRION = "127.0.0.1"
PRUEBAS = ("minima", "salud", "entrar", "lista", "caso", "nuevo", "transicion", "estadisticas", "api")


@dataclass(frozen=True)
class Escenario:
    nombre: str
    motor: str
    casos: int


ESCENARIOS = {e.nombre: e for e in (Escenario("sqlite-10k", "sqlite", 10_000),
                                    Escenario("pg-10k", "postgresql", 10_000),
                                    Escenario("pg-1m", "postgresql", 1_000_000),
                                    # tests/rendimiento/dos_anfitriones.py, not correr_escenario
                                    Escenario("dos-anfitriones", "postgresql", 10_000))}


def aviso(mensaje: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {mensaje}", file=sys.stderr, flush=True)


def carga_del_sistema() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind((ANFITRION, 0))
        return s.getsockname()[1]


def ejecutar(orden: list[str], entorno: dict, *, limite: float, salida=None) -> subprocess.CompletedProcess:
    """A bounded child process; its stderr goes to ours (progress bars), stdout is returned."""
    resultado = subprocess.run(orden, cwd=RAIZ, env=entorno, stdout=subprocess.PIPE,
                               stderr=salida or sys.stderr, text=True, timeout=limite)
    if resultado.returncode != 0:
        raise RuntimeError(f"falló {' '.join(orden[:4])}… (código {resultado.returncode})")
    return resultado


# ---- databases ------------------------------------------------------------------------------

def _solo_local(url: str) -> None:
    from sqlalchemy.engine import make_url

    if make_url(url).host not in (ANFITRION, "localhost"):
        raise SystemExit(f"El banco solo usa PostgreSQL en {ANFITRION}, no en {url}.")


@contextmanager
def base_de_datos(escenario: Escenario, directorio: Path):
    """A fresh database for the scenario, dropped at the end (or kept with --conservar)."""
    if escenario.motor == "sqlite":
        yield f"sqlite:///{directorio / 'banco.sqlite'}"
        return
    import psycopg

    _solo_local(PG_ADMIN)
    nombre = f"bench_{escenario.nombre.replace('-', '_')}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conexion:
        conexion.execute(f'CREATE DATABASE "{nombre}"')
    aviso(f"base {nombre} creada")
    try:
        base = PG_ADMIN.rsplit("/", 1)[0]
        yield f"{base}/{nombre}"
    finally:
        if os.environ.get("BENCH_CONSERVAR") == "1":
            aviso(f"base {nombre} conservada (BENCH_CONSERVAR=1): bórrela con DROP DATABASE")
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conexion:
                conexion.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
            aviso(f"base {nombre} borrada")


def asentar(url: str) -> None:
    """After a bulk load, settle the database before measuring, as an operator would: VACUUM
    ANALYZE (statistics for the planner, the visibility map; autovacuum would otherwise run
    during the measurements), then a CHECKPOINT. Without it the checkpoint the load and the
    VACUUM trigger spread its writes over the next minutes, and every page view's audit commit
    waited on the disk behind it: a first 1M run measured the case page at p95 153 ms that way."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conexion:
            conexion.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conexion:
        conexion.execute("VACUUM (ANALYZE)")
        conexion.execute("CHECKPOINT")


# ---- servers --------------------------------------------------------------------------------

@contextmanager
def gunicorn(modulo: str, entorno: dict, directorio: Path, ruta_lista: str,
             trabajadores: int = TRABAJADORES):
    """gunicorn with the given app, the same settings for the app and the bare endpoint."""
    puerto = puerto_libre()
    # The port in the name: the two-host scenario runs the same app twice at once.
    registro = open(directorio / f"gunicorn-{modulo.split(':')[0]}-{puerto}.log", "w")
    proceso = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(trabajadores), "--worker-class", "sync",
         # 120 s, not gunicorn's default 30: at a million cases the statistics pages take tens
         # of seconds, and a killed worker would hide how long they take (see BENCHMARKS.md).
         "--bind", f"{ANFITRION}:{puerto}", "--timeout", "120", "--log-level", "warning", modulo],
        cwd=RAIZ, env=entorno, stdout=registro, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        limite = time.monotonic() + 60
        while True:
            if proceso.poll() is not None:
                raise RuntimeError(f"gunicorn ({modulo}) terminó al arrancar; vea {registro.name}")
            try:
                with urllib.request.urlopen(f"http://{ANFITRION}:{puerto}{ruta_lista}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > limite:
                raise RuntimeError(f"gunicorn ({modulo}) no respondió en 60 s; vea {registro.name}")
            time.sleep(0.3)
        yield puerto
    finally:
        # The whole process group: the arbiter and its workers, nothing else.
        if proceso.poll() is None:
            os.killpg(proceso.pid, signal.SIGTERM)
            try:
                proceso.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proceso.pid, signal.SIGKILL)
                proceso.wait(10)
        registro.close()


# ---- one scenario ---------------------------------------------------------------------------

@dataclass
class Medicion:
    escenario: Escenario
    paginas: dict = field(default_factory=dict)
    siembra: dict = field(default_factory=dict)
    estadisticas: dict = field(default_factory=dict)
    rotacion: dict = field(default_factory=dict)
    carga: list = field(default_factory=list)
    precalculo: float | None = None
    notas: list = field(default_factory=list)
    en_proceso: dict = field(default_factory=dict)
    dos_anfitriones: dict = field(default_factory=dict)  # only the scenario of that name


def correr_escenario(escenario: Escenario, opciones) -> Medicion:
    medicion = Medicion(escenario)
    medicion.carga.append(carga_del_sistema())
    with ExitStack() as pila:
        directorio = Path(pila.enter_context(tempfile.TemporaryDirectory(prefix=f"rv_bench_{escenario.nombre}_")))
        url = pila.enter_context(base_de_datos(escenario, directorio))
        demo, produccion = sembrar(escenario, url, directorio, medicion)
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        aviso(f"{escenario.nombre}: preparando canalizaciones, formularios y token")
        datos = directorio / "datos.json"
        por_prueba = min(opciones.maximo, int(opciones.duracion * 200))
        ejecutar([str(BIN / "python"), "-m", "tests.rendimiento.en_la_app", "preparar", str(datos),
                  str(por_prueba + opciones.usuarios * 5), "600"], demo, limite=1800)
        plan = json.loads(datos.read_text())
        # As production's scheduled job does (README, "Production" 8): the statistics pages
        # serve an edition published ahead of time (every closed month). The computation of
        # a year is measured on its own below ("statistics roll-up ms").
        rutas = _rutas(demo)
        if rutas["actualizar"]:
            aviso(f"{escenario.nombre}: edición de la estadística publicada (tarea programada)")
            inicio = time.perf_counter()
            ejecutar(flask + ["estadisticas", "publicar"], produccion,
                     limite=3600, salida=subprocess.DEVNULL)
            medicion.precalculo = round(time.perf_counter() - inicio, 1)
        asentar(url)
        pruebas = [p for p in PRUEBAS if p not in ("estadisticas", "api") or rutas.get(p)]
        for ausente in set(PRUEBAS) - set(pruebas):
            medicion.notas.append(f"{ausente}: no such route in this version; not measured")
        plan |= {
            "pruebas": pruebas, "usuarios": opciones.usuarios, "duracion": opciones.duracion,
            "maximo": opciones.maximo, "calentamiento": 3, "cuentas": CUENTAS,
            "totp": {"gestora": _secreto_totp_demo()},
        }
        with gunicorn("wsgi:app", produccion, directorio, "/salud") as puerto_app, \
                gunicorn("tests.rendimiento.flask_minima:app", produccion, directorio, "/") as puerto_minima:
            plan["puertos"] = {"app": puerto_app, "minima": puerto_minima}
            archivo_plan = directorio / "plan.json"
            archivo_plan.write_text(json.dumps(plan))
            aviso(f"{escenario.nombre}: carga contra 127.0.0.1:{puerto_app} y :{puerto_minima}")
            limite = len(pruebas) * (opciones.duracion + 600) + 120
            salida = ejecutar([str(BIN / "python"), "-m", "tests.rendimiento.carga", str(archivo_plan)],
                              _entorno_base(), limite=limite)
            medicion.paginas = json.loads(salida.stdout)
        _conservar_registros_si_fallo(medicion, directorio)
        if "transicion" in medicion.paginas and "peticiones" in medicion.paginas["transicion"]:
            hechas = json.loads(ejecutar([str(BIN / "python"), "-m", "tests.rendimiento.en_la_app",
                                          "aceptadas", str(datos)], demo, limite=300).stdout)["aceptadas"]
            pedidas = medicion.paginas["transicion"]["peticiones"] + opciones.usuarios * 3
            medicion.paginas["transicion"]["aceptadas_en_bd"] = hechas
            if hechas != pedidas:
                medicion.notas.append(f"referral: {pedidas} requests (warm-up included) but "
                                      f"{hechas} referrals accepted in the database")
        _cpu_en_proceso(escenario, demo, medicion)
        if rutas.get("estadisticas"):
            aviso(f"{escenario.nombre}: estadísticas frente a SQL crudo")
            medicion.estadisticas = json.loads(ejecutar(
                [str(BIN / "python"), "-m", "tests.rendimiento.en_la_app", "estadisticas"], demo,
                limite=1800).stdout)
            aviso(f"{escenario.nombre}: {medicion.estadisticas}")
        aviso(f"{escenario.nombre}: rotación de la clave maestra")
        # The command's own start-up (imports, app) is not rotation: timed apart, subtracted.
        inicio = time.perf_counter()
        ejecutar(flask + ["claves", "--help"], produccion, limite=300, salida=subprocess.DEVNULL)
        arranque = time.perf_counter() - inicio
        inicio = time.perf_counter()
        salida = ejecutar(flask + ["claves", "rotar"], produccion, limite=3600, salida=subprocess.DEVNULL)
        segundos = time.perf_counter() - inicio
        claves_rotadas = int(re.search(r"(\d+) claves de datos re-envueltas", salida.stdout).group(1))
        medicion.rotacion = {"segundos": round(segundos, 1), "claves": claves_rotadas,
                             "arranque": round(arranque, 1),
                             "por_100k": round(max(segundos - arranque, 0) * 100_000 / claves_rotadas, 1)}
    medicion.carga.append(carga_del_sistema())
    return medicion


def _conservar_registros_si_fallo(medicion: Medicion, directorio: Path) -> None:
    """A test that failed leaves its servers' logs where the report says (the scenario's
    directory is removed at the end): an error page must be explained, not guessed at."""
    if not any("fallo" in r for r in medicion.paginas.values()):
        return
    destino = Path(tempfile.mkdtemp(prefix=f"rv_bench_registros_{medicion.escenario.nombre}_"))
    for registro in directorio.glob("gunicorn-*.log"):
        shutil.copy(registro, destino)
    medicion.notas.append(f"a test failed: the servers' logs are kept in {destino}")


def _cpu_en_proceso(escenario: Escenario, entorno: dict, medicion: Medicion) -> None:
    """The hot pages' CPU per request in one process, app against the lean reference
    (tests/rendimiento/en_proceso.py). A failure is a note, not the end of the scenario."""
    aviso(f"{escenario.nombre}: CPU en proceso, app frente a la referencia")
    try:
        salida = ejecutar([str(BIN / "python"), "-m", "tests.rendimiento.en_proceso", "medir"], entorno,
                          limite=1800)
        medicion.en_proceso = json.loads(salida.stdout)
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
        medicion.notas.append(f"CPU en proceso: not measured ({error})")


CONTRASENA = "clave-de-prueba-demo"
CUENTAS = {"capturista": ["capturista@fiscalia.demo", CONTRASENA],
           "receptora": ["capturista@cjm.demo", CONTRASENA],
           "gestora": ["gestora@semujer.demo", CONTRASENA]}


def sembrar(escenario: Escenario, url: str, directorio: Path, medicion: Medicion) -> tuple[dict, dict]:
    """A key file, the schema and the scenario's cases; the environments of the demo (which
    seeds) and of production (which serves), on the same database and key file."""
    claves = directorio / "claves.json"
    ejecutar([str(BIN / "python"), "-m", "casos.cripto.llavero", str(claves)], _entorno_base(),
             limite=60, salida=subprocess.DEVNULL)
    # The seed is refused in production (public password): it runs as the demo does, on
    # the same database and the same production key file the server then uses.
    demo = _entorno_base() | {"RUTA_VIOLETA_ENTORNO": "desarrollo", "DATABASE_URL": url,
                              "RUTA_CLAVES": str(claves)}
    produccion = _entorno_base() | {
        "RUTA_VIOLETA_ENTORNO": "produccion", "DATABASE_URL": url, "RUTA_CLAVES": str(claves),
        "SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_STORAGE_URI": REDIS,
        "PROXIES_DE_CONFIANZA": "1"}
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    ejecutar(flask + ["init"], demo, limite=300, salida=subprocess.DEVNULL)
    aviso(f"{escenario.nombre}: sembrando {escenario.casos} casos")
    inicio = time.perf_counter()
    ejecutar(flask + ["demo", "--casos", str(escenario.casos)], demo, limite=3600)
    segundos = time.perf_counter() - inicio
    medicion.siembra = {"casos": escenario.casos, "segundos": round(segundos, 1),
                        "por_segundo": round(escenario.casos / segundos)}
    return demo, produccion


def _secreto_totp_demo() -> str:
    try:
        from casos.demo import SECRETO_TOTP_DEMO
    except ImportError:  # before two-factor login existed
        return ""
    return SECRETO_TOTP_DEMO


def _entorno_base() -> dict:
    entorno = {k: v for k, v in os.environ.items()
               if not k.startswith(("RUTA_VIOLETA_", "DATABASE_URL", "RUTA_CLAVES", "SECRET_KEY",
                                    "RATELIMIT_", "PROXIES_DE_CONFIANZA", "FLASK_"))}
    return entorno | {"PYTHONPATH": str(RAIZ), "PYTHONUNBUFFERED": "1"}


def _rutas(entorno: dict) -> dict:
    """Whether the optional pages exist yet (they land in parallel): `flask routes`."""
    salida = ejecutar([str(BIN / "flask"), "--app", "wsgi", "routes"], entorno, limite=120).stdout
    endpoints = {linea.split()[0] for linea in salida.splitlines() if linea.strip()}
    ayuda = ejecutar([str(BIN / "flask"), "--app", "wsgi", "--help"], entorno, limite=120).stdout
    return {"estadisticas": "estadisticas.tablero" in endpoints, "api": "api.estadisticas" in endpoints,
            "actualizar": "estadisticas" in ayuda.split()}


def _comprobar_servicios(con_postgresql: bool) -> None:
    """Redis always (the production rate-limit storage); PostgreSQL for the pg-* scenarios."""
    import psycopg
    import redis

    if con_postgresql:
        _solo_local(PG_ADMIN)
        try:
            psycopg.connect(PG_ADMIN, connect_timeout=5).close()
        except psycopg.OperationalError as error:
            raise SystemExit(f"PostgreSQL no responde en {PG_ADMIN}: {error}") from None
    try:
        redis.Redis.from_url(REDIS, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis no responde en {REDIS}: {error}") from None


def main(argv=None) -> int:
    analizador = argparse.ArgumentParser(prog="python -m tests.rendimiento", description=__doc__)
    analizador.add_argument("--escenarios", default="sqlite-10k,pg-10k,pg-1m,dos-anfitriones",
                            help="separados por comas: " + ", ".join(ESCENARIOS))
    analizador.add_argument("--duracion", type=float, default=10.0, help="segundos por prueba")
    analizador.add_argument("--maximo", type=int, default=5000, help="peticiones como máximo por prueba")
    analizador.add_argument("--usuarios", type=int, default=4, help="usuarias virtuales (hilos)")
    opciones = analizador.parse_args(argv)
    elegidos = [n.strip() for n in opciones.escenarios.split(",") if n.strip()]
    desconocidos = [n for n in elegidos if n not in ESCENARIOS]
    if desconocidos:
        analizador.error(f"escenarios desconocidos: {', '.join(desconocidos)}")
    if not 1 <= opciones.duracion <= 600 or not 1 <= opciones.usuarios <= 64:
        analizador.error("--duracion entre 1 y 600 segundos; --usuarios entre 1 y 64")
    _comprobar_servicios(any(ESCENARIOS[n].motor == "postgresql" for n in elegidos))
    if not shutil.which("gunicorn", path=str(BIN)):
        raise SystemExit("gunicorn no está en el entorno virtual (requirements.txt).")
    aviso(f"carga del sistema al empezar: {carga_del_sistema()} ({os.cpu_count()} CPU)")
    mediciones = []
    for nombre in elegidos:
        if nombre == "dos-anfitriones":
            from tests.rendimiento import dos_anfitriones  # it imports this module

            mediciones.append(dos_anfitriones.correr(ESCENARIOS[nombre], opciones))
        else:
            mediciones.append(correr_escenario(ESCENARIOS[nombre], opciones))
    con_postgresql = any(ESCENARIOS[n].motor == "postgresql" for n in elegidos)
    print("\n".join(maquina.describir(PG_ADMIN if con_postgresql else None)) + "\n")
    generales = [m for m in mediciones if not m.dos_anfitriones]
    if generales:
        print(tabla.informe(generales, opciones))
    for m in mediciones:
        if m.dos_anfitriones:
            print("\n" + tabla.dos_anfitriones(m, opciones))
    if con_postgresql:
        # The audit store alone (tests/rendimiento/auditoria.py, `make bench-auditoria`): one
        # chain head against eight, 1 to 16 writers, each event committed in its own request.
        aviso("eventos de auditoría por segundo en PostgreSQL")
        print(ejecutar([str(BIN / "python"), "-m", "tests.rendimiento.auditoria"],
                       _entorno_base() | {"TEST_DATABASE_URL": PG_ADMIN}, limite=1800).stdout)
    return 0
