"""The load generator: a process of its own, driving gunicorn on 127.0.0.1 as people would.

    python -m tests.rendimiento.carga PLAN.json   # prints one JSON object of results

Each virtual user is a thread with its own http.client connection (kept alive when the server
allows it; gunicorn's sync workers close after each response, so it reconnects), its own
cookie jar, its own session logged in through the real forms and the real CSRF token. Every
test is bounded by a duration and a request count; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

ANFITRION = "127.0.0.1"
_FILA_DE_CASO = re.compile(rb'href="/casos/[0-9a-f-]{36}"')
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class FalloDePreparacion(RuntimeError):
    """A virtual user could not log in or set up: the test would measure nothing real."""


@dataclass
class Respuesta:
    estado: int
    cabeceras: dict
    cuerpo: bytes

    @property
    def destino(self) -> str:
        return urlsplit(self.cabeceras.get("location", "")).path

    def texto(self) -> str:
        return self.cuerpo.decode("utf-8", "replace")


class Navegante:
    """One virtual user: a connection, cookies, and the headers a TLS proxy in front adds."""

    def __init__(self, puerto: int, numero: int):
        self.puerto = puerto
        self.conexion = http.client.HTTPConnection(ANFITRION, puerto, timeout=180)
        self.galletas: dict[str, str] = {}
        # PROXIES_DE_CONFIANZA=1: as behind the README's proxy, each user has her own address.
        self.direccion = f"198.18.{numero // 250}.{numero % 250 + 1}"
        self.csrf: str | None = None
        self.ultimo_estado = 0

    def pedir(self, metodo: str, ruta: str, datos=None, cabeceras=None,
              direccion: str | None = None) -> Respuesta:
        cuerpo = urlencode(datos, doseq=True) if datos is not None else None
        encabezados = {"X-Forwarded-For": direccion or self.direccion, "X-Forwarded-Proto": "https",
                       "Host": "localhost", **(cabeceras or {})}
        if self.galletas:
            encabezados["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.galletas.items())
        if cuerpo is not None:
            encabezados["Content-Type"] = "application/x-www-form-urlencoded"
        for intento in (1, 2):
            try:
                self.conexion.request(metodo, ruta, body=cuerpo, headers=encabezados)
                crudo = self.conexion.getresponse()
                contenido = crudo.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection between requests: reconnect once.
                self.conexion.close()
                if intento == 2:
                    raise
        for nombre, valor in crudo.getheaders():
            if nombre.lower() == "set-cookie":
                par = valor.split(";", 1)[0]
                clave, _, dato = par.partition("=")
                if "max-age=0" in valor.lower() or "expires=thu, 01 jan 1970" in valor.lower():
                    self.galletas.pop(clave.strip(), None)
                else:
                    self.galletas[clave.strip()] = dato.strip()
        if crudo.will_close:
            self.conexion.close()
        self.ultimo_estado = crudo.status
        return Respuesta(crudo.status, {k.lower(): v for k, v in crudo.getheaders()}, contenido)

    def token(self, ruta: str) -> str:
        respuesta = self.pedir("GET", ruta)
        encontrado = _TOKEN.search(respuesta.texto())
        if respuesta.estado != 200 or not encontrado:
            raise FalloDePreparacion(f"sin token CSRF en {ruta} (HTTP {respuesta.estado})")
        return next(g for g in encontrado.groups() if g)

    def entrar(self, correo: str, contrasena: str, totp=None) -> Respuesta:
        """The login form; a second-factor page, when it asks, gets the code of `totp()`."""
        respuesta = self.pedir("POST", "/entrar", {"csrf_token": self.token("/entrar"),
                                                   "correo": correo, "contrasena": contrasena})
        if respuesta.estado == 302 and respuesta.destino == "/entrar/codigo":
            if totp is None:
                raise FalloDePreparacion(f"{correo} pide un código y no hay secreto TOTP")
            respuesta = self.pedir("POST", "/entrar/codigo", {
                "csrf_token": self.token("/entrar/codigo"), "codigo": totp()})
        if respuesta.estado != 302 or respuesta.destino.startswith("/entrar"):
            raise FalloDePreparacion(f"{correo} no pudo entrar (HTTP {respuesta.estado} "
                                     f"-> {respuesta.destino or 'sin redirección'})")
        self.csrf = None
        return respuesta

    def cerrar(self):
        self.conexion.close()


# ---- second factor: each TOTP step is accepted once per account, so logins take steps in order

class Relojes:
    def __init__(self, secreto: str | None):
        self.secreto, self.siguiente, self.candado = secreto, None, threading.Lock()

    def codigo(self) -> str:
        import pyotp

        with self.candado:
            actual = int(time.time()) // 30
            # The server accepts the previous, current and next step, each once and in order.
            paso = actual - 1 if self.siguiente is None else max(self.siguiente, actual - 1)
            if paso > actual + 1:
                time.sleep((paso - 1) * 30 - time.time() + 0.5)
            self.siguiente = paso + 1
            return pyotp.TOTP(self.secreto).at(paso * 30)


# ---- tests ----------------------------------------------------------------------------------

@dataclass
class Resultado:
    latencias: list[float] = field(default_factory=list)
    estados: dict[str, int] = field(default_factory=dict)
    errores: int = 0
    segundos: float = 0.0
    nota: str = ""

    def como_dict(self) -> dict:
        ordenadas = sorted(self.latencias)

        def percentil(p):
            if not ordenadas:
                return None
            return round(1000 * ordenadas[min(len(ordenadas) - 1, int(p / 100 * len(ordenadas)))], 2)

        n = len(ordenadas)
        return {"peticiones": n, "errores": self.errores, "estados": self.estados,
                "segundos": round(self.segundos, 3),
                "rps": round(n / self.segundos, 1) if self.segundos else None,
                "p50": percentil(50), "p95": percentil(95), "p99": percentil(99),
                "media": round(1000 * statistics.fmean(ordenadas), 2) if ordenadas else None,
                "nota": self.nota}


class Prueba:
    """One measured request kind. `preparar` runs per user, unmeasured; `una` is the request."""

    nombre = ""
    puerto = "app"
    rol: str | None = None

    def __init__(self, plan: dict):
        self.plan = plan

    def preparar(self, navegante: Navegante, relojes: dict):
        if self.rol:
            correo, contrasena = self.plan["cuentas"][self.rol]
            navegante.entrar(correo, contrasena, relojes[self.rol].codigo if self.rol in relojes
                             and relojes[self.rol].secreto else None)

    def una(self, navegante: Navegante) -> bool:
        raise NotImplementedError


class Minima(Prueba):
    nombre, puerto = "minima", "minima"

    def una(self, n):
        return n.pedir("GET", "/").estado == 200


class Salud(Prueba):
    """The app's floor: /salud, one SELECT 1, no session, no audit, no template."""

    nombre = "salud"

    def una(self, n):
        return n.pedir("GET", "/salud").estado == 200


class Entrar(Prueba):
    """POST /entrar only (Argon2id as configured); the login page before it is not timed."""

    nombre = "entrar"

    def preparar(self, n, relojes):
        pass

    def antes(self, n):
        n.galletas.clear()
        return {"csrf_token": n.token("/entrar"), "correo": self.plan["cuentas"]["capturista"][0],
                "contrasena": self.plan["cuentas"]["capturista"][1]}

    def una(self, n, datos=None):
        respuesta = n.pedir("POST", "/entrar", datos if datos is not None else self.antes(n))
        return respuesta.estado == 302 and respuesta.destino == "/"


class Lista(Prueba):
    nombre, rol = "lista", "capturista"

    def una(self, n):
        respuesta = n.pedir("GET", "/casos/")
        return respuesta.estado == 200 and len(_FILA_DE_CASO.findall(respuesta.cuerpo)) == 50


class Caso(Prueba):
    nombre, rol = "caso", "capturista"

    def __init__(self, plan):
        super().__init__(plan)
        self.ids = itertools.cycle(plan["casos"])
        self.candado = threading.Lock()

    def una(self, n):
        with self.candado:
            caso = next(self.ids)
        return n.pedir("GET", f"/casos/{caso}").estado == 200


class Nuevo(Prueba):
    """A complete, valid intake form; success is the redirect to the risk assessment."""

    nombre, rol = "nuevo", "capturista"

    def __init__(self, plan):
        super().__init__(plan)
        self.formularios = itertools.cycle(plan["formularios"])
        self.candado = threading.Lock()

    def preparar(self, n, relojes):
        super().preparar(n, relojes)
        n.csrf = n.token("/casos/nuevo")

    def una(self, n):
        with self.candado:
            datos = dict(next(self.formularios))
        datos["csrf_token"] = n.csrf
        respuesta = n.pedir("POST", "/casos/nuevo", datos)
        return respuesta.estado == 302 and respuesta.destino.endswith("/valoracion")


class Transicion(Prueba):
    """The receiving institution accepts a referral: one real compare-and-set transition per
    request, each on a referral prepared in "enviada". Stops when they run out."""

    nombre, rol = "transicion", "receptora"

    def __init__(self, plan):
        super().__init__(plan)
        self.pendientes = list(reversed(plan["canalizaciones"]))
        self.candado = threading.Lock()

    def preparar(self, n, relojes):
        super().preparar(n, relojes)
        n.csrf = n.token("/canalizaciones/")

    def agotada(self) -> bool:
        return not self.pendientes

    def una(self, n):
        with self.candado:
            if not self.pendientes:
                return None
            canalizacion, version = self.pendientes.pop()
        respuesta = n.pedir("POST", f"/canalizaciones/{canalizacion}/responder", {
            "csrf_token": n.csrf, "evento": "aceptar", "version": str(version)})
        # The flash says whether it moved; the orchestrator counts the rows afterwards too.
        return respuesta.estado == 302 and respuesta.destino == f"/canalizaciones/{canalizacion}"


class Estadisticas(Prueba):
    nombre, rol = "estadisticas", "gestora"

    def una(self, n):
        respuesta = n.pedir("GET", "/estadisticas/")
        return respuesta.estado == 200 and b"<table" in respuesta.cuerpo


class Api(Prueba):
    """Bearer token, no session. The API allows 60 requests a minute per client address: each
    request comes from another address of 198.19.0.0/16 (RFC 2544's benchmarking range), as if
    many consumers called it, so the limiter is consulted every time but never refuses."""

    nombre = "api"

    def __init__(self, plan):
        super().__init__(plan)
        self.direcciones = (f"198.19.{i // 250 % 250}.{i % 250 + 1}" for i in itertools.count())
        self.candado = threading.Lock()

    def una(self, n):
        with self.candado:
            direccion = next(self.direcciones)
        respuesta = n.pedir("GET", "/api/v1/estadisticas", cabeceras={
            "Authorization": f"Bearer {self.plan['token_api']}"}, direccion=direccion)
        return respuesta.estado == 200 and respuesta.cuerpo.startswith(b"{")


PRUEBAS = {p.nombre: p for p in (Minima, Salud, Entrar, Lista, Caso, Nuevo, Transicion, Estadisticas, Api)}


def correr(prueba: Prueba, plan: dict, relojes: dict) -> Resultado:
    usuarios, duracion, maximo = plan["usuarios"], plan["duracion"], plan["maximo"]
    puertos = plan["puertos"][prueba.puerto]
    # A list of ports is several app hosts (dos_anfitriones.py): the users alternate them.
    puertos = puertos if isinstance(puertos, list) else [puertos]
    navegantes = [Navegante(puertos[i % len(puertos)], i) for i in range(usuarios)]
    resultado = Resultado()
    candado = threading.Lock()
    for navegante in navegantes:
        prueba.preparar(navegante, relojes)
    contador = itertools.count()
    reloj: dict[str, float] = {}
    # Everyone warms up (each worker's first requests pay imports, templates, pools), then
    # everyone starts measuring at once.
    juntas = threading.Barrier(usuarios, action=lambda: reloj.update(
        inicio=time.perf_counter(), limite=time.perf_counter() + duracion))

    def peticion(navegante: Navegante):
        datos = prueba.antes(navegante) if hasattr(prueba, "antes") else None
        antes = time.perf_counter()
        try:
            bien = prueba.una(navegante, datos) if datos is not None else prueba.una(navegante)
        except (OSError, http.client.HTTPException):
            bien = False
        return bien, time.perf_counter() - antes

    fatales: list[str] = []

    def usuario(navegante: Navegante):
        try:
            medir(navegante)
        except threading.BrokenBarrierError:
            pass
        except Exception as error:  # noqa: BLE001 - reported as the test's failure
            fatales.append(repr(error))
            juntas.abort()

    def medir(navegante: Navegante):
        calentar_hasta = time.perf_counter() + 2
        for _ in range(plan["calentamiento"]):  # a slow page warms with one request
            if peticion(navegante)[0] is None or time.perf_counter() > calentar_hasta:
                break
        juntas.wait()
        while time.perf_counter() < reloj["limite"] and next(contador) < maximo:
            bien, segundos = peticion(navegante)
            if bien is None:  # nothing left to act on
                return
            with candado:
                resultado.latencias.append(segundos)
                clave = str(navegante.ultimo_estado)
                resultado.estados[clave] = resultado.estados.get(clave, 0) + 1
                if not bien:
                    resultado.errores += 1

    hilos = [threading.Thread(target=usuario, args=(n,), daemon=True) for n in navegantes]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join(duracion + 600)
    if fatales or "inicio" not in reloj:
        raise FalloDePreparacion("; ".join(fatales) or "un usuario virtual no terminó")
    resultado.segundos = time.perf_counter() - reloj["inicio"]
    if hasattr(prueba, "antes"):
        resultado.nota = "POST only; the login page before it is not timed"
    for navegante in navegantes:
        navegante.cerrar()
    return resultado


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0], encoding="utf-8") as archivo:
        plan = json.load(archivo)
    relojes = {rol: Relojes(secreto) for rol, secreto in plan.get("totp", {}).items()}
    resultados = {}
    for nombre in plan["pruebas"]:
        try:
            resultados[nombre] = correr(PRUEBAS[nombre](plan), plan, relojes).como_dict()
        except FalloDePreparacion as error:
            resultados[nombre] = {"fallo": str(error)}
        print(f"  {nombre}: {resultados[nombre]}", file=sys.stderr, flush=True)
    json.dump(resultados, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
