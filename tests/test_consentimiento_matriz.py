"""The consent matrix of a referral (issue 11), as the receiving institution sees the pages.

Institution A (a Fiscalía) owns a case whose every encrypted field holds a canary, with a
risk assessment and a referral motive that are canaries too. It refers the case to
institution B (a CJM) with the woman's consent for a subset of the data categories, and the
referral is driven through its real transitions to one state. Then the woman's consent is
left in force, revoked, let expire, widened or narrowed. Every page B can reach is read and
searched for every canary B may not see; A's case page must show them all (so no cell can
pass by showing nothing), and a third institution C must not learn the case exists.

The rule (issue 11). B may see a category only if it was consented when the referral was
sent AND is still in the woman's current consent, the consent is in force (not revoked, not
expired), and the referral is in a state that grants it: enviada, aceptada or atendida on
the referral page (and the inbox, the pending list and the approvals, which only point
there); aceptada or atendida on the case page, the case list and the search. The sender's
motive follows the same state and consent rule, with no category. Otherwise B keeps a record
with no personal data: the referral page answers 200 with its state, the case page 404, the
list and the search show nothing of her. Before it was sent the referral does not exist for
B. The risk assessment form is the owner's only.

Cost: a cell (state x consent x categories) builds its own database once, through the
services, and every page of that cell is a test of its own that only reads it (pytest groups
the tests of a cell, since the cell is a module-scoped fixture parametrized by value). The
one test that writes, B posting a risk assessment, is the last of each cell.
"""

from __future__ import annotations

import io
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import jinja2
import pytest
import time_machine
from pypdf import PdfWriter
from sqlalchemy import func, select

from casos import create_app
from casos.adjuntos import servicios as adjuntos
from casos.canalizaciones import servicios as canalizaciones
from casos.catalogos import CATEGORIAS_ADJUNTO, CONSENTIMIENTO_DE_ADJUNTO, DATOS_COMPARTIBLES
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso, ValoracionRiesgo
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from flujos import FLUJOS

# `_configuracion` is the settings the `app` fixture uses: a cell's own app must match it.
from tests.conftest import (
    ClienteDePruebas,
    _configuracion,
    crear_institucion,
    crear_usuaria,
    datos_de_caso,
    entrar,
    enviar,
)
from tests.reloj import hoy_en_mexico

CATEGORIAS = tuple(DATOS_COMPARTIBLES)  # identidad, contacto, hechos, riesgo, nna, agresor

NOMBRE = "Canaria Xochitl Pruebasintetica"
CURP = "PEMA850101MZSRRN02"
NIVEL = "medio"  # not an urgent level: "URGENTE" marks nothing here, only the level does
MOTIVO_VALORACION = "Valoracion canaria sintetica"
MOTIVO_ENVIO = "Motivo canario de envio"
MOTIVO_CANCELACION = "Motivo canario de cancelacion"

# Every canary of a category; the owner's case page shows each of them.
CANARIOS: dict[str, tuple[str, ...]] = {
    "identidad": (NOMBRE, CURP),
    "contacto": ("4929990001", "Calle Ficticia 123", "4929990002"),
    "hechos": ("Relato canario sintetico", "Domicilio ficticio"),
    "riesgo": (f'class="nivel nivel-{NIVEL}"', MOTIVO_VALORACION),
    "nna": ("Hija Sintetica Uno",),
    "agresor": ("Agresor Sintetico Canario",),
    # Not a consent category: her language, disability and nationality are the owner's only.
    "perfil": ("Náhuatl",),
}
# Other ways a page shows the risk level (the referral page's summary, the assessment form):
# looked for as leaks only, since the owner's case page shows the level as a badge.
OTRAS_FORMAS = {"riesgo": ("<dd>Medio</dd>", "nivel actual: Medio")}
# The sender's free text, which has no category: the referral's motive and the reason A gave
# to cancel it.
MOTIVOS = (MOTIVO_ENVIO, MOTIVO_CANCELACION)
# What must be on B's case page for each category it may see: a page that hides everything
# would otherwise pass every "no leak" check.
PRINCIPAL = {"identidad": NOMBRE, "contacto": "4929990002", "hechos": "Relato canario sintetico",
             "riesgo": f'class="nivel nivel-{NIVEL}"', "nna": "Hija Sintetica Uno",
             "agresor": "Agresor Sintetico Canario"}

ESTADOS = ("por_aprobar", "enviada", "aceptada", "rechazada", "atendida", "concluida", "cancelada")
# States in which the referral grants B the data, per kind of page.
OTORGAN_CANALIZACION = frozenset({"enviada", "aceptada", "atendida"})
OTORGAN_CASO = frozenset({"aceptada", "atendida"})

# vigente: as given. revocado/vencido: no longer in force. ampliado: the woman now allows
# every category (B still gets only what was consented when it was sent). reducido: she
# withdrew the first category sent (B loses it; for a single category, everything).
CONSENTIMIENTOS = ("vigente", "revocado", "vencido", "ampliado", "reducido")
EN_VIGOR = frozenset({"vigente", "ampliado", "reducido"})

SUBCONJUNTOS = tuple((c,) for c in CATEGORIAS) + (CATEGORIAS,)


def _pdf() -> bytes:
    escritor, salida = PdfWriter(), io.BytesIO()
    escritor.add_blank_page(width=612, height=792)
    escritor.write(salida)
    return salida.getvalue()


PDF = _pdf()  # every file of a cell: what B downloads must be it, byte for byte


class Celda(NamedTuple):
    """One cell of the matrix. A tuple, so pytest groups the tests of a cell by its value."""

    estado: str
    consentimiento: str
    compartidas: tuple[str, ...]  # consented when the referral was sent

    @property
    def nombre(self) -> str:
        datos = "todas" if self.compartidas == CATEGORIAS else "+".join(self.compartidas)
        return f"{self.estado}-{self.consentimiento}-{datos}"

    def actuales(self) -> frozenset[str]:
        """The categories of the woman's consent as it is now."""
        if self.consentimiento == "ampliado":
            return frozenset(CATEGORIAS)
        if self.consentimiento == "reducido":
            return frozenset(CATEGORIAS) - {self.compartidas[0]}
        return frozenset(self.compartidas)

    def permitidas(self, otorgan: frozenset[str]) -> frozenset[str]:
        """What B may see on a page whose data the states `otorgan` grant ("motivo" included)."""
        if self.estado not in otorgan or self.consentimiento not in EN_VIGOR:
            return frozenset()
        return (frozenset(self.compartidas) & self.actuales()) | {"motivo"}

    def describir(self, pagina: str, permitidas: frozenset[str]) -> str:
        visibles = ", ".join(sorted(permitidas)) or "nada"
        return (f"[estado={self.estado} consentimiento={self.consentimiento} "
                f"compartidas_al_enviar={'+'.join(self.compartidas)} página={pagina}; "
                f"B puede ver: {visibles}]")


def _celda_util(estado: str, consentimiento: str, compartidas: tuple[str, ...]) -> bool:
    """Widening a consent to every category is the plain consent when every category was
    sent; and a widened or narrowed consent only tells something where the state grants B
    anything at all (elsewhere it is the plain consent's cell again, at the cost of a cell)."""
    if consentimiento == "ampliado" and compartidas == CATEGORIAS:
        return False
    return consentimiento in ("vigente", "revocado", "vencido") or estado in OTORGAN_CANALIZACION


CELDAS = [Celda(e, c, s) for e in ESTADOS for c in CONSENTIMIENTOS for s in SUBCONJUNTOS
          if _celda_util(e, c, s)]
CELDAS_TODAS = [celda for celda in CELDAS if celda.compartidas == CATEGORIAS]


def _id(valor) -> str:
    return valor.nombre if isinstance(valor, Celda) else str(valor)


# ---- one cell: its own database, built through the services ---------------------------------

# Who looks: A's capturista, B's capturista and supervisora, C's capturista.
QUIEN = {"a": "capturista_a", "b": "capturista_b", "sup_b": "supervisora_b", "c": "capturista_c"}


@dataclass
class Escenario:
    celda: Celda
    caso_id: uuid.UUID
    canalizacion_id: uuid.UUID
    aplicacion: object
    cuentas: dict
    documentos: dict = field(default_factory=dict)  # who attached what -> the file's id
    _clientes: dict = field(default_factory=dict)

    def cliente(self, clave: str):
        """Logged in on first use and kept for the cell's other pages (a login is most of a
        page's cost, and not every cell needs every account)."""
        if clave not in self._clientes:
            cliente = self.aplicacion.test_client()
            respuesta = entrar(cliente, self.cuentas[QUIEN[clave]])
            assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[:500]
            self._clientes[clave] = cliente
        return self._clientes[clave]


def _aprobar_envio(canalizacion, cuentas):
    """A's supervisora approves the sending, as the approval inbox does."""
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora_a"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))


def _respuesta(evento, quien, **extra):
    def paso(canalizacion, cuentas):
        canalizaciones.responder(canalizacion, evento, cuentas[quien], version_vista=canalizacion.version,
                                 **extra)
    return paso


_ACEPTAR = _respuesta("aceptar", "capturista_b")
_CONTRARREFERIR = _respuesta("contrarreferir", "capturista_b", servicios_prestados=["juridica"],
                             nota="Contrarreferencia sintetica de la receptora")
# Each state reached by the real moves, in order, by the side that makes each one.
PASOS = {
    "por_aprobar": (),
    "enviada": (_aprobar_envio,),
    "aceptada": (_aprobar_envio, _ACEPTAR),
    "rechazada": (_aprobar_envio, _respuesta("rechazar", "capturista_b",
                                             motivo="Sin cupo en la receptora (sintetico)")),
    "atendida": (_aprobar_envio, _ACEPTAR, _CONTRARREFERIR),
    "concluida": (_aprobar_envio, _ACEPTAR, _CONTRARREFERIR, _respuesta("concluir", "capturista_a")),
    "cancelada": (_aprobar_envio, _respuesta("cancelar", "capturista_a", motivo=MOTIVO_CANCELACION)),
}


def _cambiar_consentimiento(caso: Caso, celda: Celda) -> None:
    """After the referral reached its state: what the woman decided later."""
    consentimiento = caso.consentimiento
    if celda.consentimiento == "revocado":
        expedientes.revocar_consentimiento(caso, None, revocada_el=hoy_en_mexico(),
                                           informada_por="ella_persona", motivo="Revocación sintética")
    elif celda.consentimiento == "vencido":
        consentimiento.vigente_hasta = hoy_en_mexico() - timedelta(days=1)
    elif celda.consentimiento in ("ampliado", "reducido"):
        consentimiento.datos_compartibles = sorted(celda.actuales(), key=CATEGORIAS.index)
    db.session.commit()


def _construir(aplicacion, celda: Celda) -> Escenario:
    a = crear_institucion("INSTA", "fiscalia")
    b = crear_institucion("INSTB", "cjm")
    c = crear_institucion("INSTC", "salud")
    cuentas = {"capturista_a": crear_usuaria("capturista", a), "supervisora_a": crear_usuaria("supervisora", a),
               "capturista_b": crear_usuaria("capturista", b), "supervisora_b": crear_usuaria("supervisora", b),
               "capturista_c": crear_usuaria("capturista", c)}
    caso = expedientes.registrar_caso(cuentas["capturista_a"], datos_de_caso(
        tipos_institucion=["cjm"], datos_compartibles=list(celda.compartidas)))
    db.session.commit()
    # Raised above the computed level, so the assessment carries a reason: a riesgo canary.
    respuestas = {i.clave: "no" for i in instrumento().indicadores}
    expedientes.registrar_valoracion(caso, cuentas["capturista_a"], respuestas, NIVEL, MOTIVO_VALORACION)
    db.session.commit()
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista_a"], destino=b, servicios=["juridica"],
                                            motivo=MOTIVO_ENVIO, hoy=hoy_en_mexico())
    db.session.commit()
    # A's files: one of each category on the case, and an "otro" that goes with the referral.
    documentos = {f"a:{categoria}": adjuntos.adjuntar(caso, cuentas["capturista_a"], datos=PDF, nombre="d.pdf",
                                                      categoria=categoria).id
                  for categoria in CATEGORIAS_ADJUNTO}
    documentos["a:otro_en_canalizacion"] = adjuntos.adjuntar(
        caso, cuentas["capturista_a"], datos=PDF, nombre="o.pdf", categoria="otro", canalizacion=canalizacion).id
    db.session.commit()
    for paso in PASOS[celda.estado]:
        paso(canalizacion, cuentas)
        db.session.commit()
    assert canalizacion.estado == celda.estado, f"{celda.nombre}: la canalización quedó en {canalizacion.estado}"
    assert caso.nivel_riesgo == NIVEL
    if celda.estado in OTORGAN_CASO:  # B attaches its own report while the referral is live
        documentos["b:propio"] = adjuntos.adjuntar(caso, cuentas["capturista_b"], datos=PDF, nombre="b.pdf",
                                                   categoria="otro", canalizacion=canalizacion).id
        db.session.commit()
    _cambiar_consentimiento(caso, celda)
    escenario = Escenario(celda, caso.id, canalizacion.id, aplicacion, cuentas, documentos)
    db.session.rollback()
    return escenario


class _PlantillasCompiladas(jinja2.BytecodeCache):
    """Every cell has an app of its own, and compiling the templates again for each was a
    fifth of a cell's cost: the apps share the compiled code (Jinja checks it against the
    source, so a changed template is compiled again)."""

    def __init__(self):
        self.codigo: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.codigo:
            bucket.bytecode_from_string(self.codigo[bucket.key])

    def dump_bytecode(self, bucket):
        self.codigo[bucket.key] = bucket.bytecode_to_string()


_PLANTILLAS = _PlantillasCompiladas()


@pytest.fixture(scope="module")
def escenario(request, base_de_pruebas, tmp_path_factory):
    """A cell's app on a database of its own (a copy of the migrated one on SQLite; the
    test schema, emptied afterwards, on PostgreSQL), alive while the cell's pages are read."""
    celda: Celda = request.param
    carpeta = tmp_path_factory.mktemp("consentimiento")
    configuracion = _configuracion(base_de_pruebas.url_para(f"consentimiento_{uuid.uuid4().hex[:10]}"),
                                   carpeta / "claves.json")
    aplicacion = create_app(configuracion)
    aplicacion.test_client_class = ClienteDePruebas
    aplicacion.jinja_env.bytecode_cache = _PLANTILLAS
    contexto = aplicacion.app_context()
    contexto.push()
    try:
        # Built at the suite's pinned instant, as every test's own data is.
        with time_machine.travel(request.config.getoption("--fecha"), tick=True):
            construido = _construir(aplicacion, celda)
        yield construido
    finally:
        db.session.remove()
        db.engine.dispose()
        contexto.pop()
        base_de_pruebas.limpiar()
        url = configuracion["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite:///"):
            archivo = Path(url.removeprefix("sqlite:///"))
            for sobrante in archivo.parent.glob(archivo.name + "*"):
                sobrante.unlink(missing_ok=True)
        shutil.rmtree(carpeta, ignore_errors=True)


# ---- reading pages ---------------------------------------------------------------------------

_CAMPO_DE_BUSQUEDA = re.compile(r'<input[^>]*name="texto"[^>]*>')
_RESULTADOS = re.compile(r"<h2>(\d+) resultados?</h2>")


def _fugas(html: str, permitidas: frozenset[str]) -> list[tuple[str, str]]:
    """(category, canary) of every canary on the page that B may not see."""
    fugas = []
    for categoria in CANARIOS:
        if categoria in permitidas:
            continue
        for canario in CANARIOS[categoria] + OTRAS_FORMAS.get(categoria, ()):
            if canario in html:
                fugas.append((categoria, canario))
    if "motivo" not in permitidas:
        fugas += [("motivo", m) for m in MOTIVOS if m in html]
    return fugas


def _fugas_en_texto(html: str, permitidas: frozenset[str]) -> list[str]:
    return [f"muestra «{canario}» ({categoria})" for categoria, canario in _fugas(html, permitidas)]


def _buscar(cliente, texto: str):
    """The search as the list page's form sends it; the typed term, echoed back in the
    field, is taken out so that only results count."""
    respuesta = enviar(cliente, "/casos/buscar", {"texto": texto}, pagina="/casos/")
    html = _CAMPO_DE_BUSQUEDA.sub("", respuesta.get_data(as_text=True))
    return respuesta, html


# ---- B: what the receiving institution sees ------------------------------------------------

PAGINAS_B = ("canalizacion", "caso", "lista", "busqueda_nombre", "busqueda_curp", "pendientes",
             "bandeja", "aprobaciones", "valoracion")
# The pages that only point at the referral follow the referral page's states.
ALCANCE = {"canalizacion": OTORGAN_CANALIZACION, "pendientes": OTORGAN_CANALIZACION,
           "bandeja": OTORGAN_CANALIZACION, "aprobaciones": OTORGAN_CANALIZACION,
           "caso": OTORGAN_CASO, "lista": OTORGAN_CASO, "busqueda_nombre": OTORGAN_CASO,
           "busqueda_curp": OTORGAN_CASO, "valoracion": frozenset()}


def _leer(escenario: Escenario, pagina: str):
    """Open one of B's pages as B does: (response, html to search for canaries)."""
    cliente = escenario.cliente("sup_b" if pagina == "aprobaciones" else "b")
    if pagina in ("busqueda_nombre", "busqueda_curp"):
        return _buscar(cliente, NOMBRE if pagina == "busqueda_nombre" else CURP)
    ruta = {"canalizacion": f"/canalizaciones/{escenario.canalizacion_id}",
            "caso": f"/casos/{escenario.caso_id}", "lista": "/casos/",
            "valoracion": f"/casos/{escenario.caso_id}/valoracion", "pendientes": "/pendientes",
            "bandeja": "/canalizaciones/", "aprobaciones": "/aprobaciones/"}[pagina]
    respuesta = cliente.get(ruta)
    return respuesta, respuesta.get_data(as_text=True)


def _problemas(escenario: Escenario, pagina: str, respuesta, html: str,
               permitidas: frozenset[str]) -> list[str]:
    """Everything wrong with one page: its answer, what it hides that it must not, and what
    it shows that it must not (every leaked canary, not just the first)."""
    celda, caso_id, codigo = escenario.celda, str(escenario.caso_id), respuesta.status_code
    problemas = []
    if pagina == "canalizacion":
        if celda.estado == "por_aprobar":  # not sent yet: it does not exist for B
            if codigo != 404:
                problemas.append(f"respondió {codigo}, no 404 (aún no se envía)")
        elif codigo != 200:  # sent once: B keeps the record, with or without data
            problemas.append(f"respondió {codigo}, no 200 (B conserva el registro)")
        elif (estado := FLUJOS["canalizacion"].estados[celda.estado]) not in html:
            problemas.append(f"no dice el estado «{estado}»")
    elif pagina == "caso":
        categorias = permitidas - {"motivo"}
        if not permitidas and codigo != 404:
            problemas.append(f"respondió {codigo}, no 404")
        elif permitidas and not categorias and codigo not in (200, 404):
            problemas.append(f"respondió {codigo}")  # granted, no category left: either will do
        elif categorias:
            if codigo != 200:
                problemas.append(f"respondió {codigo}, no 200")
            faltan = [PRINCIPAL[c] for c in sorted(categorias) if PRINCIPAL[c] not in html]
            if faltan:
                problemas.append(f"no muestra lo que sí se compartió: {faltan}")
    elif pagina in ("busqueda_nombre", "busqueda_curp"):
        resultados = _RESULTADOS.search(html)
        if codigo != 200 or not resultados:
            problemas.append(f"la búsqueda no se hizo (respondió {codigo})")
        elif "identidad" not in permitidas and (caso_id in html or resultados.group(1) != "0"):
            problemas.append(f"la búsqueda devuelve el caso ({resultados.group(1)} resultados)")
    elif pagina == "valoracion":
        if codigo not in (403, 404):
            problemas.append(f"B abre el formulario de valoración: respondió {codigo}, no 403/404")
    else:
        if codigo != 200:
            problemas.append(f"respondió {codigo}")
        if pagina == "lista" and not permitidas and caso_id in html:
            problemas.append("la lista enlaza el caso")
    return problemas + _fugas_en_texto(html, permitidas)


@pytest.mark.parametrize("pagina", PAGINAS_B)
@pytest.mark.parametrize("escenario", CELDAS, ids=_id, indirect=True)
def test_la_receptora_solo_ve_lo_consentido(escenario: Escenario, pagina: str):
    permitidas = escenario.celda.permitidas(ALCANCE[pagina])
    respuesta, html = _leer(escenario, pagina)
    problemas = _problemas(escenario, pagina, respuesta, html, permitidas)
    assert not problemas, escenario.celda.describir(pagina, permitidas) + " " + "; ".join(problemas)


# ---- the case's files: B opens those her shared data cover, while the referral shares them ---

_ENLACE_A_ARCHIVO = re.compile(r'href="/adjuntos/([0-9a-f-]{36})"')


def _abre_b(celda: Celda, documento: str) -> bool:
    """The rule, from the issue: B opens A's file when what its category needs was shared and
    still is (never "otro"), and its own files, while the referral shares her data."""
    permitidas = celda.permitidas(OTORGAN_CANALIZACION)
    if not permitidas:
        return False
    if documento == "b:propio":
        return True
    requeridas = CONSENTIMIENTO_DE_ADJUNTO[documento.split(":")[1].removesuffix("_en_canalizacion")]
    return requeridas is not None and requeridas <= permitidas


@pytest.mark.parametrize("escenario", CELDAS, ids=_id, indirect=True)
def test_la_receptora_abre_solo_los_documentos_consentidos(escenario: Escenario):
    celda, problemas = escenario.celda, []
    esperados = {str(i) for d, i in escenario.documentos.items() if _abre_b(celda, d)}
    for documento, ident in escenario.documentos.items():
        b, c = escenario.cliente("b").get(f"/adjuntos/{ident}"), escenario.cliente("c").get(f"/adjuntos/{ident}")
        esperado = 200 if str(ident) in esperados else 404
        if b.status_code != esperado:
            problemas.append(f"B abre {documento}: {b.status_code}, no {esperado}")
        if esperado == 200 and b.data != PDF:
            problemas.append(f"B descarga {documento} distinto del original")
        if c.status_code != 404:
            problemas.append(f"C abre {documento}: {c.status_code}")
        if escenario.cliente("a").get(f"/adjuntos/{ident}").status_code != 200:
            problemas.append(f"A no abre {documento}")
    # Where B sees them: its referral page lists exactly those, and its case page while it opens.
    paginas = [f"/canalizaciones/{escenario.canalizacion_id}"]
    if celda.permitidas(OTORGAN_CASO) - {"motivo"}:
        paginas.append(f"/casos/{escenario.caso_id}")
    for pagina in paginas:
        respuesta = escenario.cliente("b").get(pagina)
        if respuesta.status_code == 200:
            enlazados = set(_ENLACE_A_ARCHIVO.findall(respuesta.get_data(as_text=True)))
            if enlazados != esperados:
                problemas.append(f"{pagina} enlaza {len(enlazados)} documentos, no los {len(esperados)} que abre")
    assert not problemas, celda.describir("documentos", celda.permitidas(OTORGAN_CANALIZACION)) + " " + "; ".join(problemas)


# ---- A: the owner sees everything, whatever happened to the referral ------------------------

@pytest.mark.parametrize("escenario", CELDAS, ids=_id, indirect=True)
def test_la_duena_lo_ve_todo(escenario: Escenario):
    """The checks above prove an absence; this proves the canaries are there to be found."""
    celda, cliente = escenario.celda, escenario.cliente("a")
    respuesta = cliente.get(f"/casos/{escenario.caso_id}")
    html = respuesta.get_data(as_text=True)
    assert respuesta.status_code == 200, f"[{celda.nombre}] A no abre su caso: {respuesta.status_code}"
    faltan = [(c, canario) for c in CANARIOS for canario in CANARIOS[c] if canario not in html]
    assert not faltan, f"[{celda.nombre}] la página del caso de A no muestra: {faltan}"
    respuesta = cliente.get(f"/canalizaciones/{escenario.canalizacion_id}")
    assert respuesta.status_code == 200 and MOTIVO_ENVIO in respuesta.get_data(as_text=True), (
        f"[{celda.nombre}] A no ve el motivo de su canalización")
    for texto in (NOMBRE, CURP):  # the search terms B tries do find her, for her owner
        respuesta, html = _buscar(cliente, texto)
        assert str(escenario.caso_id) in html, f"[{celda.nombre}] A no encuentra su caso buscando «{texto}»"


# ---- C: an institution with no referral ------------------------------------------------------

@pytest.mark.parametrize("pagina", ("caso", "valoracion", "canalizacion"))
@pytest.mark.parametrize("escenario", CELDAS_TODAS, ids=_id, indirect=True)
def test_otra_institucion_no_sabe_que_existe(escenario: Escenario, pagina: str):
    ruta = {"caso": f"/casos/{escenario.caso_id}", "valoracion": f"/casos/{escenario.caso_id}/valoracion",
            "canalizacion": f"/canalizaciones/{escenario.canalizacion_id}"}[pagina]
    respuesta = escenario.cliente("c").get(ruta)
    problemas = [] if respuesta.status_code == 404 else [f"respondió {respuesta.status_code}, no 404"]
    problemas += _fugas_en_texto(respuesta.get_data(as_text=True), frozenset())
    assert not problemas, f"[{escenario.celda.nombre}] la institución C en {ruta}: " + "; ".join(problemas)


# ---- B posts a risk assessment: the only test that writes, so the last of each cell ----------

@pytest.mark.parametrize("escenario", CELDAS, ids=_id, indirect=True)
def test_la_receptora_no_valora_el_riesgo(escenario: Escenario):
    celda = escenario.celda
    contexto = celda.describir("valoracion POST", frozenset())
    # Answers that would make the level "extremo" if the form were taken.
    datos = {f"r_{i.clave}": "si" for i in instrumento().indicadores}
    respuesta = enviar(escenario.cliente("b"), f"/casos/{escenario.caso_id}/valoracion", datos,
                       pagina="/casos/")
    problemas = [] if respuesta.status_code in (403, 404) else [
        f"respondió {respuesta.status_code}, no 403/404"]
    problemas += _fugas_en_texto(respuesta.get_data(as_text=True), frozenset())
    db.session.rollback()
    caso = db.session.get(Caso, escenario.caso_id)
    valoraciones = db.session.scalar(select(func.count()).select_from(ValoracionRiesgo)
                                     .where(ValoracionRiesgo.caso_id == escenario.caso_id))
    if (caso.nivel_riesgo, valoraciones) != (NIVEL, 1):
        problemas.append(f"la valoración de B cambió el caso: nivel {caso.nivel_riesgo} "
                         f"(era {NIVEL}), {valoraciones} valoraciones (era 1)")
    db.session.rollback()
    assert not problemas, f"{contexto} " + "; ".join(problemas)
