"""Editions: the statistics as numbered, immutable releases of closed months.

Figures recomputed on every look told a reader about one woman: a cell that went from 0 to
"<10" between two looks, with the Fiscalía's count and the year's total each up by one, was
her (issue 15). So nothing is computed when a page is asked for. `flask estadisticas
publicar` (a timer) publishes an edition: every month closed for more than
ESTADISTICAS_GRACIA_DIAS days (for late registrations) that no edition covers yet, counted
and protected on its own (bloques.py), added to the months of the previous edition exactly
as it published them. The edition is a row numbered 1, 2, 3…, with the day it was published
and the months it covers, that the database refuses to change or delete (the migration's
triggers). The dashboard, its downloads and the API serve the edition asked for (the latest
by default), assembled from its months (ensamblado.py).

What that gives a reader who looks twice: without a new edition, the same bytes. With one,
the new months' tables, and sums that changed by exactly those tables' published cells:
nothing about a month already published, and nothing about the open month or the months
still in their grace period, which no page shows at all. A later change to a published month
(a late registration, a referral answered since) waits for a revision (`flask estadisticas
revisar`, revisiones.py), which publishes it only as a difference that needs no suppression
(docs/DESIGN.md, "Statistics: editions").
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casos.auditoria import servicios as auditoria
from casos.bd import ahora, escritura, hoy_local
from casos.estadisticas import bloques, consultas, revisiones
from casos.estadisticas.ensamblado import Contenido, nombre_del_mes
from casos.estadisticas.ensamblado import publicacion as ensamblar
from casos.estadisticas.modelos import ConteoDeMes, EdicionEstadistica
from casos.estadisticas.publicacion import MEDIDAS, Ambito, Publicacion
from casos.extensiones import db

_TABLA = EdicionEstadistica.__table__
_CONTEOS = ConteoDeMes.__table__
_RESUMEN = (_TABLA.c.numero, _TABLA.c.publicada_en, _TABLA.c.desde, _TABLA.c.hasta, _TABLA.c.umbral,
            _TABLA.c.huella)


class NoSePuedePublicar(RuntimeError):
    """The command stops and says why, in Spanish; nothing is published."""


def umbral() -> int:
    k = int(current_app.config["UMBRAL_SUPRESION"])
    if k < 2:
        raise ValueError("UMBRAL_SUPRESION debe ser al menos 2.")
    return k


def gracia_dias() -> int:
    dias = int(current_app.config["ESTADISTICAS_GRACIA_DIAS"])
    if dias < 0:
        raise ValueError("ESTADISTICAS_GRACIA_DIAS no puede ser negativo.")
    return dias


def ultimo_mes_publicable(hoy: date, gracia: int) -> str:
    """The last month that closed (in Mexico City) more than `gracia` days before `hoy`: with
    15 days, October from 16 November on."""
    limite = hoy - timedelta(days=gracia)
    anio, mes = (limite.year, limite.month - 1) if limite.month > 1 else (limite.year - 1, 12)
    return f"{anio}-{mes:02d}"


def meses_entre(desde: str, hasta: str) -> list[str]:
    meses, mes = [], desde
    while mes <= hasta:
        meses.append(mes)
        mes = consultas.siguiente_mes(mes)
    return meses


@dataclass(frozen=True)
class Edicion:
    """An edition's row without its content."""

    numero: int
    publicada_en: datetime
    desde: str
    hasta: str
    umbral: int
    huella: str

    @property
    def fecha(self) -> date:
        """The day it was published, in Mexico City."""
        return self.publicada_en.astimezone(consultas.zona()).date()

    @property
    def periodo(self) -> str:
        return f"de {nombre_del_mes(self.desde)} a {nombre_del_mes(self.hasta)}"

    def como_dict(self) -> dict:
        return {"numero": self.numero, "fecha": self.fecha.isoformat(), "desde": self.desde,
                "hasta": self.hasta}


def _edicion(fila) -> Edicion | None:
    return None if fila is None else Edicion(*fila)


def ultima() -> Edicion | None:
    return _edicion(db.session.execute(sa.select(*_RESUMEN).order_by(_TABLA.c.numero.desc()).limit(1)).first())


def de_numero(numero: int) -> Edicion | None:
    return _edicion(db.session.execute(sa.select(*_RESUMEN).where(_TABLA.c.numero == numero)).first())


def todas() -> list[Edicion]:
    """Every edition, newest first (for the selector: a few a year)."""
    return [Edicion(*fila) for fila in db.session.execute(sa.select(*_RESUMEN).order_by(_TABLA.c.numero.desc()))]


# ---- publishing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Resultado:
    edicion: Edicion | None  # None: nothing new to publish
    nuevos: list[str]
    vigente: Edicion | None = None  # with nothing new, the edition still in force


def publicar(hoy: date | None = None) -> Resultado:
    """Publish an edition with every month that closed more than ESTADISTICAS_GRACIA_DIAS
    days before `hoy` (today in Mexico City) and that no edition covers yet, from January of
    the first year with cases; nothing when there is no such month (so a timer may run it
    as often as it likes). The months already published are copied as they were, never
    counted again. Computed in one read transaction (a repeatable snapshot on PostgreSQL, so
    every count sees the same rows), then written in a short one of its own, with its audit
    event."""
    hoy = hoy or hoy_local()
    k, gracia = umbral(), gracia_dias()
    reloj = time.perf_counter()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    previa = ultima()
    anterior = json.loads(db.session.scalar(sa.select(_TABLA.c.contenido).where(
        _TABLA.c.numero == previa.numero))) if previa else None
    if previa is not None and previa.umbral != k:
        raise NoSePuedePublicar(
            f"UMBRAL_SUPRESION es {k}, pero las ediciones publicadas usan {previa.umbral}: una nueva "
            f"edición con otro umbral volvería a proteger los mismos meses de otra forma, y juntas "
            f"dejarían deducir cifras. Vuelva a {previa.umbral}.")
    primer_anio = min(consultas.anios_con_datos())
    publicados = set(anterior["meses"]) if anterior else set()
    nuevos = [m for m in meses_entre(f"{primer_anio}-01", ultimo_mes_publicable(hoy, gracia))
              if m not in publicados]
    if not nuevos:
        db.session.rollback()
        return Resultado(None, [], previa)

    momento = ahora()
    instituciones = {**(anterior["instituciones"] if anterior else {}), **consultas.instituciones()}
    meses = dict(anterior["meses"]) if anterior else {}
    medianas = dict(anterior["medianas"]) if anterior else {}
    contados = {}
    for anio in sorted({int(m[:4]) for m in nuevos}):
        del_anio = [m for m in nuevos if m.startswith(f"{anio}-")]
        conteos = bloques.contar_meses(anio, del_anio, momento)
        for mes in del_anio:
            meses[mes] = bloques.proteger_mes(mes, conteos[mes], k, instituciones)
            contados[mes] = conteos[mes]
        medianas[str(anio)] = bloques.medianas_del_anio(
            anio, max(m for m in meses if m.startswith(f"{anio}-")), k, instituciones)
    contenido = {"formato": bloques.FORMATO, "umbral": k, "gracia_dias": gracia,
                 "instituciones": dict(sorted(instituciones.items())),
                 "meses": dict(sorted(meses.items())), "medianas": dict(sorted(medianas.items()))}
    if anterior and "revision" in anterior:
        contenido["revision"] = anterior["revision"]  # what the last revision left pending
    cuantos = f"{len(nuevos)} {'mes nuevo' if len(nuevos) == 1 else 'meses nuevos'}"
    return Resultado(_escribir(previa, contenido, contados, reloj, cuantos), nuevos)


def _escribir(previa: Edicion | None, contenido: dict, contados: dict[str, dict], reloj: float,
              resumen: str) -> Edicion:
    """Write the edition after `previa`, with the counts of the months it publishes or
    revises (kept apart, never served), in a short transaction with its audit event."""
    texto = json.dumps(contenido, ensure_ascii=False, separators=(",", ":"))
    db.session.rollback()  # the read ends here; the write below is short
    numero = (previa.numero if previa else 0) + 1
    fila = {"numero": numero, "publicada_en": ahora(), "desde": min(contenido["meses"]),
            "hasta": max(contenido["meses"]), "umbral": contenido["umbral"], "contenido": texto,
            "huella": hashlib.sha256(texto.encode()).hexdigest(),
            "duracion_ms": round(1000 * (time.perf_counter() - reloj))}
    try:
        with escritura():
            if (db.session.scalar(sa.select(sa.func.max(_TABLA.c.numero))) or 0) != numero - 1:
                raise NoSePuedePublicar("Otra edición se publicó mientras se calculaba esta: "
                                        "vuelva a ejecutar el comando.")
            db.session.execute(sa.insert(_TABLA).values(**fila))
            if contados:
                db.session.execute(sa.insert(_CONTEOS), [
                    {"mes": mes, "edicion": numero,
                     "conteos": json.dumps(revisiones.conteos_a_json(conteos), separators=(",", ":"))}
                    for mes, conteos in sorted(contados.items())])
            auditoria.al_confirmar("estadisticas.publicar", motivo=(
                f"Edición {numero}: de {fila['desde']} a {fila['hasta']}; {resumen}."))
            db.session.commit()
    except sa.exc.IntegrityError:  # PostgreSQL: another one inserted the same number first
        db.session.rollback()
        raise NoSePuedePublicar("Otra edición se publicó mientras se calculaba esta: "
                                "vuelva a ejecutar el comando.") from None
    except BaseException:
        db.session.rollback()
        raise
    return Edicion(numero, fila["publicada_en"], fila["desde"], fila["hasta"], fila["umbral"], fila["huella"])


# ---- revising -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Revision:
    edicion: Edicion | None  # None: nothing could be revised, nothing published
    revisadas: dict[str, list[str]]  # month -> measures revised
    pendientes: dict[str, list[str]]  # month -> measures whose changes can't be published yet


def _conteos_publicados() -> dict[str, dict]:
    """{month: its counts as last published or revised}."""
    ultima_de_cada = (sa.select(_CONTEOS.c.mes, sa.func.max(_CONTEOS.c.edicion).label("edicion"))
                      .group_by(_CONTEOS.c.mes).subquery())
    filas = db.session.execute(sa.select(_CONTEOS.c.mes, _CONTEOS.c.conteos).join(
        ultima_de_cada, sa.and_(_CONTEOS.c.mes == ultima_de_cada.c.mes,
                                _CONTEOS.c.edicion == ultima_de_cada.c.edicion)))
    return {mes: revisiones.conteos_de_json(json.loads(texto)) for mes, texto in filas}


def revisar() -> Revision:
    """The scheduled revision (`flask estadisticas revisar`): each published month counted
    again; each measure whose change since it was published can be published as a
    difference (revisiones.py) is revised in a new edition; the others are named as pending
    and stay as they were. Nothing is published when no measure of any month can be revised
    (a new edition would say nothing but that changes exist)."""
    k = umbral()
    reloj = time.perf_counter()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    previa = ultima()
    if previa is None:
        raise NoSePuedePublicar("Todavía no se ha publicado ninguna edición: no hay nada que revisar.")
    if previa.umbral != k:
        raise NoSePuedePublicar(f"UMBRAL_SUPRESION es {k}, pero las ediciones publicadas usan {previa.umbral}.")
    anterior = json.loads(db.session.scalar(sa.select(_TABLA.c.contenido).where(_TABLA.c.numero == previa.numero)))
    publicados = _conteos_publicados()
    momento = ahora()
    meses, contados = dict(anterior["meses"]), {}
    revisadas: dict[str, list[str]] = {}
    pendientes: dict[str, list[str]] = {}
    for anio in sorted({int(m[:4]) for m in publicados}):
        del_anio = sorted(m for m in publicados if m.startswith(f"{anio}-"))
        hoy = bloques.contar_meses(anio, del_anio, momento)
        for mes in del_anio:
            bloque, conteos = dict(meses[mes]), dict(publicados[mes])
            for clave, medida in MEDIDAS.items():
                if clave not in publicados[mes]:  # a measure added since: its months stay as they are
                    continue
                revisado = revisiones.revisar_bloque(bloque[clave], publicados[mes][clave], hoy[mes][clave],
                                                     medida, k)
                if revisado is None:
                    pendientes.setdefault(mes, []).append(clave)
                elif revisado is not bloque[clave]:
                    bloque[clave], conteos[clave] = revisado, hoy[mes][clave]
                    revisadas.setdefault(mes, []).append(clave)
            if mes in revisadas:
                meses[mes], contados[mes] = bloque, conteos
    if not revisadas:
        db.session.rollback()
        return Revision(None, {}, pendientes)
    instituciones = {**anterior["instituciones"], **consultas.instituciones()}
    medianas = dict(anterior["medianas"])
    for anio in {int(m[:4]) for m in revisadas}:
        medianas[str(anio)] = bloques.medianas_del_anio(
            anio, max(m for m in meses if m.startswith(f"{anio}-")), k, instituciones)
    contenido = {**anterior, "instituciones": dict(sorted(instituciones.items())), "meses": meses,
                 "medianas": dict(sorted(medianas.items())),
                 "revision": {"edicion": previa.numero + 1, "revisadas": revisadas, "pendientes": pendientes}}
    resumen = f"revisión de {len(revisadas)} {'mes' if len(revisadas) == 1 else 'meses'}"
    return Revision(_escribir(previa, contenido, contados, reloj, resumen), revisadas, pendientes)


# ---- serving ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Servida:
    """A page of an edition, and what is derived from it (charts, CSV, JSON, their ETags),
    made once in this process: an edition never changes."""

    edicion: Edicion
    contenido: Contenido
    publicacion: Publicacion
    derivados: dict = field(default_factory=dict, compare=False, repr=False)


# Parsed contents and assembled pages, by database, edition and its digest: an edition is
# immutable, so what was read or built from it stays right; the least recently served go
# first. (A state page is about 300 KB of JSON and tens of thousands of objects.)
_CONTENIDOS: OrderedDict[tuple, Contenido] = OrderedDict()
_SERVIDAS: OrderedDict[tuple, Servida] = OrderedDict()
_CONTENIDOS_MAXIMO, _SERVIDAS_MAXIMO = 4, 32
_CANDADO = threading.Lock()


def _guardar(cache: OrderedDict, clave: tuple, valor, maximo: int):
    with _CANDADO:
        cache[clave] = valor
        cache.move_to_end(clave)
        while len(cache) > maximo:
            cache.popitem(last=False)
    return valor


def _en_memoria(cache: OrderedDict, clave: tuple):
    with _CANDADO:
        valor = cache.get(clave)
        if valor is not None:
            cache.move_to_end(clave)
        return valor


def contenido(edicion: Edicion) -> Contenido:
    clave = (str(db.engine.url), edicion.numero, edicion.huella)
    leido = _en_memoria(_CONTENIDOS, clave)
    if leido is None:
        texto = db.session.scalar(sa.select(_TABLA.c.contenido).where(_TABLA.c.numero == edicion.numero))
        leido = _guardar(_CONTENIDOS, clave, Contenido.de_json(json.loads(texto)), _CONTENIDOS_MAXIMO)
    return leido


def servir(edicion: Edicion, anio: int, granularidad: str, ambito: Ambito) -> Servida:
    """The page of one year, granularity and scope of an edition (a year it covers)."""
    clave = (str(db.engine.url), edicion.numero, edicion.huella, anio, granularidad, ambito.tipo, ambito.clave)
    servida = _en_memoria(_SERVIDAS, clave)
    if servida is None:
        propio = contenido(edicion)
        publicacion = ensamblar(propio, anio, granularidad, ambito)
        publicacion.edicion = edicion.como_dict()
        publicacion.revision = propio.revision
        servida = _guardar(_SERVIDAS, clave, Servida(edicion, propio, publicacion), _SERVIDAS_MAXIMO)
    return servida
