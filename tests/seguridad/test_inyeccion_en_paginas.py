"""XSS and template-injection probes in every free-text field, rendered back on every page.

Each field is typed through the real forms; then every page that shows it is read as each
role that can see it. The payload must appear escaped (so `{{7*7}}` is shown, never `49`)
and never raw. CSV exports neutralising `= + - @` are tests/test_estadisticas.py
(test_csv_neutraliza_formulas).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from markupsafe import escape

from casos.canalizaciones.modelos import Canalizacion
from casos.cuentas.modelos import Institucion, Usuaria
from casos.expedientes.riesgo import instrumento
from casos.extensiones import db
from tests.conftest import enviar
from tests.reloj import hoy_en_mexico

CARGA = 'Zq <script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}} {% debug %}'
ESCAPADA = str(escape(CARGA))
CRUDOS = ("<script>alert(1)</script>", "<img src=x onerror", "onerror=alert(1)>")
EVALUADA = "&gt; 49 "  # what `{{7*7}}` would leave if a template ever evaluated the text

# Every free-text field of the intake form (selects, dates, phones and the CURP are checked
# against catalogues and formats elsewhere).
CAMPOS_INTAKE = ("nombre", "domicilio", "lengua_indigena", "discapacidad", "nacionalidad",
                 "horario_seguro", "persona_confianza", "indicaciones_contacto", "nna-0-nombre",
                 "agresores-0-nombre", "lugar_hechos", "narrativa")

INTAKE = {
    "municipio": "32056", "fecha_nacimiento": "1985-01-01", "telefono": "4929990001",
    "telefono_seguro": "4929990002", "nunca_llamar_casa": "y", "nna-0-edad": "7",
    "agresores-0-relacion": "expareja", "municipio_hechos": "32010",
    "fecha_hechos": (hoy_en_mexico() - timedelta(days=7)).isoformat(),
    "tipos": ["fisica"], "modalidades": ["familiar"], "autoriza_canalizar": "y",
    "tipos_institucion": ["cjm", "salud"], "datos_compartibles": ["identidad", "hechos"],
}


def sin_inyeccion(html: str, donde: str, *, debe_mostrar: bool = True) -> None:
    for crudo in CRUDOS:
        assert crudo not in html, f"{donde}: texto sin escapar ({crudo})"
    assert EVALUADA not in html, f"{donde}: una plantilla evaluó el texto"
    assert "Traceback" not in html
    if debe_mostrar:
        assert ESCAPADA in html, f"{donde}: no muestra el texto escrito, escapado"


def _local(momento: datetime) -> str:
    return momento.astimezone(ZoneInfo("America/Mexico_City")).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def sembrado(app, cuentas, como):
    """An institution and an account named with the payload, and a case, a referral, an
    order and a risk assessment whose every free-text field is the payload."""
    admin = como("admin")
    respuesta = enviar(admin, "/admin/instituciones/nueva", {
        "nombre": CARGA, "siglas": "<b>S</b>", "tipo": "salud", "municipio": "32056", "activa": "y"})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    institucion = db.session.scalars(sa.select(Institucion).where(Institucion.nombre == CARGA)).one()
    respuesta = enviar(admin, "/admin/cuentas/nueva", {
        "correo": "xss@prueba.mx", "nombre": CARGA, "rol": "capturista",
        "institucion_id": str(institucion.id), "activa": "y"})
    assert respuesta.status_code == 200, respuesta.get_data(as_text=True)[-1500:]
    cuenta = db.session.scalars(sa.select(Usuaria).where(Usuaria.correo == "xss@prueba.mx")).one()

    capturista = como("capturista")
    respuesta = enviar(capturista, "/casos/nuevo", {**INTAKE, **dict.fromkeys(CAMPOS_INTAKE, CARGA)})
    assert respuesta.status_code == 302, re.findall(r"class=\"(?:error|aviso)[^>]*>(.*?)<", respuesta.get_data(as_text=True))
    caso_id = re.fullmatch(r"/casos/([0-9a-f-]{36})/valoracion", respuesta.location).group(1)

    respuestas = {f"r_{i.clave}": "no" for i in instrumento().indicadores}
    respuesta = enviar(capturista, f"/casos/{caso_id}/valoracion",
                       {**respuestas, "nivel": "extremo", "motivo": CARGA})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]

    respuesta = enviar(capturista, f"/canalizaciones/nueva/{caso_id}", {
        "destino_id": str(institucion.id), "servicios": ["medica"], "motivo": CARGA})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    db.session.rollback()
    canalizacion = db.session.scalars(sa.select(Canalizacion)).one()

    respuesta = enviar(capturista, f"/casos/{caso_id}/ordenes/nueva", {
        "tipo": "administrativa", "autoridad": "ministerio_publico",
        "medidas": ["prohibicion_acercarse"],
        "solicitada_en": _local(datetime.now().astimezone() - timedelta(hours=1)), "notas": CARGA})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    return {"caso_id": caso_id, "canalizacion_id": canalizacion.id, "institucion_id": institucion.id,
            "cuenta_id": cuenta.id, "admin": admin, "capturista": capturista}


def test_el_caso_muestra_cada_campo_escapado(sembrado, como):
    html = sembrado["capturista"].get(f"/casos/{sembrado['caso_id']}").get_data(as_text=True)
    sin_inyeccion(html, "página del caso")
    # Every field, not just one: the fields' payloads are identical, so count them.
    assert html.count(ESCAPADA) >= len(CAMPOS_INTAKE) - 1, html.count(ESCAPADA)
    supervisora = como("supervisora").get(f"/casos/{sembrado['caso_id']}").get_data(as_text=True)
    sin_inyeccion(supervisora, "página del caso (supervisora)")


def test_listas_y_bandejas_no_muestran_nada_sin_escapar(sembrado, como):
    capturista = sembrado["capturista"]
    for ruta in ("/casos/", "/canalizaciones/", "/pendientes", f"/casos/{sembrado['caso_id']}/valoracion",
                 f"/canalizaciones/nueva/{sembrado['caso_id']}"):
        respuesta = capturista.get(ruta)
        assert respuesta.status_code == 200, ruta
        sin_inyeccion(respuesta.get_data(as_text=True), ruta, debe_mostrar=False)
    supervisora = como("supervisora")
    for ruta in ("/aprobaciones/", f"/casos/{sembrado['caso_id']}/accesos", "/casos/"):
        sin_inyeccion(supervisora.get(ruta).get_data(as_text=True), ruta, debe_mostrar=False)
    sin_inyeccion(como("gestora").get("/estadisticas/").get_data(as_text=True), "/estadisticas/",
                  debe_mostrar=False)


def test_la_canalizacion_muestra_motivo_e_institucion_escapados(sembrado):
    html = sembrado["capturista"].get(f"/canalizaciones/{sembrado['canalizacion_id']}").get_data(as_text=True)
    sin_inyeccion(html, "página de la canalización")
    assert html.count(ESCAPADA) >= 2  # the reason and the destination's name


def test_la_nota_de_la_orden_y_el_motivo_de_la_valoracion_se_ven_escapados(sembrado):
    html = sembrado["capturista"].get(f"/casos/{sembrado['caso_id']}").get_data(as_text=True)
    for region in ("orden", "valoraci"):
        assert re.search(region, html, re.I), region
    sin_inyeccion(html, "página del caso")


def test_paginas_de_administracion_escapan_nombres(sembrado):
    admin = sembrado["admin"]
    for ruta, muestra in (("/admin/instituciones", True), ("/admin/cuentas", True),
                          (f"/admin/instituciones/{sembrado['institucion_id']}", True),
                          (f"/admin/cuentas/{sembrado['cuenta_id']}", True),
                          ("/admin/cuentas/nueva", True),  # the institution in the select
                          ("/admin/auditoria", False), ("/admin/", False), ("/admin/api/tokens", False)):
        respuesta = admin.get(ruta)
        assert respuesta.status_code == 200, ruta
        sin_inyeccion(respuesta.get_data(as_text=True), ruta, debe_mostrar=muestra)


def test_un_formulario_rechazado_devuelve_el_texto_escapado(como):
    """A re-rendered form puts what was typed in value="…" and <textarea>: escaped too."""
    capturista = como("capturista")
    datos = {**INTAKE, **dict.fromkeys(CAMPOS_INTAKE, CARGA), "tipos": []}  # one error
    respuesta = enviar(capturista, "/casos/nuevo", datos)
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    sin_inyeccion(html, "captura rechazada")
    assert html.count(ESCAPADA) >= len(CAMPOS_INTAKE)


def test_la_busqueda_devuelve_lo_escrito_escapado(como):
    respuesta = enviar(como("capturista"), "/casos/buscar", {"texto": CARGA[:100]}, pagina="/casos/")
    assert respuesta.status_code in (200, 302)
    sin_inyeccion(respuesta.get_data(as_text=True), "búsqueda", debe_mostrar=False)


def test_un_id_de_caso_inventado_no_se_refleja(como):
    respuesta = como("capturista").get(f"/casos/{uuid.uuid4()}?x=" + "%3Cscript%3Ealert(1)%3C/script%3E")
    assert respuesta.status_code == 404
    sin_inyeccion(respuesta.get_data(as_text=True), "404", debe_mostrar=False)
