"""The migration to several chains keeps the single chain of before verifiable.

A database at the revision before it gets events written as the single chain wrote them
(format 1, one head row); after `upgrade` they are chain 0, verify as they are, an old exported
head still names its event, and new events go to the chains 1… on either engine.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest
import sqlalchemy as sa

from casos import create_app
from casos.auditoria import verificacion
from casos.auditoria.formato import CADENA_HEREDADA
from casos.auditoria.servicios import registrar
from casos.bd import escritura
from casos.cripto import llavero_actual
from casos.extensiones import db
from tests.conftest import PG_POR_DEFECTO, _configuracion
from tests.test_auditoria import antiguos

ANTES = "169f0a864cc7"


@pytest.fixture
def url_vacia(motor_bd, tmp_path):
    if motor_bd == "sqlite":
        yield f"sqlite:///{tmp_path / 'migracion.sqlite'}"
        return
    from config import normalizar_url_bd

    base = normalizar_url_bd(os.environ.get("TEST_DATABASE_URL", PG_POR_DEFECTO))
    esquema = f"migracion_{uuid.uuid4().hex[:12]}"
    motor = sa.create_engine(base)
    with motor.begin() as conexion:
        conexion.exec_driver_sql(f'CREATE SCHEMA "{esquema}"')
    separador = "&" if "?" in base else "?"
    yield f"{base}{separador}options=-csearch_path%3D{esquema}"
    with motor.begin() as conexion:
        conexion.exec_driver_sql(f'DROP SCHEMA "{esquema}" CASCADE')
    motor.dispose()


def test_la_cadena_unica_sigue_verificando_como_cadena_0(url_vacia, tmp_path):
    from flask_migrate import upgrade

    app = create_app(_configuracion(url_vacia, tmp_path / "claves.json"))
    with app.app_context():
        upgrade(revision=ANTES)
        viejos = antiguos(4, llavero_actual().auditoria)
        with escritura(), db.engine.begin() as conexion:  # as the single chain wrote them
            conexion.execute(sa.text(
                "INSERT INTO evento_auditoria (id, secuencia, momento, usuaria_id, rol, institucion_id, "
                "accion, caso_id, objeto_id, origen, motivo, hmac) VALUES (:id, :secuencia, :momento, "
                ":usuaria_id, :rol, :institucion_id, :accion, :caso_id, :objeto_id, :origen, :motivo, :hmac)"
            ).bindparams(sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("momento", type_=sa.DateTime(True))),
                [{k: v for k, v in e.items() if k not in ("cadena", "eslabon")} for e in viejos])
            conexion.exec_driver_sql(f"UPDATE cabeza_auditoria SET secuencia = 4, hmac = '{viejos[-1]['hmac']}'")
        exportada_antes = json.dumps({"secuencia": 4, "hmac": viejos[-1]["hmac"]})

        upgrade(revision="heads")
        resultado = verificacion.verificar(verificacion.Exportada.de_json(exportada_antes))
        assert resultado.integra, resultado.rotura
        assert resultado.eventos == 4 and resultado.cabezas[CADENA_HEREDADA].eslabon == 4

        with escritura():
            nuevo = registrar("sesion.entrar")
            db.session.commit()
        assert nuevo["cadena"] >= 1 and nuevo["eslabon"] == 1 and nuevo["secuencia"] > 4
        resultado = verificacion.verificar()
        assert resultado.integra and resultado.eventos == 5
        db.session.remove()
        db.engine.dispose()
