"""What the numbers were measured on, printed above the table: without it they mean little."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]


def _linea_de(archivo: str, clave: str) -> str:
    try:
        for linea in Path(archivo).read_text().splitlines():
            if linea.startswith(clave):
                return linea.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _postgresql(url: str | None) -> str:
    if not url:
        return "not used"
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conexion:
        return conexion.execute("SHOW server_version").fetchone()[0]


def _commit() -> str:
    def git(*argumentos):
        return subprocess.run(["git", *argumentos], cwd=RAIZ, capture_output=True, text=True,
                              timeout=30).stdout.strip()

    corto = git("rev-parse", "--short", "HEAD") or "?"
    return corto + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def describir(url_postgresql: str | None) -> list[str]:
    memoria_kib = _linea_de("/proc/meminfo", "MemTotal").split()[0]
    memoria = f"{int(memoria_kib) / 1024 ** 2:.0f} GiB" if memoria_kib.isdigit() else "?"
    return [
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; commit {_commit()}",
        f"- CPU: {os.cpu_count()} × {_linea_de('/proc/cpuinfo', 'model name')}; RAM {memoria}; "
        f"Linux {platform.release()}",
        f"- Python {platform.python_version()}, Flask {version('flask')}, SQLAlchemy "
        f"{version('sqlalchemy')}, gunicorn {version('gunicorn')}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {_postgresql(url_postgresql)}",
        "- the load generator, gunicorn and the database share these CPUs (all on 127.0.0.1)",
    ]
