"""Risk assessment: the instrument is data (weights, thresholds and critical combinations in a
JSON file that keeps every version), the levels follow the thresholds raised to the minimum of
any critical combination, and the page lets a professional raise the computed level with a
reason but never lower it. Every way of lowering a case's level (a level chosen below the computed
one, or a re-assessment below the case's current level) is a proposal until a supervisora who
is not its author approves it. Answers are stored encrypted; only the owning institution's case
roles may assess.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import uuid
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa

import casos
from casos.expedientes import riesgo
from casos.expedientes.modelos import Caso, ValoracionRiesgo
from casos.expedientes.servicios import registrar_caso, registrar_valoracion
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar, errores_del_campo

pytestmark = pytest.mark.reloj  # next re-assessment dates counted from now

ARCHIVO = Path(casos.__file__).resolve().parent / "datos" / "valoracion_riesgo.json"
JSON = json.loads(ARCHIVO.read_text(encoding="utf-8"))
PESOS = {i["clave"]: i["peso"] for i in JSON["indicadores"]}
UMBRALES = JSON["umbrales"]
COMBINACIONES = JSON["combinaciones_criticas"]
NIVELES = ("bajo", "medio", "alto", "extremo")
ETIQUETAS = {"bajo": "Bajo", "medio": "Medio", "alto": "Alto", "extremo": "Extremo"}
MEXICO = timezone(timedelta(hours=-6))  # America/Mexico_City, no DST since 2022


def esperado(puntaje: int) -> str:
    """The level the thresholds in the file give, computed here without the app's code."""
    nivel = "bajo"
    for candidato in NIVELES[1:]:
        if puntaje >= UMBRALES[candidato]:
            nivel = candidato
    return nivel


def criticas_de(si) -> list[dict]:
    """The file's critical combinations these "si" answers meet (every group has one of them)."""
    return [c for c in COMBINACIONES if all(set(grupo) & set(si) for grupo in c["condiciones"])]


def esperado_de(si) -> str:
    """The computed level by the file: the score's, raised to the highest critical minimum."""
    niveles = [esperado(sum(PESOS[c] for c in si)), *(c["nivel_minimo"] for c in criticas_de(si))]
    return max(niveles, key=NIVELES.index)


def claves_para(nivel: str) -> tuple[str, ...]:
    """Indicators whose weights alone, answered "si", give exactly this level according to the
    file (no critical combination among them)."""
    for n in range(len(PESOS) + 1):
        for claves in itertools.combinations(sorted(PESOS), n):
            if esperado(sum(PESOS[c] for c in claves)) == nivel and not criticas_de(claves):
                return claves
    raise AssertionError(f"ninguna combinación de respuestas da el nivel {nivel}")


# ---- the instrument, as pure code -----------------------------------------------------------

def test_el_instrumento_es_el_del_archivo():
    instrumento = riesgo.instrumento()
    assert instrumento.version == JSON["version"]
    assert {i.clave: i.peso for i in instrumento.indicadores} == PESOS
    assert [i.clave for i in instrumento.indicadores] == [i["clave"] for i in JSON["indicadores"]]
    assert instrumento.umbrales == UMBRALES
    assert len(PESOS) == len(JSON["indicadores"]) == 20  # the 20 indicators of DOMAIN.md
    assert all(peso > 0 for peso in PESOS.values())


def test_el_puntaje_suma_los_pesos_de_las_respuestas_si():
    instrumento = riesgo.instrumento()
    azar = random.Random(20260310)
    casos_de_prueba = [{c: "si" for c in PESOS}, {c: "no" for c in PESOS},
                       {c: "no_sabe" for c in PESOS}, {}]
    casos_de_prueba += [{c: azar.choice(list(riesgo.RESPUESTAS)) for c in PESOS} for _ in range(50)]
    for respuestas in casos_de_prueba:
        suma = sum(PESOS[c] for c, r in respuestas.items() if r == "si")
        assert instrumento.puntaje(respuestas) == suma
    assert instrumento.puntaje({c: "si" for c in PESOS}) == sum(PESOS.values())
    assert instrumento.puntaje({c: "no_sabe" for c in PESOS}) == 0
    assert instrumento.puntaje({"no_existe": "si"}) == 0


def test_el_nivel_sigue_los_umbrales_del_archivo():
    instrumento = riesgo.instrumento()
    for puntaje in range(sum(PESOS.values()) + 2):
        assert instrumento.nivel(puntaje) == esperado(puntaje), puntaje
    for anterior, nivel in zip(NIVELES, NIVELES[1:]):
        assert instrumento.nivel(UMBRALES[nivel]) == nivel
        assert instrumento.nivel(UMBRALES[nivel] - 1) in NIVELES[:NIVELES.index(nivel)]
    assert instrumento.nivel(0) == "bajo"
    assert instrumento.nivel(sum(PESOS.values())) == "extremo"  # extremo can be reached


@pytest.mark.parametrize("nivel, plazo", [
    ("extremo", timedelta(hours=72)), ("alto", timedelta(days=7)),
    ("medio", timedelta(days=30)), ("bajo", timedelta(days=60)),
])
def test_la_proxima_valoracion_depende_del_nivel(nivel, plazo):
    desde = datetime(2026, 3, 10, 18, 30, tzinfo=timezone.utc)
    assert riesgo.proxima_valoracion(nivel, desde) == desde + plazo


def test_es_menor_ordena_los_niveles():
    for i, j in itertools.product(range(4), repeat=2):
        assert riesgo.es_menor(NIVELES[i], NIVELES[j]) == (i < j)


# ---- through the page -----------------------------------------------------------------------

@pytest.fixture
def caso(cuentas) -> Caso:
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(nombre="Mujer Valorada Sintetica"))
    db.session.commit()
    return caso


def respuestas_de(si=()) -> dict:
    return {f"r_{clave}": ("si" if clave in si else "no") for clave in PESOS}


def valorar(cliente, caso, si=(), **extra):
    return enviar(cliente, f"/casos/{caso.id}/valoracion", {**respuestas_de(si), **extra})


def valoraciones(caso) -> list[ValoracionRiesgo]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(ValoracionRiesgo)
                                   .where(ValoracionRiesgo.caso_id == caso.id)))


def recargar(caso) -> Caso:
    db.session.rollback()
    return db.session.get(Caso, caso.id)


def error_de(html: str, campo: str) -> str:
    return " ".join(errores_del_campo(html, campo))


def filas_del_historial(html: str) -> list[list[str]]:
    tabla = html.split("<h2>Valoración de riesgo</h2>", 1)[1].split("</table>", 1)[0]
    cuerpo = tabla.split("<tbody>", 1)[1]
    return [[unescape(re.sub(r"<[^>]+>", "", celda)).strip()
             for celda in re.findall(r"<td[^>]*>(.*?)</td>", fila, re.S)]
            for fila in re.findall(r"<tr>(.*?)</tr>", cuerpo, re.S)]


def test_todo_no_da_riesgo_bajo_y_el_caso_no_es_urgente(como, caso):
    c = como("capturista")
    antes = datetime.now(timezone.utc)
    respuesta = valorar(c, caso)
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{caso.id}"

    pagina = c.get(respuesta.location).get_data(as_text=True)
    assert "Valoración registrada: riesgo bajo." in pagina
    assert "URGENTE" not in pagina and "valore solicitar una orden de protección" not in pagina
    registrado = recargar(caso)
    assert registrado.nivel_riesgo == "bajo" and registrado.urgente is False
    assert antes + timedelta(days=60) <= registrado.proxima_valoracion <= \
        datetime.now(timezone.utc) + timedelta(days=60)
    assert "URGENTE" not in c.get("/casos/").get_data(as_text=True)


@pytest.mark.parametrize("nivel, plazo", [("alto", timedelta(days=7)), ("extremo", timedelta(hours=72))])
def test_respuestas_graves_dan_alto_o_extremo_y_el_caso_es_urgente(como, caso, nivel, plazo):
    si = claves_para(nivel)
    c = como("capturista")
    antes = datetime.now(timezone.utc)
    respuesta = valorar(c, caso, si=si)
    assert respuesta.status_code == 302

    pagina = unescape(c.get(respuesta.location).get_data(as_text=True))
    assert f"Valoración registrada: riesgo {nivel}." in pagina
    assert "URGENTE" in pagina
    assert f"Riesgo {nivel}: valore solicitar una orden de protección." in pagina
    [valoracion] = valoraciones(caso)
    assert valoracion.puntaje == sum(PESOS[c] for c in si)
    assert valoracion.nivel == valoracion.nivel_calculado == nivel
    assert antes + plazo <= valoracion.proxima_valoracion <= datetime.now(timezone.utc) + plazo
    registrado = recargar(caso)
    assert registrado.urgente is True and registrado.nivel_riesgo == nivel

    lista = c.get("/casos/").get_data(as_text=True)
    [fila] = re.findall(r'<tr class="fila-urgente">(.*?)</tr>', lista, re.S)
    assert "Mujer Valorada Sintetica" in fila and "URGENTE" in fila and ETIQUETAS[nivel] in fila


def test_elevar_el_nivel_con_motivo_queda_en_el_historial(como, caso):
    c = como("capturista")
    motivo = "Refiere amenazas recientes por mensajes; motivo sintetico 4417."
    respuesta = valorar(c, caso, nivel="alto", motivo=motivo)
    assert respuesta.status_code == 302

    pagina = c.get(respuesta.location).get_data(as_text=True)
    [fila] = filas_del_historial(pagina)
    assert fila[1:4] == ["Alto", "Bajo", "0"]
    assert fila[6] == motivo
    assert "URGENTE" in pagina
    [valoracion] = valoraciones(caso)
    assert (valoracion.nivel, valoracion.nivel_calculado, valoracion.motivo) == ("alto", "bajo", motivo)


def test_elevar_sin_motivo_se_rechaza_y_no_se_guarda(como, caso):
    c = como("capturista")
    for motivo in ("", "   "):
        respuesta = valorar(c, caso, nivel="extremo", motivo=motivo)
        html = respuesta.get_data(as_text=True)
        assert respuesta.status_code == 200
        assert "Escriba el motivo para elevar el nivel calculado." in error_de(html, "motivo")
    assert valoraciones(caso) == []
    assert recargar(caso).nivel_riesgo is None


def test_bajar_del_nivel_calculado_espera_a_otra_supervisora(como, caso, cuentas):
    """Four eyes: the lower level is only a proposal; the case keeps the computed one until
    a supervisora who did not propose it approves."""
    from casos.transiciones.modelos import SolicitudAprobacion

    supervisora = como("supervisora")
    respuesta = valorar(supervisora, caso, si=claves_para("extremo"), nivel="medio",
                        motivo="Ella dice que ya está tranquila")
    assert respuesta.status_code == 302
    aviso = supervisora.get(respuesta.location).get_data(as_text=True)
    assert "espera la aprobación de una supervisora" in aviso
    registrado = recargar(caso)
    assert registrado.nivel_riesgo == "extremo" and registrado.urgente is True
    solicitud = db.session.query(SolicitudAprobacion).one()
    # She cannot approve her own proposal…
    propia = enviar(supervisora, f"/aprobaciones/{solicitud.id}",
                    {"decision": "aprobar", "version": str(solicitud.version)}, pagina="/aprobaciones/")
    assert "usted misma" in supervisora.get(propia.location).get_data(as_text=True)
    assert recargar(caso).nivel_riesgo == "extremo"
    # …another supervisora of the institution can.
    from tests.conftest import CONTRASENA, crear_usuaria, entrar

    colega = crear_usuaria("supervisora", cuentas.institucion_a)
    otra = supervisora.application.test_client()
    entrar(otra, colega, CONTRASENA)
    enviar(otra, f"/aprobaciones/{solicitud.id}", {"decision": "aprobar", "version": str(solicitud.version)},
           pagina="/aprobaciones/")
    registrado = recargar(caso)
    assert registrado.nivel_riesgo == "medio" and registrado.urgente is False


def test_bajar_sin_motivo_se_rechaza_y_no_se_guarda(como, caso):
    respuesta = valorar(como("capturista"), caso, si=claves_para("extremo"), nivel="medio")
    assert respuesta.status_code == 200
    assert "Escriba el motivo para bajar el nivel calculado." in error_de(
        respuesta.get_data(as_text=True), "motivo")
    assert valoraciones(caso) == []


def test_una_pregunta_sin_respuesta_se_pide_en_espanol(como, caso):
    c = como("capturista")
    datos = respuestas_de()
    del datos["r_estrangulamiento"]
    respuesta = enviar(c, f"/casos/{caso.id}/valoracion", datos)
    assert respuesta.status_code == 200
    assert "Elija una respuesta." in error_de(respuesta.get_data(as_text=True), "r_estrangulamiento")
    assert valoraciones(caso) == []


def test_las_respuestas_y_el_motivo_se_guardan_cifrados(como, caso):
    c = como("capturista")
    si = claves_para("alto")
    motivo = "Motivo canario Obsidiana-2291"
    assert valorar(c, caso, si=si, nivel="extremo", motivo=motivo).status_code == 302

    db.session.rollback()
    crudo_respuestas, crudo_motivo = db.session.execute(sa.text(
        "SELECT respuestas_cifrado, motivo_cifrado FROM valoracion_riesgo")).one()
    crudo_respuestas, crudo_motivo = bytes(crudo_respuestas), bytes(crudo_motivo)
    for clave in PESOS:
        assert clave.encode() not in crudo_respuestas, clave
    for en_claro in (b'"si"', b'"no"', b'"no_sabe"', b"estrangul"):
        assert en_claro not in crudo_respuestas
    assert motivo.encode() not in crudo_motivo and b"Obsidiana" not in crudo_motivo
    # …and they are there, for whoever may read the case.
    [valoracion] = valoraciones(caso)
    assert valoracion.respuestas == {clave: ("si" if clave in si else "no") for clave in PESOS}
    assert valoracion.motivo == motivo


def test_el_historial_va_de_la_mas_reciente_a_la_mas_antigua_con_autora_y_fecha(como, caso):
    dias = {datetime.now(MEXICO).strftime("%d/%m/%Y")}
    assert valorar(como("capturista"), caso).status_code == 302
    supervisora = como("supervisora")
    assert valorar(supervisora, caso, si=claves_para("extremo")).status_code == 302

    pagina = supervisora.get(f"/casos/{caso.id}").get_data(as_text=True)
    filas = filas_del_historial(pagina)
    dias.add(datetime.now(MEXICO).strftime("%d/%m/%Y"))
    assert [(f[1], f[4]) for f in filas] == [("Extremo", "Persona supervisora"),
                                            ("Bajo", "Persona capturista")]
    for fila in filas:
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", fila[0]) and fila[0][:10] in dias, fila[0]
    assert "URGENTE" in pagina and "Revalorar" in pagina

    # A later assessment with a lower computed level is lowering: a proposal, the case stays urgent.
    assert valorar(supervisora, caso).status_code == 302
    pagina = supervisora.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert [f[1] for f in filas_del_historial(pagina)] == ["Bajo (propuesto, por aprobar)", "Extremo", "Bajo"]
    assert "URGENTE" in pagina and recargar(caso).urgente is True


@pytest.mark.parametrize("quien, codigo", [("gestora", 403), ("admin", 403),
                                           ("capturista_b", 404), ("supervisora_b", 404)])
def test_solo_la_institucion_duena_valora(como, caso, quien, codigo):
    c = como(quien)
    assert c.get(f"/casos/{caso.id}/valoracion").status_code == codigo
    # A valid CSRF token (from her home page), so only the authorization can stop the POST.
    respuesta = enviar(c, f"/casos/{caso.id}/valoracion", respuestas_de(claves_para("extremo")),
                       pagina="/")
    assert respuesta.status_code == codigo
    assert "Mujer Valorada" not in respuesta.get_data(as_text=True)
    assert valoraciones(caso) == []


def test_un_caso_inexistente_no_se_puede_valorar(como, cuentas):
    assert como("capturista").get(f"/casos/{uuid.uuid4()}/valoracion").status_code == 404


# ---- every way of lowering needs a supervisora ------------------------------------------------

def test_la_regla_de_aprobacion_es_la_de_bajar_por_cualquier_camino():
    """Needs approval exactly when the resulting level is below the computed one or below the
    case's current level; meanwhile the case carries the higher of current and computed."""
    for nivel, calculado, actual in itertools.product(NIVELES, NIVELES, (None, *NIVELES)):
        baja = NIVELES.index(nivel) < NIVELES.index(calculado) or (
            actual is not None and NIVELES.index(nivel) < NIVELES.index(actual))
        assert riesgo.requiere_aprobacion(nivel, calculado, actual) == baja, (nivel, calculado, actual)
        mayor = calculado if actual is None else NIVELES[max(NIVELES.index(calculado), NIVELES.index(actual))]
        assert riesgo.nivel_en_espera(calculado, actual) == mayor
    assert riesgo.motivo_de_la_propuesta("bajo", "bajo", "alto", None) == (
        "Nivel propuesto: Bajo (calculado: Bajo; el caso estaba en Alto).")
    assert riesgo.motivo_de_la_propuesta("medio", "extremo", None, "Texto") == (
        "Nivel propuesto: Medio (calculado: Extremo; primera valoración del caso). Motivo: Texto")


def solicitudes():
    from casos.transiciones.modelos import SolicitudAprobacion

    db.session.rollback()
    return list(db.session.scalars(sa.select(SolicitudAprobacion).order_by(SolicitudAprobacion.creada_en)))


def resolver(cliente, solicitud, decision, motivo=""):
    """Approve or reject from the supervisora's inbox; returns the page she lands on."""
    respuesta = enviar(cliente, f"/aprobaciones/{solicitud.id}",
                       {"decision": decision, "version": str(solicitud.version), "motivo": motivo},
                       pagina="/aprobaciones/")
    assert respuesta.status_code == 302, respuesta.status_code
    return unescape(cliente.get(respuesta.location).get_data(as_text=True))


@pytest.fixture
def colega(app, cuentas):
    """Another supervisora of institution A, logged in."""
    from tests.conftest import crear_usuaria, entrar

    cliente = app.test_client()
    assert entrar(cliente, crear_usuaria("supervisora", cuentas.institucion_a)).status_code == 302
    return cliente


@pytest.fixture
def alto(como, caso) -> Caso:
    """The case, assessed "alto" by the capturista."""
    assert valorar(como("capturista"), caso, si=claves_para("alto")).status_code == 302
    registrado = recargar(caso)
    assert (registrado.nivel_riesgo, registrado.urgente) == ("alto", True)
    return registrado


def test_revalorar_todo_no_un_caso_alto_no_lo_baja_sin_supervisora(como, alto):
    capturista = como("capturista")
    proxima_antes = alto.proxima_valoracion
    antes = datetime.now(timezone.utc)
    respuesta = valorar(capturista, alto)
    despues = datetime.now(timezone.utc)
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{alto.id}"

    pagina = unescape(capturista.get(respuesta.location).get_data(as_text=True))
    assert "El nivel propuesto (Bajo) espera la aprobación de una supervisora" in pagina
    assert "URGENTE" in pagina and "Riesgo alto: valore solicitar una orden de protección." in pagina
    assert "Pendiente de aprobación: Aplicar el nivel de riesgo Bajo propuesto (el caso está en Alto)." in pagina
    assert [f[1] for f in filas_del_historial(pagina)] == ["Bajo (propuesto, por aprobar)", "Alto"]
    # The case keeps its level, its urgency and the re-assessment period of its level.
    registrado = recargar(alto)
    assert (registrado.nivel_riesgo, registrado.urgente) == ("alto", True)
    assert antes + timedelta(days=7) <= registrado.proxima_valoracion <= despues + timedelta(days=7)
    assert registrado.proxima_valoracion >= proxima_antes
    assert "URGENTE" in capturista.get("/casos/").get_data(as_text=True)

    propuesta, anterior = sorted(valoraciones(alto), key=lambda v: v.creada_en, reverse=True)
    assert (propuesta.estado, propuesta.nivel, propuesta.nivel_calculado, propuesta.motivo) == (
        "por_aprobar", "bajo", "bajo", None)
    assert anterior.estado == "vigente"
    [solicitud] = solicitudes()
    assert (solicitud.entidad, solicitud.entidad_id, solicitud.evento, solicitud.estado) == (
        "valoracion_riesgo", propuesta.id, "aplicar", "pendiente")
    # No reason was typed; the request tells the supervisora what it is about.
    assert solicitud.motivo == "Nivel propuesto: Bajo (calculado: Bajo; el caso estaba en Alto)."
    bandeja = unescape(como("supervisora").get("/aprobaciones/").get_data(as_text=True))
    assert "Aplicar el nivel de riesgo Bajo propuesto (el caso está en Alto)." in bandeja
    assert "Nivel propuesto: Bajo (calculado: Bajo; el caso estaba en Alto)." in bandeja


def test_otra_supervisora_aprueba_y_el_caso_baja(como, alto, cuentas):
    from casos.transiciones.modelos import HistorialTransicion

    assert valorar(como("capturista"), alto).status_code == 302
    [solicitud] = solicitudes()
    # A capturista cannot resolve it.
    assert enviar(como("capturista"), f"/aprobaciones/{solicitud.id}",
                  {"decision": "aprobar", "version": str(solicitud.version)}, pagina="/").status_code == 403
    assert recargar(alto).nivel_riesgo == "alto"
    # Nor a supervisora of another institution (for her it does not exist).
    assert enviar(como("supervisora_b"), f"/aprobaciones/{solicitud.id}",
                  {"decision": "aprobar", "version": str(solicitud.version)}, pagina="/").status_code == 404
    assert recargar(alto).nivel_riesgo == "alto"

    pagina = resolver(como("supervisora"), solicitud, "aprobar")
    assert "Solicitud aprobada." in pagina
    registrado = recargar(alto)
    propuesta = next(v for v in valoraciones(alto) if v.nivel == "bajo")
    assert (registrado.nivel_riesgo, registrado.urgente) == ("bajo", False)
    assert registrado.proxima_valoracion == propuesta.creada_en + timedelta(days=60)
    assert propuesta.estado == "vigente"
    [solicitud] = solicitudes()
    assert (solicitud.estado, solicitud.resuelta_por_id) == ("aprobada", cuentas["supervisora"].id)
    aplicada = db.session.scalars(sa.select(HistorialTransicion).where(
        HistorialTransicion.entidad == "valoracion_riesgo")).one()
    assert (aplicada.evento, aplicada.origen, aplicada.destino) == ("aplicar", "por_aprobar", "vigente")
    assert aplicada.usuaria_id == cuentas["supervisora"].id

    caso = como("capturista").get(f"/casos/{alto.id}").get_data(as_text=True)
    assert "URGENTE" not in caso and "Pendiente de aprobación" not in caso
    assert [f[1] for f in filas_del_historial(caso)] == ["Bajo", "Alto"]


def test_rechazar_deja_el_caso_como_estaba(como, alto):
    assert valorar(como("capturista"), alto).status_code == 302
    mientras = recargar(alto)
    proxima = mientras.proxima_valoracion
    [solicitud] = solicitudes()
    supervisora = como("supervisora")
    # Rejecting needs her reason; without it nothing changes.
    assert "Escriba el motivo." in resolver(supervisora, solicitud, "rechazar")
    assert solicitudes()[0].estado == "pendiente"

    pagina = resolver(supervisora, solicitud, "rechazar", motivo="Sigue habiendo amenazas (sintético)")
    assert "Solicitud rechazada." in pagina
    registrado = recargar(alto)
    assert (registrado.nivel_riesgo, registrado.urgente, registrado.proxima_valoracion) == ("alto", True, proxima)
    assert [v.estado for v in sorted(valoraciones(alto), key=lambda v: v.creada_en)] == ["vigente", "rechazada"]
    assert solicitudes()[0].estado == "rechazada"
    caso = como("capturista").get(f"/casos/{alto.id}").get_data(as_text=True)
    assert [f[1] for f in filas_del_historial(caso)] == ["Bajo (propuesta rechazada)", "Alto"]
    assert "URGENTE" in caso and "Pendiente de aprobación" not in caso


def test_la_supervisora_que_revalora_no_aprueba_su_propia_baja(como, caso, colega):
    supervisora = como("supervisora")
    assert valorar(supervisora, caso, si=claves_para("alto")).status_code == 302
    assert valorar(supervisora, caso).status_code == 302
    [solicitud] = solicitudes()
    bandeja = supervisora.get("/aprobaciones/").get_data(as_text=True)
    assert "Usted hizo esta solicitud: otra supervisora debe resolverla" in bandeja

    assert "No puede aprobar ni rechazar una solicitud que usted misma hizo." in resolver(
        supervisora, solicitud, "aprobar")
    assert recargar(caso).nivel_riesgo == "alto" and solicitudes()[0].estado == "pendiente"
    assert "usted misma" in resolver(supervisora, solicitud, "rechazar", motivo="La retiro")
    assert solicitudes()[0].estado == "pendiente"

    assert "Solicitud aprobada." in resolver(colega, solicitud, "aprobar")
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("bajo", False)


@pytest.mark.parametrize("nuevo", ["alto", "extremo"])
def test_revalorar_al_mismo_nivel_o_mas_alto_se_aplica_en_el_acto(como, alto, nuevo):
    capturista = como("capturista")
    antes = datetime.now(timezone.utc)
    respuesta = valorar(capturista, alto, si=claves_para(nuevo))
    despues = datetime.now(timezone.utc)
    pagina = unescape(capturista.get(respuesta.location).get_data(as_text=True))
    assert f"Valoración registrada: riesgo {nuevo}." in pagina
    plazo = {"alto": timedelta(days=7), "extremo": timedelta(hours=72)}[nuevo]
    registrado = recargar(alto)
    assert (registrado.nivel_riesgo, registrado.urgente) == (nuevo, True)
    assert antes + plazo <= registrado.proxima_valoracion <= despues + plazo
    assert all(v.estado == "vigente" for v in valoraciones(alto))
    assert solicitudes() == []


def test_elevar_el_calculado_pero_quedar_bajo_el_actual_tambien_espera(como, caso, colega):
    """Chosen above the computed level, with her reason, but below the case's level: lowering."""
    capturista = como("capturista")
    assert valorar(capturista, caso, si=claves_para("extremo")).status_code == 302
    motivo = "Persisten amenazas por mensajes (sintético)"
    respuesta = valorar(capturista, caso, nivel="medio", motivo=motivo)
    assert "espera la aprobación de una supervisora" in capturista.get(respuesta.location).get_data(as_text=True)
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("extremo", True)
    [solicitud] = solicitudes()
    assert solicitud.motivo == ("Nivel propuesto: Medio (calculado: Bajo; el caso estaba en Extremo). "
                                f"Motivo: {motivo}")
    assert "Solicitud aprobada." in resolver(colega, solicitud, "aprobar")
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("medio", False)


def test_bajar_del_calculado_cuando_el_calculado_sube_el_caso_lo_eleva_mientras(como, caso, colega):
    """The computed level above the case's applies at once; the lower level chosen waits."""
    capturista = como("capturista")
    assert valorar(capturista, caso, si=claves_para("medio")).status_code == 302
    respuesta = valorar(capturista, caso, si=claves_para("extremo"), nivel="medio",
                        motivo="Ella lo matiza (sintético)")
    assert respuesta.status_code == 302
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("extremo", True)
    [solicitud] = solicitudes()
    assert solicitud.motivo.startswith("Nivel propuesto: Medio (calculado: Extremo; el caso estaba en Medio).")
    assert "Solicitud rechazada." in resolver(colega, solicitud, "rechazar", motivo="No (sintético)")
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("extremo", True)


def test_una_propuesta_superada_por_otra_valoracion_ya_no_se_aplica(como, alto, colega):
    capturista = como("capturista")
    assert valorar(capturista, alto).status_code == 302
    [vieja] = solicitudes()
    # A later assessment confirms "alto": the older proposal must not undo it.
    assert valorar(capturista, alto, si=claves_para("alto")).status_code == 302
    pagina = resolver(colega, vieja, "aprobar")
    assert "Después de esta propuesta se registró otra valoración de riesgo del caso" in pagina
    assert (recargar(alto).nivel_riesgo, recargar(alto).urgente) == ("alto", True)
    assert solicitudes()[0].estado == "pendiente"
    assert "Solicitud rechazada." in resolver(colega, vieja, "rechazar", motivo="Superada (sintético)")
    assert recargar(alto).nivel_riesgo == "alto"


# ---- explainable risk: versions, critical combinations, sources, prefill -----------------------

# Version 1 as it was used until critical combinations existed: a version that scored real
# assessments is never edited (they are explained with it), only superseded.
PESOS_V1 = {
    "aumento_violencia": 3, "amenazas_muerte": 5, "uso_arma": 5, "acceso_armas_fuego": 4,
    "estrangulamiento": 6, "actos_sexuales_forzados": 4, "violencia_embarazo": 3, "separacion": 3,
    "control": 2, "celos_violentos": 2, "acecho": 3, "violencia_hijos": 4, "incumplio_orden": 4,
    "abuso_sustancias": 2, "amenaza_suicidio": 3, "antecedentes_violencia": 2, "aislamiento": 2,
    "dependencia_economica": 2, "cree_que_la_matara": 5, "vulnerabilidad": 2,
}
TEXTOS = {i["clave"]: i["texto"] for i in JSON["indicadores"]}
AMENAZA_Y_ARMAS = ("amenazas_muerte", "acceso_armas_fuego")  # what the issue saw scored "medio"


def si_a(si) -> dict[str, str]:
    return {clave: ("si" if clave in si else "no") for clave in PESOS}


def texto_plano(html: str) -> str:
    """What she reads: inline tags vanish, block tags separate."""
    html = re.sub(r"</?(strong|span|em|a|code)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def explicaciones(html: str) -> list[str]:
    """Each assessment's explanation on the case page, newest first, as text."""
    return [texto_plano(b) for b in re.findall(
        r'<details class="valoracion-explicada"[^>]*>(.*?)</details>', html, re.S)]


def respuestas_que_suman(html: str) -> list[tuple[str, int]]:
    """The newest explanation's list of "si" answers, each with the weight shown beside it."""
    bloque = re.search(r'<ul class="respuestas-que-cuentan">(.*?)</ul>', html, re.S).group(1)
    return [(texto_plano(texto), int(peso)) for texto, peso in
            re.findall(r'<li>(.*?) <span class="peso">\+(\d+)</span></li>', bloque, re.S)]


def test_cada_version_usada_sigue_en_el_archivo_sin_cambios():
    anteriores = {v["version"]: v for v in JSON["versiones_anteriores"]}
    assert JSON["version"] == 2 and set(anteriores) == {1}
    assert {i["clave"]: i["peso"] for i in anteriores[1]["indicadores"]} == PESOS_V1
    assert anteriores[1]["umbrales"] == {"medio": 6, "alto": 14, "extremo": 24}
    assert "combinaciones_criticas" not in anteriores[1]
    assert set(riesgo.instrumentos()) == {1, 2}
    assert riesgo.instrumentos()[1].combinaciones == ()
    assert riesgo.instrumento() is riesgo.instrumentos()[2]


def test_las_fuentes_estan_citadas_y_el_archivo_es_coherente():
    fuentes = JSON["fuentes"]
    assert {"campbell_2003", "campbell_2009", "glass_2008", "lap_2010"} <= set(fuentes)
    for clave, fuente in fuentes.items():
        assert fuente["cita"].strip() and fuente["aporta"].strip(), clave
        assert fuente.get("url", "https://").startswith("https://"), clave
    for indicador in JSON["indicadores"]:
        assert indicador["fuentes"] and set(indicador["fuentes"]) <= set(fuentes), indicador["clave"]
        assert set(indicador.get("del_registro", ())) <= set(riesgo.HECHOS_DEL_REGISTRO), indicador["clave"]
    assert COMBINACIONES
    for combinacion in COMBINACIONES:
        assert combinacion["fuentes"] and set(combinacion["fuentes"]) <= set(fuentes)
        assert combinacion["nivel_minimo"] in NIVELES and combinacion["razon"].strip()
        assert all(grupo and set(grupo) <= set(PESOS) for grupo in combinacion["condiciones"])
    # Every source backs something; the two Mexican frameworks are cited for the whole.
    usadas = {f for x in (*JSON["indicadores"], *COMBINACIONES) for f in x["fuentes"]}
    assert set(fuentes) - usadas <= {"conavim_cjm", "scjn_2020"}


def test_amenaza_de_muerte_con_acceso_a_armas_de_fuego_es_extremo_sea_cual_sea_el_puntaje():
    resultado = riesgo.instrumento().calcular(si_a(AMENAZA_Y_ARMAS))
    assert (resultado.puntaje, resultado.nivel_por_puntaje) == (9, "medio")  # what the issue saw
    assert resultado.nivel == "extremo"
    assert [c.clave for c in resultado.combinaciones] == ["amenaza_de_muerte_con_armas_de_fuego"]
    # Version 1 had no combinations: its assessments keep the level they were given.
    assert riesgo.instrumentos()[1].calcular(si_a(AMENAZA_Y_ARMAS)).nivel == "medio"
    # "No sabe" is not "si": it meets no combination.
    dudosa = {**si_a(("amenazas_muerte",)), "acceso_armas_fuego": "no_sabe"}
    assert riesgo.instrumento().calcular(dudosa).combinaciones == ()


@pytest.mark.parametrize("combinacion", COMBINACIONES, ids=lambda c: c["clave"])
def test_cada_combinacion_critica_fija_su_nivel_minimo(combinacion):
    instrumento = riesgo.instrumento()
    azar = random.Random(combinacion["clave"])
    grupos = combinacion["condiciones"]
    bases = [tuple(azar.choice(grupo) for grupo in grupos) for _ in range(6)]
    for base in bases:
        for _ in range(40):
            si = set(base) | set(azar.sample(sorted(PESOS), azar.randint(0, 8)))
            resultado = instrumento.calcular(si_a(si))
            assert resultado.puntaje == sum(PESOS[c] for c in si)
            assert not riesgo.es_menor(resultado.nivel, combinacion["nivel_minimo"]), si
            assert resultado.nivel == esperado_de(si), si
    # Missing any one of its groups, it does not hold.
    for falta in range(len(grupos)):
        si = {grupo[0] for i, grupo in enumerate(grupos) if i != falta}
        claves = [c.clave for c in instrumento.calcular(si_a(si)).combinaciones]
        assert combinacion["clave"] not in claves


def test_sin_combinaciones_el_nivel_es_el_del_puntaje():
    azar = random.Random(20261205)
    instrumento = riesgo.instrumento()
    for _ in range(300):
        si = set(azar.sample(sorted(PESOS), azar.randint(0, 10)))
        resultado = instrumento.calcular(si_a(si))
        assert resultado.nivel_por_puntaje == esperado(sum(PESOS[c] for c in si))
        if not criticas_de(si):
            assert resultado.nivel == resultado.nivel_por_puntaje and resultado.combinaciones == ()


def test_la_combinacion_critica_eleva_el_caso_y_la_pagina_dice_por_que(como, caso):
    c = como("capturista")
    respuesta = valorar(c, caso, si=AMENAZA_Y_ARMAS)
    assert respuesta.status_code == 302
    pagina = c.get(respuesta.location).get_data(as_text=True)
    assert "Valoración registrada: riesgo extremo." in unescape(pagina)
    [valoracion] = valoraciones(caso)
    assert (valoracion.puntaje, valoracion.nivel_calculado, valoracion.nivel) == (9, "extremo", "extremo")
    assert valoracion.version_instrumento == JSON["version"] == 2
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("extremo", True)

    [fila] = filas_del_historial(pagina)
    assert fila[1:4] == ["Extremo", "Extremo", "9"]
    assert respuestas_que_suman(pagina) == [(TEXTOS["amenazas_muerte"], 5), (TEXTOS["acceso_armas_fuego"], 4)]
    [explicacion] = explicaciones(pagina)
    assert "calculado Extremo, 9 puntos (instrumento versión 2)" in explicacion
    assert "Total: 9 puntos: nivel Medio por puntaje." in explicacion
    assert "Bajo: 0 a 5 · Medio: 6 a 13 · Alto: 14 a 23 · Extremo: 24 o más" in explicacion
    assert ("Combinación crítica: Amenaza de muerte y acceso a armas de fuego. "
            "Fija al menos el nivel Extremo.") in explicacion
    assert "Nivel calculado: Extremo, por la combinación crítica." in explicacion
    assert "Revalore" not in explicacion


def test_la_explicacion_lista_las_respuestas_que_sumaron_con_el_peso_del_archivo(como, caso):
    si = claves_para("alto")
    no_sabe = next(clave for clave in PESOS if clave not in si)
    c = como("capturista")
    assert valorar(c, caso, si=si, **{f"r_{no_sabe}": "no_sabe"}).status_code == 302
    pagina = c.get(f"/casos/{caso.id}").get_data(as_text=True)
    # Exactly her "si" answers, in the questionnaire's order, each with its weight in the file.
    assert respuestas_que_suman(pagina) == [(TEXTOS[clave], PESOS[clave]) for clave in PESOS if clave in si]
    [explicacion] = explicaciones(pagina)
    total = sum(PESOS[clave] for clave in si)
    assert f"Total: {total} puntos: nivel Alto por puntaje." in explicacion
    assert "Nivel calculado: Alto." in explicacion and "Combinación crítica" not in explicacion
    assert f"Respondió «No sabe» (no suma; conviene volver a preguntarlo): {TEXTOS[no_sabe]}" in explicacion


def test_una_valoracion_antigua_se_explica_con_su_version(como, caso, cuentas, monkeypatch):
    # Registered while version 1 was the instrument in force.
    monkeypatch.setattr(riesgo, "instrumento", lambda: riesgo.instrumentos()[1])
    registrar_valoracion(caso, cuentas["capturista"], si_a(AMENAZA_Y_ARMAS), None, None)
    db.session.commit()
    monkeypatch.undo()
    [antigua] = valoraciones(caso)
    assert (antigua.version_instrumento, antigua.puntaje, antigua.nivel_calculado) == (1, 9, "medio")

    c = como("capturista")
    pagina = c.get(f"/casos/{caso.id}").get_data(as_text=True)
    [explicacion] = explicaciones(pagina)
    assert "calculado Medio, 9 puntos (instrumento versión 1)" in explicacion
    assert respuestas_que_suman(pagina) == [(TEXTOS["amenazas_muerte"], 5), (TEXTOS["acceso_armas_fuego"], 4)]
    assert "Total: 9 puntos: nivel Medio por puntaje." in explicacion
    assert "Nivel calculado: Medio." in explicacion and "Combinación crítica" not in explicacion
    assert "no coincide" not in explicacion
    # Today's instrument rates the same answers higher: she is told to re-assess.
    assert ("Con la versión 2 del instrumento, vigente, estas mismas respuestas darían Extremo. "
            "Revalore el riesgo.") in explicacion

    # Re-assessed with the same answers: version 2, extremo; the old one keeps its explanation.
    assert valorar(c, caso, si=AMENAZA_Y_ARMAS).status_code == 302
    pagina = c.get(f"/casos/{caso.id}").get_data(as_text=True)
    nueva, vieja = explicaciones(pagina)
    assert "calculado Extremo, 9 puntos (instrumento versión 2)" in nueva and "Revalore" not in nueva
    assert "calculado Medio, 9 puntos (instrumento versión 1)" in vieja and "Revalore" not in vieja
    assert [f[1:4] for f in filas_del_historial(pagina)] == [["Extremo", "Extremo", "9"], ["Medio", "Medio", "9"]]


def test_una_version_que_ya_no_esta_en_el_archivo_no_rompe_la_pagina(como, caso, cuentas):
    valoracion = registrar_valoracion(caso, cuentas["capturista"], si_a(("amenazas_muerte",)), None, None)
    valoracion.version_instrumento = 99
    db.session.commit()
    respuesta = como("capturista").get(f"/casos/{caso.id}")
    assert respuesta.status_code == 200
    [explicacion] = explicaciones(respuesta.get_data(as_text=True))
    assert "La versión 99 del instrumento ya no está en el archivo de datos" in explicacion
    assert "Puntaje guardado: 5; nivel calculado entonces: Bajo." in explicacion
    assert TEXTOS["amenazas_muerte"] in explicacion and "+5" not in explicacion


def test_bajar_de_lo_que_fijo_una_combinacion_espera_y_la_supervisora_sabe_por_que(como, caso, colega):
    capturista = como("capturista")
    respuesta = valorar(capturista, caso, si=AMENAZA_Y_ARMAS, nivel="medio",
                        motivo="Ella relata que él ya entregó el arma (sintético)")
    assert "espera la aprobación de una supervisora" in capturista.get(respuesta.location).get_data(as_text=True)
    assert (recargar(caso).nivel_riesgo, recargar(caso).urgente) == ("extremo", True)
    [solicitud] = solicitudes()
    bandeja = unescape(colega.get("/aprobaciones/").get_data(as_text=True))
    assert ("Aplicar el nivel de riesgo Medio propuesto (el caso está en Extremo). El instrumento "
            "calculó Extremo (9 puntos). Combinación crítica: Amenaza de muerte y acceso a armas "
            "de fuego (al menos Extremo).") in texto_plano(bandeja)
    assert "Solicitud aprobada." in resolver(colega, solicitud, "aprobar")
    assert recargar(caso).nivel_riesgo == "medio"


# ---- the questionnaire comes with what the intake recorded ---------------------------------------

def marcadas(html: str) -> dict[str, str]:
    """The questionnaire's checked answers: question -> value."""
    elegidas = {}
    for etiqueta in re.findall(r"<input[^>]*>", html):
        nombre = re.search(r'name="r_(\w+)"', etiqueta)
        if nombre and re.search(r"\schecked(\s|>|=)", etiqueta):
            elegidas[nombre.group(1)] = re.search(r'value="(\w+)"', etiqueta).group(1)
    return elegidas


def grupo_de(html: str, clave: str) -> str:
    return texto_plano(re.search(rf'<fieldset[^>]*id="r_{clave}-grupo">(.*?)</fieldset>', html, re.S).group(1))


def intake(cliente, **cambios) -> str:
    """A real intake through the form; returns the questionnaire page it leads to."""
    from tests.reloj import hoy_en_mexico

    datos = {"nombre": "Mujer Prellenada Sintetica", "edad_aproximada": "34", "municipio": "32056",
             "municipio_hechos": "32056",
             "agresores-0-relacion": "pareja", "fecha_hechos": (hoy_en_mexico() - timedelta(days=3)).isoformat(),
             "narrativa": "Relato sintetico de prueba.", "tipos": ["fisica"], "modalidades": ["familiar"],
             **cambios}
    respuesta = enviar(cliente, "/casos/nuevo", datos)
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    assert respuesta.location.endswith("/valoracion")
    return respuesta.location


def test_el_acceso_a_armas_del_registro_viene_marcado_y_ella_puede_cambiarlo(como, cuentas):
    c = como("capturista")
    pagina = intake(c, **{"agresores-0-acceso_armas": "y", "agresores-0-vive_con_ella": "y"})
    html = c.get(pagina).get_data(as_text=True)
    assert marcadas(html) == {"acceso_armas_fuego": "si"}
    assert ("Tomado del registro: en el registro, una persona agresora tiene acceso a armas."
            in grupo_de(html, "acceso_armas_fuego"))
    assert "Tomado del registro" not in grupo_de(html, "amenazas_muerte")
    aviso = texto_plano(html)
    assert "Lo que el registro del caso ya dice:" in aviso
    assert "En el registro, una persona agresora vive con ella." in aviso

    caso_id = uuid.UUID(pagina.split("/")[2])
    caso = db.session.get(Caso, caso_id)
    # A POST that leaves out the prefilled question is asked again, never answered for her.
    datos = respuestas_de()
    del datos["r_acceso_armas_fuego"]
    respuesta = enviar(c, pagina, datos)
    assert respuesta.status_code == 200
    assert "Elija una respuesta." in error_de(respuesta.get_data(as_text=True), "r_acceso_armas_fuego")
    assert valoraciones(caso) == []
    # She corrects it with the woman: what she answers is what is stored.
    assert enviar(c, pagina, respuestas_de()).status_code == 302
    [valoracion] = valoraciones(caso)
    assert valoracion.respuestas["acceso_armas_fuego"] == "no" and valoracion.nivel == "bajo"


def test_hijas_expuestas_y_tipos_de_violencia_del_registro_vienen_marcados(como, cuentas):
    c = como("capturista")
    pagina = intake(c, **{"nna-0-nombre": "Hijo Sintetico", "nna-0-edad": "5",
                          "nna-0-violencia_directa": "y", "tipos": ["fisica", "sexual", "economica"]})
    html = c.get(pagina).get_data(as_text=True)
    assert marcadas(html) == {"violencia_hijos": "si", "actos_sexuales_forzados": "si", "control": "si"}
    assert ("Tomado del registro: en el registro, una hija o un hijo también vivió violencia."
            in grupo_de(html, "violencia_hijos"))
    assert ("Tomado del registro: los hechos registrados incluyen violencia sexual."
            in grupo_de(html, "actos_sexuales_forzados"))
    # Answered as it came, the assessment counts those answers.
    datos = respuestas_de(("violencia_hijos", "actos_sexuales_forzados", "control"))
    assert enviar(c, pagina, datos).status_code == 302
    caso = db.session.get(Caso, uuid.UUID(pagina.split("/")[2]))
    [valoracion] = valoraciones(caso)
    assert valoracion.puntaje == PESOS["violencia_hijos"] + PESOS["actos_sexuales_forzados"] + PESOS["control"]


def test_sin_esos_hechos_nada_viene_respondido(como, cuentas):
    c = como("capturista")
    html = c.get(intake(c)).get_data(as_text=True)
    assert marcadas(html) == {}
    assert "Tomado del registro" not in html and "Lo que el registro del caso ya dice" not in html
    # The instrument's sources and combinations are on the page for whoever asks.
    texto = texto_plano(html)
    assert "Cómo se calcula (instrumento versión 2)" in texto
    assert "Amenaza de muerte y acceso a armas de fuego: al menos Extremo." in texto
    assert "Risk factors for femicide in abusive relationships" in texto
