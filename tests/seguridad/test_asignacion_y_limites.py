"""Mass assignment of fields a form does not offer; oversized input; invalid UTF-8.

More mass-assignment cases for the admin forms (id, e-mail, password hash of an account;
an institution's id) are in tests/test_admin.py; session fixation is
tests/test_sesiones.py::test_el_id_de_sesion_cambia_al_entrar.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from casos.canalizaciones import servicios as canalizaciones
from casos.canalizaciones.modelos import Canalizacion
from casos.cuentas.modelos import Usuaria
from casos.expedientes.modelos import Borrador, Caso
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import datos_de_caso, entrar, enviar, errores_del_campo, token_csrf
from tests.reloj import hoy_en_mexico

EQUIVOCADA = "frase equivocada de prueba"
INTAKE = {
    "nombre": "Canaria Sintetica Limites", "municipio": "32056", "fecha_nacimiento": "1985-01-01",
    "nna-0-nombre": "", "agresores-0-relacion": "expareja", "municipio_hechos": "32010",
    "fecha_hechos": (hoy_en_mexico() - timedelta(days=7)).isoformat(),
    "narrativa": "Relato sintético.", "tipos": ["fisica"], "modalidades": ["familiar"],
    "autoriza_canalizar": "y", "tipos_institucion": ["cjm"], "datos_compartibles": ["hechos"],
}


def _recargar(modelo, identificador):
    db.session.rollback()
    return db.session.get(modelo, identificador)


def _version_en(html: str, evento: str) -> str:
    bloque = html[html.index(f'name="evento" value="{evento}"'):]
    return re.search(r'name="version" value="(\d+)"', bloque).group(1)


# ---- mass assignment ------------------------------------------------------------------------

def test_la_captura_ignora_campos_que_no_ofrece(cuentas, como):
    otro_id = uuid.uuid4()
    extra = {"institucion_id": str(cuentas.institucion_b.id), "rol": "admin", "estado": "cerrado",
             "version": "99", "creado_por_id": str(cuentas["admin"].id), "dek_envuelta": "QUFBQQ==",
             "id": str(otro_id), "nivel_riesgo": "extremo", "urgente": "1", "kek_version": "7"}
    respuesta = enviar(como("capturista"), "/casos/nuevo", {**INTAKE, **extra})
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    caso_id = uuid.UUID(re.fullmatch(r"/casos/([0-9a-f-]{36})/valoracion", respuesta.location).group(1))
    caso = _recargar(Caso, caso_id)
    assert caso.id != otro_id and _recargar(Caso, otro_id) is None
    assert caso.institucion_id == cuentas.institucion_a.id
    assert caso.creado_por_id == cuentas["capturista"].id
    assert (caso.estado, caso.version, caso.nivel_riesgo, caso.urgente) == ("registrado", 1, None, False)
    assert caso.dek_envuelta != b"AAAA" and caso.kek_version != 7
    assert caso.victima.nombre == "Canaria Sintetica Limites"  # the data key works


def test_editar_una_cuenta_no_toca_bloqueo_ni_segundo_factor(app, cuentas, como):
    app.config["BLOQUEO_TRAS_FALLOS"] = 2
    ella = cuentas["supervisora_b"]
    for _ in range(2):
        entrar(app.test_client(), ella, EQUIVOCADA)
    antes = _recargar(Usuaria, ella.id)
    huella = (antes.bloqueada_en, antes.fallos_consecutivos, antes.totp_secreto_cifrado,
              antes.totp_activado_en, antes.contrasena_hash, antes.institucion_id)
    assert antes.bloqueada_en is not None
    respuesta = enviar(como("admin"), f"/admin/cuentas/{ella.id}", {
        "correo": ella.correo, "nombre": "Nombre Nuevo", "rol": "supervisora",
        "institucion_id": str(ella.institucion_id), "activa": "y",
        "bloqueada_en": "", "fallos_consecutivos": "0", "totp_secreto_cifrado": "",
        "totp_activado_en": "", "totp_ultimo_paso": "0", "contrasena_hash": "x", "id": str(uuid.uuid4())})
    assert respuesta.status_code == 302
    despues = _recargar(Usuaria, ella.id)
    assert despues.nombre == "Nombre Nuevo"
    assert (despues.bloqueada_en, despues.fallos_consecutivos, despues.totp_secreto_cifrado,
            despues.totp_activado_en, despues.contrasena_hash, despues.institucion_id) == huella


def test_responder_una_canalizacion_solo_cambia_su_estado(app, cuentas, como):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    canalizacion = canalizaciones.solicitar(caso, cuentas["capturista"], destino=cuentas.institucion_b,
                                            servicios=["juridica"], motivo="Sintético", hoy=hoy_en_mexico())
    db.session.commit()
    antes = _recargar(Canalizacion, canalizacion.id)
    fijos = (antes.caso_id, antes.origen_id, antes.destino_id, antes.creada_por_id, antes.creada_en)
    version_antes = antes.version
    cliente = como("capturista")
    pagina = f"/canalizaciones/{canalizacion.id}"
    version = _version_en(cliente.get(pagina).get_data(as_text=True), "cancelar")
    respuesta = enviar(cliente, f"{pagina}/responder", {
        "evento": "cancelar", "version": version, "motivo": "Ya no se necesita",
        "estado": "aceptada", "destino_id": str(cuentas.institucion_a.id), "caso_id": str(uuid.uuid4()),
        "origen_id": str(cuentas.institucion_b.id), "institucion_id": str(cuentas.institucion_b.id),
        "creada_por_id": str(cuentas["admin"].id), "id": str(uuid.uuid4())}, pagina=pagina)
    assert respuesta.status_code == 302
    despues = _recargar(Canalizacion, canalizacion.id)
    assert despues.estado == "cancelada" and despues.version == version_antes + 1
    assert (despues.caso_id, despues.origen_id, despues.destino_id, despues.creada_por_id,
            despues.creada_en) == fijos


def test_mover_un_caso_solo_aplica_el_evento(app, cuentas, como):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    cliente = como("capturista")
    pagina = f"/casos/{caso.id}"
    version = _version_en(cliente.get(pagina).get_data(as_text=True), "atender")
    respuesta = enviar(cliente, f"/casos/{caso.id}/transicion", {
        "evento": "atender", "version": version, "estado": "cerrado",
        "institucion_id": str(cuentas.institucion_b.id), "creado_por_id": str(cuentas["admin"].id),
        "nivel_riesgo": "extremo", "id": str(uuid.uuid4()), "dek_envuelta": "QUFBQQ=="}, pagina=pagina)
    assert respuesta.status_code == 302
    despues = _recargar(Caso, caso.id)
    assert (despues.estado, despues.version) == ("en_atencion", 2)
    assert despues.institucion_id == cuentas.institucion_a.id
    assert despues.creado_por_id == cuentas["capturista"].id and despues.nivel_riesgo is None
    assert despues.victima.nombre  # the data key is intact


# ---- oversized input ------------------------------------------------------------------------

def test_un_cuerpo_mayor_que_el_limite_recibe_413_en_espanol(app, como):
    cliente = como("capturista")
    token = token_csrf(cliente, "/casos/nuevo")
    grande = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    respuesta = cliente.post("/casos/nuevo", data={**INTAKE, "csrf_token": token, "narrativa": grande})
    assert respuesta.status_code == 413
    texto = respuesta.get_data(as_text=True)
    assert "Datos demasiado grandes" in texto and "Traceback" not in texto
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Caso)) == 0


def test_un_relato_de_20001_caracteres_se_rechaza_sin_perder_lo_escrito(app, cuentas, como):
    cliente = como("capturista")
    relato = ("Relato largo sintético. " * 900)[:20001]
    respuesta = enviar(cliente, "/casos/nuevo", {**INTAKE, "narrativa": relato})
    assert respuesta.status_code == 200
    html = respuesta.get_data(as_text=True)
    assert errores_del_campo(html, "narrativa"), "sin error en español junto al relato"
    assert all(re.search(r"[a-záéíóúñ]", e) for e in errores_del_campo(html, "narrativa"))
    # Nothing lost: the page comes back with what she typed.
    assert relato in html
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Caso)) == 0


def test_el_autoguardado_de_un_relato_largo_no_falla(app, cuentas, como):
    """The draft keeps what was typed (an over-long narrative is not a reason to lose it)."""
    cliente = como("capturista")
    relato = ("Relato largo sintético. " * 900)[:20001]
    respuesta = enviar(cliente, "/casos/borradores/guardar", {**INTAKE, "narrativa": relato},
                       pagina="/casos/nuevo")
    assert respuesta.status_code in (200, 400)
    assert "Traceback" not in respuesta.get_data(as_text=True)
    if respuesta.status_code == 200:
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Borrador)) == 1


# ---- invalid UTF-8 --------------------------------------------------------------------------

def _sin_fuga(respuesta):
    texto = respuesta.get_data(as_text=True)
    assert respuesta.status_code in (200, 302, 400), respuesta.status_code
    assert "Traceback" not in texto and "UnicodeDecodeError" not in texto
    return texto


def test_utf8_invalido_en_el_cuerpo_del_formulario(app, cuentas, como):
    anonima = app.test_client()
    token = token_csrf(anonima)
    cuerpo = b"correo=%FF%FEx@prueba.mx&contrasena=\xff\xfe\xfd&csrf_token=" + token.encode()
    respuesta = anonima.post("/entrar", data=cuerpo, content_type="application/x-www-form-urlencoded")
    assert "Correo o contraseña incorrectos." in _sin_fuga(respuesta) or respuesta.status_code == 400

    cliente = como("capturista")
    token = token_csrf(cliente, "/casos/nuevo")
    cuerpo = (b"nombre=Canaria%FF%C3%28&municipio=32056&narrativa=\xc3\x28\xff&tipos=fisica"
              b"&modalidades=familiar&fecha_hechos=" + INTAKE["fecha_hechos"].encode()
              + b"&csrf_token=" + token.encode())
    respuesta = cliente.post("/casos/nuevo", data=cuerpo, content_type="application/x-www-form-urlencoded")
    _sin_fuga(respuesta)
    respuesta = cliente.post("/casos/buscar", data=b"texto=%FF%FE&csrf_token=" + token.encode(),
                             content_type="application/x-www-form-urlencoded")
    assert respuesta.status_code == 200 and "Traceback" not in respuesta.get_data(as_text=True)


def _con_consulta(cliente, ruta, consulta: bytes):
    """The query string exactly as the bytes arrive (WSGI carries them as latin-1)."""
    return cliente.get(ruta, environ_overrides={"QUERY_STRING": consulta.decode("latin-1")})


def test_utf8_invalido_en_la_consulta(app, cuentas, como):
    cliente = como("capturista")
    for consulta in (b"estado=%FF%FE", b"desde=%C3%28", b"despues=%FF", b"municipio=%C3"):
        texto = _sin_fuga(_con_consulta(cliente, "/casos/", consulta))
        assert "Se ignoró" in texto or "Casos" in texto
    _sin_fuga(_con_consulta(como("admin"), "/admin/auditoria", b"accion=%FF&caso_id=%C3%28"))
    _sin_fuga(_con_consulta(como("gestora"), "/estadisticas/", b"anio=%FF&municipio=%C3%28"))
    _sin_fuga(_con_consulta(app.test_client(), "/entrar", b"next=%FF%2F"))


def test_un_byte_crudo_no_utf8_en_la_consulta_es_400_en_espanol(app, cuentas, como):
    """Found by this suite: Werkzeug decodes the raw query string strictly, so a raw 0xFF
    (no browser sends one; a crafted request can) was a 500 on every page that reads it."""
    for cliente, ruta in ((como("capturista"), "/casos/"), (como("admin"), "/admin/auditoria"),
                          (app.test_client(), "/entrar"), (app.test_client(), "/casos/")):
        respuesta = _con_consulta(cliente, ruta, b"estado=\xff&next=\xfe")
        assert respuesta.status_code == 400, ruta
        assert "Solicitud no válida" in _sin_fuga(respuesta)
