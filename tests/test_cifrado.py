"""Field encryption as an attacker with the database (but not the key file) would test it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from casos.cripto import llavero, llavero_actual, sobres
from casos.cripto.campos import DatosEliminados
from casos.expedientes import servicios
from casos.expedientes.modelos import Caso, Hecho, Victima
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar

CANARIOS = {
    "nombre": "Zyxwanda Canariomex Ficticia",
    "curp": "ZACF900215MZSNNN09",
    "telefono": "4921239876",
    "narrativa": "Narrativa-canario-7f3a: relato inventado que nunca debe verse en claro.",
    "domicilio": "Callejon Canario 77",
}


def _registrar(cuentas, **cambios):
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        nombre=CANARIOS["nombre"], curp=CANARIOS["curp"], telefono=CANARIOS["telefono"],
        narrativa=CANARIOS["narrativa"], domicilio=CANARIOS["domicilio"], **cambios))
    db.session.commit()
    return caso


def _contenido_crudo(app, motor_bd) -> bytes:
    """Everything the database holds, as an attacker with a copy of it would read it."""
    db.session.remove()
    if motor_bd == "sqlite":
        ruta = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in ruta.parent.glob(ruta.name + "*"))
    partes = []
    with db.engine.connect() as conexion:
        tablas = conexion.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").scalars().all()
        for tabla in tablas:
            for fila in conexion.exec_driver_sql(f'SELECT * FROM "{tabla}"'):
                # bytea arrives as bytes, exactly as stored; everything else as its text.
                partes += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode()
                           for v in fila]
    return b"\n".join(partes)


def test_la_base_no_guarda_ningun_dato_personal_en_claro(app, cuentas, motor_bd, como):
    caso = _registrar(cuentas)
    # The case is readable through the app…
    pagina = como("capturista").get(f"/casos/{caso.id}").get_data(as_text=True)
    assert CANARIOS["nombre"] in pagina and CANARIOS["curp"] in pagina
    # …and none of it is in the raw database, in any encoding an attacker would try.
    crudo = _contenido_crudo(app, motor_bd)
    for valor in CANARIOS.values():
        for variante in {valor, valor.upper(), valor.lower()}:
            assert variante.encode() not in crudo
            assert variante.encode("utf-16-le") not in crudo
    assert b"Zyxwanda" not in crudo and b"Canariomex" not in crudo


def test_un_cifrado_movido_a_otra_fila_falla_en_vez_de_mostrar_otra_persona(app, cuentas):
    primero = _registrar(cuentas)
    segundo = servicios.registrar_caso(
        cuentas["capturista"], datos_de_caso(nombre="Otra Persona Sintetica", curp=None))
    db.session.commit()
    cifrado = primero.victima.nombre_cifrado
    db.session.execute(sa.update(Victima).where(Victima.id == segundo.victima.id)
                       .values(nombre_cifrado=cifrado))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(sobres.DescifradoFallido):
        _ = db.session.get(Caso, segundo.id).victima.nombre


def test_un_cifrado_movido_a_otra_columna_falla(app, cuentas):
    caso = _registrar(cuentas)
    victima_id = caso.victima.id
    db.session.execute(sa.update(Victima).where(Victima.id == victima_id)
                       .values(telefono_cifrado=Victima.curp_cifrado))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(sobres.DescifradoFallido):
        _ = db.session.get(Victima, victima_id).telefono


def test_un_byte_alterado_falla_y_la_pagina_no_muestra_nada(app, cuentas, como):
    caso = _registrar(cuentas)
    cifrado = bytearray(caso.hechos[0].narrativa_cifrado)
    cifrado[20] ^= 0x01
    hecho_id = caso.hechos[0].id
    db.session.execute(sa.update(Hecho).where(Hecho.id == hecho_id).values(narrativa_cifrado=bytes(cifrado)))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(sobres.DescifradoFallido):
        _ = db.session.get(Hecho, hecho_id).narrativa
    respuesta = como("capturista").get(f"/casos/{caso.id}")
    assert respuesta.status_code == 500
    texto = respuesta.get_data(as_text=True)
    assert "Error del sistema" in texto
    assert "Narrativa-canario" not in texto and "Traceback" not in texto and "InvalidTag" not in texto


def test_una_clave_de_datos_envuelta_no_sirve_para_otro_caso(app, cuentas):
    primero, segundo = _registrar(cuentas), _registrar(cuentas)
    db.session.execute(sa.update(Caso).where(Caso.id == segundo.id)
                       .values(dek_envuelta=primero.dek_envuelta))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(sobres.DescifradoFallido):
        _ = db.session.get(Caso, segundo.id).victima.nombre


def test_cada_campo_usa_un_nonce_distinto(app, cuentas):
    a, b = _registrar(cuentas), _registrar(cuentas)
    assert a.victima.nombre_cifrado != b.victima.nombre_cifrado
    assert a.victima.nombre == b.victima.nombre == CANARIOS["nombre"]


def _releer(caso_id):
    db.session.expire_all()
    return db.session.get(Caso, caso_id).victima.nombre


def test_rotar_la_clave_maestra_reenvuelve_y_las_lecturas_siguen(app, cuentas, runner):
    casos = [_registrar(cuentas) for _ in range(5)]
    borrador = servicios.guardar_borrador(cuentas["capturista"], None, {"nombre": ["Borrador"]})
    db.session.commit()
    antes = {c.id: c.dek_envuelta for c in casos}

    resultado = runner.invoke(args=["claves", "rotar", "--lote", "2"])
    assert resultado.exit_code == 0, resultado.output
    assert "versión 2" in resultado.output
    db.session.expire_all()
    for caso in casos:
        caso = db.session.get(Caso, caso.id)
        assert caso.kek_version == 2
        assert caso.dek_envuelta != antes[caso.id]
        assert caso.victima.nombre == CANARIOS["nombre"]
    assert db.session.get(type(borrador), borrador.id).kek_version == 2

    # Version 1 protects nothing now: it can be retired, and everything still reads.
    resultado = runner.invoke(args=["claves", "retirar", "1"])
    assert resultado.exit_code == 0, resultado.output
    assert 1 not in llavero_actual(recargar=True).maestras
    assert _releer(casos[0].id) == CANARIOS["nombre"]


def test_no_se_retira_una_version_en_uso_ni_la_activa(app, cuentas, runner):
    _registrar(cuentas)
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    resultado = runner.invoke(args=["claves", "retirar", "1"])
    assert resultado.exit_code != 0 and "todavía protege 1" in resultado.output
    resultado = runner.invoke(args=["claves", "retirar", "2"])
    assert resultado.exit_code != 0 and "activa" in resultado.output


def test_una_rotacion_interrumpida_se_reanuda_sin_otra_version(app, cuentas, runner):
    casos = [_registrar(cuentas) for _ in range(4)]
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))

    class Corte(Exception):
        pass

    def cortar(_n):
        raise Corte

    from casos.cripto import rotacion

    with pytest.raises(Corte):
        rotacion.reenvolver(lote=1, al_avanzar=cortar)  # dies after the first batch committed
    db.session.expire_all()
    versiones = sorted(db.session.get(Caso, c.id).kek_version for c in casos)
    assert versiones == [1, 1, 1, 2]
    # Mixed versions read fine in the meantime.
    assert all(_releer(c.id) == CANARIOS["nombre"] for c in casos)

    resultado = runner.invoke(args=["claves", "rotar"])
    assert resultado.exit_code == 0 and "Continuando" in resultado.output, resultado.output
    db.session.expire_all()
    assert {db.session.get(Caso, c.id).kek_version for c in casos} == {2}
    assert max(llavero_actual(recargar=True).maestras) == 2


def test_otro_proceso_que_rota_no_rompe_las_lecturas(app, cuentas):
    caso = _registrar(cuentas)
    viejo = llavero_actual()
    # Another process rotates: it writes the key file and re-wraps this case's key.
    llavero.agregar_version(Path(app.config["RUTA_CLAVES"]))
    nuevo = llavero.cargar(app.config["RUTA_CLAVES"])
    dek = sobres.desenvolver_dek(caso.dek_envuelta, str(caso.id), viejo)
    db.session.execute(sa.update(Caso).where(Caso.id == caso.id).values(
        dek_envuelta=sobres.envolver_dek(dek, str(caso.id), nuevo), kek_version=nuevo.activa))
    db.session.commit()
    assert llavero_actual() is viejo  # this process still holds the old key file in memory
    assert _releer(caso.id) == CANARIOS["nombre"]


def test_eliminar_los_datos_de_un_caso_los_vuelve_ilegibles_y_conserva_la_estadistica(
        app, cuentas, como, motor_bd):
    caso = _registrar(cuentas)
    admin = como("admin")
    respuesta = enviar(admin, "/casos/eliminar-datos", {
        "caso_id": str(caso.id), "motivo": "Solicitud ARCO de cancelación (sintética)",
        "confirmacion": "ELIMINAR"})
    assert respuesta.status_code == 302
    db.session.expire_all()
    caso = db.session.get(Caso, caso.id)
    assert caso.dek_envuelta is None and caso.datos_eliminados
    with pytest.raises(DatosEliminados):
        _ = caso.victima.nombre
    # The ciphertexts are still there, and useless without the key.
    assert caso.victima.nombre_cifrado is not None
    # Statistics keep the categorical data.
    assert caso.municipio == "32056" and caso.hechos[0].tipos
    # The caseworker sees that the data are gone; search and duplicates no longer find it.
    capturista = como("capturista")
    pagina = capturista.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "datos personales eliminados" in pagina.lower() and CANARIOS["nombre"] not in pagina
    assert CANARIOS["nombre"] not in capturista.get("/casos/").get_data(as_text=True)
    busqueda = enviar(capturista, "/casos/buscar", {"texto": CANARIOS["curp"]}, pagina="/casos/")
    assert "0 resultados" in busqueda.get_data(as_text=True)
    assert servicios.posibles_duplicados(CANARIOS["curp"], None, None) == []


def test_eliminar_datos_pide_confirmacion_y_un_caso_existente(app, cuentas, como):
    caso = _registrar(cuentas)
    admin = como("admin")
    sin_confirmar = enviar(admin, "/casos/eliminar-datos", {
        "caso_id": str(caso.id), "motivo": "x", "confirmacion": "eliminar"})
    assert "Escriba ELIMINAR" in sin_confirmar.get_data(as_text=True)
    inexistente = enviar(admin, "/casos/eliminar-datos", {
        "caso_id": str(uuid.uuid4()), "motivo": "x", "confirmacion": "ELIMINAR"})
    assert "No existe un caso" in inexistente.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Caso, caso.id).dek_envuelta is not None


def test_los_indices_ciegos_no_son_el_valor_ni_un_hash_simple(app, cuentas):
    import hashlib

    caso = _registrar(cuentas)
    indice = caso.victima.idx_curp
    assert indice is not None and indice < 2 ** 32
    sin_clave = int.from_bytes(hashlib.sha256(CANARIOS["curp"].encode()).digest()[:8], "big") >> 32
    assert indice != sin_clave
