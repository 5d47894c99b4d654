"""Master-key rotation in batches (casos/cripto/rotacion.py): every key re-wrapped, batch by
batch, including one wrapped with the old version by a laggard process while it runs."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

from casos.cripto import llavero, llavero_actual, rotacion, sobres
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from tests.conftest import datos_de_caso


def _casos(cuentas, cuantos: int) -> list[uuid.UUID]:
    ids = [servicios.registrar_caso(cuentas["capturista"], datos_de_caso()).id for _ in range(cuantos)]
    db.session.commit()
    return ids


def _version(caso_id):
    db.session.expire_all()
    return db.session.get(Caso, caso_id).kek_version


def test_la_rotacion_por_lotes_reenvuelve_todo_y_se_lee(app, cuentas):
    ids = _casos(cuentas, 7)
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    avances = []
    assert rotacion.reenvolver(lote=3, al_avanzar=avances.append) == 7
    assert avances == [3, 3, 1]
    assert {_version(i) for i in ids} == {2}
    assert all(db.session.get(Caso, i).victima.nombre == datos_de_caso().nombre for i in ids)


def test_una_clave_vieja_escrita_durante_la_rotacion_tambien_se_reenvuelve(app, cuentas):
    _casos(cuentas, 4)
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    rezagado = uuid.UUID(int=1)  # sorts before every other id
    dek = sobres.nueva_dek()

    def otro_proceso_sin_releer_las_claves(_n):
        """Registers a case wrapping its key with version 1, after the first batch."""
        if db.session.get(Caso, rezagado) is not None:
            return
        viejo = dataclasses.replace(llavero_actual(), activa=1)
        db.session.add(Caso(id=rezagado, institucion_id=cuentas.institucion_a.id, estado="registrado",
                            dek_envuelta=sobres.envolver_dek(dek, str(rezagado), viejo), kek_version=1))
        db.session.commit()

    assert rotacion.reenvolver(lote=2, al_avanzar=otro_proceso_sin_releer_las_claves) == 5
    assert _version(rezagado) == 2
    envuelta = db.session.get(Caso, rezagado).dek_envuelta
    assert sobres.desenvolver_dek(envuelta, str(rezagado), llavero_actual()) == dek
