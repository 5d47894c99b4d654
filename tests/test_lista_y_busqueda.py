"""The case list and the exact search, as a caseworker sees them and as an attacker probes them.

The list shows only the institution's cases, filters by plaintext categories, ignores bad
filter values with a note, and pages by keyset without losing or repeating a case. The search
goes by POST only and finds a case by CURP or by the exact full name, never by a fragment,
never another institution's case; a CURP never ends up in a URL.
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import sqlalchemy as sa

from casos.expedientes.modelos import Caso
from casos.expedientes.riesgo import instrumento
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar

ALFABETO_CURP = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"


def con_digito(curp17: str) -> str:
    suma = sum(ALFABETO_CURP.index(c) * (18 - i) for i, c in enumerate(curp17))
    return curp17 + str((10 - suma % 10) % 10)


CURP_A = con_digito("PEMA850101MZSRRN0")
CURP_B = con_digito("GOLA900215MZSRPR0")
MEXICO = timezone(timedelta(hours=-6))  # America/Mexico_City has had no DST since 2022


def nuevo_caso(usuaria, nombre, **cambios) -> Caso:
    caso = registrar_caso(usuaria, datos_de_caso(nombre=nombre, **cambios))
    db.session.commit()
    return caso


def ids_en(html: str) -> list[str]:
    """The cases linked from the page, in the order shown."""
    return re.findall(r'href="/casos/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"', html)


def lista(cliente, consulta="") -> str:
    respuesta = cliente.get(f"/casos/{consulta}")
    assert respuesta.status_code == 200, respuesta.status_code
    return respuesta.get_data(as_text=True)


def siguiente(html: str) -> str | None:
    encontrado = re.search(r'<a class="boton secundario" href="([^"]+)">Siguientes', html)
    return unescape(encontrado.group(1)) if encontrado else None


def valorar(cliente, caso, si=()) -> None:
    """Answer the questionnaire on its page: "si" to the given indicators, "no" to the rest."""
    datos = {f"r_{i.clave}": ("si" if i.clave in si else "no") for i in instrumento().indicadores}
    respuesta = enviar(cliente, f"/casos/{caso.id}/valoracion", datos)
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]


TODAS_SI = tuple(i.clave for i in instrumento().indicadores)


# ---- scope ----------------------------------------------------------------------------------

def test_la_lista_solo_muestra_los_casos_de_su_institucion(como, cuentas):
    propio = nuevo_caso(cuentas["capturista"], "Mujer Alfa Sintetica")
    ajeno = nuevo_caso(cuentas["capturista_b"], "Mujer Beta Sintetica", curp=CURP_B)

    a = como("capturista")
    html = lista(a)
    assert "Mujer Alfa Sintetica" in html and "Mujer Beta Sintetica" not in html
    assert ids_en(html) == [str(propio.id)]
    for filtro in ("?municipio=32056", "?estado=registrado", "?orden=antiguos"):
        assert "Mujer Beta Sintetica" not in lista(a, filtro)

    for ruta in (f"/casos/{ajeno.id}", f"/casos/{ajeno.id}/valoracion"):
        respuesta = a.get(ruta)
        assert respuesta.status_code == 404, ruta
        assert "Mujer Beta" not in respuesta.get_data(as_text=True)

    html_b = lista(como("capturista_b"))
    assert "Mujer Beta Sintetica" in html_b and "Mujer Alfa Sintetica" not in html_b


# ---- filters --------------------------------------------------------------------------------

def test_filtra_por_estado(como, cuentas):
    abierto = nuevo_caso(cuentas["capturista"], "Mujer Abierta")
    cerrado = nuevo_caso(cuentas["capturista"], "Mujer Cerrada")
    cerrado.estado = "cerrado"
    db.session.commit()
    c = como("capturista")
    assert ids_en(lista(c, "?estado=cerrado")) == [str(cerrado.id)]
    assert ids_en(lista(c, "?estado=registrado")) == [str(abierto.id)]
    assert "No hay casos con estos filtros." in lista(c, "?estado=en_atencion")


def test_filtra_por_nivel_y_urgentes_tras_valorar(como, cuentas):
    extremo = nuevo_caso(cuentas["capturista"], "Mujer Riesgo Extremo")
    bajo = nuevo_caso(cuentas["capturista"], "Mujer Riesgo Bajo")
    sin_valorar = nuevo_caso(cuentas["capturista"], "Mujer Sin Valorar")
    c = como("capturista")
    valorar(c, extremo, si=TODAS_SI)
    valorar(c, bajo)
    assert ids_en(lista(c, "?nivel=extremo")) == [str(extremo.id)]
    assert ids_en(lista(c, "?nivel=bajo")) == [str(bajo.id)]
    assert ids_en(lista(c, "?nivel=medio")) == []
    assert ids_en(lista(c, "?urgentes=1")) == [str(extremo.id)]
    todos = lista(c)
    assert set(ids_en(todos)) == {str(extremo.id), str(bajo.id), str(sin_valorar.id)}
    urgentes = re.findall(r'<tr class="fila-urgente">(.*?)</tr>', todos, re.S)
    assert len(urgentes) == 1 and "Mujer Riesgo Extremo" in urgentes[0] and "URGENTE" in urgentes[0]
    assert todos.count("URGENTE") == 1


def test_filtra_por_municipio(como, cuentas):
    zacatecas = nuevo_caso(cuentas["capturista"], "Mujer De Zacatecas", municipio="32056")
    fresnillo = nuevo_caso(cuentas["capturista"], "Mujer De Fresnillo", municipio="32010")
    c = como("capturista")
    assert ids_en(lista(c, "?municipio=32010")) == [str(fresnillo.id)]
    assert ids_en(lista(c, "?municipio=32056")) == [str(zacatecas.id)]
    assert ids_en(lista(c, "?municipio=32001")) == []


def test_filtra_por_fechas_de_registro_en_dias_de_mexico(como, cuentas):
    marzo = nuevo_caso(cuentas["capturista"], "Mujer De Marzo")
    noche = nuevo_caso(cuentas["capturista"], "Mujer De Noche")
    junio = nuevo_caso(cuentas["capturista"], "Mujer De Junio")
    marzo.creado_en = datetime(2026, 3, 10, 12, 0, tzinfo=MEXICO)
    # 21:30 of March 10 in Zacatecas is already March 11 in UTC: it belongs to the 10th.
    noche.creado_en = datetime(2026, 3, 10, 21, 30, tzinfo=MEXICO)
    junio.creado_en = datetime(2026, 6, 15, 9, 0, tzinfo=MEXICO)
    db.session.commit()

    c = como("capturista")
    assert set(ids_en(lista(c, "?desde=2026-03-01&hasta=2026-03-31"))) == {str(marzo.id), str(noche.id)}
    assert set(ids_en(lista(c, "?hasta=2026-03-10"))) == {str(marzo.id), str(noche.id)}
    assert ids_en(lista(c, "?desde=2026-03-11&hasta=2026-06-14")) == []
    assert ids_en(lista(c, "?desde=2026-06-15")) == [str(junio.id)]
    assert ids_en(lista(c, "?desde=2026-06-16")) == []


FILTROS_INVALIDOS = [
    ("estado=inexistente", "Se ignoró un filtro no válido (estado)."),
    ("nivel=%3Cscript%3Ealert(1)%3C/script%3E", "Se ignoró un filtro no válido (nivel)."),
    ("municipio=09001", "Se ignoró un filtro no válido (municipio)."),
    ("desde=2026-13-45", "Se ignoró una fecha no válida (desde)."),
    ("hasta=ayer", "Se ignoró una fecha no válida (hasta)."),
    ("hasta=9999-12-31", None),
    ("desde=0001-01-01", None),
    ("orden=al_azar", None),
    ("urgentes=quizas", None),
    ("despues=%%%", None),
]


@pytest.mark.parametrize("consulta, nota", FILTROS_INVALIDOS, ids=[f[0] for f in FILTROS_INVALIDOS])
def test_un_filtro_no_valido_se_ignora_con_una_nota(como, cuentas, consulta, nota):
    caso = nuevo_caso(cuentas["capturista"], "Mujer Filtrada")
    respuesta = como("capturista").get(f"/casos/?{consulta}")
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    assert ids_en(html) == [str(caso.id)]
    if nota:
        assert f'<p class="error">{nota}</p>' in unescape(html)
    assert "<script>alert" not in html


def _cursor(texto: str) -> str:
    return base64.urlsafe_b64encode(texto.encode()).decode().rstrip("=")


@pytest.mark.parametrize("despues", [
    "basura", "Zm9v", "////", "=", "a" * 500, _cursor("sin separador"),
    _cursor(f"no-es-fecha|{uuid.uuid4()}"), _cursor("2026-01-01T00:00:00+00:00|no-es-uuid"),
    _cursor(f"2026-01-01T00:00:00|{uuid.uuid4()}"),  # a time without zone
    _cursor(f"2026-01-01T00:00:00+00:00|{uuid.uuid4()}|extra"),
    base64.urlsafe_b64encode(b"\xff\xfe\x00|\x80").decode(),
], ids=lambda v: v[:20])
def test_un_cursor_de_paginacion_alterado_no_rompe_la_lista(como, cuentas, despues):
    nuevo_caso(cuentas["capturista"], "Mujer Paginada")
    respuesta = como("capturista").get("/casos/", query_string={"despues": despues})
    assert respuesta.status_code == 200


def test_los_filtros_por_omision_no_filtran(cuentas):
    """`Filtros()` as other code (exports, CLI) would build it: no filter, no error."""
    from casos.expedientes import listado

    caso = nuevo_caso(cuentas["capturista"], "Mujer Sin Filtros")
    filtros = listado.Filtros()
    assert (filtros.desde, filtros.hasta, filtros.errores) == (None, None, [])
    assert [c.id for c in listado.pagina(cuentas["capturista"], filtros).casos] == [caso.id]


# ---- keyset pagination ----------------------------------------------------------------------

def _recorrer(cliente, primera: str) -> tuple[list[str], int]:
    vistos, paginas, ruta = [], 0, primera
    while ruta:
        html = lista(cliente, ruta.removeprefix("/casos/"))
        vistos += ids_en(html)
        paginas += 1
        assert paginas <= 10, "la paginación no termina"
        ruta = siguiente(html)
    return vistos, paginas


def test_paginacion_por_cursor_muestra_cada_caso_una_vez_y_en_orden(como, cuentas):
    casos = [registrar_caso(cuentas["capturista"], datos_de_caso(nombre=f"Sintetica {i}"))
             for i in range(120)]
    db.session.commit()
    # Many cases share one creation instant, across page boundaries: the id breaks the tie.
    empate = datetime.now(timezone.utc) - timedelta(hours=1)
    for caso in casos[30:110]:
        caso.creado_en = empate
    db.session.commit()
    ajeno = nuevo_caso(cuentas["capturista_b"], "Mujer De Otra Institucion", curp=CURP_B)

    db.session.rollback()
    filas = db.session.execute(sa.select(Caso.id, Caso.creado_en)
                               .where(Caso.institucion_id == cuentas.institucion_a.id)).all()
    assert len(filas) == 120
    esperado = [str(i) for i, _ in sorted(filas, key=lambda f: (f.creado_en, f.id), reverse=True)]

    c = como("capturista")
    vistos, paginas = _recorrer(c, "/casos/")
    assert paginas == 3
    assert len(vistos) == len(set(vistos)) == 120
    assert vistos == esperado
    assert str(ajeno.id) not in vistos

    antiguos, _ = _recorrer(c, "/casos/?orden=antiguos")
    assert antiguos == list(reversed(esperado))

    # Filters travel with the "next" link.
    for caso in casos[::2]:
        caso.municipio = "32010"
    db.session.commit()
    filtrados, paginas = _recorrer(c, "/casos/?municipio=32010")
    assert paginas == 2
    en_fresnillo = {str(caso.id) for caso in casos[::2]}
    assert filtrados == [i for i in esperado if i in en_fresnillo]


# ---- search ---------------------------------------------------------------------------------

def buscar(cliente, texto) -> str:
    respuesta = enviar(cliente, "/casos/buscar", {"texto": texto}, pagina="/casos/")
    assert respuesta.status_code == 200
    return respuesta.get_data(as_text=True)


def test_busca_por_curp_y_por_nombre_completo_exacto(como, cuentas):
    caso = nuevo_caso(cuentas["capturista"], "María José Pérez Núñez", curp=CURP_A)
    nuevo_caso(cuentas["capturista"], "María José Pérez Gómez", curp=None)
    c = como("capturista")

    for texto in (CURP_A, CURP_A.lower(), f"  {CURP_A[:9]} {CURP_A[9:]} ", "María José Pérez Núñez",
                  "maria jose perez nunez", "  MARÍA   josé PEREZ  núñez "):
        html = buscar(c, texto)
        assert "1 resultado" in html, texto
        assert ids_en(html) == [str(caso.id)], texto

    for texto in ("María José", "Pérez Núñez", "Maria Jose Perez", "maria jose perez nune",
                  CURP_A[:10], CURP_A[:-1] + str((int(CURP_A[-1]) + 1) % 10)):
        html = buscar(c, texto)
        assert "0 resultados" in html and ids_en(html) == [], texto
        assert "No hay casos con esa CURP o ese nombre" in unescape(html)


def test_no_encuentra_casos_de_otra_institucion(como, cuentas):
    nuevo_caso(cuentas["capturista"], "Mujer Alfa Sintetica", curp=CURP_A)
    nuevo_caso(cuentas["capturista_b"], "Mujer Beta Sintetica", curp=CURP_B)
    a = como("capturista")
    for texto in (CURP_B, "Mujer Beta Sintetica"):
        html = buscar(a, texto)
        assert "0 resultados" in html and ids_en(html) == [], texto
        assert "Mujer Beta" not in html.split("</form>")[-1], texto
    assert "1 resultado" in buscar(como("capturista_b"), CURP_B)


def test_la_busqueda_vacia_pide_el_dato_en_espanol(como, cuentas):
    html = buscar(como("capturista"), "   ")
    assert "Escriba una CURP o un nombre completo." in html
    assert not re.search(r"<h2>\d+ resultados?</h2>", html)


def test_la_busqueda_nunca_va_por_get(como, cuentas):
    nuevo_caso(cuentas["capturista"], "Mujer Alfa Sintetica", curp=CURP_A)
    c = como("capturista")
    assert c.get("/casos/buscar").status_code == 405
    assert c.get(f"/casos/buscar?texto={CURP_A}").status_code == 405
    for html in (lista(c), buscar(c, CURP_A)):
        formularios = re.findall(r'<form[^>]*action="/casos/buscar"[^>]*>', html)
        assert formularios and all('method="post"' in f for f in formularios)


def test_la_busqueda_sin_token_csrf_se_rechaza(como, cuentas):
    nuevo_caso(cuentas["capturista"], "Mujer Alfa Sintetica", curp=CURP_A)
    respuesta = como("capturista").post("/casos/buscar", data={"texto": CURP_A})
    assert respuesta.status_code == 400
    assert "Mujer Alfa" not in respuesta.get_data(as_text=True)


URL_EN_HTML = re.compile(r'(?:href|action|src|formaction|data-[\w-]+)="([^"]*)"')


def test_la_curp_nunca_aparece_en_una_url(como, cuentas):
    c = como("capturista")
    curp = CURP_A
    formulario = {
        "nombre": "Mujer Alfa Sintetica", "curp": curp.lower(), "municipio": "32056",
        "fecha_hechos": (datetime.now(MEXICO).date() - timedelta(days=3)).isoformat(),
        "municipio_hechos": "", "narrativa": "Relato sintetico", "tipos": ["fisica"],
        "modalidades": ["familiar"], "agresores-0-nombre": "", "agresores-0-relacion": "pareja",
    }
    urls = []
    registro = enviar(c, "/casos/nuevo", formulario)
    assert registro.status_code == 302
    urls.append(registro.location)
    caso_id = registro.location.split("/")[2]
    error = enviar(c, "/casos/nuevo", dict(formulario, nombre=""))
    assert error.status_code == 200
    borrador = enviar(c, "/casos/borradores/guardar", {"curp": curp}, pagina="/casos/nuevo")
    paginas = [error.get_data(as_text=True), borrador.get_data(as_text=True)]
    for ruta in (registro.location, f"/casos/{caso_id}", "/casos/", "/casos/nuevo",
                 f"/casos/nuevo/{borrador.get_json()['borrador_id']}"):
        respuesta = c.get(ruta)
        assert respuesta.status_code == 200, ruta
        paginas.append(respuesta.get_data(as_text=True))
    for texto in (curp, "Mujer Alfa Sintetica"):
        respuesta = enviar(c, "/casos/buscar", {"texto": texto}, pagina="/casos/")
        assert "1 resultado" in respuesta.get_data(as_text=True)
        assert respuesta.status_code == 200 and "Location" not in respuesta.headers
        paginas.append(respuesta.get_data(as_text=True))

    for html in paginas:
        urls += [unescape(u) for u in URL_EN_HTML.findall(html)]
    assert any(caso_id in u for u in urls)
    for url in urls:
        assert curp.lower() not in url.lower() and curp[:10].lower() not in url.lower(), url
        assert "Mujer" not in url and "Alfa" not in url, url
