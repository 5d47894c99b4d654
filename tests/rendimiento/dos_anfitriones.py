"""The two-host scenario of `make bench` (issue 14): the app scaled out, not up.

    ESCENARIOS=dos-anfitriones make bench      # or: python -m tests.rendimiento.dos_anfitriones

The audited pages on one gunicorn with one sync worker, then on two gunicorns with one sync
worker each, the virtual users alternating between them; both share one PostgreSQL database
and one Redis (the rate limits), as two app hosts behind a balancer would. Then: a session
opened on one host is used and ended on the other; the login's limit counts failures over
both; `flask auditoria verificar` passes on the database after the load.

The "hosts" are two processes on two ports of 127.0.0.1, on the same two CPUs as the
database and the load generator: no network between them, no CPU of their own. One worker
each, so that what is compared is one process against two, not two cores hidden behind
gunicorn's workers.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tests.rendimiento.banco import (
    BIN,
    CUENTAS,
    RAIZ,
    Medicion,
    _entorno_base,
    asentar,
    aviso,
    base_de_datos,
    carga_del_sistema,
    ejecutar,
    gunicorn,
    main,
    sembrar,
)
from tests.rendimiento.carga import _FILA_DE_CASO, Navegante

PRUEBAS = ("lista", "caso", "nuevo", "transicion")
_INTEGRA = re.compile(r"íntegras: (\d+) eventos? en (\d+) cadena")


def correr(escenario, opciones) -> Medicion:
    medicion = Medicion(escenario)
    medicion.carga.append(carga_del_sistema())
    python, flask = str(BIN / "python"), [str(BIN / "flask"), "--app", "wsgi"]
    with ExitStack() as pila:
        directorio = Path(pila.enter_context(tempfile.TemporaryDirectory(prefix="rv_bench_dos_")))
        url = pila.enter_context(base_de_datos(escenario, directorio))
        demo, produccion = sembrar(escenario, url, directorio, medicion)
        aviso(f"{escenario.nombre}: preparando canalizaciones y formularios para las dos fases")
        # Each phase accepts referrals of its own: one accepted can't be accepted again.
        por_fase = min(opciones.maximo, int(opciones.duracion * 200)) + opciones.usuarios * 5
        datos = directorio / "datos.json"
        ejecutar([python, "-m", "tests.rendimiento.en_la_app", "preparar", str(datos),
                  str(2 * por_fase), "600"], demo, limite=1800)
        plan = json.loads(datos.read_text()) | {
            "usuarios": opciones.usuarios, "duracion": opciones.duracion,
            "maximo": opciones.maximo, "calentamiento": 3, "cuentas": CUENTAS}
        mitad = len(plan["canalizaciones"]) // 2
        lotes = {"1": plan["canalizaciones"][:mitad], "2": plan["canalizaciones"][mitad:]}
        asentar(url)
        eventos_antes = _eventos(url)
        resultado = medicion.dos_anfitriones = {"1": {}, "2": {}, "ocio": {}}
        with gunicorn("wsgi:app", produccion, directorio, "/salud", trabajadores=1) as a, \
                gunicorn("wsgi:app", produccion, directorio, "/salud", trabajadores=1) as b:
            resultado["sesiones"] = comprobar_sesiones(a, b, plan)
            aviso(f"{escenario.nombre}: sesiones {resultado['sesiones']}")
            resultado["limite"] = comprobar_limite(a, b, _limite_login())
            aviso(f"{escenario.nombre}: límite {resultado['limite']}")
            # Page by page, one host and then two back to back: the other work on the machine
            # drifts less between the two figures compared. A alone is the one host (B idles).
            for prueba in PRUEBAS:
                resultado["ocio"][prueba] = {}
                for anfitriones, puertos in (("1", [a]), ("2", [a, b])):
                    archivo = directorio / f"plan-{prueba}-{anfitriones}.json"
                    archivo.write_text(json.dumps(plan | {"pruebas": [prueba], "puertos": {"app": puertos},
                                                          "canalizaciones": lotes[anfitriones]}))
                    aviso(f"{escenario.nombre}: {prueba} contra 127.0.0.1:{', :'.join(map(str, puertos))}")
                    antes = _cpu()
                    salida = ejecutar([python, "-m", "tests.rendimiento.carga", str(archivo)],
                                      _entorno_base(), limite=opciones.duracion + 720)
                    resultado[anfitriones] |= json.loads(salida.stdout)
                    resultado["ocio"][prueba][anfitriones] = _ocio(antes, _cpu())
        resultado["auditoria"] = _verificar(flask, produccion, _eventos(url) - eventos_antes)
        aviso(f"{escenario.nombre}: auditoría {resultado['auditoria']}")
        _contar_aceptadas(python, datos, demo, resultado, medicion, opciones.usuarios)
    medicion.carga.append(carga_del_sistema())
    return medicion


def comprobar_sesiones(puerto_a: int, puerto_b: int, plan: dict) -> dict:
    """She logs in on A; her cookie opens her case list and a case on B; A's CSRF token logs
    her out on B; the old cookie then gets the login page on A."""
    correo, contrasena = plan["cuentas"]["capturista"]
    en_a, en_b = Navegante(puerto_a, 240), Navegante(puerto_b, 240)  # one person, one address
    try:
        en_a.entrar(correo, contrasena)
        en_b.galletas = dict(en_a.galletas)
        lista = en_b.pedir("GET", "/casos/")
        caso = en_b.pedir("GET", f"/casos/{plan['casos'][0]}")
        token = en_a.token("/casos/")
        salida = en_b.pedir("POST", "/salir", {"csrf_token": token})
        despues = en_a.pedir("GET", "/casos/")  # en_a still holds the cookie B just ended
    finally:
        en_a.cerrar()
        en_b.cerrar()
    return {
        "lista_en_b": lista.estado == 200 and b'class="quien"' in lista.cuerpo
                      and len(_FILA_DE_CASO.findall(lista.cuerpo)) == 50,
        "caso_en_b": caso.estado == 200,
        "salir_en_b": salida.estado == 302 and salida.destino == "/entrar",
        "terminada_en_a": despues.estado == 302 and despues.destino == "/entrar",
        "estados": [lista.estado, caso.estado, salida.estado, despues.estado],
    }


def comprobar_limite(puerto_a: int, puerto_b: int, limite: int) -> dict:
    """Failed logins from one address for an unknown e-mail (no account gets locked), hosts
    alternating: with the counters in Redis the refusal comes after `limite` failures in all,
    each host having answered about half of them."""
    # Fresh keys, so that no earlier run or helper sharing this Redis has counted any.
    direccion = f"198.18.{random.randrange(100, 250)}.{random.randrange(1, 251)}"
    correo = f"nadie.{secrets.token_hex(6)}@banco.invalid"
    navegantes = {"A": Navegante(puerto_a, 0), "B": Navegante(puerto_b, 0)}
    estados = []
    try:
        for intento in range(limite + 3):
            nombre = "AB"[intento % 2]
            navegante = navegantes[nombre]
            navegante.direccion = direccion
            token = navegante.token("/entrar")
            respuesta = navegante.pedir("POST", "/entrar", {"csrf_token": token, "correo": correo,
                                                            "contrasena": "no-es-la-contrasena"})
            estados.append((nombre, respuesta.estado))
    finally:
        for navegante in navegantes.values():
            navegante.cerrar()
    negadas = [i for i, (_n, estado) in enumerate(estados, 1) if estado == 429]
    por_anfitrion = {n: {"atendidos": sum(1 for m, e in estados if m == n and e != 429),
                         "negados": sum(1 for m, e in estados if m == n and e == 429)} for n in "AB"}
    return {"limite": limite, "intentos": len(estados), "estados": estados,
            "primera_negativa": negadas[0] if negadas else None, "por_anfitrion": por_anfitrion,
            "compartido": negadas == list(range(limite + 1, len(estados) + 1))
                          and all(e == 200 for _n, e in estados[:limite])}


def _cpu() -> tuple[int, int]:
    """The machine's idle and total jiffies so far (/proc/stat, all CPUs)."""
    campos = [int(c) for c in open("/proc/stat").readline().split()[1:]]
    return campos[3] + campos[4], sum(campos)  # idle + iowait


def _ocio(antes: tuple[int, int], despues: tuple[int, int]) -> float:
    return (despues[0] - antes[0]) / max(despues[1] - antes[1], 1)


def _limite_login() -> int:
    from config import Base

    return int(Base.LIMITE_LOGIN.split()[0])  # "10 per minute"


def _eventos(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conexion:
        return conexion.execute("SELECT count(*) FROM evento_auditoria").fetchone()[0]


def _verificar(flask: list[str], entorno: dict, escritos: int) -> dict:
    """`auditoria verificar`, as an operator runs it after the fact, on the shared database."""
    proceso = subprocess.run(flask + ["auditoria", "verificar"], env=entorno, cwd=RAIZ,
                             capture_output=True, text=True, timeout=1800)
    encontrado = _INTEGRA.search(proceso.stdout)
    return {"integra": proceso.returncode == 0 and encontrado is not None, "escritos": escritos,
            "eventos": int(encontrado.group(1)) if encontrado else None,
            "cadenas": int(encontrado.group(2)) if encontrado else None,
            "salida": (proceso.stdout + proceso.stderr).strip().splitlines()[:1]}


def _contar_aceptadas(python, datos, demo, resultado, medicion, usuarios) -> None:
    """Referrals accepted in the database against those asked for, warm-up included."""
    pedidas = sum(resultado[f].get("transicion", {}).get("peticiones", 0) + usuarios * 3 for f in "12")
    hechas = json.loads(ejecutar([python, "-m", "tests.rendimiento.en_la_app", "aceptadas", str(datos)],
                                 demo, limite=300).stdout)["aceptadas"]
    resultado["aceptadas"] = {"pedidas": pedidas, "en_bd": hechas}
    if hechas != pedidas:
        medicion.notas.append(f"referral, two hosts: {pedidas} requests (warm-up included) but "
                              f"{hechas} referrals accepted in the database")


if __name__ == "__main__":
    sys.exit(main(["--escenarios", "dos-anfitriones", *sys.argv[1:]]))
