"""Synthetic cases for the demo and the benchmark: plausible, never real, encrypted exactly
like real ones (they go through the same service as the intake page; only the INSERTs are
batched, by casos/insercion_masiva.py). A million take minutes: `sembrar_en_paralelo` splits
them over processes.

Names are random combinations of common given names and surnames; CURPs are built from them
with the RENAPO rules and a valid check digit; municipalities are drawn in proportion to
their female population; types, modalities and risk levels follow rough published shares.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import traceback
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from types import SimpleNamespace

from sqlalchemy import func, select, text

from casos.catalogos import HORAS_REVALORACION, municipios
from casos.cuentas.modelos import Usuaria
from casos.expedientes import riesgo, servicios
from casos.expedientes.curp import digito_verificador
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.insercion_masiva import insertar_pendientes

NOMBRES = ("María", "Guadalupe", "Juana", "Margarita", "Verónica", "Leticia", "Rosa", "Patricia",
           "Alejandra", "Fernanda", "Daniela", "Gabriela", "Valeria", "Ximena", "Sofía", "Andrea",
           "Mariana", "Adriana", "Claudia", "Elizabeth", "Araceli", "Yesenia", "Karla", "Lucía")
APELLIDOS = ("Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez",
             "Sánchez", "Ramírez", "Flores", "Torres", "Muñoz", "Castillo", "Ortiz", "Reyes",
             "Delgado", "Ríos", "Esparza", "Dávila", "Berumen", "Félix", "Saucedo", "Acuña")
TIPOS = (("psicologica", 0.85), ("fisica", 0.45), ("economica", 0.25), ("patrimonial", 0.15),
         ("sexual", 0.12), ("vicaria", 0.06), ("obstetrica", 0.02))
MODALIDADES = (("familiar", 0.70), ("comunidad", 0.12), ("laboral", 0.06), ("docente", 0.03),
               ("digital", 0.05), ("institucional", 0.02), ("politica", 0.01), ("feminicida", 0.01))
RELACIONES = ("pareja", "pareja", "pareja", "expareja", "expareja", "familiar", "conocido")
PERFILES_RIESGO = ((0.45, 0), (0.30, 3), (0.18, 5), (0.07, 8))  # share, "si" answers among 20


def _plano(texto: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", texto.upper()) if c.isalpha() and c.isascii())


def _primera_interna(texto: str, vocales: bool) -> str:
    for letra in texto[1:]:
        if (letra in "AEIOU") == vocales:
            return letra
    return "X"


def curp_sintetica(nombre: str, paterno: str, materno: str, nacimiento: date, azar) -> str:
    p, m, n = _plano(paterno), _plano(materno), _plano(nombre)
    raiz = (p[0] + _primera_interna(p, True) + m[0] + n[0] + nacimiento.strftime("%y%m%d") + "MZS"
            + _primera_interna(p, False) + _primera_interna(m, False) + _primera_interna(n, False))
    diferenciador = str(azar.randint(0, 9)) if nacimiento.year < 2000 else azar.choice("ABCDEFGH")
    return raiz + diferenciador + str(digito_verificador(raiz + diferenciador))


def _varios(azar, tabla) -> list[str]:
    elegidos = [clave for clave, parte in tabla if azar.random() < parte]
    return elegidos or [tabla[0][0]]


@cache
def _municipios_y_pesos() -> tuple[list[str], list[int]]:
    claves = list(municipios())
    return claves, [municipios()[c].mujeres for c in claves]


def datos_sinteticos(azar: random.Random, hoy: date) -> servicios.DatosIntake:
    nombre, paterno, materno = azar.choice(NOMBRES), azar.choice(APELLIDOS), azar.choice(APELLIDOS)
    nacimiento = hoy - timedelta(days=azar.randint(15 * 365, 70 * 365))
    municipio = azar.choices(*_municipios_y_pesos())[0]
    con_curp = azar.random() < 0.7
    return servicios.DatosIntake(
        nombre=f"{nombre} {paterno} {materno}", municipio=municipio,
        curp=curp_sintetica(nombre, paterno, materno, nacimiento, azar) if con_curp else None,
        fecha_nacimiento=nacimiento if con_curp or azar.random() < 0.5 else None,
        edad_aproximada=None if con_curp else (hoy - nacimiento).days // 365,
        telefono=f"492{azar.randint(1000000, 9999999)}",
        domicilio=f"Calle {azar.choice(APELLIDOS)} {azar.randint(1, 999)} (ficticia)",
        nna=[servicios.DatosNna(f"{azar.choice(NOMBRES)} {paterno}", azar.randint(0, 17),
                                azar.random() < 0.3) for _ in range(azar.choice((0, 0, 1, 2, 3)))],
        agresores=[servicios.DatosAgresor(f"Persona ficticia {azar.randint(1, 99999)}",
                                          azar.choice(RELACIONES), azar.random() < 0.5,
                                          azar.random() < 0.1)],
        fecha_hechos=hoy - timedelta(days=azar.randint(0, 30)), municipio_hechos=municipio,
        lugar_hechos="Domicilio" if azar.random() < 0.7 else "Vía pública",
        narrativa="Relato sintético de demostración: no corresponde a ninguna persona real.",
        tipos=_varios(azar, TIPOS), modalidades=_varios(azar, MODALIDADES)[:2],
        autoriza_canalizar=azar.random() < 0.8, tipos_institucion=["cjm", "fiscalia", "salud"],
        datos_compartibles=["identidad", "hechos", "riesgo"],
        contacto_seguro={"telefono": f"492{azar.randint(1000000, 9999999)}", "horario": "De 9 a 13 h",
                         "nunca_casa": azar.random() < 0.4},
    )


def casos_existentes() -> int:
    return db.session.scalar(select(func.count()).select_from(Caso))


def sembrar_casos(cantidad: int, *, semilla: int | str = 2026, lote: int = 2000,
                  al_avanzar: Callable[[int], None] = lambda n: None) -> int:
    """`cantidad` cases spread over the demo institutions that attend cases, registered over
    the last two years, most with a risk assessment. Commits every `lote` cases.

    Each case is built by the intake's own services (`registrar_caso`, `registrar_valoracion`),
    which encrypt its fields; a batch then reaches the database in bulk (insertar_pendientes)."""
    azar = random.Random(semilla)
    # Plain values, not ORM rows: each batch commits and clears the session.
    capturistas = [SimpleNamespace(id=u.id, institucion_id=u.institucion_id) for u in
                   db.session.scalars(select(Usuaria).where(Usuaria.rol == "capturista",
                                                            Usuaria.correo.like("%.demo")))]
    if not capturistas:
        raise RuntimeError("Primero ejecute «demo» sin --casos para crear las cuentas.")
    hoy = date.today()
    inicio = datetime.now(timezone.utc)
    indicadores = [i.clave for i in riesgo.instrumento().indicadores]
    _sin_esperar_al_disco()
    for numero in range(cantidad):
        autora = azar.choice(capturistas)
        dia = hoy - timedelta(days=azar.randint(0, 730))
        momento = min(datetime.now(timezone.utc), datetime.combine(
            dia, time(azar.randint(14, 23), azar.randint(0, 59)), timezone.utc))
        datos = datos_sinteticos(azar, dia)
        caso = servicios.registrar_caso(autora, datos, volcar=False)
        caso.creado_en = momento
        if caso.consentimiento is not None:  # given at intake, not when the demo was seeded
            caso.consentimiento.registrado_en = momento
        if azar.random() < 0.85:
            cuantas = _perfil(azar.random())
            positivas = set(azar.sample(indicadores, cuantas))
            valoracion = servicios.registrar_valoracion(
                caso, autora, {i: "si" if i in positivas else "no" for i in indicadores}, None, None,
                volcar=False)
            # The assessment on record is her latest: re-assessed on schedule since intake, so
            # its next date lies ahead (not hundreds overdue). casos/demo_jornada.py makes a
            # handful late, as a real day has.
            valoracion.creada_en = ultima_a_tiempo(momento, valoracion.nivel, inicio)
            valoracion.proxima_valoracion = riesgo.proxima_valoracion(valoracion.nivel, valoracion.creada_en)
            caso.proxima_valoracion = valoracion.proxima_valoracion
        if (numero + 1) % lote == 0:
            insertar_pendientes(db.session())
            db.session.commit()
            al_avanzar(lote)
            _sin_esperar_al_disco()
    insertar_pendientes(db.session())
    db.session.commit()
    al_avanzar(cantidad % lote)
    return cantidad


def _sin_esperar_al_disco() -> None:
    """PostgreSQL: this seed's commits return before their WAL reaches the disk. A crash may
    lose the last batches (synthetic cases; the count says how many to add again), never
    consistency. SET LOCAL: only this transaction, never the app's own."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit = off"))


def actualizar_estadisticas_del_planificador() -> None:
    """PostgreSQL: after a bulk load the planner still believes the tables are small or empty,
    and picks sequential scans (a case page's duplicate check read all 64k cases: 92 ms
    instead of 0.07 ms) until autovacuum comes by. ANALYZE now, as after any bulk load."""
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        tablas = [t.name for t in db.metadata.sorted_tables
                  if t.name in {"caso", "victima", "nna", "agresor", "hecho", "hecho_tipo",
                                "hecho_modalidad", "consentimiento", "valoracion_riesgo"}]
        db.session.execute(text("ANALYZE " + ", ".join(tablas)))
        db.session.commit()


# Below this many cases per process, starting another one costs more than it saves.
CASOS_POR_PROCESO_MINIMO = 5000


def procesos_utiles(cantidad: int, procesos: int) -> int:
    """SQLite takes one writer at a time: a single process. Elsewhere, up to `procesos`."""
    if db.engine.dialect.name == "sqlite":
        return 1
    return max(1, min(procesos, cantidad // CASOS_POR_PROCESO_MINIMO))


def sembrar_en_paralelo(cantidad: int, *, procesos: int, semilla: int, configuracion: dict,
                        al_avanzar: Callable[[int], None] = lambda n: None) -> int:
    """`sembrar_casos` split over `procesos` processes, each with its own app, connection and
    seed (part 0 keeps `semilla`: one process gives the same cases as before). Progress from
    all of them reaches `al_avanzar` here. A failing part stops the others and raises."""
    if procesos <= 1:
        return sembrar_casos(cantidad, semilla=semilla, al_avanzar=al_avanzar)
    # spawn, not fork: a forked child would share this process's open connections.
    contexto = multiprocessing.get_context("spawn")
    avisos = contexto.Queue()
    partes = [cantidad // procesos + (parte < cantidad % procesos) for parte in range(procesos)]
    hijos = [contexto.Process(target=_sembrar_parte, daemon=True, args=(
        configuracion, partes[parte], semilla if parte == 0 else f"{semilla}/{parte}", avisos))
        for parte in range(procesos)]
    for hijo in hijos:
        hijo.start()
    try:
        terminados = 0
        while terminados < procesos:
            try:
                aviso = avisos.get(timeout=1)
            except queue.Empty:
                if any(h.exitcode not in (None, 0) for h in hijos):
                    raise RuntimeError("Un proceso de la siembra terminó sin avisar.") from None
                continue
            if isinstance(aviso, int):
                al_avanzar(aviso)
            elif aviso == "listo":
                terminados += 1
            else:
                raise RuntimeError(f"Falló un proceso de la siembra:\n{aviso}")
        for hijo in hijos:
            hijo.join()
    finally:
        for hijo in hijos:
            if hijo.is_alive():
                hijo.terminate()
                hijo.join()
    return cantidad


def _sembrar_parte(configuracion: dict, cantidad: int, semilla, avisos) -> None:
    from casos import create_app
    from casos.bd import escritura

    try:
        app = create_app(configuracion)
        with app.app_context(), escritura():
            sembrar_casos(cantidad, semilla=semilla, al_avanzar=lambda n: n and avisos.put(n))
            db.engine.dispose()
        avisos.put("listo")
    except BaseException:
        avisos.put(traceback.format_exc())
        raise


def ultima_a_tiempo(primera: datetime, nivel: str, ahora: datetime) -> datetime:
    """The last re-assessment up to `ahora` of a case first assessed at `primera` and then
    every period of its level (catalogos.HORAS_REVALORACION), never later than `ahora`."""
    periodo = timedelta(hours=HORAS_REVALORACION[nivel])
    return primera + max(0, (ahora - primera) // periodo) * periodo


def _perfil(sorteo: float) -> int:
    """How many "yes" answers, drawn from PERFILES_RIESGO's shares."""
    acumulado = 0.0
    for parte, si in PERFILES_RIESGO:
        acumulado += parte
        if sorteo < acumulado:
            return si
    return PERFILES_RIESGO[-1][1]
