"""The admin pages as an admin uses them: real forms, real CSRF tokens, real sessions.

What an admin may do (institutions, accounts, activation links) and what she never may: know or
set a password, lock herself out, or slip fields past the form.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casos.bd import ahora
from casos.cuentas.modelos import Activacion, Institucion, Sesion, Usuaria
from casos.extensiones import db
from tests.conftest import (
    CONTRASENA,
    crear_institucion,
    crear_usuaria,
    entrar,
    enviar,
    errores_del_campo,
    token_csrf,
)

INSTITUCION_NUEVA = {
    "nombre": "Instancia Municipal de las Mujeres de Fresnillo",
    "siglas": "IMMF",
    "tipo": "imm",
    "municipio": "32010",  # Fresnillo
    "activa": "y",
}
CONTRASENA_BUENA = "girasoles bajo la lluvia de agosto"
# Messages WTForms prints when nobody translated them: they must never reach a Spanish page.
INGLES = ("Not a valid choice", "This field is required", "Invalid value")


def _html(respuesta) -> str:
    return respuesta.get_data(as_text=True)


def _errores(html: str, campo: str) -> list[str]:
    return errores_del_campo(html, campo)


def _sin_ingles(html: str):
    for frase in INGLES:
        assert frase not in html, f"mensaje en inglés en la página: {frase!r}"


def _contar(modelo, *condiciones) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(modelo).where(*condiciones))


def _sesiones_de(usuaria_id) -> int:
    return _contar(Sesion, Sesion.usuaria_id == usuaria_id)


def _recargar(modelo, identificador):
    db.session.rollback()
    return db.session.get(modelo, identificador)


def _ruta_de_activacion(html: str) -> str:
    encontrado = re.search(r"https?://[^/\s<]+(/activar/[A-Za-z0-9_-]{20,})", html)
    assert encontrado, "la página no muestra el enlace de activación"
    return encontrado.group(1)


def _datos_de_cuenta(usuaria, **cambios) -> dict:
    datos = {"correo": usuaria.correo, "nombre": usuaria.nombre, "rol": usuaria.rol,
             "institucion_id": str(usuaria.institucion_id), "activa": "y"}
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def _datos_de_institucion(institucion, **cambios) -> dict:
    datos = {"nombre": institucion.nombre, "siglas": institucion.siglas, "tipo": institucion.tipo,
             "municipio": institucion.municipio, "activa": "y"}
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


def _crear_cuenta(admin, institucion, correo="nueva.persona@prueba.mx", nombre="Nueva Persona",
                  rol="capturista"):
    """Create an account through the page; returns the activation path it shows."""
    respuesta = enviar(admin, "/admin/cuentas/nueva", {
        "correo": correo, "nombre": nombre, "rol": rol,
        "institucion_id": str(institucion.id), "activa": "y"})
    assert respuesta.status_code == 200, _html(respuesta)[:500]
    return _ruta_de_activacion(_html(respuesta))


def _establecer(cliente, ruta, nueva, confirmacion=None):
    return enviar(cliente, ruta, {"nueva": nueva,
                                  "confirmacion": nueva if confirmacion is None else confirmacion})


# ---- institutions ----------------------------------------------------------------------------

def test_crear_institucion_la_guarda_y_aparece_en_la_lista(app, cuentas, como):
    admin = como("admin")
    respuesta = enviar(admin, "/admin/instituciones/nueva", INSTITUCION_NUEVA)
    assert respuesta.status_code == 302
    assert respuesta.location.endswith("/admin/instituciones")

    lista = _html(admin.get("/admin/instituciones"))
    assert "Institución guardada." in lista
    assert INSTITUCION_NUEVA["nombre"] in lista
    assert "Fresnillo" in lista

    db.session.rollback()
    guardada = db.session.scalar(select(Institucion).where(Institucion.siglas == "IMMF"))
    assert (guardada.nombre, guardada.tipo, guardada.municipio, guardada.activa) == (
        INSTITUCION_NUEVA["nombre"], "imm", "32010", True)


def test_institucion_sin_nombre_muestra_el_error_junto_al_campo(app, cuentas, como):
    admin = como("admin")
    antes = _contar(Institucion)
    respuesta = enviar(admin, "/admin/instituciones/nueva", {**INSTITUCION_NUEVA, "nombre": ""})

    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "nombre") == ["Escriba el nombre."]
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="nombre"', html)
    _sin_ingles(html)
    assert _contar(Institucion) == antes


@pytest.mark.parametrize("municipio", ["09015", "32099", "", "Zacatecas"])
def test_municipio_fuera_de_zacatecas_se_rechaza_en_espanol(app, cuentas, como, municipio):
    admin = como("admin")
    antes = _contar(Institucion)
    respuesta = enviar(admin, "/admin/instituciones/nueva",
                       {**INSTITUCION_NUEVA, "municipio": municipio})

    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "municipio") == ["Elija un municipio de Zacatecas."]
    _sin_ingles(html)
    assert _contar(Institucion) == antes


def test_tipo_de_institucion_inventado_se_rechaza_en_espanol(app, cuentas, como):
    antes = _contar(Institucion)
    respuesta = enviar(como("admin"), "/admin/instituciones/nueva",
                       {**INSTITUCION_NUEVA, "tipo": "partido"})
    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "tipo") == ["Elija el tipo de institución."]
    _sin_ingles(html)
    assert _contar(Institucion) == antes


def test_nombre_de_institucion_repetido_da_error_y_conserva_el_formulario(app, cuentas, como):
    admin = como("admin")
    repetido = cuentas.institucion_a.nombre
    antes = _contar(Institucion)
    respuesta = enviar(admin, "/admin/instituciones/nueva", {
        "nombre": repetido, "siglas": "OTRA", "tipo": "dif", "municipio": "32020", "activa": "y"})

    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "nombre") == ["Ya existe una institución con ese nombre."]
    # Nothing typed is lost: every field comes back as it was sent.
    assert f'value="{repetido}"' in html
    assert 'value="OTRA"' in html
    assert '<option selected value="dif">' in html
    assert '<option selected value="32020">' in html
    assert re.search(r'<input checked[^>]*name="activa"', html)
    assert _contar(Institucion) == antes

    # The page it returned still works: fix the name, send it with its own token.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    corregida = admin.post("/admin/instituciones/nueva", data={
        "csrf_token": token, "nombre": "DIF Municipal de Jerez", "siglas": "OTRA",
        "tipo": "dif", "municipio": "32020", "activa": "y"})
    assert corregida.status_code == 302
    assert _contar(Institucion) == antes + 1


def test_editar_institucion_guarda_los_cambios(app, cuentas, como):
    admin = como("admin")
    b = cuentas.institucion_b
    ruta = f"/admin/instituciones/{b.id}"
    formulario = _html(admin.get(ruta))
    assert "Editar institución" in formulario
    assert f'value="{b.nombre}"' in formulario

    respuesta = enviar(admin, ruta, _datos_de_institucion(
        b, nombre="Centro de Justicia para las Mujeres de Fresnillo", siglas="CJMF",
        municipio="32010"))
    assert respuesta.status_code == 302

    editada = _recargar(Institucion, b.id)
    assert (editada.nombre, editada.siglas, editada.municipio) == (
        "Centro de Justicia para las Mujeres de Fresnillo", "CJMF", "32010")
    assert _contar(Institucion) == 2  # edited in place, not copied
    assert "Centro de Justicia para las Mujeres de Fresnillo" in _html(admin.get("/admin/instituciones"))


def test_institucion_inexistente_responde_404(app, cuentas, como):
    assert como("admin").get(f"/admin/instituciones/{uuid.uuid4()}").status_code == 404


def test_desactivar_institucion_cierra_sus_sesiones_y_sus_cuentas_no_entran(app, cuentas, como):
    admin = como("admin")
    de_b = como("capturista_b")
    de_a = como("capturista")
    assert de_b.get("/").status_code == 200
    assert _sesiones_de(cuentas["capturista_b"].id) == 1

    b = cuentas.institucion_b
    respuesta = enviar(admin, f"/admin/instituciones/{b.id}",
                       _datos_de_institucion(b, activa=None))  # the box left unticked
    assert respuesta.status_code == 302
    assert _recargar(Institucion, b.id).activa is False

    # Her open session is over, whatever cookie she still holds.
    assert _sesiones_de(cuentas["capturista_b"].id) == 0
    echada = de_b.get("/")
    assert echada.status_code == 302 and "/entrar" in echada.location
    # And she can't come back in with her right password.
    for clave in ("capturista_b", "supervisora_b"):
        intento = entrar(app.test_client(), cuentas[clave])
        assert intento.status_code == 200
        assert "Correo o contraseña incorrectos." in _html(intento)
    # Another institution's people are untouched.
    assert de_a.get("/").status_code == 200


def test_admin_no_puede_desactivar_su_propia_institucion(app, cuentas, como):
    """It would lock her out exactly as deactivating her own account would."""
    admin = como("admin")
    a = cuentas.institucion_a
    respuesta = enviar(admin, f"/admin/instituciones/{a.id}", _datos_de_institucion(a, activa=None))

    assert respuesta.status_code == 200
    assert _errores(_html(respuesta), "activa") == [
        "No puede desactivar la institución de su propia cuenta."]
    assert _recargar(Institucion, a.id).activa is True
    assert admin.get("/admin/").status_code == 200


# ---- four eyes: at least two supervisoras ----------------------------------------------------
# A supervisora never approves her own request: with one, hers wait forever; with none, nobody's
# can be approved. The admin sees it on the list and on the institution's page.

AVISO_PAGINA = {
    0: "Esta institución no tiene ninguna supervisora activa",
    1: "Esta institución tiene 1 supervisora activa: las solicitudes que ella haga no pueden aprobarse",
}


def _con_supervisoras(n: int, **extra) -> Institucion:
    institucion = crear_institucion("INSTC", "cjm", nombre="Institución C de prueba")
    crear_usuaria("capturista", institucion)
    for _ in range(n):
        crear_usuaria("supervisora", institucion)
    for estado, cuantas in extra.items():  # bloqueada=1, inactiva=1: they must not count
        for _ in range(cuantas):
            cuenta = crear_usuaria("supervisora", institucion, activa=estado != "inactiva")
            if estado == "bloqueada":
                cuenta.bloqueada_en = ahora()
                db.session.commit()
    return institucion


def _avisos(admin, institucion) -> tuple[str, str]:
    """(the list's warning line about this institution or "", its page's warning or "")."""
    lista = _html(admin.get("/admin/instituciones"))
    aviso = re.search(r'<div class="mensaje aviso" role="note">(.*?)</div>', lista, re.S)
    lineas = re.findall(r"<li>(.*?)</li>", aviso.group(1), re.S) if aviso else []
    de_ella = [linea for linea in lineas if institucion.nombre in linea]
    assert len(de_ella) <= 1
    fila = re.search(rf"{re.escape(institucion.nombre)}</a></td>.*?</tr>", lista, re.S).group(0)
    pagina = _html(admin.get(f"/admin/instituciones/{institucion.id}"))
    en_pagina = re.search(r'<p class="mensaje aviso" role="note">(.*?)</p>', pagina, re.S)
    assert ("menos de dos" in fila) == bool(de_ella)
    return (de_ella[0] if de_ella else ""), (en_pagina.group(1) if en_pagina else "")


@pytest.mark.parametrize("n", [0, 1])
def test_una_institucion_con_menos_de_dos_supervisoras_lo_avisa(app, cuentas, como, n):
    institucion = _con_supervisoras(n)
    en_lista, en_pagina = _avisos(como("admin"), institucion)
    assert AVISO_PAGINA[n] in en_pagina and en_pagina.endswith(
        "Registre al menos dos. No cuentan las cuentas inactivas ni las bloqueadas.")
    cuantas = "no tiene ninguna supervisora activa" if n == 0 else "tiene 1 supervisora activa"
    assert f"{institucion.nombre} {cuantas}" in en_lista and "Registre al menos dos." in en_lista
    _sin_ingles(en_pagina)


def test_con_dos_supervisoras_activas_no_hay_aviso(app, cuentas, como):
    institucion = _con_supervisoras(2)
    assert _avisos(como("admin"), institucion) == ("", "")


@pytest.mark.parametrize("estado", ["bloqueada", "inactiva"])
def test_una_supervisora_bloqueada_o_inactiva_no_cuenta(app, cuentas, como, estado):
    institucion = _con_supervisoras(1, **{estado: 1})
    en_lista, en_pagina = _avisos(como("admin"), institucion)
    assert AVISO_PAGINA[1] in en_pagina and "tiene 1 supervisora activa" in en_lista


def test_una_institucion_inactiva_no_avisa(app, cuentas, como):
    """It makes no requests: its accounts can't enter."""
    institucion = _con_supervisoras(0)
    institucion.activa = False
    db.session.commit()
    assert _avisos(como("admin"), institucion) == ("", "")


# ---- accounts: creation and activation -------------------------------------------------------

def test_crear_cuenta_muestra_un_enlace_y_ella_elige_su_contrasena(app, cuentas, como):
    admin = como("admin")
    ruta = _crear_cuenta(admin, cuentas.institucion_a)

    db.session.rollback()
    nueva = db.session.scalar(select(Usuaria).where(Usuaria.correo == "nueva.persona@prueba.mx"))
    assert nueva is not None and nueva.contrasena_hash is None
    assert (nueva.rol, nueva.institucion_id) == ("capturista", cuentas.institucion_a.id)
    vigencia = _contar(Activacion, Activacion.usuaria_id == nueva.id)
    assert vigencia == 1
    expira = db.session.scalar(select(Activacion.expira_en).where(Activacion.usuaria_id == nueva.id))
    assert timedelta(hours=71, minutes=59) < expira - ahora() <= timedelta(hours=72)
    # Before she activates it, the account can't be entered with anything.
    assert entrar(app.test_client(), "nueva.persona@prueba.mx", "").status_code == 200

    ella = app.test_client()  # another browser, nobody logged in
    pagina = ella.get(ruta)
    assert pagina.status_code == 200
    assert "Establecer su contraseña" in _html(pagina)

    # Weak choices are refused in Spanish, next to the field, and the page keeps working.
    rechazos = [
        ("corta pero mia", "Debe tener al menos 15 caracteres."),
        ("passwordpassword", "Es una contraseña común o fácil de adivinar; elija otra frase."),
        ("persona que camina al alba",
         "No debe contener el nombre del sistema, de su institución ni de su cuenta."),
    ]
    for debil, mensaje in rechazos:
        respuesta = _establecer(ella, ruta, debil)
        assert respuesta.status_code == 200
        assert _errores(_html(respuesta), "nueva") == [mensaje]
        assert _recargar(Usuaria, nueva.id).contrasena_hash is None
    distinta = _establecer(ella, ruta, CONTRASENA_BUENA, CONTRASENA_BUENA + "!")
    assert _errores(_html(distinta), "confirmacion") == ["Las dos contraseñas no coinciden."]

    hecha = _establecer(ella, ruta, CONTRASENA_BUENA)
    assert hecha.status_code == 302 and hecha.location.endswith("/entrar")
    assert "Contraseña establecida. Ya puede entrar." in _html(ella.get("/entrar"))

    dentro = entrar(ella, "nueva.persona@prueba.mx", CONTRASENA_BUENA)
    assert dentro.status_code == 302 and dentro.location.endswith("/")
    inicio = _html(ella.get("/"))
    assert "Nueva Persona" in inicio and "Casos de su institución" in inicio


def test_enlace_de_activacion_sirve_una_sola_vez(app, cuentas, como):
    ruta = _crear_cuenta(como("admin"), cuentas.institucion_a)
    ella = app.test_client()
    assert _establecer(ella, ruta, CONTRASENA_BUENA).status_code == 302

    otra = app.test_client()  # whoever finds the link afterwards
    assert otra.get(ruta).status_code == 404
    respuesta = otra.post(ruta, data={"csrf_token": token_csrf(otra), "nueva": "otra frase que nadie conoce",
                                      "confirmacion": "otra frase que nadie conoce"})
    assert respuesta.status_code == 404
    assert entrar(app.test_client(), "nueva.persona@prueba.mx", "otra frase que nadie conoce").status_code == 200
    assert entrar(app.test_client(), "nueva.persona@prueba.mx", CONTRASENA_BUENA).status_code == 302


def test_enlace_de_activacion_vencido_responde_404(app, cuentas, como):
    ruta = _crear_cuenta(como("admin"), cuentas.institucion_a)
    db.session.rollback()
    activacion = db.session.scalar(select(Activacion))
    activacion.expira_en = ahora() - timedelta(minutes=1)
    db.session.commit()

    ella = app.test_client()
    assert ella.get(ruta).status_code == 404
    respuesta = ella.post(ruta, data={"csrf_token": token_csrf(ella), "nueva": CONTRASENA_BUENA,
                                      "confirmacion": CONTRASENA_BUENA})
    assert respuesta.status_code == 404
    db.session.rollback()
    assert db.session.scalar(
        select(Usuaria.contrasena_hash).where(Usuaria.correo == "nueva.persona@prueba.mx")) is None


def test_enlace_inventado_responde_404(app, cuentas):
    assert app.test_client().get("/activar/" + "A" * 43).status_code == 404


def test_correo_repetido_da_error_en_espanol(app, cuentas, como):
    admin = como("admin")
    antes = _contar(Usuaria)
    existente = cuentas["capturista"].correo
    respuesta = enviar(admin, "/admin/cuentas/nueva", {
        "correo": existente.upper(), "nombre": "Otra Persona", "rol": "gestora",
        "institucion_id": str(cuentas.institucion_b.id), "activa": "y"})

    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "correo") == ["Ya existe una cuenta con ese correo."]
    assert 'value="Otra Persona"' in html
    assert "/activar/" not in html
    assert _contar(Usuaria) == antes
    assert _contar(Activacion) == 0


@pytest.mark.parametrize("institucion", ["vacia", "inventada", "inactiva"])
def test_una_cuenta_necesita_una_institucion_valida(app, cuentas, como, institucion):
    admin = como("admin")
    cerrada = crear_institucion("CERR", "refugio")
    cerrada.activa = False
    db.session.commit()
    valor = {"vacia": "", "inventada": str(uuid.uuid4()), "inactiva": str(cerrada.id)}[institucion]
    antes = _contar(Usuaria)

    respuesta = enviar(admin, "/admin/cuentas/nueva", {
        "correo": "sin.institucion@prueba.mx", "nombre": "Sin Institución", "rol": "capturista",
        "institucion_id": valor, "activa": "y"})

    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "institucion_id") == ["Elija la institución."]
    _sin_ingles(html)
    assert "/activar/" not in html
    assert _contar(Usuaria) == antes


def test_rol_inventado_se_rechaza(app, cuentas, como):
    antes = _contar(Usuaria)
    respuesta = enviar(como("admin"), "/admin/cuentas/nueva", {
        "correo": "superusuaria@prueba.mx", "nombre": "Super Usuaria", "rol": "superadmin",
        "institucion_id": str(cuentas.institucion_a.id), "activa": "y"})
    assert respuesta.status_code == 200
    html = _html(respuesta)
    assert _errores(html, "rol") == ["Elija un rol."]
    _sin_ingles(html)
    assert _contar(Usuaria) == antes


# ---- accounts: editing -----------------------------------------------------------------------

def test_admin_no_puede_desactivarse_a_si_misma(app, cuentas, como):
    admin = como("admin")
    yo = cuentas["admin"]
    respuesta = enviar(admin, f"/admin/cuentas/{yo.id}", _datos_de_cuenta(yo, activa=None))

    assert respuesta.status_code == 200
    assert _errores(_html(respuesta), "activa") == ["No puede desactivar su propia cuenta."]
    assert _recargar(Usuaria, yo.id).activa is True
    assert admin.get("/admin/").status_code == 200


def test_admin_no_puede_cambiar_su_propio_rol(app, cuentas, como):
    admin = como("admin")
    yo = cuentas["admin"]
    respuesta = enviar(admin, f"/admin/cuentas/{yo.id}", _datos_de_cuenta(yo, rol="supervisora"))

    assert respuesta.status_code == 200
    assert _errores(_html(respuesta), "rol") == ["No puede cambiar su propio rol."]
    assert _recargar(Usuaria, yo.id).rol == "admin"
    assert admin.get("/admin/").status_code == 200


def test_cambiar_el_rol_de_otra_cuenta_cierra_sus_sesiones(app, cuentas, como):
    admin = como("admin")
    ella = cuentas["capturista"]
    su_navegador = como("capturista")
    respuesta = enviar(admin, f"/admin/cuentas/{ella.id}", _datos_de_cuenta(ella, rol="supervisora"))

    assert respuesta.status_code == 302
    assert _recargar(Usuaria, ella.id).rol == "supervisora"
    assert _sesiones_de(ella.id) == 0
    assert su_navegador.get("/").status_code == 302
    # Her password still works; her new role requires a second factor, which she enrols first.
    nuevo = app.test_client()
    respuesta = entrar(nuevo, ella)
    assert respuesta.status_code == 302 and respuesta.location.endswith("/entrar/alta-codigo")
    assert "Activar la verificación en dos pasos" in _html(nuevo.get(respuesta.location))


def test_generar_enlace_anula_la_contrasena_y_cierra_sus_sesiones(app, cuentas, como):
    admin = como("admin")
    ella = cuentas["capturista"]
    su_navegador = como("capturista")
    assert su_navegador.get("/").status_code == 200

    ruta_cuenta = f"/admin/cuentas/{ella.id}"
    assert "Generar enlace de activación" in _html(admin.get(ruta_cuenta))
    respuesta = enviar(admin, f"{ruta_cuenta}/activacion", pagina=ruta_cuenta)
    assert respuesta.status_code == 200
    ruta = _ruta_de_activacion(_html(respuesta))

    assert _recargar(Usuaria, ella.id).contrasena_hash is None
    assert _sesiones_de(ella.id) == 0
    echada = su_navegador.get("/")
    assert echada.status_code == 302 and "/entrar" in echada.location
    viejo = entrar(app.test_client(), ella, CONTRASENA)
    assert viejo.status_code == 200 and "Correo o contraseña incorrectos." in _html(viejo)

    # The new link is hers to use.
    assert _establecer(app.test_client(), ruta, CONTRASENA_BUENA).status_code == 302
    assert entrar(app.test_client(), ella, CONTRASENA_BUENA).status_code == 302


def test_un_enlace_nuevo_invalida_el_anterior(app, cuentas, como):
    admin = como("admin")
    primera = _crear_cuenta(admin, cuentas.institucion_a)
    db.session.rollback()
    nueva = db.session.scalar(select(Usuaria).where(Usuaria.correo == "nueva.persona@prueba.mx"))
    ruta_cuenta = f"/admin/cuentas/{nueva.id}"
    segunda = _ruta_de_activacion(_html(enviar(admin, f"{ruta_cuenta}/activacion", pagina=ruta_cuenta)))

    assert primera != segunda
    assert app.test_client().get(primera).status_code == 404
    assert app.test_client().get(segunda).status_code == 200


def test_admin_no_genera_enlace_para_si_misma(app, cuentas, como):
    admin = como("admin")
    yo = cuentas["admin"]
    hash_antes = yo.contrasena_hash
    ruta_cuenta = f"/admin/cuentas/{yo.id}"
    respuesta = enviar(admin, f"{ruta_cuenta}/activacion", pagina=ruta_cuenta)
    assert respuesta.status_code == 302 and respuesta.location.endswith(ruta_cuenta)
    html = _html(admin.get(ruta_cuenta))
    assert "Para su propia cuenta use «Cambiar contraseña»." in html
    assert "/activar/" not in html
    assert _recargar(Usuaria, yo.id).contrasena_hash == hash_antes
    assert _contar(Activacion) == 0


# ---- what an admin never sees or sets --------------------------------------------------------

def test_admin_nunca_ve_ni_pone_contrasenas(app, cuentas, como):
    admin = como("admin")
    ella = cuentas["capturista"]
    paginas = ["/admin/", "/admin/cuentas", "/admin/cuentas/nueva", f"/admin/cuentas/{ella.id}",
               f"/admin/cuentas/{cuentas['admin'].id}"]
    hashes = [c.contrasena_hash for c in cuentas.por_clave.values()]
    assert all(h and h.startswith("$argon2id$") for h in hashes)
    for ruta in paginas:
        html = _html(admin.get(ruta))
        assert 'type="password"' not in html, ruta
        assert 'name="contrasena' not in html, ruta
        for h in hashes:
            assert h not in html and h.split("$")[-1] not in html, ruta

    # Sending a password anyway is ignored: the account still waits for her activation.
    datos = {"correo": "con.clave@prueba.mx", "nombre": "Con Clave",
                         "rol": "capturista", "institucion_id": str(cuentas.institucion_a.id),
                         "activa": "y", "contrasena": CONTRASENA_BUENA,
                         "contrasena_hash": hashes[0], "confirmacion": CONTRASENA_BUENA}
    assert enviar(admin, "/admin/cuentas/nueva", datos).status_code == 200
    db.session.rollback()
    creada = db.session.scalar(select(Usuaria).where(Usuaria.correo == "con.clave@prueba.mx"))
    assert creada.contrasena_hash is None
    assert entrar(app.test_client(), "con.clave@prueba.mx", CONTRASENA_BUENA).status_code == 200
    assert entrar(app.test_client(), "con.clave@prueba.mx", CONTRASENA).status_code == 200


def test_campos_que_el_formulario_de_cuenta_no_ofrece_no_cambian_nada(app, cuentas, como):
    admin = como("admin")
    ella = cuentas["capturista"]
    antes = (ella.id, ella.correo, ella.contrasena_hash, ella.creada_en, ella.ultimo_acceso)
    otra_id = uuid.uuid4()
    respuesta = enviar(admin, f"/admin/cuentas/{ella.id}", _datos_de_cuenta(
        ella, nombre="Nombre Corregido", correo="robada@prueba.mx",
        contrasena_hash=cuentas["admin"].contrasena_hash, id=str(otra_id),
        creada_en="2000-01-01T00:00:00+00:00", ultimo_acceso="2000-01-01T00:00:00+00:00",
        token_hash="0" * 64))
    assert respuesta.status_code == 302

    despues = _recargar(Usuaria, ella.id)
    assert despues.nombre == "Nombre Corregido"  # the offered field did change
    assert (despues.id, despues.correo, despues.contrasena_hash, despues.creada_en,
            despues.ultimo_acceso) == antes
    assert db.session.get(Usuaria, otra_id) is None
    assert entrar(app.test_client(), ella, CONTRASENA).status_code == 302
    assert entrar(app.test_client(), "robada@prueba.mx", CONTRASENA).status_code == 200


def test_campos_que_el_formulario_de_institucion_no_ofrece_no_cambian_nada(app, cuentas, como):
    admin = como("admin")
    elegido = uuid.uuid4()
    respuesta = enviar(admin, "/admin/instituciones/nueva", {
        **INSTITUCION_NUEVA, "id": str(elegido), "creada_en": "2000-01-01T00:00:00+00:00"})
    assert respuesta.status_code == 302
    db.session.rollback()
    creada = db.session.scalar(select(Institucion).where(Institucion.siglas == "IMMF"))
    assert creada.id != elegido
    assert ahora() - creada.creada_en < timedelta(minutes=5)

    b = cuentas.institucion_b
    antes = (b.id, b.creada_en)
    cuantas = _contar(Institucion)
    respuesta = enviar(admin, f"/admin/instituciones/{b.id}", _datos_de_institucion(
        b, id=str(cuentas.institucion_a.id), creada_en="2000-01-01T00:00:00+00:00",
        usuarias=str(cuentas["admin"].id)))
    assert respuesta.status_code == 302
    despues = _recargar(Institucion, b.id)
    assert (despues.id, despues.creada_en) == antes
    assert _recargar(Usuaria, cuentas["admin"].id).institucion_id == cuentas.institucion_a.id
    assert _contar(Institucion) == cuantas


# ---- other roles -----------------------------------------------------------------------------

@pytest.mark.parametrize("rol", ["capturista", "supervisora", "gestora"])
def test_otros_roles_reciben_403_en_administracion(app, cuentas, como, rol):
    cliente = como(rol)
    ajena = cuentas["capturista_b"]
    rutas = ["/admin/", "/admin/instituciones", "/admin/instituciones/nueva",
             f"/admin/instituciones/{cuentas.institucion_b.id}", "/admin/cuentas",
             "/admin/cuentas/nueva", f"/admin/cuentas/{ajena.id}"]
    for ruta in rutas:
        respuesta = cliente.get(ruta)
        assert respuesta.status_code == 403, ruta
        assert "Acceso denegado" in _html(respuesta)

    antes = (_contar(Institucion), _contar(Usuaria), _contar(Activacion))
    token = token_csrf(cliente, "/")
    intentos = [
        ("/admin/instituciones/nueva", INSTITUCION_NUEVA),
        ("/admin/cuentas/nueva", {"correo": "intrusa@prueba.mx", "nombre": "Intrusa",
                                  "rol": "admin", "institucion_id": str(cuentas.institucion_a.id),
                                  "activa": "y"}),
        (f"/admin/cuentas/{ajena.id}", _datos_de_cuenta(ajena, activa=None)),
        (f"/admin/cuentas/{ajena.id}/activacion", {}),
    ]
    for ruta, datos in intentos:
        respuesta = cliente.post(ruta, data={**datos, "csrf_token": token})
        assert respuesta.status_code == 403, ruta
    assert (_contar(Institucion), _contar(Usuaria), _contar(Activacion)) == antes
    assert _recargar(Usuaria, ajena.id).activa is True
