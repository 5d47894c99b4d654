"""What the benchmark does inside the app, on the scenario's database (its environment says
which): `python -m tests.rendimiento.en_la_app ORDEN ARCHIVO…`, answering in JSON.

  preparar SALIDA K F   case ids to open, F valid intake forms, K referrals waiting in
                        "enviada" for the receiving institution, a statistics API token
  aceptadas DATOS       how many of the prepared referrals are now "aceptada"
  estadisticas          an edition's work for this year's closed months (counting them and
                        protecting each, bloques.py) against the very same SQL statements
                        run raw on the driver's cursor
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import timedelta

from sqlalchemy import event, func, select

from casos import create_app
from casos.extensiones import db

CASOS_A_ABRIR = 1000


def _usuaria(correo):
    from casos.cuentas.modelos import Usuaria

    return db.session.scalar(select(Usuaria).where(Usuaria.correo == correo))


def a_formulario(datos) -> dict:
    """DatosIntake as the intake page posts it (casos/expedientes/formularios.py)."""
    fecha = lambda d: d.isoformat() if d else ""  # noqa: E731
    formulario = {
        "nombre": datos.nombre, "curp": datos.curp or "", "fecha_nacimiento": fecha(datos.fecha_nacimiento),
        "edad_aproximada": "" if datos.edad_aproximada is None else str(datos.edad_aproximada),
        "telefono": datos.telefono or "", "domicilio": datos.domicilio or "", "municipio": datos.municipio,
        "nacionalidad": "Mexicana", "telefono_seguro": datos.contacto_seguro.get("telefono", ""),
        "horario_seguro": datos.contacto_seguro.get("horario", ""),
        "fecha_hechos": fecha(datos.fecha_hechos), "municipio_hechos": datos.municipio_hechos or "",
        "lugar_hechos": datos.lugar_hechos or "", "narrativa": datos.narrativa,
        "tipos": datos.tipos, "modalidades": datos.modalidades,
    }
    if datos.contacto_seguro.get("nunca_casa"):
        formulario["nunca_llamar_casa"] = "y"
    for i, hija in enumerate(datos.nna):
        formulario |= {f"nna-{i}-nombre": hija.nombre, f"nna-{i}-edad": str(hija.edad)}
        if hija.violencia_directa:
            formulario[f"nna-{i}-violencia_directa"] = "y"
    for i, agresor in enumerate(datos.agresores):
        formulario |= {f"agresores-{i}-nombre": agresor.nombre or "", f"agresores-{i}-relacion": agresor.relacion}
        if agresor.vive_con_ella:
            formulario[f"agresores-{i}-vive_con_ella"] = "y"
        if agresor.acceso_armas:
            formulario[f"agresores-{i}-acceso_armas"] = "y"
    if datos.autoriza_canalizar:
        formulario |= {"autoriza_canalizar": "y", "tipos_institucion": datos.tipos_institucion,
                       "datos_compartibles": datos.datos_compartibles}
    return formulario


def _formularios(app, cuantos: int) -> list[dict]:
    from werkzeug.datastructures import MultiDict

    from casos.bd import hoy_local
    from casos.demo_casos import datos_sinteticos
    from casos.expedientes.formularios import FormularioIntake

    azar = random.Random(4242)
    # A day back: the form refuses dates after today in Mexico City, behind UTC.
    dia = hoy_local() - timedelta(days=1)
    formularios = [a_formulario(datos_sinteticos(azar, dia)) for _ in range(cuantos)]
    for formulario in formularios[:50]:  # the forms must be valid, or the test measures errors
        datos = MultiDict([(k, v) for k, valores in formulario.items()
                           for v in (valores if isinstance(valores, list) else [valores])])
        with app.test_request_context(method="POST", data=datos):
            validado = FormularioIntake(meta={"csrf": False})
            if not validado.validate():
                raise SystemExit(f"formulario sintético inválido: {validado.errors}")
    return formularios


def _canalizaciones(cuantas: int) -> list[tuple[str, int]]:
    """Referrals FGJEZ -> CJM, requested and approved as the pages do, left in "enviada"."""
    from casos.bd import hoy_local
    from casos.canalizaciones import servicios as canalizaciones
    from casos.cuentas.modelos import Institucion
    from casos.expedientes.modelos import Caso, Consentimiento
    from casos.transiciones import servicios as transiciones

    capturista, supervisora = _usuaria("capturista@fiscalia.demo"), _usuaria("supervisora@fiscalia.demo")
    cjm = db.session.scalar(select(Institucion).where(Institucion.siglas == "CJM"))
    ids = db.session.scalars(
        select(Caso.id).join(Consentimiento, Consentimiento.caso_id == Caso.id)
        .where(Caso.institucion_id == capturista.institucion_id, Consentimiento.autoriza_canalizar.is_(True),
               Consentimiento.revocado_en.is_(None)).limit(cuantas)).all()
    hechas = []
    for numero, caso_id in enumerate(ids, 1):
        caso = db.session.get(Caso, caso_id)
        canalizacion = canalizaciones.solicitar(caso, capturista, destino=cjm, servicios=["psicologica"],
                                                motivo="Prueba de rendimiento", hoy=hoy_local())
        solicitud = transiciones.pendiente_de(canalizacion, "enviar")
        transiciones.aprobar(solicitud, canalizacion, supervisora, version_vista=solicitud.version,
                             valores=canalizaciones.VALORES["enviar"](canalizacion))
        hechas.append(canalizacion)
        if numero % 200 == 0 or numero == len(ids):
            db.session.commit()
    resultado = [(str(c.id), c.version) for c in hechas]
    assert all(c.estado == "enviada" for c in hechas)
    return resultado


def preparar(app, salida: str, canalizaciones: int, formularios: int) -> None:
    from casos.cuentas.modelos import Usuaria
    from casos.estadisticas import tokens
    from casos.expedientes.modelos import Caso

    capturista = _usuaria("capturista@fiscalia.demo")
    # A random sample of her institution's cases, so pages are not served from one hot row.
    casos = [str(i) for i in db.session.scalars(
        select(Caso.id).where(Caso.institucion_id == capturista.institucion_id)
        .order_by(func.random()).limit(CASOS_A_ABRIR))]
    datos = {"casos": casos, "formularios": _formularios(app, formularios),
             "canalizaciones": _canalizaciones(canalizaciones)}
    admin = db.session.scalar(select(Usuaria).where(Usuaria.rol == "admin"))
    _fila, datos["token_api"] = tokens.crear("Prueba de rendimiento", admin)
    db.session.commit()
    with open(salida, "w", encoding="utf-8") as archivo:
        json.dump(datos, archivo)
    print(json.dumps({"casos": len(casos), "canalizaciones": len(datos["canalizaciones"])}))


def aceptadas(archivo: str) -> None:
    from casos.canalizaciones.modelos import Canalizacion

    with open(archivo, encoding="utf-8") as entrada:
        ids = [i for i, _version in json.load(entrada)["canalizaciones"]]
    import uuid

    cuantas = db.session.scalar(select(func.count()).select_from(Canalizacion).where(
        Canalizacion.id.in_([uuid.UUID(i) for i in ids]), Canalizacion.estado == "aceptada"))
    print(json.dumps({"aceptadas": cuantas}))


def estadisticas(repeticiones: int = 7, presupuesto_s: float = 120) -> None:
    """Median wall time of the dashboard's whole roll-up (every GROUP BY it runs, the Python
    that sums months into quarters and suppresses small cells) against the median time of the
    same statements, with the same parameters, executed and fetched on the raw DBAPI cursor."""
    from casos.bd import ahora, hoy_local
    from casos.estadisticas import bloques, consultas, ediciones

    hoy = hoy_local()
    meses = [f"{hoy.year}-{m:02d}" for m in range(1, hoy.month)] or [f"{hoy.year}-01"]
    k, instituciones = ediciones.umbral(), consultas.instituciones()

    class Consulta:  # the year's computation, as `ediciones.publicar` runs it, not stored
        @staticmethod
        def publicar():
            conteos = bloques.contar_meses(hoy.year, meses, ahora())
            for mes in meses:
                bloques.proteger_mes(mes, conteos[mes], k, instituciones)

    consulta = Consulta()
    sentencias = []

    def capturar(_conexion, _cursor, sentencia, parametros, _contexto, _varias):
        sentencias.append((sentencia, parametros))

    event.listen(db.engine, "before_cursor_execute", capturar)
    inicio = time.perf_counter()
    consulta.publicar()  # also warms caches and the database's buffers
    primera = time.perf_counter() - inicio
    event.remove(db.engine, "before_cursor_execute", capturar)
    db.session.rollback()
    # Bounded: at a million cases one roll-up takes tens of seconds.
    repeticiones = max(1, min(repeticiones, int(presupuesto_s / 2 / max(primera, 0.001))))

    def roll_up():
        inicio = time.perf_counter()
        consulta.publicar()
        db.session.rollback()
        return time.perf_counter() - inicio

    conexion = db.engine.raw_connection()

    def crudo():
        cursor = conexion.cursor()
        inicio = time.perf_counter()
        for sentencia, parametros in sentencias:
            cursor.execute(sentencia, parametros)
            cursor.fetchall()
        duracion = time.perf_counter() - inicio
        cursor.close()
        conexion.rollback()
        return duracion

    tiempos_roll_up = [roll_up() for _ in range(repeticiones)]
    tiempos_crudos = [crudo() for _ in range(repeticiones)]
    conexion.close()
    mediana_roll_up, mediana_cruda = statistics.median(tiempos_roll_up), statistics.median(tiempos_crudos)
    print(json.dumps({"sentencias": len(sentencias), "repeticiones": repeticiones, "roll_up_ms": round(1000 * mediana_roll_up, 1),
                      "sql_ms": round(1000 * mediana_cruda, 1),
                      "razon": round(mediana_roll_up / mediana_cruda, 2)}))


def main(argv: list[str]) -> None:
    app = create_app()
    with app.app_context():
        orden = argv[0]
        if orden == "preparar":
            preparar(app, argv[1], int(argv[2]), int(argv[3]))
        elif orden == "aceptadas":
            aceptadas(argv[1])
        elif orden == "estadisticas":
            estadisticas()
        else:
            raise SystemExit(f"orden desconocida: {orden}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
