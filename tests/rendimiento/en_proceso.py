"""CPU per request in one process: the app's case page and case list against the lean
reference of the same pages (referencia.py), over the same cases, the same account and the
same session (issue 14).

    python -m tests.rendimiento.en_proceso --casos 10000 [--bd postgresql] [--peticiones 200]
        seeds a database of its own (`flask demo`, as `make bench` does), measures, prints
        the table and the JSON; the database is removed afterwards
    python -m tests.rendimiento.en_proceso medir [N]
        on the scenario's database (its environment says which, as en_la_app.py): one JSON

The capturista logs in through the real login form (CSRF token, password) with Flask's test
client; the reference is handed the same session cookie, so both read the same session row.
`time.process_time()` counts this process's CPU only: on SQLite that includes the database's
own work, on PostgreSQL not the server's. Statements are counted on each engine's
`before_cursor_execute`. Every response is checked (200 and her decrypted name, or the list's
50 rows, the same in both), every request must leave exactly one audit event, and the trail
must verify afterwards.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from markupsafe import escape
from sqlalchemy import event, func, select, text

CALENTAMIENTO = 20
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_FILA_DE_CASO = re.compile(r'href="/casos/([0-9a-f-]{36})"')
CAPTURISTA = ("capturista@fiscalia.demo", "clave-de-prueba-demo")


class Contador:
    """Statements sent to the database by one engine, counted as the driver receives them."""

    def __init__(self, *motores):
        self.n = 0
        for motor in motores:
            event.listen(motor, "before_cursor_execute", self._contar)

    def _contar(self, _conexion, _cursor, sentencia, *_resto):
        # Not SQLite's BEGIN / BEGIN IMMEDIATE, which the app and the reference issue as
        # statements (casos/bd.py) and PostgreSQL's driver sends unseen: the same count on both.
        if not sentencia.startswith("BEGIN"):
            self.n += 1


def _entrar(cliente) -> str:
    """The login form as a person sends it; returns the session cookie's value."""
    pagina = cliente.get("/entrar").get_data(as_text=True)
    encontrado = _TOKEN.search(pagina)
    if not encontrado:
        raise SystemExit("sin token CSRF en /entrar")
    correo, contrasena = CAPTURISTA
    respuesta = cliente.post("/entrar", data={"csrf_token": next(g for g in encontrado.groups() if g),
                                              "correo": correo, "contrasena": contrasena})
    if respuesta.status_code != 302 or respuesta.location.split("?")[0].rstrip("/") not in ("", "http://localhost"):
        raise SystemExit(f"{correo} no pudo entrar: HTTP {respuesta.status_code} -> {respuesta.location}")
    galleta = cliente.get_cookie(cliente.application.config["SESSION_COOKIE_NAME"])
    if galleta is None:
        raise SystemExit("el login no dejó cookie de sesión")
    return galleta.value


def _casos_y_nombres(cuantos: int) -> dict[uuid.UUID, str]:
    """A random sample of her institution's cases, each with the woman's name decrypted by the
    app's own models: what both pages must show."""
    from casos.cuentas.modelos import Usuaria
    from casos.expedientes.modelos import Caso
    from casos.extensiones import db

    capturista = db.session.scalar(select(Usuaria).where(Usuaria.correo == CAPTURISTA[0]))
    casos = db.session.scalars(select(Caso).where(
        Caso.institucion_id == capturista.institucion_id, Caso.datos_eliminados_en.is_(None),
        Caso.bloqueado_en.is_(None)).order_by(func.random()).limit(cuantos)).all()
    nombres = {c.id: c.victima.nombre for c in casos}
    db.session.rollback()
    return nombres


def _nombres_de(ids) -> dict:
    from casos.expedientes.modelos import Caso
    from casos.extensiones import db

    nombres = {c.id: c.victima.nombre for c in db.session.scalars(select(Caso).where(Caso.id.in_(ids)))
               if c.victima is not None and not c.datos_eliminados}
    db.session.rollback()
    return nombres


def _eventos() -> int:
    from casos.extensiones import db

    cuantos = db.session.scalar(text("SELECT count(*) FROM evento_auditoria"))
    db.session.rollback()
    return cuantos


def medir(peticiones: int = 200) -> dict:
    from flask import current_app
    from werkzeug.test import Client

    from casos.auditoria.verificacion import verificar
    from casos.extensiones import db
    from tests.rendimiento.referencia import Ajustes, Referencia

    app = current_app._get_current_object()
    referencia = Referencia(Ajustes.de_la_app(app))
    contador = Contador(db.engine, referencia.motor)
    nombres = _casos_y_nombres(peticiones)
    ids = list(nombres)
    if len(ids) < 10:
        raise SystemExit(f"solo {len(ids)} casos de su institución: siembre más")
    app_cliente = app.test_client()
    token = _entrar(app_cliente)
    lean_cliente = Client(referencia)
    lean_cliente.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    clientes = {"app": app_cliente, "referencia": lean_cliente}

    # The list: both must show the same 50 cases, with her names decrypted.
    filas = {}
    for lado, cliente in clientes.items():
        respuesta = cliente.get("/casos/")
        filas[lado] = _FILA_DE_CASO.findall(respuesta.get_data(as_text=True))
        if respuesta.status_code != 200 or len(filas[lado]) != 50:
            raise SystemExit(f"{lado}: la lista respondió {respuesta.status_code} con {len(filas[lado])} filas")
    if filas["app"] != filas["referencia"]:
        raise SystemExit("la app y la referencia no muestran los mismos 50 casos en la lista")
    nombres_lista = _nombres_de([uuid.UUID(i) for i in filas["app"]])
    for lado, cliente in clientes.items():
        cuerpo = cliente.get("/casos/").get_data(as_text=True)
        faltan = [i for i, nombre in nombres_lista.items() if str(escape(nombre)) not in cuerpo]
        if faltan:
            raise SystemExit(f"{lado}: la lista no muestra {len(faltan)} nombres descifrados")

    def una(lado: str, pagina: str, i: int):
        caso_id = ids[i % len(ids)]
        ruta = f"/casos/{caso_id}" if pagina == "caso" else "/casos/"
        antes_n = contador.n
        inicio = time.process_time()
        respuesta = clientes[lado].get(ruta)
        cuerpo = respuesta.get_data()
        cpu = time.process_time() - inicio
        sentencias = contador.n - antes_n
        # Checked after the clock stopped: nobody measures an error page.
        if respuesta.status_code != 200:
            raise SystemExit(f"{lado} {ruta}: HTTP {respuesta.status_code}")
        if pagina == "caso" and str(escape(nombres[caso_id])).encode() not in cuerpo:
            raise SystemExit(f"{lado} {ruta}: la página no muestra su nombre descifrado")
        if pagina == "lista" and len(_FILA_DE_CASO.findall(cuerpo.decode())) != 50:
            raise SystemExit(f"{lado} /casos/: la lista no tiene 50 filas")
        return cpu, sentencias

    combinaciones = [(lado, pagina) for pagina in ("caso", "lista") for lado in ("app", "referencia")]
    eventos_antes = _eventos()
    for i in range(CALENTAMIENTO):
        for lado, pagina in combinaciones:
            una(lado, pagina, i)
    medidas = {c: [] for c in combinaciones}
    for i in range(peticiones):
        # Interleaved, the order reversed every other round: a slower moment of a shared
        # machine, or a page cache warmed by the other side, falls on both alike.
        for lado, pagina in (combinaciones if i % 2 == 0 else combinaciones[::-1]):
            medidas[(lado, pagina)].append(una(lado, pagina, i))
    eventos = _eventos() - eventos_antes
    resultado_verificacion = verificar()
    db.session.rollback()

    def resumen(valores):
        cpu = sorted(1000 * c for c, _ in valores)
        return {"cpu_ms": round(statistics.median(cpu), 2), "cpu_media_ms": round(statistics.fmean(cpu), 2),
                "cpu_p90_ms": round(cpu[int(0.9 * len(cpu))], 2),
                "sentencias": round(statistics.fmean(s for _, s in valores), 1)}

    paginas = {}
    for pagina in ("caso", "lista"):
        app_, lean = resumen(medidas[("app", pagina)]), resumen(medidas[("referencia", pagina)])
        paginas[pagina] = {"app": app_, "referencia": lean,
                           "razon": round(app_["cpu_ms"] / lean["cpu_ms"], 2) if lean["cpu_ms"] else None}
    salida = {"peticiones": peticiones, "calentamiento": CALENTAMIENTO, "motor": db.engine.dialect.name,
              "paginas": paginas, "eventos_nuevos": eventos,
              # One per page served since the count began (the list checks above came before).
              "eventos_esperados": len(combinaciones) * (CALENTAMIENTO + peticiones),
              "cadena_integra": resultado_verificacion.integra}
    if eventos != salida["eventos_esperados"]:
        raise SystemExit(f"{eventos} eventos de auditoría para {salida['eventos_esperados']} páginas")
    if not resultado_verificacion.integra:
        raise SystemExit(f"la cadena de auditoría no verifica: {resultado_verificacion.rotura}")
    referencia.motor.dispose()
    return salida


# ---- on its own: a database of its own, seeded as the benchmark does -------------------------------

def solo(casos: int, motor: str, peticiones: int) -> dict:
    from tests.rendimiento import banco

    escenario = banco.Escenario(f"{motor}-{casos}", motor, casos)
    with tempfile.TemporaryDirectory(prefix="rv_en_proceso_") as temporal:
        directorio = Path(temporal)
        with banco.base_de_datos(escenario, directorio) as url:
            claves = directorio / "claves.json"
            base = banco._entorno_base()
            banco.ejecutar([str(banco.BIN / "python"), "-m", "casos.cripto.llavero", str(claves)], base,
                           limite=60, salida=banco.subprocess.DEVNULL)
            entorno = base | {"RUTA_VIOLETA_ENTORNO": "desarrollo", "DATABASE_URL": url, "RUTA_CLAVES": str(claves)}
            flask = [str(banco.BIN / "flask"), "--app", "wsgi"]
            banco.ejecutar(flask + ["init"], entorno, limite=300, salida=banco.subprocess.DEVNULL)
            banco.aviso(f"en proceso: sembrando {casos} casos ({motor})")
            banco.ejecutar(flask + ["demo", "--casos", str(casos)], entorno, limite=3600,
                           salida=banco.subprocess.DEVNULL)
            banco.asentar(url)
            banco.aviso(f"en proceso: {peticiones} peticiones por página y lado")
            return json.loads(banco.ejecutar([str(banco.BIN / "python"), "-m", "tests.rendimiento.en_proceso",
                                              "medir", str(peticiones)], entorno, limite=1800).stdout)


def main(argv: list[str]) -> None:
    if argv[:1] == ["medir"]:
        from casos import create_app
        from casos.extensiones import db

        app = create_app()
        with app.app_context():
            print(json.dumps(medir(int(argv[1]) if len(argv) > 1 else 200)))
            db.session.remove()
            db.engine.dispose()
        return
    analizador = argparse.ArgumentParser(prog="python -m tests.rendimiento.en_proceso", description=__doc__,
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
    analizador.add_argument("--casos", type=int, default=10_000)
    analizador.add_argument("--bd", choices=("sqlite", "postgresql"), default="sqlite")
    analizador.add_argument("--peticiones", type=int, default=200)
    opciones = analizador.parse_args(argv)
    resultado = solo(opciones.casos, opciones.bd, opciones.peticiones)
    from tests.rendimiento import tabla

    print("\n".join(tabla.en_proceso([(f"{opciones.bd}-{opciones.casos}", resultado)])) + "\n")
    print(json.dumps(resultado))


if __name__ == "__main__":
    main(sys.argv[1:])
