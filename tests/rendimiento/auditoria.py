"""Audited events per second on PostgreSQL: one chain head against several (issue 14).

    python -m tests.rendimiento.auditoria [--segundos 5] [--escritores 1,4,8,16] [--camino propia]

Each writer is a process with its own app and connection; each event is one committed
transaction through `registrar_consulta`, as a different account per writer. By default
inside a GET request, the path every audited page takes on PostgreSQL: the event is
committed in the request's transaction. `--camino propia` measures the path of commands
(outside a request: a short transaction of its own, with a pool checkout and its ping per
event), which this benchmark measured until issue 14's second pass though no page takes
it. "Una cabeza" is AUDITORIA_CADENAS=1: every event locks the same head row, as the
single chain did; "8 cadenas" is the default. A fresh schema is migrated for each and dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

META_OCHO_ESCRITORES = 1_000
PG = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _configuracion(url: str, claves: Path, cadenas: int) -> dict:
    from casos.cripto import llavero

    if not claves.exists():
        llavero.crear(claves, "pruebas")
    return {"SQLALCHEMY_DATABASE_URI": url, "RUTA_CLAVES": str(claves), "AUDITORIA_CADENAS": cadenas,
            "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None}


def _escritor(url, claves, cadenas, camino, listos, salida, fin, cola):
    from flask.testing import EnvironBuilder

    from casos import create_app
    from casos.auditoria import registrar_consulta
    from casos.extensiones import db

    app = create_app(_configuracion(url, Path(claves), cadenas))
    cuenta = SimpleNamespace(id=uuid.uuid4(), rol="capturista", institucion_id=uuid.uuid4())
    cuantos = 0
    # A request context per event, as a page has (its session's transaction commits the
    # event), from an environ built once and within one app context: building them is the
    # request's cost, not the audit's (a fresh test_request_context was a sixth of the CPU).
    entorno = EnvironBuilder(app, "/", method="GET").get_environ()

    def uno():
        if camino == "propia":
            registrar_consulta("busqueda", usuaria=cuenta)
            return
        with app.request_context(dict(entorno)):
            registrar_consulta("busqueda", usuaria=cuenta)

    with app.app_context():
        uno()  # connection and statements warmed up
        listos.put(True)
        salida.wait()
        while time.time() < fin.value:
            uno()
            cuantos += 1
        db.engine.dispose()
    cola.put(cuantos)


def medir(url: str, claves: Path, cadenas: int, escritores: int, segundos: float, camino: str = "peticion") -> float:
    """Every writer starts (and warms up) first; then all of them write for `segundos`."""
    contexto = multiprocessing.get_context("spawn")
    listos, cola, salida, fin = contexto.Queue(), contexto.Queue(), contexto.Event(), contexto.Value("d", 0.0)
    procesos = [contexto.Process(target=_escritor, args=(url, str(claves), cadenas, camino, listos, salida, fin, cola))
                for _ in range(escritores)]
    for proceso in procesos:
        proceso.start()
    for _ in procesos:
        listos.get(timeout=300)
    fin.value = time.time() + segundos
    salida.set()
    total = sum(cola.get(timeout=120 + segundos) for _ in procesos)
    for proceso in procesos:
        proceso.join()
    return total / segundos


def _esquema(base: str, cadenas: int, claves: Path):
    from flask_migrate import upgrade

    from casos import create_app
    from casos.extensiones import db

    nombre = f"bench_auditoria_{secrets.token_hex(4)}"
    motor = sa.create_engine(base)
    with motor.begin() as conexion:
        conexion.exec_driver_sql(f'CREATE SCHEMA "{nombre}"')
    separador = "&" if "?" in base else "?"
    url = f"{base}{separador}options=-csearch_path%3D{nombre}"
    app = create_app(_configuracion(url, claves, cadenas))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return nombre, url, motor


def _verificar(url: str, claves: Path, cadenas: int) -> bool:
    from casos import create_app
    from casos.auditoria import verificacion
    from casos.extensiones import db

    app = create_app(_configuracion(url, claves, cadenas))
    with app.app_context():
        integra = verificacion.verificar().integra
        db.engine.dispose()
    return integra


def main(argv=None) -> int:
    from config import normalizar_url_bd

    analizador = argparse.ArgumentParser(prog="python -m tests.rendimiento.auditoria", description=__doc__)
    analizador.add_argument("--segundos", type=float, default=5.0)
    analizador.add_argument("--escritores", default="1,4,8,16")
    analizador.add_argument("--camino", choices=("peticion", "propia"), default="peticion")
    analizador.add_argument("--cadenas", default="1,8", help="the stores to measure: 1 is one head")
    opciones = analizador.parse_args(argv)
    escritores = [int(n) for n in opciones.escritores.split(",")]
    base = normalizar_url_bd(PG)
    filas = []
    with tempfile.TemporaryDirectory(prefix="rv_bench_auditoria_") as directorio:
        claves = Path(directorio) / "claves.json"
        for cadenas in (int(c) for c in opciones.cadenas.split(",")):
            titulo = "una cabeza" if cadenas == 1 else f"{cadenas} cadenas"
            nombre, url, motor = _esquema(base, cadenas, claves)
            try:
                medidas = [medir(url, claves, cadenas, n, opciones.segundos, opciones.camino) for n in escritores]
                integra = _verificar(url, claves, cadenas)
            finally:
                with motor.begin() as conexion:
                    conexion.exec_driver_sql(f'DROP SCHEMA "{nombre}" CASCADE')
                motor.dispose()
            filas.append((titulo, medidas, integra))
            print(f"{titulo}: " + ", ".join(f"{n} → {m:,.0f}/s" for n, m in zip(escritores, medidas)),
                  file=sys.stderr, flush=True)
    print(f"\nEventos de auditoría por segundo en PostgreSQL (cada uno una transacción confirmada; "
          f"camino: {opciones.camino})\n")
    print("| almacén | " + " | ".join(f"{n} escritor(es)" for n in escritores) + " | verifica |")
    print("|---|" + "--:|" * len(escritores) + "---|")
    for titulo, medidas, integra in filas:
        print(f"| {titulo} | " + " | ".join(f"{m:,.0f}" for m in medidas) + f" | {'sí' if integra else 'NO'} |")
    for titulo, medidas, _ in filas:
        if titulo != "una cabeza" and 8 in escritores:
            con_ocho = medidas[escritores.index(8)]
            print(f"\nMeta (issue 14): ≥ {META_OCHO_ESCRITORES:,} eventos/s con 8 escritores ({titulo}): "
                  f"{con_ocho:,.0f}/s, {'cumplida' if con_ocho >= META_OCHO_ESCRITORES else '**no cumplida**'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
