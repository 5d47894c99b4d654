"""Services given to her (atenciones): who records them where, who sees what of them, what is
refused and how it reads, and the statistic they feed ("days to first service").

Institution A (fiscalía) owns the cases; B (CJM) receives them by referral; C (health) is a
third institution with no business in A's referral to B.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from casos.atenciones import servicios
from casos.atenciones.modelos import Atencion
from casos.auditoria.modelos import EventoAuditoria
from casos.bd import ahora
from casos.canalizaciones import servicios as canalizaciones
from casos.estadisticas import consultas
from casos.expedientes import servicios as expedientes
from casos.extensiones import db
from casos.ordenes import servicios as ordenes
from casos.transiciones import servicios as transiciones
from flujos import MovimientoIlegal
from tests.conftest import crear_institucion, crear_usuaria, datos_de_caso, enviar, errores_del_campo
from tests.reloj import MEXICO, hoy_en_mexico

pytestmark = pytest.mark.reloj  # dates of services against today and the case's registration

NOTA_A = "Nota canaria de la fiscalia sobre la sesion"
NOTA_B = "Nota canaria del CJM sobre la terapia"


def _caso(cuentas):
    caso = expedientes.registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    return caso


def _canalizacion(caso, cuentas, estado="aceptada", destino=None, receptora="capturista_b"):
    """A referral of A's case, approved and sent, then answered up to `estado`."""
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=destino or cuentas.institucion_b,
                                            servicios=["psicologica"], motivo="Motivo sintético",
                                            hoy=hoy_en_mexico())
    solicitud = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(solicitud, canalizacion, cuentas["supervisora"], version_vista=solicitud.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    pasos = {"enviada": (), "aceptada": ("aceptar",), "atendida": ("aceptar", "contrarreferir"),
             "concluida": ("aceptar", "contrarreferir", "concluir"), "rechazada": ("rechazar",)}[estado]
    for evento in pasos:
        quien = cuentas["capturista"] if evento == "concluir" else cuentas[receptora]
        canalizaciones.responder(canalizacion, evento, quien, version_vista=canalizacion.version,
                                 motivo="Motivo sintético" if evento == "rechazar" else None,
                                 servicios_prestados=["psicologica"] if evento == "contrarreferir" else None)
    db.session.commit()
    return canalizacion


def _formulario(**cambios) -> dict:
    datos = {"tipo": "psicologica", "fecha": hoy_en_mexico().isoformat(), "duracion_minutos": "50",
             "notas": NOTA_A}
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def _registrar(cliente, ruta, usuaria, **cambios):
    return enviar(cliente, ruta, {**_formulario(**cambios), "brindada_por": str(usuaria.id)})


def _atenciones() -> list[Atencion]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Atencion)))


def _texto(respuesta) -> str:
    return unescape(respuesta.get_data(as_text=True))


# ---- the owning institution -------------------------------------------------------------------

def test_la_duena_registra_una_atencion_y_la_ve_en_el_caso(app, cuentas, como):
    caso = _caso(cuentas)
    cliente = como("capturista")
    ruta = f"/casos/{caso.id}/atenciones/nueva"

    formulario = _texto(cliente.get(ruta))
    # The catalogue, strategies 2.10.1 and 2.10.4 included; today and herself filled in.
    assert "Empoderamiento económico" in formulario and "programa de reeducación" in formulario
    assert f'value="{hoy_en_mexico().isoformat()}"' in formulario
    assert re.search(rf'<option selected value="{cuentas["capturista"].id}"|'
                     rf'<option value="{cuentas["capturista"].id}" selected', formulario)
    # Only staff who attend: not the gestora, not the admin, not another institution's.
    for otra in ("gestora", "admin", "capturista_b"):
        assert str(cuentas[otra].id) not in formulario

    respuesta = _registrar(cliente, ruta, cuentas["supervisora"], tipo="empoderamiento", duracion_minutos="90")
    assert respuesta.status_code == 302 and respuesta.location.endswith(f"/casos/{caso.id}")

    (atencion,) = _atenciones()
    assert (atencion.caso_id, atencion.institucion_id, atencion.canalizacion_id) == (
        caso.id, cuentas.institucion_a.id, None)
    assert (atencion.tipo, atencion.fecha, atencion.duracion_minutos) == ("empoderamiento", hoy_en_mexico(), 90)
    assert atencion.brindada_por_id == cuentas["supervisora"].id
    assert atencion.registrada_por_id == cuentas["capturista"].id
    # The notes are ciphertext in the database; the case's key reads them.
    crudo = db.session.execute(sa.text("SELECT notas_cifrado FROM atencion")).scalar_one()
    assert NOTA_A.encode() not in bytes(crudo) and atencion.notas == NOTA_A

    pagina = _texto(cliente.get(f"/casos/{caso.id}"))
    seccion = pagina.split("Atenciones brindadas", 1)[1]
    assert "Empoderamiento económico" in seccion and "90 min" in seccion and NOTA_A in seccion
    assert hoy_en_mexico().strftime("%d/%m/%Y") in seccion


def test_registrar_deja_su_evento_de_auditoria(app, cuentas, como):
    caso = _caso(cuentas)
    _registrar(como("capturista"), f"/casos/{caso.id}/atenciones/nueva", cuentas["capturista"])
    db.session.rollback()
    evento = db.session.scalars(sa.select(EventoAuditoria).where(
        EventoAuditoria.accion == "atencion.registrar")).one()
    assert (evento.caso_id, evento.usuaria_id) == (caso.id, cuentas["capturista"].id)
    assert evento.motivo is None  # nothing of hers on the trail


# ---- a receiving institution --------------------------------------------------------------------

@pytest.mark.parametrize("estado", ["aceptada", "atendida"])
def test_la_receptora_registra_bajo_su_canalizacion_y_ve_solo_las_suyas(app, cuentas, como, estado):
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, estado)
    duena, receptora = como("capturista"), como("capturista_b")
    _registrar(duena, f"/casos/{caso.id}/atenciones/nueva", cuentas["capturista"], tipo="juridica")

    ruta = f"/canalizaciones/{canalizacion.id}/atenciones/nueva"
    respuesta = _registrar(receptora, ruta, cuentas["supervisora_b"], tipo="refugio", notas=NOTA_B)
    assert respuesta.status_code == 302 and respuesta.location.endswith(f"/canalizaciones/{canalizacion.id}")
    suya = next(a for a in _atenciones() if a.tipo == "refugio")
    assert (suya.canalizacion_id, suya.institucion_id, suya.brindada_por_id) == (
        canalizacion.id, cuentas.institucion_b.id, cuentas["supervisora_b"].id)

    # The receiver: its own service with its notes, on the referral and on the case; never the
    # owner's (it would tell where else she goes).
    for pagina in (f"/canalizaciones/{canalizacion.id}", f"/casos/{caso.id}"):
        html = _texto(receptora.get(pagina))
        seccion = html.split("Atenciones brindadas", 1)[1]
        assert "Refugio o alojamiento temporal" in seccion and NOTA_B in seccion, pagina
        assert "Asesoría o representación jurídica" not in html and NOTA_A not in html, pagina
    # The owner: every service on its case; the receiver's without its notes.
    propio = _texto(duena.get(f"/casos/{caso.id}"))
    assert "Refugio o alojamiento temporal" in propio and "Asesoría o representación jurídica" in propio
    assert NOTA_A in propio and NOTA_B not in propio
    assert "INSTB (por canalización)" in propio
    en_canalizacion = _texto(duena.get(f"/canalizaciones/{canalizacion.id}"))
    assert "Refugio o alojamiento temporal" in en_canalizacion and NOTA_B not in en_canalizacion
    # And the function behind the pages says the same.
    assert [a.tipo for a in servicios.atenciones_visibles(caso, cuentas["capturista_b"])] == ["refugio"]
    assert {a.tipo for a in servicios.atenciones_visibles(caso, cuentas["capturista"])} == {"refugio", "juridica"}


def test_tras_la_revocacion_la_receptora_sigue_registrando_lo_que_brinda(app, cuentas, como):
    """Her revocation stops her data going to the receiver, not the accounting of the work the
    receiver does: it records its services, and keeps seeing them with its notes."""
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, "aceptada")
    expedientes.revocar_consentimiento(caso, cuentas["capturista"], revocada_el=hoy_en_mexico(),
                                       informada_por="ella_persona", motivo="Motivo sintético")
    db.session.commit()
    receptora = como("capturista_b")
    assert receptora.get(f"/casos/{caso.id}").status_code == 404
    respuesta = _registrar(receptora, f"/canalizaciones/{canalizacion.id}/atenciones/nueva",
                           cuentas["capturista_b"], notas=NOTA_B)
    assert respuesta.status_code == 302 and len(_atenciones()) == 1
    html = _texto(receptora.get(f"/canalizaciones/{canalizacion.id}"))
    assert "ella revocó su consentimiento" in html and NOTA_B in html
    assert "Canaria Xochitl" not in html


@pytest.mark.parametrize("estado", ["enviada", "rechazada", "concluida"])
def test_la_receptora_no_registra_fuera_de_una_canalizacion_vigente(app, cuentas, como, estado):
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, estado)
    receptora = como("capturista_b")
    ruta = f"/canalizaciones/{canalizacion.id}/atenciones/nueva"

    pagina = receptora.get(ruta)
    assert pagina.status_code == 403
    assert "una vez que la acepta" in _texto(pagina)
    assert "Registrar atención" not in _texto(receptora.get(f"/canalizaciones/{canalizacion.id}"))
    # A form sent anyway (an old tab) goes back to the referral and says why.
    respuesta = enviar(receptora, ruta, {**_formulario(), "brindada_por": str(cuentas["capturista_b"].id)},
                       pagina=f"/canalizaciones/{canalizacion.id}")
    assert respuesta.status_code == 302 and respuesta.location.endswith(f"/canalizaciones/{canalizacion.id}")
    assert "una vez que la acepta" in _texto(receptora.get(respuesta.location))
    assert _atenciones() == []
    with pytest.raises(MovimientoIlegal):
        servicios.registrar_atencion(caso, cuentas["capturista_b"], tipo="psicologica", fecha=hoy_en_mexico(),
                                     duracion_minutos=None, notas=None, brindada_por=cuentas["capturista_b"],
                                     canalizacion=canalizacion)


def test_nadie_mas_registra_en_una_canalizacion(app, cuentas, como):
    """The sender sees the referral but records on its case (403 with the reason); a third
    institution doesn't know the referral exists (404); the receiver does not record on the
    case itself (403)."""
    salud = crear_institucion("INSTC", "salud")
    cuentas.por_clave["capturista_c"] = crear_usuaria("capturista", salud)
    caso = _caso(cuentas)
    a_b = _canalizacion(caso, cuentas, "aceptada")
    a_c = _canalizacion(caso, cuentas, "aceptada", destino=salud, receptora="capturista_c")

    emisora = como("capturista").get(f"/canalizaciones/{a_b.id}/atenciones/nueva")
    assert emisora.status_code == 403 and "la institución que la recibió" in _texto(emisora)
    assert como("capturista_b").get(f"/canalizaciones/{a_c.id}/atenciones/nueva").status_code == 404
    assert como("capturista_c").get(f"/canalizaciones/{a_b.id}/atenciones/nueva").status_code == 404
    en_el_caso = como("capturista_b").get(f"/casos/{caso.id}/atenciones/nueva")
    assert en_el_caso.status_code == 403
    assert _atenciones() == []


@pytest.mark.parametrize("rol", ["gestora", "admin"])
def test_gestora_y_admin_no_registran_atenciones(app, cuentas, como, rol):
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, "aceptada")
    cliente = como(rol)
    for ruta in (f"/casos/{caso.id}/atenciones/nueva", f"/canalizaciones/{canalizacion.id}/atenciones/nueva"):
        assert cliente.get(ruta).status_code == 403
        assert enviar(cliente, ruta, _formulario(), pagina="/").status_code == 403
    assert _atenciones() == []


# ---- what is refused, and how it reads ---------------------------------------------------------

def _invalidos(cuentas) -> list[tuple[str, dict, str, str]]:
    hoy = hoy_en_mexico()
    return [
        ("fecha futura", {"fecha": (hoy + timedelta(days=1)).isoformat()}, "fecha",
         "La fecha de la atención no puede ser futura."),
        ("fecha de hace más de un año antes del registro", {"fecha": (hoy - timedelta(days=400)).isoformat()},
         "fecha", "un año antes del registro del caso"),
        ("fecha ilegible", {"fecha": "31/02/2026"}, "fecha", "No es una fecha válida."),
        ("tipo inventado", {"tipo": "inventado"}, "tipo", "Elija un tipo de atención del catálogo."),
        ("sin tipo", {"tipo": ""}, "tipo", "Elija el tipo de atención."),
        ("duración 0", {"duracion_minutos": "0"}, "duracion_minutos", "La duración va de 1 a 1440 minutos"),
        ("duración 2000", {"duracion_minutos": "2000"}, "duracion_minutos", "La duración va de 1 a 1440 minutos"),
        ("personal de otra institución", {"brindada_por": str(cuentas["capturista_b"].id)}, "brindada_por",
         "Elija a una persona activa de su institución"),
        ("la gestora de su institución", {"brindada_por": str(cuentas["gestora"].id)}, "brindada_por",
         "Elija a una persona activa de su institución"),
        ("un identificador cualquiera", {"brindada_por": str(uuid.uuid4())}, "brindada_por",
         "Elija a una persona activa de su institución"),
    ]


def test_cada_entrada_invalida_se_explica_y_conserva_lo_escrito(app, cuentas, como):
    caso = _caso(cuentas)
    cliente = como("capturista")
    ruta = f"/casos/{caso.id}/atenciones/nueva"
    for que, cambios, campo, mensaje in _invalidos(cuentas):
        datos = {**_formulario(notas="Lo que escribio y no se pierde"), "brindada_por": str(cuentas["capturista"].id),
                 **cambios}
        respuesta = enviar(cliente, ruta, datos)
        html = _texto(respuesta)
        assert respuesta.status_code == 200, que
        errores = errores_del_campo(html, campo)
        assert errores and mensaje in " ".join(errores), (que, errores)
        assert not any(re.search(r"[Nn]ot a valid|[Ii]nvalid", e) for e in errores), (que, errores)
        assert "Lo que escribio y no se pierde" in html, que
    assert _atenciones() == []


def test_personal_inactivo_no_figura_ni_se_acepta(app, cuentas, como):
    caso = _caso(cuentas)
    baja = crear_usuaria("capturista", cuentas.institucion_a, activa=False)
    cliente = como("capturista")
    ruta = f"/casos/{caso.id}/atenciones/nueva"
    assert str(baja.id) not in cliente.get(ruta).get_data(as_text=True)
    respuesta = _registrar(cliente, ruta, baja)
    assert respuesta.status_code == 200 and errores_del_campo(_texto(respuesta), "brindada_por")
    with pytest.raises(MovimientoIlegal, match="persona activa"):
        servicios.registrar_atencion(caso, cuentas["capturista"], tipo="psicologica", fecha=hoy_en_mexico(),
                                     duracion_minutos=None, notas=None, brindada_por=baja)


def test_el_servicio_valida_lo_mismo_sin_formulario(app, cuentas):
    """The demo and any other caller get the same refusals as the form."""
    caso = _caso(cuentas)
    capturista, hoy = cuentas["capturista"], hoy_en_mexico()
    comunes = {"tipo": "psicologica", "fecha": hoy, "duracion_minutos": 30, "notas": None,
               "brindada_por": capturista}
    for cambio, mensaje in (({"tipo": "inventado"}, "catálogo"), ({"fecha": hoy + timedelta(days=1)}, "futura"),
                            ({"duracion_minutos": 0}, "duración"), ({"duracion_minutos": 1441}, "duración"),
                            ({"brindada_por": cuentas["capturista_b"]}, "persona activa")):
        with pytest.raises(MovimientoIlegal, match=mensaje):
            servicios.registrar_atencion(caso, capturista, **{**comunes, **cambio})
    # The receiving institution records under its referral, never on the case directly.
    with pytest.raises(MovimientoIlegal, match="canalización"):
        servicios.registrar_atencion(caso, cuentas["capturista_b"], **{**comunes,
                                                                       "brindada_por": cuentas["capturista_b"]})
    # An empty duration is allowed, and the limits are inclusive.
    for duracion in (None, 1, 1440):
        servicios.registrar_atencion(caso, capturista, **{**comunes, "duracion_minutos": duracion})
    db.session.commit()
    assert len(_atenciones()) == 3


def test_un_caso_eliminado_no_admite_atenciones(app, cuentas, como):
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, "aceptada")
    expedientes.eliminar_datos_personales(caso, cuentas["admin"], motivo="Solicitud ARCO sintética")
    db.session.commit()

    assert como("capturista").get(f"/casos/{caso.id}/atenciones/nueva").status_code == 410
    assert como("capturista_b").get(f"/canalizaciones/{canalizacion.id}/atenciones/nueva").status_code == 410
    with pytest.raises(MovimientoIlegal, match="eliminados"):
        servicios.registrar_atencion(caso, cuentas["capturista"], tipo="psicologica", fecha=hoy_en_mexico(),
                                     duracion_minutos=None, notas=None, brindada_por=cuentas["capturista"])
    assert _atenciones() == []


def test_un_caso_eliminado_despues_conserva_sus_atenciones_sin_notas(app, cuentas, como):
    """Its services stay for statistics; their notes become unreadable with the case's key."""
    caso = _caso(cuentas)
    canalizacion = _canalizacion(caso, cuentas, "aceptada")
    _registrar(como("capturista_b"), f"/canalizaciones/{canalizacion.id}/atenciones/nueva",
               cuentas["capturista_b"], notas=NOTA_B)
    expedientes.eliminar_datos_personales(caso, cuentas["admin"], motivo="Solicitud ARCO sintética")
    db.session.commit()
    assert len(_atenciones()) == 1
    html = _texto(como("capturista_b").get(f"/canalizaciones/{canalizacion.id}"))
    assert "Atención psicológica" in html and NOTA_B not in html


def test_un_caso_cerrado_pide_reabrirlo(app, cuentas, como):
    caso = _caso(cuentas)
    capturista = cuentas["capturista"]
    solicitud = transiciones.solicitar(caso, "cerrar", transiciones.actor(capturista, duena_id=caso.institucion_id),
                                       capturista, motivo="Concluyó la atención")
    transiciones.aprobar(solicitud, caso, cuentas["supervisora"], version_vista=solicitud.version)
    db.session.commit()
    assert caso.estado == "cerrado"

    cliente = como("capturista")
    assert "Registrar atención" not in _texto(cliente.get(f"/casos/{caso.id}"))
    pagina = _texto(cliente.get(f"/casos/{caso.id}/atenciones/nueva"))
    assert "primero reábralo" in pagina and 'name="tipo"' not in pagina
    with pytest.raises(MovimientoIlegal, match="cerrado"):
        servicios.registrar_atencion(caso, capturista, tipo="psicologica", fecha=hoy_en_mexico(),
                                     duracion_minutos=None, notas=None, brindada_por=capturista)


# ---- statistics ------------------------------------------------------------------------------------

def test_la_primera_atencion_alimenta_los_dias_a_la_primera_atencion(app, cuentas):
    """A case with no service has no duration; a service recorded gives it one, counted from
    the start of its day in Mexico City; an order issued later does not change it; a service
    dated before the registration counts as immediate (0)."""
    capturista = cuentas["capturista"]
    creado = ahora() - timedelta(days=5)
    caso = expedientes.registrar_caso(capturista, datos_de_caso())
    caso.creado_en = creado
    db.session.commit()
    anio = creado.astimezone(MEXICO).year
    assert consultas.medianas("dias_primera_atencion", None, anio) == {}

    dia = creado.astimezone(MEXICO).date() + timedelta(days=2)
    servicios.registrar_atencion(caso, capturista, tipo="trabajo_social", fecha=dia, duracion_minutos=None,
                                 notas=None, brindada_por=capturista)
    orden = ordenes.registrar_solicitud(caso, capturista, tipo="administrativa", autoridad="ministerio_publico",
                                        medidas=["prohibicion_acercarse"], solicitada_en=ahora() - timedelta(hours=2),
                                        notas=None)
    ordenes.actuar(orden, "emitir", capturista, version_vista=orden.version, momento=ahora() - timedelta(hours=1))
    db.session.commit()
    esperadas = (datetime.combine(dia, time(0), MEXICO) - creado).total_seconds() / 3600
    ((n, horas),) = consultas.medianas("dias_primera_atencion", None, anio).values()
    assert n == 1 and horas == pytest.approx(esperadas, abs=0.01)

    # An earlier one, typed in late, dated before the registration: immediate.
    servicios.registrar_atencion(caso, capturista, tipo="psicologica", fecha=dia - timedelta(days=10),
                                 duracion_minutos=None, notas=None, brindada_por=capturista)
    db.session.commit()
    ((n, horas),) = consultas.medianas("dias_primera_atencion", None, anio).values()
    assert n == 1 and horas == 0.0
