"""Her opposition is enforced where consent is (issue 16, item 3), enumerated: for every kind of
institution x every data category, a case of institution A shares that one category with an
institution R of that kind (consent in force naming every kind, referral sent and accepted).
With her opposition to R's kind carried out (through the ARCO pages' service), R opens nothing
of her — not the case, not its category on the referral, not a file, not a line of its list —
and the oficio carries nothing; with an opposition to another kind only, R opens exactly the
category her consent allows. No view is told about oppositions: casos/acceso/casos.py
`tipos_permitidos` is.
"""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from casos.acceso.casos import (
    casos_visibles,
    documentos_de,
    vista_de,
    vista_de_canalizacion,
    vista_del_oficio,
)
from casos.arco import servicios as arco
from casos.canalizaciones import servicios as canalizaciones
from casos.catalogos import DATOS_COMPARTIBLES, TIPOS_INSTITUCION
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso, entrar
from tests.reloj import hoy_en_mexico

# What R's pages show of each category when it may read it (riesgo has no canary before an
# assessment: the rule's answer stands for it).
CANARIO = {"identidad": "Canaria Xochitl Pruebasintetica", "contacto": "4929990001", "hechos": "Relato canario",
           "nna": "Hija Sintetica", "agresor": "Agresor Sintetico", "riesgo": None}
assert CANARIO.keys() == DATOS_COMPARTIBLES.keys()


def _canalizado(cuentas, receptora, capturista_r, categoria: str):
    caso = expedientes.registrar_caso(cuentas["capturista"], datos_de_caso(
        tipos_institucion=list(TIPOS_INSTITUCION), datos_compartibles=[categoria]))
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=receptora, servicios=["juridica"],
                                            motivo="Motivo sintético", hoy=hoy_en_mexico())
    pendiente = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(pendiente, canalizacion, cuentas["supervisora"], version_vista=pendiente.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    canalizaciones.responder(canalizacion, "aceptar", capturista_r, version_vista=canalizacion.version)
    db.session.commit()
    return caso, canalizacion


def _oponerse(cuentas, caso, tipo: str) -> None:
    """A granted oposición carried out, as the admin does it on the request's page."""
    admin = cuentas["admin"]
    solicitud = arco.registrar(admin, arco.DatosSolicitud(
        institucion_id=caso.institucion_id, caso_id=caso.id, derecho="oposicion", recibida_el=hoy_en_mexico(),
        medio="presencial", presentada_por="titular", identificacion="ine", descripcion="Se opone (sintético)."))
    for evento in ("acreditar_identidad", "conceder", "hacer_efectivo"):
        arco.mover(solicitud, evento, admin, version_vista=solicitud.version,
                   datos=arco.DatosMovimiento(cotejo=True, tipos_institucion=(tipo,)))
    db.session.commit()


@pytest.mark.parametrize("tipo", list(TIPOS_INSTITUCION))
def test_con_oposicion_la_receptora_no_abre_nada_y_sin_ella_lo_consentido(app, cuentas, tipo):
    receptora = crear_institucion("REC", tipo)
    capturista_r = crear_usuaria("capturista", receptora)
    otro_tipo = next(t for t in TIPOS_INSTITUCION if t != tipo)
    cliente = app.test_client()
    assert entrar(cliente, capturista_r).status_code == 302
    fallos = []
    for categoria in DATOS_COMPARTIBLES:
        for opuesta in (True, False):
            caso, canalizacion = _canalizado(cuentas, receptora, capturista_r, categoria)
            _oponerse(cuentas, caso, tipo if opuesta else otro_tipo)
            db.session.expire_all()
            caso, canalizacion = db.session.get(Caso, caso.id), db.session.get(type(canalizacion), canalizacion.id)
            esperadas = frozenset() if opuesta else frozenset({categoria})
            celda = f"{tipo} x {categoria} ({'con' if opuesta else 'sin'} oposición)"
            visible = db.session.scalar(casos_visibles(capturista_r).where(Caso.id == caso.id)) is not None
            documentos = documentos_de(caso, capturista_r)
            respuestas = {
                "vista_de": vista_de(caso, capturista_r).categorias == esperadas,
                "vista de la canalización": (vista_de_canalizacion(canalizacion, capturista_r).categorias == esperadas
                                             and vista_de_canalizacion(canalizacion, capturista_r).detalle != opuesta),
                "oficio": vista_del_oficio(canalizacion, cuentas["capturista"]).categorias == esperadas,
                "lista y búsqueda": visible != opuesta,
                "documentos": (documentos.canalizacion is None) == opuesta,
            }
            pagina_caso = cliente.get(f"/casos/{caso.id}")
            pagina_canalizacion = cliente.get(f"/canalizaciones/{canalizacion.id}")
            html = unescape(pagina_canalizacion.get_data(as_text=True))
            respuestas["página del caso"] = pagina_caso.status_code == (404 if opuesta else 200)
            respuestas["página de la canalización"] = pagina_canalizacion.status_code == 200 and (
                ("se opuso a que sus datos se compartan" in html) == opuesta)
            if CANARIO[categoria]:  # on the case page (the referral's shows some categories only)
                todo = html + unescape(pagina_caso.get_data(as_text=True))
                respuestas["su dato en sus páginas"] = (CANARIO[categoria] in todo) != opuesta
            fallos += [f"{celda}: {que}" for que, bien in respuestas.items() if not bien]
    assert not fallos, "\n".join(fallos)


def test_la_oposicion_no_toca_a_la_duena(como, cuentas):
    """Her own institution keeps reading all of it: an opposition stops sharing, not the service."""
    receptora = crear_institucion("REC", "salud")
    capturista_r = crear_usuaria("capturista", receptora)
    caso, _ = _canalizado(cuentas, receptora, capturista_r, "identidad")
    _oponerse(cuentas, caso, "salud")
    assert vista_de(db.session.get(Caso, caso.id), cuentas["capturista"]).propia
    assert "Canaria Xochitl Pruebasintetica" in como("capturista").get(f"/casos/{caso.id}").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Caso)) == 1
