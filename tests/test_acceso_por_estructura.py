"""Access and audit hold by structure: every route the app registers, walked from the URL map.

A route added next year is covered the day it is added: if it takes the id of a domain object
without loading it through its scoped loader (casos/acceso/objetos.py), if a page shows a
woman's data without its read event, or if a view module imports a domain model, this file
fails and says which route. (A view writing the audit trail by hand:
tests/test_auditoria_por_estructura.py.)
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import sqlalchemy as sa

from casos.acceso import EN_SERVICIO
from casos.acceso import objetos as cargadores
from casos.acceso.politica import PUBLICA, TOKEN_API
from casos.auditoria.modelos import EventoAuditoria
from casos.extensiones import db
from tests.conftest import entrar
from tests.test_rutas_por_rol import _argumentos, _rutas, objetos  # noqa: F401 (a fixture)

RAIZ = Path(__file__).resolve().parent.parent
# An activation link's secret token is not an object's id (the account service checks it):
# every other argument must name a loader, the admin's accounts, institutions and tokens too.
NO_SON_OBJETOS = {"token"}
# What a page that shows a woman's data would print (tests/conftest.py `datos_de_caso`).
CANARIOS = ("Canaria Xochitl Pruebasintetica", "PEMA850101MZSRRN02", "4929990001",
            "Calle Ficticia", "Relato canario", "Hija Sintetica", "Agresor Sintetico")
MODELOS_DEL_DOMINIO = {"casos.expedientes.modelos", "casos.canalizaciones.modelos",
                       "casos.ordenes.modelos", "casos.transiciones.modelos", "casos.atenciones.modelos",
                       "casos.arco.modelos"}


def _original(vista):
    return inspect.unwrap(vista)


def test_cada_objeto_de_una_ruta_pasa_por_su_cargador(app):
    fallos = []
    for regla in app.url_map.iter_rules():
        if regla.endpoint == "static":
            continue
        declarada = getattr(app.view_functions[regla.endpoint], "regla", None)
        for argumento in regla.arguments:
            if argumento in NO_SON_OBJETOS:
                continue
            if argumento not in cargadores.CARGADORES:
                fallos.append(f"{regla.rule}: «{argumento}» no tiene cargador en casos/acceso/objetos.py")
            elif declarada is None or argumento not in declarada.objetos:
                fallos.append(f"{regla.rule}: «{argumento}» no se carga por su cargador "
                              "(declárelo en @permiso)")
    assert not fallos, "\n".join(fallos)


def test_cada_ruta_de_casos_declara_su_auditoria(app):
    """A route that loads a case's object declares what it leaves on the trail: the read
    event of the page it shows, and the change of a successful POST."""
    fallos = []
    for regla in app.url_map.iter_rules():
        vista = app.view_functions[regla.endpoint]
        declarada = getattr(vista, "regla", None)
        if declarada is None or not set(declarada.objetos) & cargadores.DEL_CASO:
            continue
        if "GET" in regla.methods and not declarada.lectura:
            fallos.append(f"GET {regla.rule}: muestra un objeto de un caso sin evento de lectura")
        if "POST" in regla.methods and not declarada.cambio:
            fallos.append(f"POST {regla.rule}: cambia un caso sin declarar su evento "
                          f"(un código, o {EN_SERVICIO} si lo escribe el servicio)")
    assert not fallos, "\n".join(fallos)


def _importados(ruta: Path) -> set[str]:
    arbol = ast.parse(ruta.read_text())
    return {nodo.module for nodo in ast.walk(arbol) if isinstance(nodo, ast.ImportFrom) and nodo.module}


def test_ninguna_vista_carga_un_objeto_del_dominio_por_su_cuenta(app):
    """Views receive their objects from the loaders: none imports a domain model to query it."""
    modulos = {Path(inspect.getsourcefile(_original(v))) for e, v in app.view_functions.items()
               if e != "static"}
    fallos = [f"{m.relative_to(RAIZ)} importa {sorted(_importados(m) & MODELOS_DEL_DOMINIO)}"
              for m in sorted(modulos) if _importados(m) & MODELOS_DEL_DOMINIO]
    assert not fallos, "\n".join(fallos)


def _eventos() -> list[tuple[int, str]]:
    db.session.rollback()
    return list(db.session.execute(sa.select(EventoAuditoria.secuencia, EventoAuditoria.accion)
                                   .order_by(EventoAuditoria.secuencia)))


@pytest.mark.parametrize("identidad", ["capturista", "supervisora"])
def test_cada_pagina_que_muestra_sus_datos_deja_su_evento(app, cuentas, objetos, identidad):  # noqa: F811
    """Every GET route, as each role of the owning institution: a page that prints any of the
    woman's data must have written the read event it declares, before answering."""
    cliente = app.test_client()
    assert entrar(cliente, cuentas[identidad]).status_code == 302
    con_datos, fallos = [], []
    for regla, metodo in _rutas(app):
        if metodo != "GET" or app.view_functions[regla.endpoint].accion in (PUBLICA, TOKEN_API):
            continue
        with app.test_request_context():
            ruta = app.url_for(regla.endpoint, **_argumentos(regla, objetos))
        antes = _eventos()[-1][0] if _eventos() else 0
        respuesta = cliente.get(ruta)
        # A download (a case's document) is bytes: read as Latin-1, any ASCII canary still shows.
        html = respuesta.get_data().decode("utf-8" if respuesta.mimetype.startswith("text/") else "latin-1")
        if respuesta.status_code != 200 or not any(c in html for c in CANARIOS):
            continue
        con_datos.append(regla.rule)
        declarada = getattr(app.view_functions[regla.endpoint], "regla", None)
        nuevos = [accion for secuencia, accion in _eventos() if secuencia > antes]
        if declarada is None or not declarada.lectura or declarada.lectura not in nuevos:
            fallos.append(f"GET {regla.rule} muestra sus datos y dejó {nuevos}")
    assert not fallos, "\n".join(fallos)
    # The walk reached the pages that do show her data (so it can't pass by seeing nothing).
    assert {"/casos/<uuid:caso_id>", "/casos/", "/pendientes"} <= set(con_datos), con_datos
