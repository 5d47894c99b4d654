"""Recording that she withdrew her consent: a page that says what it will change before she
confirms, then the day she withdrew it, who told the institution, why (encrypted) and who
recorded it. Through the pages, as the caseworker does it."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from casos.canalizaciones import servicios as canalizaciones
from casos.canalizaciones.modelos import Canalizacion
from casos.expedientes.modelos import Caso, Consentimiento
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from casos.transiciones import servicios as transiciones
from tests.conftest import crear_institucion, datos_de_caso, enviar, errores_del_campo
from tests.reloj import hoy_en_mexico
from tests.test_intake import revocacion

pytestmark = pytest.mark.reloj  # "today" is the default date and the limit

MOTIVO = "Motivo canario de revocacion: se mudó con su hermana"


def _ruta(caso) -> str:
    return f"/casos/{caso.id}/consentimiento/revocar"


def _consentimiento(caso_id) -> Consentimiento:
    db.session.rollback()
    return db.session.get(Caso, caso_id).consentimiento


def _canalizar(caso, destino, cuentas, *, enviar_: bool):
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=destino, servicios=["juridica"],
                                            motivo="Sintético", hoy=hoy_en_mexico())
    if enviar_:
        solicitud = transiciones.pendiente_de(canalizacion, "enviar")
        transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                             valores=canalizaciones.valores_al_enviar(canalizacion))
    db.session.commit()
    return canalizacion


@pytest.fixture
def caso(app, cuentas):
    registrado = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    return registrado


def test_la_pagina_dice_que_cambia_antes_de_confirmar(como, cuentas, caso):
    salud = crear_institucion("SALUDX", "salud", nombre="Servicio de salud sintético")
    enviada = _canalizar(caso, cuentas.institucion_b, cuentas, enviar_=True)
    sin_enviar = _canalizar(caso, salud, cuentas, enviar_=False)
    capturista = como("capturista")

    # The case page leads there from its actions, with no one-click revocation left.
    pagina_caso = unescape(capturista.get(f"/casos/{caso.id}").get_data(as_text=True))
    acciones = pagina_caso.split('id="titulo-acciones"')[1].split("</section>")[0]
    assert f'href="{_ruta(caso)}"' in acciones and "Registrar que revoca su consentimiento" in acciones
    assert f'action="{_ruta(caso)}"' not in pagina_caso

    html = unescape(capturista.get(_ruta(caso)).get_data(as_text=True))
    cambia = html.split("Qué cambia al confirmar")[1].split("<form")[0]
    # The referral not sent yet is cancelled; the sent one's receiver stops reading her data.
    cancela = cambia.split("Se cancelan")[1].split("</li>\n")[0]
    assert "Servicio de salud sintético" in cancela and cuentas.institucion_b.nombre not in cancela
    dejan = cambia.split("dejan de ver sus datos")[1]
    assert cuentas.institucion_b.nombre in dejan and "Enviada" in dejan
    assert "Servicio de salud sintético" not in dejan
    # The form: today by default, who informed from the catalogue, a reason, a confirmation.
    assert f'value="{hoy_en_mexico().isoformat()}"' in html
    for opcion in ("Ella misma, en persona", "Su representante legal", "Otra institución que la atiende"):
        assert opcion in html
    assert 'name="motivo"' in html and 'name="confirmacion"' in html
    # Showing it changed nothing.
    assert _consentimiento(caso.id).revocado_en is None
    assert db.session.get(Canalizacion, sin_enviar.id).estado == "por_aprobar"
    assert db.session.get(Canalizacion, enviada.id).estado == "enviada"


def test_sin_canalizaciones_lo_dice(como, caso):
    html = unescape(como("capturista").get(_ruta(caso)).get_data(as_text=True))
    assert "No hay canalizaciones sin enviar que cancelar." in html
    assert "Ninguna otra institución ve hoy sus datos por una canalización." in html


def test_revocar_registra_fecha_quien_informo_motivo_cifrado_y_quien_registro(como, cuentas, caso):
    salud = crear_institucion("SALUDX", "salud", nombre="Servicio de salud sintético")
    sin_enviar = _canalizar(caso, salud, cuentas, enviar_=False)
    capturista = como("capturista")
    ayer = hoy_en_mexico() - timedelta(days=1)
    db.session.rollback()
    # Registered some days ago: she may have withdrawn it yesterday.
    db.session.get(Caso, caso.id).consentimiento.registrado_en -= timedelta(days=3)
    db.session.commit()

    respuesta = enviar(capturista, _ruta(caso), revocacion(
        revocada_el=ayer.isoformat(), informada_por="ella_telefono", motivo=MOTIVO))
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{caso.id}"

    consentimiento = _consentimiento(caso.id)
    assert consentimiento.revocado_en is not None
    assert consentimiento.revocada_el == ayer
    assert consentimiento.revocacion_informada_por == "ella_telefono"
    assert consentimiento.revocado_por_id == cuentas["capturista"].id
    assert consentimiento.motivo_revocacion == MOTIVO
    # The reason is stored encrypted: not in the row, not anywhere in the table.
    crudo = db.session.execute(sa.text("SELECT * FROM consentimiento")).all()
    assert "se mudó con su hermana" not in repr(crudo) and b"hermana" not in consentimiento.motivo_revocacion_cifrado
    # What was not sent is cancelled, with the reason the system gives, and its request ends.
    assert db.session.get(Canalizacion, sin_enviar.id).estado == "cancelada"
    assert transiciones.pendiente_de(db.session.get(Canalizacion, sin_enviar.id), "enviar") is None

    # The case page says when, who informed, who recorded it and why.
    pagina = unescape(capturista.get(f"/casos/{caso.id}").get_data(as_text=True))
    seccion = pagina.split("<h2>Consentimiento</h2>")[1].split("</section>")[0]
    assert f"Revocó su consentimiento el {ayer.strftime('%d/%m/%Y')}" in seccion
    assert "Ella misma, por teléfono (contacto seguro)" in seccion
    assert cuentas["capturista"].nombre in seccion and MOTIVO in seccion
    assert "Registrar que revoca su consentimiento" not in pagina
    # And its page now sends her back to the case: there is nothing left to revoke.
    otra_vez = capturista.get(_ruta(caso))
    assert otra_vez.status_code == 302 and otra_vez.location == f"/casos/{caso.id}"


MANANA = lambda: (hoy_en_mexico() + timedelta(days=1)).isoformat()  # noqa: E731


@pytest.mark.parametrize("cambios, campo, error", [
    (lambda: {"revocada_el": MANANA()}, "revocada_el", "La fecha no puede ser futura."),
    (lambda: {"revocada_el": ""}, "revocada_el", "Escriba la fecha en que lo revocó."),
    (lambda: {"revocada_el": (hoy_en_mexico() - timedelta(days=5)).isoformat()}, "revocada_el",
     "No puede ser anterior al registro del consentimiento ({})."),
    (lambda: {"motivo": "   "}, "motivo", "Escriba el motivo de la revocación."),
    (lambda: {"informada_por": "la_vecina"}, "informada_por", "Elija quién informó de la revocación."),
    (lambda: {"informada_por": ""}, "informada_por", "Elija quién informó de la revocación."),
    (lambda: {"confirmacion": ""}, "confirmacion", "Marque la casilla para confirmar la revocación."),
], ids=["futura", "sin_fecha", "antes_del_registro", "sin_motivo", "informante_desconocido",
        "sin_informante", "sin_confirmar"])
def test_un_dato_mal_da_un_error_en_espanol_y_conserva_lo_escrito(como, caso, cambios, campo, error):
    capturista = como("capturista")
    escrito = revocacion(**{"motivo": "Motivo escrito que se conserva", "informada_por": "representante",
                            **cambios()})
    respuesta = enviar(capturista, _ruta(caso), escrito)

    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    registro = _consentimiento(caso.id).registrado_en
    assert errores_del_campo(html, campo) == [error.format(hoy_en_mexico().strftime("%d/%m/%Y"))], registro
    # What she typed is still there.
    if campo != "motivo":
        assert "Motivo escrito que se conserva" in html
    if campo != "informada_por":
        assert '<option selected value="representante">' in html
    assert _consentimiento(caso.id).revocado_en is None


def test_la_revocacion_aparece_en_el_historial(como, cuentas, caso):
    enviar(como("capturista"), _ruta(caso), revocacion(informada_por="otra_institucion", motivo=MOTIVO))
    html = unescape(como("supervisora").get(f"/casos/{caso.id}").get_data(as_text=True))
    historial = html.split('id="titulo-historial"')[1]
    fila = historial.split("Registró que ella revocó su consentimiento el")[1].split("</tr>")[0]
    assert hoy_en_mexico().strftime("%d/%m/%Y") in fila
    assert "Informó: Otra institución que la atiende" in fila
    assert cuentas["capturista"].nombre in fila and MOTIVO in fila


def test_dos_personas_que_registran_la_revocacion_a_la_vez_no_dejan_dos(app, cuentas, caso):
    """The second one read the consent before the first committed (a page open at the same
    time, on PostgreSQL): the database row decides, and she is told nothing was saved."""
    from sqlalchemy.orm.attributes import set_committed_value

    from casos.auditoria.modelos import EventoAuditoria
    from casos.expedientes import servicios
    from flujos import MovimientoIlegal

    datos = {"revocada_el": hoy_en_mexico(), "informada_por": "ella_persona"}
    servicios.revocar_consentimiento(db.session.get(Caso, caso.id), cuentas["capturista"],
                                     motivo="Primera, sintética", **datos)
    db.session.commit()
    primera = _consentimiento(caso.id)
    registrada = (primera.revocado_en, primera.revocado_por_id)

    # The other person's copy, as she read it before the first commit.
    vieja = db.session.get(Caso, caso.id)
    for columna in ("revocado_en", "revocada_el", "revocacion_informada_por", "revocado_por_id"):
        set_committed_value(vieja.consentimiento, columna, None)
    with pytest.raises(MovimientoIlegal, match="Alguien más ya registró la revocación"):
        servicios.revocar_consentimiento(vieja, cuentas["supervisora"], motivo="Segunda, sintética", **datos)
    db.session.rollback()

    guardada = _consentimiento(caso.id)
    assert (guardada.revocado_en, guardada.revocado_por_id) == registrada
    assert guardada.motivo_revocacion == "Primera, sintética"
    eventos = db.session.scalars(sa.select(EventoAuditoria.accion).where(
        EventoAuditoria.accion == "consentimiento.revocar")).all()
    assert eventos == ["consentimiento.revocar"]
