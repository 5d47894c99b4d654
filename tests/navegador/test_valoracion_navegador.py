"""The risk questionnaire on a 390 px phone, as a caseworker answers it: what the intake recorded
comes checked and marked, a death threat with access to firearms gives "extremo", and the case
page says why (answers, weights, total, thresholds, the critical combination)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from casos.expedientes import riesgo, servicios
from casos.extensiones import db
from tests.conftest import datos_de_caso
from tests.navegador.test_ruta_navegador import entrar

pytestmark = pytest.mark.navegador

TELEFONO = pytest.mark.browser_context_args(viewport={"width": 390, "height": 844},
                                            is_mobile=True, has_touch=True)
DESBORDE = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@TELEFONO
def test_la_valoracion_en_un_telefono_viene_del_registro_y_se_explica(page: Page, cuentas, correos, capturar):
    # The intake recorded an aggressor with access to weapons.
    caso = servicios.registrar_caso(cuentas["capturista"], datos_de_caso(
        agresores=[servicios.DatosAgresor("Agresor Sintetico", "pareja", True, True)], nna=[]))
    db.session.commit()
    caso_id = caso.id
    db.session.rollback()

    entrar(page, correos["capturista"])
    page.goto(f"/casos/{caso_id}/valoracion")
    armas = page.locator("#r_acceso_armas_fuego-grupo")
    expect(armas.get_by_label("Sí")).to_be_checked()
    expect(armas).to_contain_text("Tomado del registro: en el registro, una persona agresora tiene acceso a armas.")
    capturar("cuestionario")
    assert page.evaluate(DESBORDE) <= 0, "el cuestionario se desplaza a lo ancho"

    for indicador in riesgo.instrumento().indicadores:
        if indicador.clave == "acceso_armas_fuego":
            continue  # as the record gave it
        grupo = page.locator(f"#r_{indicador.clave}-grupo")
        grupo.get_by_label("Sí" if indicador.clave == "amenazas_muerte" else "No", exact=True).check()
    page.get_by_role("button", name="Registrar valoración").click()

    expect(page.get_by_text("Valoración registrada: riesgo extremo.")).to_be_visible()
    explicacion = page.locator("details.valoracion-explicada").first
    expect(explicacion).to_contain_text("La ha amenazado de muerte a ella o a sus hijas e hijos +5")
    expect(explicacion).to_contain_text("Tiene acceso a armas de fuego +4")
    expect(explicacion).to_contain_text("Total: 9 puntos")
    expect(explicacion).to_contain_text("Combinación crítica: Amenaza de muerte y acceso a armas de fuego")
    explicacion.scroll_into_view_if_needed()
    capturar("explicacion")
    caja = explicacion.bounding_box()
    assert caja is not None and caja["x"] + caja["width"] <= 390, "la explicación no cabe en el teléfono"
