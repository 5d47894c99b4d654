"""The gestora's dashboard and downloads on a seeded database (SQLite and PostgreSQL): what
they show, what they never show, and that the statistics path needs no key."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from casos import demo
from casos.bd import ahora
from casos.demo_casos import sembrar_casos
from casos.estadisticas import consultas, ediciones
from casos.estadisticas.exportar import neutralizar
from casos.expedientes.modelos import Caso
from casos.expedientes.servicios import registrar_caso, registrar_valoracion
from casos.extensiones import db
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso

K = 10
CANARIOS = ("Canaria", "Xochitl", "Pruebasintetica", "PEMA850101MZSRRN02", "4929990001",
            "Calle Ficticia", "Relato canario", "Agresor Sintetico", "Hija Sintetica",
            "Domicilio ficticio")
DIA = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")
pytestmark = pytest.mark.reloj  # a seed over the last two years
PAQUETE = Path(__file__).resolve().parent.parent / "casos" / "estadisticas"


def publicar_edicion(hoy=None) -> ediciones.Edicion:
    """Publish the next edition, as `flask estadisticas publicar` does; it must have new months."""
    resultado = ediciones.publicar(hoy)
    assert resultado.edicion is not None, "no había meses nuevos que publicar"
    return resultado.edicion


@pytest.fixture
def sembrado(app):
    """Demo accounts, 150 synthetic cases over the last two years, and canary cases whose
    every field is a marker; then an edition. Returns last year: the seed covers all of it
    whatever today is (on 1 January this year holds a day). Last year's cases are registered
    in June: an edition publishes each month on its own, and a year's cell is the sum of its
    months' published cells, so about six cases a month would show only marks (a month of
    under 10 is withheld whole); in one month they make the tables this file reads."""
    demo.sembrar()
    sembrar_casos(150, semilla=7)
    from casos.cuentas.modelos import Usuaria

    capturista = db.session.scalar(sa.select(Usuaria).where(Usuaria.correo == "capturista@cjm.demo"))
    anio = ahora().astimezone(consultas.zona()).year - 1
    registrado = datetime(anio, 6, 15, 18, tzinfo=timezone.utc)
    inicio, fin = consultas.limites_del_anio(anio)
    db.session.execute(sa.update(Caso).where(Caso.creado_en >= inicio, Caso.creado_en < fin)
                       .values(creado_en=registrado))
    for _ in range(3):
        caso = registrar_caso(capturista, datos_de_caso(fecha_hechos=registrado.date()))
        caso.creado_en = registrado
        registrar_valoracion(caso, capturista, {}, None, None).creada_en = registrado
    db.session.commit()
    publicar_edicion()
    return anio


@pytest.fixture
def gestora(como):
    """A gestora of the tests' accounts (conftest logs her in, second factor included)."""
    return como("gestora")


def _celdas(publicacion: dict):
    for medida in publicacion["medidas"]:
        for cuadro in medida["cuadros"]:
            for fila in cuadro["celdas"] or []:
                yield from fila
            for lista in (cuadro["totales_fila"], cuadro["totales_columna"]):
                yield from lista or []
            yield cuadro["total"]
    yield from publicacion["resumen"].values()


def _sin_datos_personales(texto: str, casos_ids):
    for canario in CANARIOS:
        assert canario.lower() not in texto.lower(), canario
    for caso_id in casos_ids:
        assert str(caso_id) not in texto and caso_id.hex not in texto
    # The only day that may appear is the one an edition was published (not a case's).
    for edicion in ediciones.todas():
        texto = texto.replace(edicion.fecha.isoformat(), "")
    assert not DIA.search(texto), DIA.search(texto).group(0)


def test_la_gestora_ve_el_tablero_con_graficas_y_tablas(app, sembrado, gestora):
    cliente = gestora
    for granularidad in ("mes", "trimestre", "anio"):
        respuesta = cliente.get(f"/estadisticas/?anio={sembrado}&granularidad={granularidad}")
        assert respuesta.status_code == 200
        html = respuesta.get_data(as_text=True)
        assert "<svg" in html and 'role="img"' in html and "<table" in html
        # The CSP forbids inline styles and scripts: only files of the app's own (imprimir.js).
        assert "style=" not in html
        assert all(src.startswith("/estaticos/") and not cuerpo.strip() for src, cuerpo in
                   re.findall(r'<script src="([^"]*)"[^>]*>(.*?)</script>', html, re.S))
        assert html.count("<script") == len(re.findall(r'<script src="', html))
        assert "Mujeres atendidas" in html and "Tasa por 100 000 mujeres" in html
        # The referral and order indicators exist now: no "pending" notice is left.
        assert "disponible cuando se registren canalizaciones y órdenes" not in html
        assert "Órdenes de protección emitidas en 4 horas o menos" in html
        assert "Canalizaciones respondidas dentro de su plazo" in html
        assert "Mediana de días del registro a la primera atención" in html
        assert "&lt;10" in html  # small counts are there, as marks
        _sin_datos_personales(html, [])
    inicio = cliente.get("/").get_data(as_text=True)
    assert "/estadisticas/" in inicio


@pytest.mark.parametrize("anio", ["²", "٢٠٢٦", "-1", "99999", "20 26"])
def test_un_anio_que_no_es_un_numero_ascii_es_un_error_claro(app, gestora, anio):
    for ruta in ("/estadisticas/", "/estadisticas/exportar.json", "/estadisticas/exportar.csv"):
        respuesta = gestora.get(ruta, query_string={"anio": anio})
        assert respuesta.status_code in (200, 400), (ruta, respuesta.status_code)
        if ruta == "/estadisticas/":
            assert "El año debe estar entre" in respuesta.get_data(as_text=True)


def test_el_tablero_de_un_municipio_y_de_una_institucion(app, sembrado, gestora):
    cliente = gestora
    municipio = cliente.get(f"/estadisticas/?anio={sembrado}&municipio=32056")
    assert municipio.status_code == 200 and "Zacatecas" in municipio.get_data(as_text=True)
    institucion = cliente.get(f"/estadisticas/?anio={sembrado}&institucion=CJM&granularidad=trimestre")
    assert institucion.status_code == 200
    ambos = cliente.get(f"/estadisticas/?anio={sembrado}&municipio=32056&institucion=CJM")
    assert "Elija un municipio o una institución, no ambos." in ambos.get_data(as_text=True)
    assert cliente.get("/estadisticas/exportar.csv?municipio=32056&institucion=CJM").status_code == 400
    assert cliente.get("/estadisticas/exportar.json?anio=1800").status_code == 400


@pytest.mark.parametrize("rol", ["capturista", "supervisora", "admin"])
def test_solo_la_gestora(app, cuentas, como, rol):
    cliente = como(rol)
    for ruta in ("/estadisticas/", "/estadisticas/exportar.csv", "/estadisticas/exportar.json"):
        assert cliente.get(ruta).status_code == 403


def test_la_gestora_nunca_alcanza_un_caso(app, sembrado, gestora):
    cliente = gestora
    caso_id = db.session.scalar(sa.select(Caso.id).limit(1))
    for ruta in (f"/casos/{caso_id}", "/casos/", "/casos/nuevo"):
        assert cliente.get(ruta).status_code in (403, 404)


def test_las_descargas_no_llevan_ids_nombres_texto_ni_dias(app, sembrado, gestora):
    cliente = gestora
    casos_ids = db.session.scalars(sa.select(Caso.id)).all()
    for granularidad in ("mes", "trimestre", "anio"):
        for ambito in ("", "&municipio=32056", "&institucion=CJM"):
            consulta = f"anio={sembrado}&granularidad={granularidad}{ambito}"
            como_json = cliente.get(f"/estadisticas/exportar.json?{consulta}")
            assert como_json.status_code == 200
            assert "attachment" in como_json.headers["Content-Disposition"]
            texto = como_json.get_data(as_text=True)
            _sin_datos_personales(texto, casos_ids)
            datos = json.loads(texto)
            for valor in _celdas(datos):
                assert valor is None or valor == "s" or valor == f"<{K}" or (
                    isinstance(valor, int) and (valor == 0 or valor >= K)), valor
            for periodo in datos["periodos"]:
                assert re.fullmatch(r"\d{4}(-\d{2}|-T[1-4])?", periodo["clave"])

            como_csv = cliente.get(f"/estadisticas/exportar.csv?{consulta}")
            assert como_csv.status_code == 200 and como_csv.mimetype == "text/csv"
            texto = como_csv.get_data(as_text=True)
            _sin_datos_personales(texto, casos_ids)
            filas = list(csv.DictReader(io.StringIO(texto.lstrip("\ufeff"))))
            assert filas
            for fila in filas:
                valor = fila["valor"]
                if fila["medida"] == "edicion":  # its number and dates, not a count
                    continue
                if fila["columna"] in ("tasa_100000_mujeres", "mediana", "porcentaje") or valor in (
                        "", "retenido", "s", f"<{K}"):
                    continue
                assert int(valor) == 0 or int(valor) >= K, fila


def _tasas_y_medianas(publicacion: dict):
    """(its count, its rate) of each municipality row, and every median, of a JSON release."""
    tasas = []
    for medida in publicacion["medidas"]:
        for cuadro in medida["cuadros"]:
            if "tasas_por_100000_mujeres" in cuadro:
                anuales = cuadro["totales_fila"] or [fila[0] for fila in cuadro["celdas"] or []]
                tasas += list(zip(anuales, cuadro["tasas_por_100000_mujeres"]))
    medianas = [v for m in publicacion["medianas"] for v in m["valores"]]
    medianas += [i["valor"] for i in publicacion["indicadores"] if i["clave"].startswith("mediana_")]
    return tasas, medianas


def test_una_tasa_o_una_mediana_que_no_se_publica_dice_nd_nunca_menos_de_k(app, sembrado, gestora):
    """"<10" beside a median or a rate reads as a value; what can't be published is "n.d."."""
    vistos = set()
    for granularidad in ("mes", "anio"):
        consulta = f"anio={sembrado}&granularidad={granularidad}"
        tasas, medianas = _tasas_y_medianas(gestora.get(f"/estadisticas/exportar.json?{consulta}").get_json())
        assert tasas and medianas
        for cuenta, tasa in tasas:
            if isinstance(cuenta, int) and cuenta:
                assert isinstance(tasa, float), (cuenta, tasa)
            elif cuenta in ("s", f"<{K}"):
                assert tasa == "n.d.", (cuenta, tasa)
            vistos.add("numero" if isinstance(tasa, float) else tasa)
        for mediana in medianas:
            assert mediana is None or mediana == "n.d." or isinstance(mediana, float), mediana
            vistos.add("numero" if isinstance(mediana, float) else mediana)

        filas = list(csv.DictReader(io.StringIO(gestora.get(
            f"/estadisticas/exportar.csv?{consulta}").get_data(as_text=True).lstrip("\ufeff"))))
        for fila in filas:
            if fila["columna"] in ("tasa_100000_mujeres", "mediana"):
                assert not fila["valor"].startswith("<"), fila
        html = gestora.get(f"/estadisticas/?{consulta}").get_data(as_text=True)
        assert "<strong>n.d.</strong>: mediana o tasa no disponible" in html
    # The seeded year has both kinds: small municipalities and enough cases for a median.
    assert {"n.d.", "numero"} <= vistos, vistos


def test_csv_neutraliza_formulas(app, cuentas, gestora):
    assert neutralizar("=SUMA(A1)") == "'=SUMA(A1)"
    assert neutralizar("+1") == "'+1" and neutralizar("-1") == "'-1" and neutralizar("@x") == "'@x"
    assert neutralizar("<10") == "<10" and neutralizar(12) == 12
    # An institution's name is typed by an admin: it reaches the CSV neutralised.
    maliciosa = crear_institucion("@MAL", "imm", nombre="=HYPERLINK(\"http://x\")")
    capturista = crear_usuaria("capturista", maliciosa)
    anio = ahora().astimezone(consultas.zona()).year - 1
    for _ in range(12):
        registrar_caso(capturista, datos_de_caso()).creado_en = datetime(anio, 6, 15, 18, tzinfo=timezone.utc)
    db.session.commit()
    publicar_edicion()
    texto = gestora.get(f"/estadisticas/exportar.csv?anio={anio}&granularidad=anio").get_data(as_text=True)
    filas = list(csv.reader(io.StringIO(texto.lstrip("\ufeff"))))
    celdas = [c for fila in filas for c in fila]
    assert "'@MAL" in celdas and "'=HYPERLINK(\"http://x\")" in celdas
    assert not any(c.startswith(("=", "+", "-", "@")) for c in celdas)


def test_el_paquete_de_estadistica_no_importa_cifrado_ni_modelos_de_casos():
    prohibidos = ("casos.cripto", "casos.expedientes", "cryptography")
    for archivo in PAQUETE.glob("*.py"):
        arbol = ast.parse(archivo.read_text(encoding="utf-8"))
        for nodo in ast.walk(arbol):
            nombres = ([a.name for a in nodo.names] if isinstance(nodo, ast.Import)
                       else [nodo.module or ""] if isinstance(nodo, ast.ImportFrom) else [])
            for nombre in nombres:
                assert not nombre.startswith(prohibidos), f"{archivo.name} importa {nombre}"
        texto = archivo.read_text(encoding="utf-8")
        assert "_cifrado" not in texto and "dek_envuelta" not in texto, archivo.name


def test_el_tablero_y_la_api_nunca_descifran(app, sembrado, gestora, monkeypatch):
    """Statistics never decrypt: with every decryption primitive and every blind index
    booby-trapped, the dashboard, the downloads and the API still answer. (The key file stays
    readable: each download and API call is itself audited, and the audit chain needs its
    own HMAC key, which opens no data.)"""
    from casos.cripto import indices, sobres
    from casos.estadisticas import tokens

    _, token = tokens.crear("sin claves", crear_usuaria("admin", crear_institucion("ADM", "semujer")))
    db.session.commit()

    def trampa(*_args, **_kwargs):
        raise AssertionError("la estadística intentó descifrar o indexar datos personales")

    for nombre in ("descifrar", "desenvolver_dek"):
        monkeypatch.setattr(sobres, nombre, trampa)
    monkeypatch.setattr(indices, "indice", trampa)
    assert gestora.get(f"/estadisticas/?anio={sembrado}").status_code == 200
    assert gestora.get(f"/estadisticas/exportar.csv?anio={sembrado}").status_code == 200
    respuesta = app.test_client().get(f"/api/v1/estadisticas?anio={sembrado}",
                                      headers={"Authorization": f"Bearer {token}"})
    assert respuesta.status_code == 200


def test_cada_descarga_y_cada_llamada_a_la_api_quedan_en_la_auditoria(app, sembrado, gestora):
    from casos.auditoria.modelos import EventoAuditoria
    from casos.estadisticas import tokens

    registro, token = tokens.crear("auditada", crear_usuaria("admin", crear_institucion("ADM", "semujer")))
    db.session.commit()
    token_id = registro.id
    gestora.get(f"/estadisticas/exportar.json?anio={sembrado}")
    app.test_client().get(f"/api/v1/estadisticas?anio={sembrado}",
                          headers={"Authorization": f"Bearer {token}"})
    db.session.rollback()
    acciones = [(e.accion, e.objeto_id) for e in db.session.scalars(
        sa.select(EventoAuditoria).order_by(EventoAuditoria.secuencia))]
    assert ("estadisticas.exportar", None) in acciones
    assert ("api.consultar", token_id) in acciones


def test_la_api_da_las_mismas_cifras_que_el_tablero(app, sembrado, gestora):
    from casos.estadisticas import tokens

    admin = crear_usuaria("admin", crear_institucion("ADM", "semujer"))
    _, token = tokens.crear("modelo para la igualdad", admin)
    db.session.commit()
    cliente = gestora
    for consulta in (f"anio={sembrado}&granularidad=mes", f"anio={sembrado}&municipio=32056",
                     f"anio={sembrado}&institucion=FGJEZ&granularidad=trimestre"):
        descarga = json.loads(cliente.get(f"/estadisticas/exportar.json?{consulta}").get_data(as_text=True))
        api = app.test_client().get(f"/api/v1/estadisticas?{consulta}",
                                    headers={"Authorization": f"Bearer {token}"}).get_json()
        assert api == descarga
    # And the page shows those numbers: the cases by risk level, row by row.
    html = cliente.get(f"/estadisticas/?anio={sembrado}&granularidad=anio").get_data(as_text=True)
    api = app.test_client().get(f"/api/v1/estadisticas?anio={sembrado}&granularidad=anio",
                                headers={"Authorization": f"Bearer {token}"}).get_json()
    cuadro = next(c for m in api["medidas"] if m["clave"] == "casos" for c in m["cuadros"]
                  if c["clave"] == "casos.nivel_riesgo")
    seccion = html.split('id="c-casos-nivel_riesgo"')[1].split("</figure>")[0]
    for (fila, valores) in zip(cuadro["filas"], cuadro["celdas"]):
        celda = valores[0]
        texto = f"{celda:,}".replace(",", " ") if isinstance(celda, int) else celda.replace("<", "&lt;")
        assert re.search(rf"<th scope=\"row\">{re.escape(fila['nombre'])}</th>\s*<td>(<abbr[^>]*>)?"
                         rf"{re.escape(texto)}", seccion), (fila, celda)
