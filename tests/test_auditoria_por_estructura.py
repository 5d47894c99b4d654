"""No view writes the audit trail by hand: it holds by structure, walked from the URL map.

A route declares its read event (`@permiso(..., lectura=...)`, written by casos/peticion.py
before the view runs) and the service that makes a change queues its own
(`auditoria.al_confirmar`, written when the change commits), so a view module never calls
`registrar`, `registrar_consulta` or `al_confirmar`, and commits only through
`casos.peticion.cambio`. A view added next year is covered the day it is registered: its
module is found from the URL map, not from a list kept by hand.

The second half pins the trail of the events that moved from the views into the services and
the boundary: the same codes, actor and object, in the same order, at the same moments.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from casos.auditoria.modelos import EventoAuditoria
from casos.cuentas.modelos import Usuaria
from casos.estadisticas import tokens
from casos.estadisticas.modelos import TokenApi
from casos.extensiones import db
from tests.conftest import CONTRASENA, activar_segundo_factor, crear_usuaria, enviar

RAIZ = Path(__file__).resolve().parent.parent
PAQUETE = RAIZ / "casos"
ESCRITURA_A_MANO = frozenset({"registrar", "registrar_consulta", "al_confirmar"})
# Modules through which the audit functions are reached: `from casos import auditoria`,
# `from casos.auditoria import servicios`, `import casos.auditoria.servicios as s`...
MODULOS_DE_AUDITORIA = frozenset({"casos.auditoria", "casos.auditoria.servicios"})
# Reached by the walk below (a walk that found nothing would pass by seeing nothing).
CONOCIDOS = {"casos/admin/vistas.py", "casos/cuentas/vistas.py", "casos/cuentas/vistas_segundo_factor.py",
             "casos/estadisticas/vistas.py", "casos/estadisticas/vistas_admin.py",
             "casos/estadisticas/api.py", "casos/expedientes/vistas.py", "casos/inicio.py",
             "casos/salud.py", "casos/pendientes/vistas.py"}


def _original(vista):
    """The function the module defines, under `permiso`, the limiter and any other wrapper
    (each keeps `__wrapped__`, functools.wraps)."""
    return inspect.unwrap(vista)


def _modulos_de_vistas(app) -> set[Path]:
    return {Path(inspect.getsourcefile(_original(vista))).resolve()
            for endpoint, vista in app.view_functions.items() if endpoint != "static"}


def _relativa(ruta: Path) -> str:
    return ruta.relative_to(RAIZ).as_posix()


def _nombre_completo(modulo: str | None, nombre: str) -> str:
    return f"{modulo}.{nombre}" if modulo else nombre


def _resolver_relativo(nodo: ast.ImportFrom, ruta: Path) -> str | None:
    """`from ..auditoria import servicios` inside casos/x/vistas.py -> casos.auditoria."""
    if not nodo.level:
        return nodo.module
    partes = list(ruta.relative_to(RAIZ).with_suffix("").parts)[:-nodo.level]
    return ".".join(partes + ([nodo.module] if nodo.module else []))


class _Escrituras(ast.NodeVisitor):
    """Every hand-written audit call and every import of an audit function, in one module.

    Names bound to an audit module or function are resolved from the module's imports, at
    any depth (an import inside a helper function counts too); `servicios.registrar_caso`
    of another package, or `registrar(app)` of casos/errores.py, are not the audit trail."""

    def __init__(self, ruta: Path):
        self.ruta = ruta
        self.modulos: set[str] = set()  # local names bound to an audit module
        self.funciones: set[str] = set()  # local names bound to an audit function
        self.importaciones: list[str] = []
        self.llamadas: list[str] = []

    def visit_Import(self, nodo: ast.Import):
        for alias in nodo.names:
            if alias.name in MODULOS_DE_AUDITORIA:
                # `import casos.auditoria.servicios` binds `casos`; `as x` binds the module.
                self.modulos.add(alias.asname or alias.name)

    def visit_ImportFrom(self, nodo: ast.ImportFrom):
        origen = _resolver_relativo(nodo, self.ruta)
        for alias in nodo.names:
            local = alias.asname or alias.name
            if _nombre_completo(origen, alias.name) in MODULOS_DE_AUDITORIA:
                self.modulos.add(local)
            elif origen in MODULOS_DE_AUDITORIA and alias.name in ESCRITURA_A_MANO:
                self.funciones.add(local)
                self.importaciones.append(f"línea {nodo.lineno}: from {origen} import {alias.name}")

    def recorrer(self, arbol: ast.AST) -> _Escrituras:
        # Imports first (a helper may import inside its body, below a call site's line).
        for nodo in ast.walk(arbol):
            if isinstance(nodo, (ast.Import, ast.ImportFrom)):
                self.visit(nodo)
        for nodo in sorted((n for n in ast.walk(arbol) if isinstance(n, ast.Call)), key=lambda n: n.lineno):
            self._llamada(nodo)
        return self

    def _ruta_de(self, expresion: ast.expr) -> str | None:
        if isinstance(expresion, ast.Name):
            return expresion.id
        if isinstance(expresion, ast.Attribute):
            base = self._ruta_de(expresion.value)
            return f"{base}.{expresion.attr}" if base else None
        return None

    def _llamada(self, nodo: ast.Call):
        funcion = nodo.func
        if isinstance(funcion, ast.Name) and funcion.id in self.funciones:
            self.llamadas.append(f"línea {nodo.lineno}: {funcion.id}(…)")
        elif isinstance(funcion, ast.Attribute) and funcion.attr in ESCRITURA_A_MANO:
            base = self._ruta_de(funcion.value)
            if base in self.modulos or base in MODULOS_DE_AUDITORIA:
                self.llamadas.append(f"línea {nodo.lineno}: {base}.{funcion.attr}(…)")


def _escrituras(ruta: Path) -> _Escrituras:
    return _Escrituras(ruta).recorrer(ast.parse(ruta.read_text(), filename=str(ruta)))


def _confirmaciones(ruta: Path) -> list[str]:
    """`db.session.commit()` written in the module: a view commits through `cambio`."""
    return [f"línea {nodo.lineno}: db.session.commit()"
            for nodo in sorted(ast.walk(ast.parse(ruta.read_text(), filename=str(ruta))),
                               key=lambda n: getattr(n, "lineno", 0))
            if isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Attribute)
            and nodo.func.attr == "commit" and ast.unparse(nodo.func.value) == "db.session"]


def test_el_recorrido_encuentra_los_modulos_de_vistas(app):
    encontrados = {_relativa(m) for m in _modulos_de_vistas(app)}
    assert CONOCIDOS <= encontrados, sorted(CONOCIDOS - encontrados)


def test_ninguna_vista_escribe_la_auditoria_a_mano(app):
    """Every registered view's module: no call to the audit functions, at any depth."""
    fallos = []
    for modulo in sorted(_modulos_de_vistas(app)):
        for llamada in _escrituras(modulo).llamadas:
            fallos.append(f"{_relativa(modulo)} {llamada}: declare el evento en @permiso "
                          "(lectura=/cambio=) o que lo encole el servicio (al_confirmar)")
    assert not fallos, "\n".join(fallos)


def test_ningun_modulo_de_vistas_importa_las_funciones_de_auditoria():
    """Every casos/**/vistas*.py, registered or not."""
    modulos = sorted(PAQUETE.rglob("vistas*.py"))
    assert modulos
    fallos = []
    for modulo in modulos:
        escrituras = _escrituras(modulo)
        fallos += [f"{_relativa(modulo)} {texto}" for texto in escrituras.importaciones + escrituras.llamadas]
    assert not fallos, "\n".join(fallos)


def test_ninguna_vista_confirma_a_mano(app):
    """A view commits only through `with cambio(...)` (casos/peticion.py), which adds the
    route's declared event and turns a refused move into a message."""
    fallos = [f"{_relativa(modulo)} {texto}"
              for modulo in sorted(_modulos_de_vistas(app)) for texto in _confirmaciones(modulo)]
    assert not fallos, "\n".join(fallos)


# ---- the detector itself -----------------------------------------------------------------------

def _detecta(tmp_path, codigo: str) -> list[str]:
    ruta = tmp_path / "vistas_de_prueba.py"
    ruta.write_text(codigo)
    escrituras = _Escrituras(ruta).recorrer(ast.parse(codigo))
    return escrituras.importaciones + escrituras.llamadas


def test_el_detector_reconoce_cada_forma_de_llamar(tmp_path):
    formas = [
        "from casos import auditoria\nauditoria.registrar('x')\n",
        "from casos import auditoria as bitacora\nbitacora.registrar_consulta('x')\n",
        "from casos.auditoria import al_confirmar\nal_confirmar('x')\n",
        "from casos.auditoria.servicios import registrar as r\nr('x')\n",
        "from casos.auditoria import servicios\nservicios.registrar('x')\n",
        "import casos.auditoria.servicios\ncasos.auditoria.servicios.registrar('x')\n",
        "import casos.auditoria.servicios as s\ns.al_confirmar('x')\n",
        "def f():\n    from casos.auditoria.servicios import registrar\n    registrar('x')\n",
    ]
    for codigo in formas:
        assert _detecta(tmp_path, codigo), codigo
    inocentes = [
        "from casos.expedientes import servicios\nservicios.registrar_caso(1)\n",
        "from casos.errores import registrar\nregistrar(app)\n",
        "from casos.cuentas import servicios\nservicios.registrar(1)\n",
        "from casos.auditoria import ACCIONES\nACCIONES.get('x')\n",
    ]
    for codigo in inocentes:
        assert not _detecta(tmp_path, codigo), codigo


# ---- the moved events leave the trail the views used to write ----------------------------------

NUEVA_CONTRASENA = "girasoles bajo la lluvia de agosto"


def _ultimo() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(EventoAuditoria.secuencia))) or 0


def _rastro(desde: int) -> list[tuple]:
    """(action, actor, object) of every event after `desde`, in chain order."""
    db.session.rollback()
    filas = db.session.execute(
        sa.select(EventoAuditoria.accion, EventoAuditoria.usuaria_id, EventoAuditoria.objeto_id)
        .where(EventoAuditoria.secuencia > desde).order_by(EventoAuditoria.secuencia)).all()
    db.session.rollback()
    return [tuple(fila) for fila in filas]


def test_el_segundo_factor_deja_quien_y_sobre_quien(app, cuentas, como):
    admin = como("admin")
    nueva = crear_usuaria("supervisora", cuentas.institucion_a, segundo_factor=False)
    desde = _ultimo()
    cliente = app.test_client()
    pendiente = enviar(cliente, "/entrar", {"correo": nueva.correo, "contrasena": CONTRASENA})
    assert pendiente.location == "/entrar/alta-codigo"  # the password alone: no event yet
    respuesta, codigos = activar_segundo_factor(cliente)
    assert respuesta.status_code == 302 and codigos
    assert enviar(cliente, "/cuenta/segundo-factor").status_code == 200  # new recovery codes
    otro = app.test_client()
    assert enviar(otro, "/entrar", {"correo": nueva.correo, "contrasena": CONTRASENA}).location == "/entrar/codigo"
    assert enviar(otro, "/entrar/codigo", {"codigo": "NO-ES-UN-CODIGO"}).status_code == 200
    ruta = f"/admin/cuentas/{nueva.id}"
    assert enviar(admin, f"{ruta}/segundo-factor", pagina=ruta).status_code == 302
    assert _rastro(desde) == [
        ("cuenta.segundo_factor", nueva.id, None),  # turned on at her first login
        ("sesion.entrar", nueva.id, None),
        ("cuenta.segundo_factor", nueva.id, None),  # she renewed her recovery codes
        ("sesion.fallo", None, None),  # a wrong code names no account
        ("cuenta.segundo_factor", cuentas["admin"].id, nueva.id),  # the admin reset hers
    ]


class TestBloqueo:
    @pytest.fixture
    def configuracion(self, configuracion):
        configuracion["BLOQUEO_TRAS_FALLOS"] = 2
        return configuracion

    def test_el_bloqueo_en_el_segundo_paso_va_antes_que_su_fallo(self, app, cuentas):
        ella = cuentas["supervisora"]
        desde = _ultimo()
        assert enviar(app.test_client(), "/entrar", {"correo": ella.correo,
                                                      "contrasena": "frase equivocada"}).status_code == 200
        cliente = app.test_client()
        assert enviar(cliente, "/entrar", {"correo": ella.correo, "contrasena": CONTRASENA}).location == "/entrar/codigo"
        assert enviar(cliente, "/entrar/codigo", {"codigo": "NO-ES-UN-CODIGO"}).status_code == 200
        db.session.rollback()
        assert db.session.get(Usuaria, ella.id).bloqueada_en is not None
        assert _rastro(desde) == [("sesion.fallo", None, None), ("cuenta.bloquear", None, ella.id),
                                  ("sesion.fallo", None, None)]

    def test_el_bloqueo_al_cambiar_la_contrasena_lleva_a_quien_estaba_dentro(self, app, cuentas, como):
        ella = cuentas["capturista"]
        cliente = como("capturista")
        desde = _ultimo()
        for _ in range(2):
            respuesta = enviar(cliente, "/cuenta/contrasena", {
                "actual": "no es la mía", "nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA})
            assert respuesta.status_code == 200
        assert _rastro(desde) == [("contrasena.fallo", ella.id, None), ("cuenta.bloquear", ella.id, ella.id),
                                  ("contrasena.fallo", ella.id, None)]


def test_la_activacion_nombra_a_su_cuenta_aunque_otra_este_dentro(app, cuentas, como):
    admin = como("admin")
    desde = _ultimo()
    pagina = enviar(admin, "/admin/cuentas/nueva", {
        "correo": "persona.nueva@prueba.mx", "nombre": "Persona Nueva", "rol": "capturista",
        "institucion_id": str(cuentas.institucion_a.id), "activa": "y"}).get_data(as_text=True)
    enlace = re.search(r"https?://[^/\s<]+(/activar/[A-Za-z0-9_-]{20,})", pagina).group(1)
    # The admin's own browser opens the link: the password set is the new account's.
    assert enviar(admin, enlace, {"nueva": NUEVA_CONTRASENA, "confirmacion": NUEVA_CONTRASENA}).status_code == 302
    db.session.rollback()
    persona = db.session.scalar(sa.select(Usuaria).where(Usuaria.correo == "persona.nueva@prueba.mx"))
    assert _rastro(desde) == [("cuenta.crear", cuentas["admin"].id, persona.id),
                              ("contrasena.activar", persona.id, None)]


def test_los_tokens_de_la_api_y_sus_llamadas(app, cuentas, como):
    admin = como("admin")
    desde = _ultimo()
    assert enviar(admin, "/admin/api/tokens", {"nombre": "Modelo para la Igualdad"}).status_code == 200
    fila = db.session.scalars(sa.select(TokenApi)).one()
    ruta = f"/admin/api/tokens/{fila.id}/revocar"
    for _ in range(2):  # revoking a revoked token changes nothing, and leaves nothing
        assert enviar(admin, ruta, pagina="/admin/api/tokens").status_code == 302
    assert _rastro(desde) == [("api.token.crear", cuentas["admin"].id, fila.id),
                              ("api.token.revocar", cuentas["admin"].id, fila.id)]


def test_una_descarga_invalida_no_deja_evento_y_una_valida_si(app, cuentas, como):
    gestora = como("gestora")
    desde = _ultimo()
    assert gestora.get("/estadisticas/exportar.json?anio=1800").status_code == 400
    assert gestora.get("/estadisticas/exportar.csv?municipio=32056&institucion=CJM").status_code == 400
    assert _rastro(desde) == []
    # Before any edition there is nothing to download: 404, and no event either.
    assert gestora.get("/estadisticas/exportar.csv").status_code == 404
    assert gestora.get("/estadisticas/exportar.csv?edicion=7").status_code == 404
    assert _rastro(desde) == []
    from casos.estadisticas import ediciones

    assert ediciones.publicar().edicion is not None
    desde = _ultimo()
    assert gestora.get("/estadisticas/exportar.csv").status_code == 200
    assert _rastro(desde) == [("estadisticas.exportar", cuentas["gestora"].id, None)]


def test_la_api_audita_cada_llamada_con_su_token_pero_no_la_que_rebasa_el_limite(app, cuentas):
    fila, token = tokens.crear("límite", cuentas["admin"])
    db.session.commit()
    desde = _ultimo()
    cliente, cabeceras = app.test_client(), {"Authorization": f"Bearer {token}"}
    assert cliente.get("/api/v1/catalogos", headers=cabeceras).status_code == 200
    for _ in range(60):  # an invalid question is answered, and audited
        assert cliente.get("/api/v1/estadisticas?anio=1800", headers=cabeceras).status_code == 400
    assert cliente.get("/api/v1/estadisticas?anio=1800", headers=cabeceras).status_code == 429
    assert _rastro(desde) == [("api.consultar", None, fila.id)] * 61
