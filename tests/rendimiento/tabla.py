"""The markdown report of a benchmark run, with the issue's targets checked."""

from __future__ import annotations

ETIQUETAS = {
    "minima": "bare Flask endpoint (ceiling)",
    "salud": "app floor: /salud (1 query, no session)",
    "entrar": "login (POST /entrar)",
    "lista": "case list (/casos/, 50 names decrypted)",
    "caso": "case page (/casos/<id>, decrypting)",
    "nuevo": "intake (POST /casos/nuevo)",
    "transicion": "referral accepted (POST …/responder)",
    "estadisticas": "statistics dashboard (/estadisticas/)",
    "api": "API (/api/v1/estadisticas)",
}
P95_MAXIMO_MS = 100
# Issue 14's: on SQLite at 10k, of the bare endpoint in the same run (issue 7 asked 0.40 and
# 0.25, out of reach with an audited, decrypting page on these two cores: BENCHMARKS.md).
RAZON_CASO, RAZON_LISTA, RAZON_ESTADISTICAS = 0.20, 0.12, 1.5
RAZON_REFERENCIA = 1.5  # app CPU per request against the lean reference, in process
ROTACION_1M_S = 120
RAZON_DOS_ANFITRIONES = 1.5


def _n(valor, formato="{:,.1f}") -> str:
    return "—" if valor is None else formato.format(valor)


def informe(mediciones, opciones) -> str:
    lineas = [f"Each test: {opciones.usuarios} virtual users, {opciones.duracion:g} s or "
              f"{opciones.maximo} requests; gunicorn with 2 sync workers, production settings.", ""]
    lineas += ["| scenario | page | req/s | × bare Flask | p50 ms | p95 ms | p99 ms | requests | errors |",
               "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    metas = []
    for m in mediciones:
        techo = (m.paginas.get("minima") or {}).get("rps")
        for prueba, r in m.paginas.items():
            if "fallo" in r:
                lineas.append(f"| {m.escenario.nombre} | {ETIQUETAS.get(prueba, prueba)} | "
                              f"not measured: {r['fallo']} | | | | | | |")
                continue
            razon = r["rps"] / techo if techo and r["rps"] is not None else None
            lineas.append(
                f"| {m.escenario.nombre} | {ETIQUETAS.get(prueba, prueba)} | {_n(r['rps'])} | "
                f"{_n(razon, '{:.2f}')} | {_n(r['p50'])} | {_n(r['p95'])} | {_n(r['p99'])} | "
                f"{r['peticiones']} | {r['errores']} |")
            if prueba == "caso" and m.escenario.motor == "sqlite":
                metas.append((m.escenario.nombre, f"case page ≥ {RAZON_CASO:.2f}× bare Flask",
                               _n(razon, "{:.2f}×"), razon is not None and razon >= RAZON_CASO))
            if prueba == "lista" and m.escenario.motor == "sqlite":
                metas.append((m.escenario.nombre, f"case list ≥ {RAZON_LISTA:.2f}× bare Flask",
                               _n(razon, "{:.2f}×"), razon is not None and razon >= RAZON_LISTA))
            if m.escenario.casos >= 1_000_000 and prueba not in ("minima", "salud"):
                metas.append((m.escenario.nombre, f"p95 < {P95_MAXIMO_MS} ms: {ETIQUETAS[prueba]}",
                              f"{_n(r['p95'])} ms", r["p95"] is not None and r["p95"] < P95_MAXIMO_MS))
    lineas += ["", "| scenario | seed (cases/s) | statistics roll-up ms | same SQL raw ms | ratio | "
               "State snapshots s² | `claves rotar` s (keys) | s per 100k keys¹ | load avg before → after |",
               "|---|--:|--:|--:|--:|--:|--:|--:|---|"]
    for m in mediciones:
        e, r = m.estadisticas, m.rotacion
        lineas.append(
            f"| {m.escenario.nombre} | {m.siembra['por_segundo']:,} ({m.siembra['segundos']:,.0f} s) | "
            f"{_n(e.get('roll_up_ms'))} | {_n(e.get('sql_ms'))} | {_n(e.get('razon'), '{:.2f}')} | "
            f"{_n(m.precalculo)} | {_n(r['segundos'])} ({r['claves']:,}) | {_n(r['por_100k'])} | {' → '.join(m.carga)} |")
        if e:
            metas.append((m.escenario.nombre, f"statistics ≤ {RAZON_ESTADISTICAS}× raw SQL",
                          f"{e['razon']:.2f}×", e["razon"] <= RAZON_ESTADISTICAS))
        for pagina, p in (m.en_proceso or {}).get("paginas", {}).items():
            metas.append((m.escenario.nombre, f"in process: {PAGINAS_EN_PROCESO[pagina]} ≤ "
                          f"{RAZON_REFERENCIA}× the lean reference's CPU", f"{p['razon']:.2f}×",
                          p["razon"] <= RAZON_REFERENCIA))
        if r["claves"] >= 1_000_000:
            metas.append((m.escenario.nombre, f"rotating 1M keys < {ROTACION_1M_S} s",
                          f"{r['segundos']:,.0f} s", r["segundos"] < ROTACION_1M_S))
    lineas += ["", "¹ without the command's start-up (`flask … claves --help`, timed apart).",
               "² `flask estadisticas publicar` (in runs before issue 15, `estadisticas actualizar --solo-estado`), the scheduled job, run before the "
               "load: the statistics pages and the API above serve its stored figures.",
               "", "| scenario | target | measured | met |", "|---|---|--:|---|"]
    orden = [m.escenario.nombre for m in mediciones]
    metas.sort(key=lambda meta: orden.index(meta[0]))
    lineas += [f"| {e} | {meta} | {valor} | {'yes' if ok else '**no**'} |" for e, meta, valor, ok in metas]
    con_cpu = [(m.escenario.nombre, m.en_proceso) for m in mediciones if getattr(m, "en_proceso", None)]
    if con_cpu:
        lineas += ["", *en_proceso(con_cpu)]
    notas = [f"- {m.escenario.nombre}: {nota}" for m in mediciones for nota in m.notas]
    if notas:
        lineas += ["", *notas]
    return "\n".join(lineas)


PAGINAS_EN_PROCESO = {"caso": "case page (/casos/<id>)", "lista": "case list (/casos/, 50 rows)"}


def en_proceso(resultados) -> list[str]:
    """"CPU en proceso": each hot page's median CPU per request in one process (test client),
    the app against the lean reference of the same page (tests/rendimiento/referencia.py)."""
    lineas = ["CPU en proceso (median CPU ms per request, this process only; statements per request):", "",
              "| scenario | page | app CPU ms | statements | lean CPU ms | statements | ratio app/lean |",
              "|---|---|--:|--:|--:|--:|--:|"]
    for nombre, r in resultados:
        for pagina, etiqueta in PAGINAS_EN_PROCESO.items():
            p = r["paginas"][pagina]
            lineas.append(f"| {nombre} | {etiqueta} | {_n(p['app']['cpu_ms'], '{:.2f}')} | "
                          f"{_n(p['app']['sentencias'])} | {_n(p['referencia']['cpu_ms'], '{:.2f}')} | "
                          f"{_n(p['referencia']['sentencias'])} | {_n(p['razon'], '{:.2f}')} |")
    peticiones = {r["peticiones"] for _, r in resultados}
    lineas += ["", f"{'/'.join(map(str, sorted(peticiones)))} requests per page and side after "
               f"{resultados[0][1]['calentamiento']} of warm-up, interleaved; every audit event "
               "accounted for and the trail verified after the run. On PostgreSQL the server's "
               "own CPU is not in these figures."]
    return lineas


def dos_anfitriones(m, opciones) -> str:
    """The two-host scenario's section (tests/rendimiento/dos_anfitriones.py), targets included."""
    d, nombre = m.dos_anfitriones, m.escenario.nombre
    lineas = [f"## Two hosts ({nombre}, {m.siembra['casos']:,} cases)", "",
              "Two gunicorn processes with one sync worker each, on two ports of 127.0.0.1, sharing one "
              "PostgreSQL database and one Redis, against the first of them alone. Not two machines: "
              "both, the database and the load generator share the same CPUs. Each page: "
              f"{opciones.usuarios} virtual users, {opciones.duracion:g} s or {opciones.maximo} requests, "
              "one host then two (the users alternating hosts), back to back.", "",
              "| page | one host req/s | p50 ms | p95 ms | two hosts req/s | p50 ms | p95 ms | two / one "
              "| errors | CPU idle, one → two |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    metas = []
    for prueba, uno in d["1"].items():
        dos = d["2"].get(prueba, {})
        if "fallo" in uno or "fallo" in dos:
            lineas.append(f"| {ETIQUETAS[prueba]} | not measured: {uno.get('fallo') or dos.get('fallo')} "
                          "| | | | | | | | |")
            continue
        razon = dos["rps"] / uno["rps"] if uno["rps"] and dos["rps"] else None
        ocio = d["ocio"][prueba]
        lineas.append(f"| {ETIQUETAS[prueba]} | {_n(uno['rps'])} | {_n(uno['p50'])} | {_n(uno['p95'])} | "
                      f"{_n(dos['rps'])} | {_n(dos['p50'])} | {_n(dos['p95'])} | {_n(razon, '{:.2f}×')} | "
                      f"{uno['errores'] + dos['errores']} | {ocio['1']:.0%} → {ocio['2']:.0%} |")
        metas.append((f"two hosts ≥ {RAZON_DOS_ANFITRIONES}× one: {ETIQUETAS[prueba]}",
                      _n(razon, "{:.2f}×"), razon is not None and razon >= RAZON_DOS_ANFITRIONES))
    sesion, lim, a = d["sesiones"], d["limite"], d["auditoria"]
    en_b = sesion["lista_en_b"] and sesion["caso_en_b"]
    salida = sesion["salir_en_b"] and sesion["terminada_en_a"]
    hosts = "; ".join(f"{n} answered {c['atendidos']} and refused {c['negados']}"
                      for n, c in lim["por_anfitrion"].items())
    lineas += [
        "", "CPU idle: the whole machine's, from /proc/stat over each run (log-ins and warm-up included).",
        "",
        f"- Sessions: logged in on host A, her cookie on host B got her case list (50 rows) and a "
        f"case page; A's CSRF token logged her out on B; the old cookie then got the login page on A "
        f"(HTTP {', '.join(map(str, sesion['estados']))}).",
        f"- Login limit ({lim['limite']} failures a minute per address and per e-mail, counted in Redis): "
        f"{lim['intentos']} failed logins from one address, alternating hosts; first refused: attempt "
        f"{lim['primera_negativa'] or 'none'}; {hosts}.",
        "- Audit: `flask auditoria verificar` after the load: "
        + (f"intact, {a['eventos']:,} events in {a['cadenas']} chains" if a["integra"]
           else f"**failed**: {' '.join(a['salida'])}")
        + f"; {a['escritos']:,} of them written by the two hosts' runs and the checks.",
        f"- Referrals: {d['aceptadas']['pedidas']:,} accept requests (warm-up included), "
        f"{d['aceptadas']['en_bd']:,} accepted in the database.",
        f"- Load average before → after: {' → '.join(m.carga)}.",
        *[f"- {nota}" for nota in m.notas],
    ]
    metas += [("a session opened on one host is valid on the other", _si(en_b), en_b),
              ("logging out on one host ends the session on the other", _si(salida), salida),
              (f"login limit shared: refused at attempt {lim['limite'] + 1}, over both hosts",
               f"attempt {lim['primera_negativa']}", lim["compartido"]),
              ("audit chains verify after the load", "intact" if a["integra"] else "broken", a["integra"])]
    lineas += ["", "| target | measured | met |", "|---|--:|---|",
               *[f"| {meta} | {valor} | {_si(ok)} |" for meta, valor, ok in metas]]
    return "\n".join(lineas)


def _si(valor: bool) -> str:
    return "yes" if valor else "**no**"
