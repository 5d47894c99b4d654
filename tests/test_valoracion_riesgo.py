"""Risk assessment: the instrument is data (weights and thresholds in a JSON file), the levels
follow the thresholds, and the page lets a professional raise the computed level with a reason
but never lower it. Answers are stored encrypted; only the owning institution's case roles may
assess.
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
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar, errores_del_campo

ARCHIVO = Path(casos.__file__).resolve().parent / "datos" / "valoracion_riesgo.json"
JSON = json.loads(ARCHIVO.read_text(encoding="utf-8"))
PESOS = {i["clave"]: i["peso"] for i in JSON["indicadores"]}
UMBRALES = JSON["umbrales"]
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


def claves_para(nivel: str) -> tuple[str, ...]:
    """Indicators whose weights, answered "si", give exactly this level according to the file."""
    for n in range(len(PESOS) + 1):
        for claves in itertools.combinations(sorted(PESOS), n):
            if esperado(sum(PESOS[c] for c in claves)) == nivel:
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
             for celda in re.findall(r"<td>(.*?)</td>", fila, re.S)]
            for fila in re.findall(r"<tr>(.*?)</tr>", cuerpo, re.S)]


def test_todo_no_da_riesgo_bajo_y_el_caso_no_es_urgente(como, caso):
    c = como("capturista")
    antes = datetime.now(timezone.utc)
    respuesta = valorar(c, caso)
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{caso.id}"

    pagina = c.get(respuesta.location).get_data(as_text=True)
    assert "Valoración registrada: riesgo bajo." in pagina
    assert "URGENTE" not in pagina and "orden de protección" not in pagina
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

    # A later assessment with a lower computed level is not "lowering": the case is no longer urgent.
    assert valorar(supervisora, caso).status_code == 302
    pagina = supervisora.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert [f[1] for f in filas_del_historial(pagina)] == ["Bajo", "Extremo", "Bajo"]
    assert "URGENTE" not in pagina and recargar(caso).urgente is False


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
