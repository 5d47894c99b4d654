"""Each ARCO right does its job (issue 16, item 3), through the pages, as the admin (the
transparency officer) works: acceso prints what the system holds about HER and nothing of
anyone else; rectificación writes her corrected fields, shows the before/after only at the
moment of saving and audits field names only; oposición is enforced where consent is (the
enumerating test is tests/test_oposicion_matriz.py); a request over a blocked case goes
through the admin's authorized read, never around it.
"""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from casos.arco.modelos import Oposicion, SolicitudArco
from casos.auditoria.modelos import EventoAuditoria
from casos.canalizaciones.modelos import Canalizacion
from casos.conservacion import servicios as conservacion
from casos.conservacion.modelos import LecturaBloqueada
from casos.expedientes import servicios as expedientes
from casos.expedientes.modelos import Caso, Victima
from casos.extensiones import db
from tests.conftest import datos_de_caso, enviar, errores_del_campo
from tests.reloj import hoy_en_mexico

NOMBRE, CURP = "Canaria Xochitl Pruebasintetica", "PEMA850101MZSRRN02"
# Hers: the document carries them.
SUYOS = (NOMBRE, CURP, "4929990001", "Calle Ficticia 123", "Náhuatl", "4929990002")
# Other people's, or staff's free text that may name them: never in her document.
DE_TERCEROS = ("Agresor Sintetico", "Hija Sintetica", "Relato canario", "Domicilio ficticio",
               "Persona Confianza Canaria", "Motivo canario de canalizacion", "Nota canaria de orden")


@pytest.fixture
def caso(app, cuentas):
    datos = datos_de_caso()
    datos.contacto_seguro = dict(datos.contacto_seguro, persona_confianza="Persona Confianza Canaria (hermana)")
    registrado = expedientes.registrar_caso(cuentas["capturista"], datos)
    db.session.commit()
    return registrado


def _texto(respuesta) -> str:
    return unescape(respuesta.get_data(as_text=True))


def _solicitud(solicitud_id=None) -> SolicitudArco:
    db.session.rollback()
    if solicitud_id is None:
        return db.session.scalars(sa.select(SolicitudArco)).one()
    return db.session.get(SolicitudArco, solicitud_id)


def _registrar(cliente, caso, derecho, descripcion="Lo pide por escrito."):
    datos = {"institucion_id": str(caso.institucion_id), "caso_id": str(caso.id), "derecho": derecho,
             "recibida_el": hoy_en_mexico().isoformat(), "medio": "presencial", "presentada_por": "titular",
             "identificacion": "ine", "descripcion": descripcion}
    return enviar(cliente, "/arco/nueva", datos)


def _mover(cliente, solicitud, evento, **datos):
    ruta = f"/arco/{solicitud.id}"
    return enviar(cliente, f"{ruta}/mover", {"evento": evento, "version": str(solicitud.version), **datos},
                  pagina=ruta)


def _concedida(admin, caso, derecho) -> SolicitudArco:
    _registrar(admin, caso, derecho)
    _mover(admin, _solicitud(), "acreditar_identidad", cotejo="y")
    _mover(admin, _solicitud(), "conceder")
    solicitud = _solicitud()
    assert solicitud.estado == "procedente"
    return solicitud


def _eventos_desde(secuencia: int) -> list[tuple]:
    db.session.rollback()
    return [tuple(f) for f in db.session.execute(
        sa.select(EventoAuditoria.accion, EventoAuditoria.caso_id, EventoAuditoria.objeto_id, EventoAuditoria.motivo)
        .where(EventoAuditoria.secuencia > secuencia).order_by(EventoAuditoria.secuencia))]


def _ultima() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(EventoAuditoria.secuencia))) or 0


def _texto_del_pdf(datos: bytes) -> list[str]:
    return [pagina.extract_text() for pagina in PdfReader(io.BytesIO(datos)).pages]


# ---- acceso --------------------------------------------------------------------------------------

def _con_terceros(caso, cuentas):
    """A sent referral with its motive, an order with its notes, a file: all of them hers to
    know about, none of their free text hers to read here."""
    from casos.adjuntos import servicios as adjuntos
    from casos.canalizaciones import servicios as canalizaciones
    from casos.cuentas.modelos import Institucion
    from casos.ordenes import servicios as ordenes
    from casos.transiciones import servicios as transiciones
    from tests.conftest import crear_institucion
    from tests.test_adjuntos import pdf

    crear_institucion("SSZ", "salud", nombre="Servicios de Salud Sinteticos")
    caso = db.session.get(Caso, caso.id)
    destino = db.session.scalars(sa.select(Institucion).where(Institucion.siglas == "SSZ")).one()
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=destino, servicios=["medica"],
                                            motivo="Motivo canario de canalizacion", hoy=hoy_en_mexico())
    pendiente = transiciones.pendiente_de(canalizacion, "enviar")
    transiciones.aprobar(pendiente, canalizacion, cuentas["supervisora"], version_vista=pendiente.version,
                         valores=canalizaciones.valores_al_enviar(canalizacion))
    from casos.bd import ahora

    ordenes.registrar_solicitud(caso, cuentas["capturista"], tipo="administrativa", autoridad="ministerio_publico",
                                medidas=["prohibicion_acercarse"], solicitada_en=ahora(),
                                notas="Nota canaria de orden")
    adjuntos.adjuntar(caso, cuentas["capturista"], datos=pdf(), nombre="denuncia contra Agresor Sintetico.pdf",
                      categoria="denuncia")
    db.session.commit()


def test_acceso_imprime_lo_suyo_y_nada_de_terceros(como, caso, cuentas):
    _con_terceros(caso, cuentas)
    admin = como("admin")
    solicitud = _concedida(admin, caso, "acceso")
    pagina = _texto(admin.get(f"/arco/{solicitud.id}"))
    assert 'id="documento-acceso"' in pagina and NOMBRE not in pagina  # the request's page shows no data
    desde = _ultima()
    impreso = _texto(admin.get(f"/arco/{solicitud.id}/acceso"))
    descarga = admin.get(f"/arco/{solicitud.id}/acceso.pdf")
    assert descarga.status_code == 200 and descarga.headers["Content-Type"] == "application/pdf"
    assert descarga.headers["Cache-Control"] == "no-store"
    assert descarga.headers["Content-Disposition"] == f'attachment; filename="acceso-{str(solicitud.id)[:8]}.pdf"'
    paginas = _texto_del_pdf(descarga.data)
    en_pdf = re.sub(r"\s+", " ", " ".join(paginas))
    for documento in (impreso, en_pdf):
        assert all(dato in documento for dato in SUYOS), [d for d in SUYOS if d not in documento]
        assert not [t for t in DE_TERCEROS if t in documento], [t for t in DE_TERCEROS if t in documento]
        assert "Servicios de Salud Sinteticos" in documento  # where it was shared, and when
        assert "Denuncia" in documento and "Prohibición" in documento or "prohibici" in documento.lower()
        assert "versión pública" in documento
    # Who printed it and when, on every page of the PDF and on the page.
    assert "Impreso por" in impreso
    assert all("Impreso por" in p and "CONFIDENCIAL" in p for p in paginas)
    assert PdfReader(io.BytesIO(descarga.data)).metadata.title == f"Sus datos personales (derecho de acceso) {solicitud.id}"
    assert _eventos_desde(desde) == [("arco.acceso.imprimir", caso.id, solicitud.id, None),
                                     ("arco.acceso.descargar", caso.id, solicitud.id, None)]


@pytest.mark.parametrize("hasta", ["recibida", "identidad_acreditada", "improcedente"])
def test_acceso_nunca_sin_identidad_ni_sin_conceder(como, caso, hasta):
    admin = como("admin")
    _registrar(admin, caso, "acceso")
    if hasta != "recibida":
        _mover(admin, _solicitud(), "acreditar_identidad", cotejo="y")
    if hasta == "improcedente":
        _mover(admin, _solicitud(), "negar", causal="dano_tercero", motivo="Daño a un tercero")
    solicitud = _solicitud()
    assert solicitud.estado == hasta
    desde = _ultima()
    for ruta in (f"/arco/{solicitud.id}/acceso", f"/arco/{solicitud.id}/acceso.pdf"):
        respuesta = admin.get(ruta)
        pagina = _texto(respuesta)
        assert respuesta.status_code == 403
        assert "ya respondida como procedente" in pagina and NOMBRE not in pagina
    assert not [e for e in _eventos_desde(desde) if e[0].startswith("arco.acceso")]


def test_acceso_de_otro_derecho_no_se_imprime(como, caso):
    admin = como("admin")
    solicitud = _concedida(admin, caso, "oposicion")
    respuesta = admin.get(f"/arco/{solicitud.id}/acceso")
    assert respuesta.status_code == 403 and NOMBRE not in _texto(respuesta)


# ---- rectificación -------------------------------------------------------------------------------

CORREGIDOS = {"nombre": "Canaria Corregida Sintetica", "curp": CURP, "fecha_nacimiento": "",
              "edad_aproximada": "", "telefono": "4929990777", "domicilio": "Calle Ficticia 123, Colonia Inventada",
              "lengua_indigena": "Náhuatl", "discapacidad": "Ninguna", "nacionalidad": "Mexicana"}


def _rectificar(admin, solicitud, **datos):
    ruta = f"/arco/{solicitud.id}/rectificar"
    return enviar(admin, ruta, {"version": str(solicitud.version), **CORREGIDOS, **datos})


def test_rectificacion_con_antes_y_despues_al_guardar_y_sin_valores_en_la_bitacora(como, caso, cuentas):
    admin = como("admin")
    solicitud = _concedida(admin, caso, "rectificacion")
    formulario = _texto(admin.get(f"/arco/{solicitud.id}/rectificar"))
    assert NOMBRE in formulario and 'name="csrf_token"' in formulario
    # Review: before and after on the confirmation page, nothing saved yet.
    revision = _texto(_rectificar(admin, solicitud))
    tabla = re.search(r'<table id="antes-y-despues">(.*?)</table>', revision, re.S).group(1)
    assert NOMBRE in tabla and "Canaria Corregida Sintetica" in tabla and "4929990777" in tabla
    assert "Domicilio" not in tabla  # unchanged fields are not listed
    assert db.session.get(Victima, caso.victima.id).nombre == NOMBRE and _solicitud().estado == "procedente"
    desde = _ultima()
    guardada = _rectificar(admin, solicitud, confirmar="y")
    assert guardada.status_code == 302 and guardada.location == f"/arco/{solicitud.id}"
    db.session.rollback()
    victima = db.session.get(Victima, caso.victima.id)
    assert (victima.nombre, victima.telefono) == ("Canaria Corregida Sintetica", "4929990777")
    solicitud = _solicitud()
    assert solicitud.estado == "efectuada"
    assert solicitud.rectificacion == {"nombre": [NOMBRE, "Canaria Corregida Sintetica"],
                                       "telefono": ["4929990001", "4929990777"]}
    eventos = [e for e in _eventos_desde(desde) if e[0] != "arco.rectificacion.ver"]
    assert eventos == [("solicitud_arco.hacer_efectivo", caso.id, None, None),
                       ("arco.rectificar", caso.id, solicitud.id,
                        "Rectificó: nombre, telefono.")]
    # No old or new value in plaintext anywhere outside the encrypted columns.
    crudo = repr([tuple(f) for f in db.session.execute(sa.select(SolicitudArco.__table__))])
    crudo += repr(db.session.scalars(sa.select(EventoAuditoria.motivo)).all())
    assert not [v for v in ("Canaria", "Corregida", "4929990777", "4929990001") if v in crudo]
    # Search finds her by the corrected name (the blind index followed), not by the old one.
    assert [c.id for c in expedientes.buscar(cuentas["capturista"], "Canaria Corregida Sintetica")] == [caso.id]
    assert expedientes.buscar(cuentas["capturista"], NOMBRE) == []
    pagina = _texto(admin.get(f"/arco/{solicitud.id}"))
    assert "Datos rectificados:</strong> nombre, telefono" in pagina and "Canaria Corregida" not in pagina


@pytest.mark.parametrize("campo, valor, mensaje", [
    ("fecha_nacimiento", "1985-02-31", "fecha"),
    ("fecha_nacimiento", "2999-01-01", "no puede ser futura"),
    ("nombre", "", "no puede quedar vacío"),
    ("curp", "PEMA850101", "18 caracteres"),
    ("edad_aproximada", "300", "entre 0 y 120"),
])
def test_rectificacion_con_datos_invalidos_no_cambia_nada(como, caso, campo, valor, mensaje):
    admin = como("admin")
    solicitud = _concedida(admin, caso, "rectificacion")
    for confirmar in ("", "y"):  # the review and a forged confirmation alike
        respuesta = _rectificar(admin, solicitud, confirmar=confirmar, **{campo: valor})
        assert respuesta.status_code == 200
        html = _texto(respuesta)
        assert any(mensaje in m for m in errores_del_campo(html, campo)), errores_del_campo(html, campo)
        assert "4929990777" in html  # what she typed is still there
    db.session.rollback()
    assert db.session.get(Victima, caso.victima.id).nombre == NOMBRE and _solicitud().estado == "procedente"


def test_rectificacion_sin_cambios_o_por_el_formulario_generico_no_se_da_por_hecha(como, caso):
    admin = como("admin")
    solicitud = _concedida(admin, caso, "rectificacion")
    actuales = dict(CORREGIDOS, nombre=NOMBRE, telefono="4929990001")
    html = _texto(_rectificar(admin, solicitud, confirmar="y", **actuales))
    assert "No cambió ningún dato" in html
    respuesta = _mover(admin, _solicitud(), "hacer_efectivo")  # a forged form
    assert "al guardar los datos corregidos" in _texto(admin.get(respuesta.location))
    assert _solicitud().estado == "procedente"


def test_rectificacion_solo_de_una_solicitud_concedida(como, caso):
    admin = como("admin")
    _registrar(admin, caso, "rectificacion")
    solicitud = _solicitud()
    assert admin.get(f"/arco/{solicitud.id}/rectificar").status_code == 403
    respuesta = _rectificar(admin, solicitud, confirmar="y")
    assert respuesta.status_code == 302 and respuesta.location == f"/arco/{solicitud.id}"
    db.session.rollback()
    assert db.session.get(Victima, caso.victima.id).nombre == NOMBRE


# ---- oposición -------------------------------------------------------------------------------------

def test_oposicion_hecha_efectiva_y_una_canalizacion_nueva_a_ese_tipo_se_niega(como, caso, cuentas):
    from tests.conftest import crear_institucion

    crear_institucion("SSZ", "salud", nombre="Servicios de Salud Sinteticos")
    admin = como("admin")
    solicitud = _concedida(admin, caso, "oposicion")
    respuesta = _mover(admin, solicitud, "hacer_efectivo")  # no kind chosen
    assert "Elija al menos un tipo de institución" in _texto(admin.get(respuesta.location))
    assert _mover(admin, _solicitud(), "hacer_efectivo", tipos_institucion="salud").status_code == 302
    assert _solicitud().estado == "efectuada"
    assert [o.tipo_institucion for o in db.session.scalars(sa.select(Oposicion))] == ["salud"]
    assert "Oposición en vigor:</strong> sus datos no se comparten con Secretaría de Salud" in _texto(
        admin.get(f"/arco/{solicitud.id}"))
    capturista = como("capturista")
    ssz = db.session.execute(sa.text("SELECT id FROM institucion WHERE siglas = 'SSZ'")).scalar()
    ruta = f"/canalizaciones/nueva/{caso.id}"
    pagina = _texto(capturista.get(ruta))
    assert "Servicios de Salud Sinteticos" not in pagina
    respuesta = enviar(capturista, ruta, {"destino_id": str(ssz), "servicios": "medica", "motivo": "Sintético"})
    html = _texto(respuesta)
    assert respuesta.status_code == 200
    assert "ejerció su derecho de oposición: sus datos no se comparten con secretaría de salud" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Canalizacion)) == 0


def test_oposicion_cancela_lo_no_enviado_a_ese_tipo(como, caso, cuentas):
    from casos.canalizaciones import servicios as canalizaciones
    from casos.cuentas.modelos import Institucion
    from tests.conftest import crear_institucion

    crear_institucion("SSZ", "salud")
    destino = db.session.scalars(sa.select(Institucion).where(Institucion.siglas == "SSZ")).one()
    canalizaciones.solicitar(db.session.get(Caso, caso.id), cuentas["capturista"], destino=destino,
                             servicios=["medica"], motivo="Sintético", hoy=hoy_en_mexico())
    db.session.commit()
    admin = como("admin")
    solicitud = _concedida(admin, caso, "oposicion")
    _mover(admin, solicitud, "hacer_efectivo", tipos_institucion="salud")
    db.session.rollback()
    assert db.session.scalars(sa.select(Canalizacion.estado)).one() == "cancelada"


# ---- a request over a blocked case ------------------------------------------------------------------

def _bloquear(caso):
    conservacion.bloquear(db.session.get(Caso, caso.id), motivo="Plazo de conservación (sintético).")
    db.session.commit()


def test_un_caso_bloqueado_se_atiende_con_la_lectura_autorizada(como, caso, cuentas):
    admin = como("admin")
    _bloquear(caso)
    # Registered without its text (that needs the key), then a read asked from the request.
    respuesta = _registrar(admin, caso, "acceso", descripcion="Lo pide por escrito.")
    assert "Deje este campo vacío" in " ".join(errores_del_campo(_texto(respuesta), "descripcion"))
    _registrar(admin, caso, "acceso", descripcion="")
    solicitud = _solicitud()
    assert _mover(admin, solicitud, "acreditar_identidad", cotejo="y").status_code == 302
    assert _solicitud().estado == "recibida"  # no move without the key
    pagina = _texto(admin.get(f"/arco/{solicitud.id}"))
    assert 'id="pedir-lectura"' in pagina
    desde = _ultima()
    assert enviar(admin, f"/arco/{solicitud.id}/lectura", {}, pagina=f"/arco/{solicitud.id}").status_code == 302
    lectura = db.session.scalars(sa.select(LecturaBloqueada)).one()
    assert (lectura.estado, lectura.solicitada_por_id) == ("pendiente", cuentas["admin"].id)
    assert "solicitud ARCO de acceso" in lectura.fundamento
    assert [e[0] for e in _eventos_desde(desde) if e[0] != "arco.ver"] == ["lectura_bloqueada.pedir"]
    assert admin.get(f"/arco/{solicitud.id}/acceso").status_code == 423  # still no key
    # The admin authorizes it (as any read): then the request is worked on and printed.
    conservacion.resolver_lectura(lectura, cuentas["admin"], autorizar=True)
    db.session.commit()
    _mover(admin, _solicitud(), "acreditar_identidad", cotejo="y")
    _mover(admin, _solicitud(), "conceder")
    assert _solicitud().estado == "procedente"
    impreso = _texto(admin.get(f"/arco/{solicitud.id}/acceso"))
    assert NOMBRE in impreso
    assert db.session.get(Caso, caso.id).bloqueado  # still blocked for everyone else
    assert como("capturista").get(f"/casos/{caso.id}").status_code == 423


def test_la_cancelacion_de_un_caso_bloqueado_lo_elimina(como, caso, cuentas):
    """With a read already authorized, the request is registered with its text, and carried out."""
    admin = como("admin")
    _bloquear(caso)
    conservacion.pedir_lectura(db.session.get(Caso, caso.id), cuentas["admin"], "Solicitud ARCO de cancelación")
    db.session.commit()
    lectura = db.session.scalars(sa.select(LecturaBloqueada)).one()
    conservacion.resolver_lectura(lectura, cuentas["admin"], autorizar=True)
    db.session.commit()
    _registrar(admin, caso, "cancelacion", descripcion="Pide que se eliminen sus datos.")
    solicitud = _solicitud()
    assert "Pide que se eliminen sus datos." in _texto(admin.get(f"/arco/{solicitud.id}"))
    _mover(admin, _solicitud(), "acreditar_identidad", cotejo="y")
    _mover(admin, _solicitud(), "conceder")
    _mover(admin, _solicitud(), "hacer_efectivo", confirmacion="y")
    assert _solicitud(solicitud.id).estado == "efectuada"
    eliminado = db.session.get(Caso, caso.id)
    assert eliminado.datos_eliminados and eliminado.dek_envuelta is None
