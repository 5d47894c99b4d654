"""Indicators of referrals and protection orders (strategy 2.10.3): the numbers, their
suppression, the medians published only over k or more, and no ids, names or days in any
output. Runs on SQLite and PostgreSQL (the durations and medians are SQL on both)."""

from __future__ import annotations

import csv
import io
import json
import statistics
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator

from casos.bd import ahora, hoy_local
from casos.canalizaciones import servicios as canalizaciones
from casos.canalizaciones.modelos import Canalizacion
from casos.estadisticas import consultas, tokens
from casos.estadisticas.openapi import documento
from casos.expedientes.modelos import Caso
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.ordenes.modelos import OrdenProteccion
from casos.transiciones import servicios as transiciones
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso
from tests.test_estadisticas import _celdas, _sin_datos_personales, publicar_edicion

pytestmark = pytest.mark.reloj  # indicators by month and year of today's data

K = 10
H = timedelta(hours=1)


def _base() -> datetime:
    """A moment well inside one local year and at least 4 days in the past, so every date
    of the scenario (from 2 days before to 3 days after it) falls in that year."""
    hoy = ahora()
    base = datetime(hoy.year, 1, 10, 18, tzinfo=timezone.utc)
    if hoy - base < timedelta(days=5):
        base = base.replace(year=hoy.year - 1)
    return base


def _caso(usuaria, creado_en) -> Caso:
    caso = registrar_caso(usuaria, datos_de_caso())
    caso.creado_en = creado_en
    return caso


def _canalizacion(caso, destino, **columnas) -> Canalizacion:
    fila = Canalizacion(caso=caso, origen_id=caso.institucion_id, destino_id=destino.id, **columnas)
    db.session.add(fila)
    return fila


@pytest.fixture
def flujo(app, cuentas):
    """24 referrals and 22 protection orders with known times (see each comment)."""
    base = _base()
    a, b = cuentas.institucion_a, cuentas.institucion_b  # INSTA fiscalía, INSTB CJM
    capturista, capturista_b = cuentas["capturista"], cuentas["capturista_b"]
    # C0..C11 registered 2 days before `base`, C12..C23 one day before; C22, C23 never served.
    casos = [_caso(capturista, base - (2 if i < 12 else 1) * 24 * H) for i in range(24)]
    db.session.flush()

    # Orders on C0..C21, all requested at `base`: 12 issued 2 h later (within 4 h), 10 issued
    # 9 h later. O0 goes through the services.
    orden = ordenes.registrar_solicitud(casos[0], capturista, tipo="administrativa",
                                        autoridad="ministerio_publico", medidas=[],
                                        solicitada_en=base, notas="Nota canaria de la orden")
    ordenes.actuar(orden, "emitir", capturista, version_vista=orden.version, momento=base + 2 * H)
    for i in range(1, 22):
        emitida = base + (2 if i < 12 else 9) * H
        db.session.add(OrdenProteccion(
            caso=casos[i], institucion_id=a.id, tipo="administrativa", autoridad="ministerio_publico",
            estado="vigente", registrada_por_id=capturista.id, solicitada_en=base, emitida_en=emitida,
            vence_en=emitida + 60 * 24 * H))

    # Referrals INSTA -> INSTB on C0..C20, all sent at `base`:
    # R0..R10 answered 1..11 h later within a 72 h deadline, then attended (R0 at +1.5 h, the
    # others at +12 h); R11..R20 answered 30..39 h later against a 24 h deadline, rejected.
    # R0 goes through the services (request, approval, acceptance, counter-referral).
    r0 = canalizaciones.solicitar(casos[0], capturista, destino=b, servicios=["psicologica"],
                                  motivo="Motivo canario", hoy=hoy_local())
    solicitud = transiciones.pendiente_de(r0, "enviar")
    transiciones.aprobar(solicitud, r0, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.VALORES["enviar"](r0))
    canalizaciones.responder(r0, "aceptar", capturista_b, version_vista=r0.version)
    canalizaciones.responder(r0, "contrarreferir", capturista_b, version_vista=r0.version,
                             servicios_prestados=["psicologica"], nota="Contrarreferencia canaria")
    assert r0.estado == "atendida"
    r0.enviada_en, r0.plazo_respuesta = base, base + 72 * H
    r0.respondida_en, r0.atendida_en = base + H, base + 1.5 * H
    for j in range(1, 21):
        if j < 11:
            valores = {"estado": "atendida", "plazo_respuesta": base + 72 * H,
                       "respondida_en": base + (j + 1) * H, "atendida_en": base + 12 * H}
        else:
            valores = {"estado": "rechazada", "plazo_respuesta": base + 24 * H,
                       "respondida_en": base + (j + 19) * H}
        _canalizacion(casos[j], b, creada_por_id=capturista.id, enviada_en=base, **valores)

    # Three cases of INSTB (CJM) referred to INSTA (fiscalía): answered 2, 3, 4 h after sending,
    # in time, attended 5 h after sending; registered one day before. A small group.
    for n in range(3):
        caso = _caso(capturista_b, base - 24 * H)
        db.session.flush()
        _canalizacion(caso, a, creada_por_id=capturista_b.id, estado="atendida", enviada_en=base,
                      plazo_respuesta=base + 72 * H, respondida_en=base + (n + 2) * H,
                      atendida_en=base + 5 * H)
    db.session.commit()
    publicar_edicion()
    return base.astimezone(consultas.zona()).year


@pytest.fixture
def gestora(como):
    return como("gestora")


def _json(cliente, consulta: str) -> dict:
    respuesta = cliente.get(f"/estadisticas/exportar.json?{consulta}")
    assert respuesta.status_code == 200
    return json.loads(respuesta.get_data(as_text=True))


def _indicador(publicacion: dict, clave: str) -> dict:
    return next(i for i in publicacion["indicadores"] if i["clave"] == clave)


def _mediana(publicacion: dict, clave: str) -> dict:
    m = next(m for m in publicacion["medianas"] if m["clave"] == clave)
    return {f["clave"]: v for f, v in zip(m["filas"], m["valores"])}


def _cuadro(publicacion: dict, clave: str) -> dict:
    cuadro = next(c for m in publicacion["medidas"] for c in m["cuadros"] if c["clave"] == clave)
    return {f["clave"]: fila[0] for f, fila in zip(cuadro["filas"], cuadro["celdas"])}


def test_las_cifras_de_ordenes_y_canalizaciones(app, flujo, gestora):
    datos = _json(gestora, f"anio={flujo}&granularidad=anio")
    assert datos["pendientes"] == []
    assert datos["resumen"]["ordenes"] == 22 and datos["resumen"]["canalizaciones"] == 24
    assert _indicador(datos, "ordenes_solicitadas")["valor"] == 22
    emitidas = _indicador(datos, "ordenes_emitidas")
    assert (emitidas["valor"], emitidas["de"], emitidas["porcentaje"]) == (22, 22, 100.0)
    en_4 = _indicador(datos, "ordenes_en_4_horas")
    assert (en_4["valor"], en_4["de"], en_4["porcentaje"]) == (12, 22, 54.5)
    assert _cuadro(datos, "ordenes.emision") == {"en_4_horas": 12, "fuera_de_plazo": 10, "negada": 0,
                                                 "sin_emitir": 0}
    en_plazo = _indicador(datos, "canalizaciones_en_plazo")
    assert (en_plazo["valor"], en_plazo["de"], en_plazo["porcentaje"]) == (14, 24, 58.3)
    assert _cuadro(datos, "canalizaciones.resultado") == {
        "sin_respuesta": 0, "aceptada": 0, "rechazada": 10, "atendida": 14, "concluida": 0, "cancelada": 0}
    assert _cuadro(datos, "canalizaciones.respuesta") == {
        "en_plazo": 14, "fuera_de_plazo": 10, "vencida": 0, "en_espera": 0, "cancelada": 0}

    # Response hours: 1..11 and 2, 3, 4 (in time), 30..39 (late): 24 values, median (9 + 10) / 2.
    assert _mediana(datos, "horas_respuesta.total") == {"total": 9.5}
    assert _indicador(datos, "mediana_horas_respuesta")["valor"] == 9.5
    # By kind: fiscalía sent 21 (median 11), the CJM only 3: marked, not published.
    assert _mediana(datos, "horas_respuesta.tipo_origen") == {"fiscalia": 11.0, "cjm": "n.d."}
    assert _mediana(datos, "horas_respuesta.tipo_destino") == {"fiscalia": "n.d.", "cjm": 11.0}

    # Days to first service: C0 49.5 h (its referral was attended before its order), C1..C11
    # 50 h, C12..C21 33 h, INSTB's three 29 h; C22, C23 never served. Median 33 h = 1.4 days.
    assert _mediana(datos, "dias_primera_atencion.total") == {"total": 1.4}
    assert _indicador(datos, "mediana_dias_primera_atencion")["valor"] == 1.4
    # INSTA alone: 22 cases, median (49.5 + 50) / 2 h = 2.1 days; INSTB has 3: marked.
    assert _mediana(datos, "dias_primera_atencion.institucion") == {"INSTA": 2.1, "INSTB": "n.d."}


def test_las_medianas_salen_de_sql_igual_que_en_python(app, flujo):
    """The SQL medians (row_number on both engines) against the rows themselves."""
    canal = db.session.scalars(sa.select(Canalizacion)).all()
    horas = [(c.respondida_en - c.enviada_en).total_seconds() / 3600 for c in canal]
    ((n, mediana),) = consultas.medianas("horas_respuesta", None, flujo).values()
    assert n == 24 and mediana == pytest.approx(statistics.median(horas))
    dias = []
    for caso in db.session.scalars(sa.select(Caso)).all():
        servicios = [c.atendida_en for c in caso.canalizaciones if c.atendida_en] + [
            o.emitida_en for o in caso.ordenes if o.emitida_en]
        if servicios:
            dias.append(max(0.0, (min(servicios) - caso.creado_en).total_seconds() / 3600))
    ((n, mediana),) = consultas.medianas("dias_primera_atencion", None, flujo).values()
    assert n == len(dias) == 25 and mediana == pytest.approx(statistics.median(dias))
    # Within a scope: the same medians filtered in SQL.
    assert consultas.medianas("horas_respuesta", None, flujo, ("institucion", "INSTB"))["total"] == (
        3, pytest.approx(3.0))


def test_los_grupos_pequenos_se_suprimen(app, flujo, gestora):
    # The state table by sending institution: INSTB's 3 is "<10", and INSTA's 21 is hidden
    # with it, or INSTB's would follow from the published total of 24.
    datos = _json(gestora, f"anio={flujo}&granularidad=anio")
    por_institucion = _cuadro(datos, "canalizaciones.institucion")
    assert por_institucion["INSTB"] == f"<{K}" and por_institucion["INSTA"] == "s"
    assert _cuadro(datos, "canalizaciones.tipo_origen")["cjm"] == f"<{K}"
    # INSTB's own page: under k referrals, so every count, median and share is a mark.
    propia = _json(gestora, f"anio={flujo}&institucion=INSTB")
    assert propia["resumen"]["canalizaciones"] == f"<{K}"
    assert _indicador(propia, "canalizaciones_en_plazo")["porcentaje"] is None
    assert _mediana(propia, "horas_respuesta.total") == {"total": "n.d."}
    assert _mediana(propia, "dias_primera_atencion.total") == {"total": "n.d."}
    assert propia["resumen"]["ordenes"] in (0, None)
    # Every count in every answer is 0, at least k, or a mark.
    for consulta in (f"anio={flujo}", f"anio={flujo}&institucion=INSTB", f"anio={flujo}&municipio=32056",
                     f"anio={flujo}&granularidad=trimestre"):
        for valor in _celdas(_json(gestora, consulta)):
            assert valor in (None, "s", f"<{K}") or (isinstance(valor, int) and (valor == 0 or valor >= K))


def test_pocos_casos_no_publican_mediana_ni_porcentaje(app, cuentas, gestora):
    base = _base()
    capturista = cuentas["capturista"]
    for i in range(4):
        caso = _caso(capturista, base - 24 * H)
        db.session.flush()
        db.session.add(OrdenProteccion(
            caso=caso, institucion_id=cuentas.institucion_a.id, tipo="jurisdiccional", autoridad="juzgado",
            estado="vigente", registrada_por_id=capturista.id, solicitada_en=base,
            emitida_en=base + (1 + 4 * i) * H, vence_en=base + 600 * H))
        _canalizacion(caso, cuentas.institucion_b, creada_por_id=capturista.id, estado="aceptada",
                      enviada_en=base, plazo_respuesta=base + 24 * H, respondida_en=base + 3 * H)
    db.session.commit()
    publicar_edicion()
    anio = base.astimezone(consultas.zona()).year
    datos = _json(gestora, f"anio={anio}")
    assert datos["resumen"]["ordenes"] == f"<{K}" and datos["resumen"]["canalizaciones"] == f"<{K}"
    for medida in datos["medidas"]:
        if medida["clave"] in ("ordenes", "canalizaciones"):
            assert medida["cuadros"] == []  # withheld whole under k
    for clave in ("ordenes_en_4_horas", "canalizaciones_en_plazo"):
        indicador = _indicador(datos, clave)
        assert indicador["valor"] is None and indicador["porcentaje"] is None
    assert _indicador(datos, "ordenes_emitidas")["valor"] is None
    assert _indicador(datos, "mediana_horas_respuesta")["valor"] == "n.d."
    assert _indicador(datos, "mediana_dias_primera_atencion")["valor"] == "n.d."
    assert all(v in ("n.d.", None) for m in datos["medianas"] for v in m["valores"])
    html = gestora.get(f"/estadisticas/?anio={anio}").get_data(as_text=True)
    assert "Mediana de días del registro a la primera atención" in html
    assert "disponible cuando se registren canalizaciones y órdenes" not in html


def test_la_respuesta_se_clasifica_por_su_plazo(app, cuentas):
    """Unanswered referrals: overdue, still in time, or cancelled (raw SQL counts)."""
    base = _base()
    capturista = cuentas["capturista"]
    caso = _caso(capturista, base)
    db.session.flush()
    otra = crear_institucion("INSTC", "salud")
    for estado, plazo in (("enviada", base + 24 * H), ("enviada", ahora() + 24 * H),
                          ("cancelada", base + 24 * H), ("enviada", base + 48 * H)):
        _canalizacion(caso, otra, creada_por_id=capturista.id, estado=estado, enviada_en=base,
                      plazo_respuesta=plazo)
    db.session.commit()
    anio = base.astimezone(consultas.zona()).year
    assert consultas.contar("canalizaciones", ("respuesta",), anio) == {
        ("vencida",): 2, ("en_espera",): 1, ("cancelada",): 1}
    assert consultas.contar("canalizaciones", ("resultado",), anio) == {
        ("sin_respuesta",): 3, ("cancelada",): 1}
    assert consultas.contar("canalizaciones", ("tipo_destino",), anio) == {("salud",): 4}


def test_ninguna_salida_lleva_ids_nombres_ni_dias(app, flujo, gestora, cuentas):
    ids = [*db.session.scalars(sa.select(Caso.id)), *db.session.scalars(sa.select(Canalizacion.id)),
           *db.session.scalars(sa.select(OrdenProteccion.id))]
    for granularidad in ("mes", "trimestre", "anio"):
        for ambito in ("", "&municipio=32056", "&institucion=INSTA", "&institucion=INSTB"):
            consulta = f"anio={flujo}&granularidad={granularidad}{ambito}"
            for formato in ("json", "csv"):
                texto = gestora.get(f"/estadisticas/exportar.{formato}?{consulta}").get_data(as_text=True)
                _sin_datos_personales(texto, ids)
                assert "canaria" not in texto.lower()
            html = gestora.get(f"/estadisticas/?{consulta}").get_data(as_text=True)
            _sin_datos_personales(html, ids)
    # The CSV carries the medians and the indicators too.
    texto = gestora.get(f"/estadisticas/exportar.csv?anio={flujo}&granularidad=anio").get_data(as_text=True)
    filas = list(csv.DictReader(io.StringIO(texto.lstrip("\ufeff"))))
    assert {"medida": "medianas", "cuadro": "dias_primera_atencion.total", "valor": "1.4"}.items() <= next(
        f for f in filas if f["cuadro"] == "dias_primera_atencion.total").items()
    en_4 = {f["columna"]: f["valor"] for f in filas if f["cuadro"] == "ordenes_en_4_horas"}
    assert en_4 == {"valor": "12", "de": "22", "porcentaje": "54.5"}


def test_la_api_sirve_los_indicadores_y_cumple_el_documento(app, flujo, gestora):
    admin = crear_usuaria("admin", crear_institucion("ADM", "semujer"))
    _, token = tokens.crear("flujos", admin)
    db.session.commit()
    esquema = documento()
    for consulta in (f"anio={flujo}", f"anio={flujo}&institucion=INSTB&granularidad=trimestre",
                     f"anio={flujo}&municipio=32056&granularidad=anio"):
        api = app.test_client().get(f"/api/v1/estadisticas?{consulta}",
                                    headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 200
        validador = Draft202012Validator({"$ref": "#/components/schemas/Publicacion",
                                          "components": esquema["components"]})
        errores = list(validador.iter_errors(api.get_json()))
        assert not errores, errores[0].message
        assert api.get_json() == _json(gestora, consulta)
