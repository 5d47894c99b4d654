"""The demo seed at scale: cases inserted in bulk (casos/insercion_masiva.py) are the same cases
the intake's flush would have stored, read back through the ORM and the case page; the seed is
idempotent and splits over processes."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import event, func, inspect, select

from casos import demo, demo_casos
from casos.bd import ahora
from casos.cripto.campos import Cifrado
from casos.cuentas.modelos import Usuaria
from casos.expedientes import riesgo, servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.insercion_masiva import insertar_pendientes
from tests.conftest import datos_de_caso

# Columns that differ between two stores of the same data by design: row ids and the keys that
# point to them, ciphertexts (random nonces, another data key) and "now" timestamps.
DISTINTAS_POR_DISENO = re.compile(r"^(id|caso_id|hecho_id|dek_envuelta|.*_cifrado|creado_en|"
                                  r"actualizado_en|registrado_en|creada_en)$")


def _retrato(objeto, vistos=None) -> dict:
    """Every plaintext column and every decrypted `Cifrado` attribute of a row and of the rows
    that hang from it (relationships with delete-orphan cascade), found from the mappers: a
    column or table added later is compared too, without touching this test."""
    mapper = inspect(objeto).mapper
    retrato = {c.key: getattr(objeto, c.key) for c in mapper.column_attrs
               if not DISTINTAS_POR_DISENO.match(c.key)}
    for clase in type(objeto).__mro__:
        for nombre, valor in vars(clase).items():
            if isinstance(valor, Cifrado):
                retrato[nombre] = getattr(objeto, nombre)
    for relacion in mapper.relationships:
        if "delete-orphan" not in relacion.cascade:
            continue
        valor = getattr(objeto, relacion.key)
        if relacion.uselist:
            retrato[relacion.key] = sorted((_retrato(h) for h in valor), key=repr)
        else:
            retrato[relacion.key] = None if valor is None else _retrato(valor)
    return retrato


def _capturista():
    demo.sembrar()
    return db.session.scalar(select(Usuaria).where(Usuaria.correo == "capturista@fiscalia.demo"))


def _registrar(autora, *, masivo: bool) -> uuid.UUID:
    """The same synthetic intake and risk assessment, stored by a flush or in bulk."""
    caso = servicios.registrar_caso(autora, datos_de_caso(), volcar=not masivo)
    indicadores = [i.clave for i in riesgo.instrumento().indicadores]
    respuestas = {clave: "si" if n % 3 == 0 else "no" for n, clave in enumerate(indicadores)}
    servicios.registrar_valoracion(caso, autora, respuestas, None, None, volcar=not masivo)
    identificador = caso.id
    if masivo:
        assert insertar_pendientes(db.session()) > 5
        assert not db.session.new
    db.session.commit()
    return identificador


def _sin_lo_que_cambia(html: str, *ids) -> str:
    for numero, identificador in enumerate(ids):
        html = html.replace(str(identificador), f"<caso {numero}>")
    html = re.sub(r'name="csrf_token"[^>]*', "csrf", html)
    return re.sub(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", "<momento>", html)


def test_un_caso_insertado_en_bloque_se_lee_igual_que_uno_registrado(app, client, monkeypatch):
    autora = _capturista()
    instante = ahora()
    monkeypatch.setattr(servicios, "ahora", lambda: instante)  # next assessment dates alike
    normal, masivo = _registrar(autora, masivo=False), _registrar(autora, masivo=True)
    db.session.remove()

    uno, otro = db.session.get(Caso, normal), db.session.get(Caso, masivo)
    assert otro is not None and otro.victima is not None
    assert _retrato(otro) == _retrato(uno)
    assert otro.victima.nombre == datos_de_caso().nombre and len(otro.valoraciones) == 1
    # The blind indexes work: a search by CURP finds both.
    autora = db.session.get(Usuaria, uno.creado_por_id)
    assert {c.id for c in servicios.buscar(autora, datos_de_caso().curp)} == {normal, masivo}

    from tests.conftest import entrar

    assert entrar(client, "capturista@fiscalia.demo", demo.CONTRASENA_DEMO).status_code == 302
    paginas = [client.get(f"/casos/{i}") for i in (normal, masivo)]
    assert [p.status_code for p in paginas] == [200, 200]
    html_normal, html_masivo = (p.get_data(as_text=True) for p in paginas)
    assert datos_de_caso().narrativa in html_masivo and datos_de_caso().curp in html_masivo
    # The whole page, ids and "now" aside, is the same page.
    assert _sin_lo_que_cambia(html_masivo, masivo, normal) == _sin_lo_que_cambia(html_normal, normal, masivo)


def test_la_siembra_en_bloque_guarda_lo_mismo_que_la_siembra_con_flush(app, monkeypatch):
    _capturista()

    def retratos() -> list:
        db.session.remove()
        return sorted((_retrato(c) for c in db.session.scalars(select(Caso))), key=repr)

    demo_casos.sembrar_casos(40, semilla=5, lote=15)
    en_bloque = retratos()
    db.session.execute(Caso.__table__.delete())
    db.session.commit()
    monkeypatch.setattr(demo_casos, "insertar_pendientes", lambda sesion: sesion.flush())
    demo_casos.sembrar_casos(40, semilla=5, lote=15)
    assert len(en_bloque) == 40 and retratos() == en_bloque


def test_con_un_oyente_de_flush_inserta_con_flush(app):
    """An audit hook on flush must never be skipped by the bulk path."""
    autora = _capturista()
    sesion = db.session()
    llamadas = []

    def oyente(*_):
        llamadas.append(1)

    event.listen(sesion, "before_flush", oyente)
    try:
        caso = servicios.registrar_caso(autora, datos_de_caso(), volcar=False)
        insertar_pendientes(sesion)
        assert llamadas and inspect(caso).persistent
        db.session.commit()
    finally:
        event.remove(sesion, "before_flush", oyente)
    assert db.session.scalar(select(func.count()).select_from(Caso)) == 1


def test_demo_casos_es_idempotente(app, runner):
    assert runner.invoke(args=["demo", "--casos", "12"]).exit_code == 0
    segunda = runner.invoke(args=["demo", "--casos", "12"])
    assert segunda.exit_code == 0 and "Hay 12 casos" in segunda.output
    assert runner.invoke(args=["demo", "--casos", "15"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Caso)) == 15


@pytest.mark.motor("postgresql")
def test_la_siembra_en_paralelo_reparte_con_semillas_distintas(app):
    _capturista()
    db.session.commit()
    avances = []
    demo_casos.sembrar_en_paralelo(60, procesos=2, semilla=9, configuracion=dict(app.config),
                                   al_avanzar=avances.append)
    db.session.rollback()
    assert sum(avances) == 60
    assert db.session.scalar(select(func.count()).select_from(Caso)) == 60
    nombres = [c.victima.nombre for c in db.session.scalars(select(Caso))]
    assert len(set(nombres)) > 40  # two processes with one seed would repeat every case
