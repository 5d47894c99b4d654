"""Master-key rotation in batches (casos/cripto/rotacion.py): a walk over the primary key with
one UPDATE per batch, still a compare-and-set per row, and a second pass for any key wrapped
with an old version behind the cursor meanwhile."""

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


def test_el_lote_no_pisa_un_cambio_concurrente(app, cuentas):
    """A case shredded after its batch was read keeps no key: the UPDATE compares versions."""
    triturado, otro = _casos(cuentas, 2)
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    activo = llavero_actual(recargar=True)
    filas = {c.id: c.dek_envuelta for c in db.session.query(Caso)}
    servicios.eliminar_datos_personales(db.session.get(Caso, triturado))
    db.session.commit()

    cambios = [(i, 1, sobres.envolver_dek(sobres.desenvolver_dek(filas[i], str(i), activo), str(i), activo))
               for i in (triturado, otro)]
    rotacion._guardar(Caso.__table__, cambios, activo.activa)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Caso, triturado).dek_envuelta is None
    assert _version(otro) == 2


def test_una_clave_vieja_detras_del_cursor_se_reenvuelve_en_otra_pasada(app, cuentas):
    _casos(cuentas, 4)
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    rezagado = uuid.UUID(int=1)  # sorts before every other id: behind the cursor at once
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
