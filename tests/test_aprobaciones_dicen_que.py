"""An approval says what it approves: where a referral goes, for which services and which of
her data the other institution will read; from which risk level to which (issue 12, item 6).
A supervisora who sees only "Enviar" approves blind."""

from __future__ import annotations

from html import unescape

from casos.canalizaciones import servicios as canalizaciones
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso
from tests.reloj import hoy_en_mexico


def test_la_bandeja_y_el_caso_dicen_a_donde_va_la_canalizacion_y_que_vera(como, cuentas):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(datos_compartibles=["identidad", "contacto"]))
    canalizaciones.solicitar(caso, cuentas["capturista"], destino=cuentas.institucion_b,
                             servicios=["juridica", "psicologica"], motivo="Acompañamiento", hoy=hoy_en_mexico())
    db.session.commit()
    esperado = (f"Enviar la canalización a {cuentas.institucion_b.nombre}. Servicios: ")
    bandeja = unescape(como("supervisora").get("/aprobaciones/").get_data(as_text=True))
    assert esperado in bandeja
    assert "Verá: Nombre, CURP y fecha de nacimiento; Teléfono, domicilio y preferencias de contacto seguro." in bandeja
    pagina = unescape(como("capturista").get(f"/casos/{caso.id}").get_data(as_text=True))
    assert f"Pendiente de aprobación: {esperado}" in pagina
