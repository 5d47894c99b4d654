"""The intake page as a caseworker uses it: real forms, real CSRF tokens, the HTML she sees.

A valid intake becomes a case and leads to the risk assessment. An invalid one comes back with
a Spanish message beside the field at fault, every typed value still in place, and a draft
saved that only its author can reopen. Drafts are encrypted; duplicates across institutions
are flagged by institution name only.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from casos.expedientes.modelos import Borrador, Caso, Nna
from casos.expedientes.servicios import registrar_caso
from casos.extensiones import db
from tests.conftest import crear_usuaria, datos_de_caso, entrar, enviar, errores_del_campo
from tests.reloj import hoy_en_mexico

pytestmark = pytest.mark.reloj  # dates of the facts and of birth checked against today

ALFABETO_CURP = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"


def con_digito(curp17: str) -> str:
    """The check digit as DOMAIN.md defines it, computed here independently of the app."""
    suma = sum(ALFABETO_CURP.index(c) * (18 - i) for i, c in enumerate(curp17))
    return curp17 + str((10 - suma % 10) % 10)


CURP = con_digito("PEMA850101MZSRRN0")  # born 1985-01-01
CURP_OTRA = con_digito("GOLA900215MZSRPR0")  # born 1990-02-15
HOY = hoy_en_mexico()  # at collection, on the suite's pinned clock
HACE_UNA_SEMANA = (HOY - timedelta(days=7)).isoformat()
NARRATIVA = "Relato canario Zafiro-7731: hechos inventados para las pruebas de captura."
NOMBRE = "Canaria Xóchitl Pruebasintética"
INSTITUCION_A = "Institución de prueba INSTA"
INSTITUCION_B = "Institución de prueba INSTB"

FORMULARIO = {
    "nombre": NOMBRE, "curp": CURP, "fecha_nacimiento": "1985-01-01", "municipio": "32056",
    "telefono": "492 999 0001", "domicilio": "Calle Ficticia 1, Colonia Inventada",
    "lengua_indigena": "Náhuatl", "discapacidad": "Ninguna", "nacionalidad": "Mexicana",
    "telefono_seguro": "4929990002", "horario_seguro": "9 a 11 de la mañana",
    "nunca_llamar_casa": "y", "persona_confianza": "Hermana, vía la tienda de la esquina",
    "indicaciones_contacto": "Decir que llaman de la escuela.",
    "nna-0-nombre": "Hija Sintetica Uno", "nna-0-edad": "7", "nna-0-violencia_directa": "y",
    "agresores-0-nombre": "Agresor Sintetico Canario", "agresores-0-relacion": "expareja",
    "agresores-0-vive_con_ella": "y", "agresores-0-acceso_armas": "y",
    "fecha_hechos": HACE_UNA_SEMANA, "municipio_hechos": "32010", "lugar_hechos": "Domicilio ficticio",
    "narrativa": NARRATIVA, "tipos": ["fisica", "psicologica"], "modalidades": ["familiar"],
    "autoriza_canalizar": "y", "tipos_institucion": ["cjm", "salud"],
    "datos_compartibles": ["identidad", "hechos"],
}


def formulario(**cambios) -> dict:
    """The complete intake with some fields changed; a value of None removes the field."""
    datos = {k: (list(v) if isinstance(v, list) else v) for k, v in FORMULARIO.items()}
    for clave, valor in cambios.items():
        if valor is None:
            datos.pop(clave, None)
        else:
            datos[clave] = valor
    return datos


class _CamposDelFormulario(HTMLParser):
    """What a browser would send back from the intake form as rendered: name -> values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.valores: dict[str, list[str]] = defaultdict(list)
        self._dentro = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, etiqueta, atributos):
        a = dict(atributos)
        if etiqueta == "form" and "intake" in (a.get("class") or "").split():
            self._dentro = True
        if not self._dentro:
            return
        if etiqueta == "input" and a.get("name"):
            tipo = a.get("type", "text")
            if tipo in ("checkbox", "radio"):
                if "checked" in a:
                    self.valores[a["name"]].append(a.get("value") or "on")
            elif tipo not in ("submit", "button"):
                self.valores[a["name"]].append(a.get("value") or "")
        elif etiqueta == "textarea":
            self._textarea = a["name"]
            self.valores[self._textarea].append("")
        elif etiqueta == "select":
            self._select = a["name"]
        elif etiqueta == "option" and self._select and "selected" in a:
            self.valores[self._select].append(a.get("value") or "")

    def handle_endtag(self, etiqueta):
        if etiqueta == "form":
            self._dentro = False
        elif etiqueta == "textarea" and self._textarea:
            texto = self.valores[self._textarea][-1]
            # A browser drops one newline right after <textarea>.
            self.valores[self._textarea][-1] = re.sub(r"^\r?\n", "", texto)
            self._textarea = None
        elif etiqueta == "select":
            self._select = None

    def handle_data(self, datos):
        if self._textarea:
            self.valores[self._textarea][-1] += datos


def valores_en_pagina(html: str) -> dict[str, list[str]]:
    lector = _CamposDelFormulario()
    lector.feed(html)
    return dict(lector.valores)


def faltantes(enviado: dict, html: str, excepto=()) -> dict:
    """Every typed value the page does not show back: {field: (typed, shown)}."""
    en_pagina = valores_en_pagina(html)
    perdidos = {}
    for nombre, valor in enviado.items():
        if nombre in excepto:
            continue
        tecleado = sorted(valor) if isinstance(valor, list) else [valor]
        mostrado = sorted(en_pagina.get(nombre, []))
        if tecleado != mostrado:
            perdidos[nombre] = (tecleado, mostrado)
    return perdidos


def error_de(html: str, campo: str) -> str | None:
    """The errors shown beside a field, joined; None when it has none."""
    return " ".join(errores_del_campo(html, campo)) or None


def total(modelo) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(modelo))


def borradores_de(usuaria) -> list[Borrador]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Borrador).where(Borrador.usuaria_id == usuaria.id)))


def id_de_borrador(html: str) -> str:
    encontrado = re.search(r'<input[^>]*name="borrador_id"[^>]*value="([^"]+)"', html) or \
        re.search(r'<input[^>]*value="([^"]+)"[^>]*name="borrador_id"', html)
    assert encontrado, "la página no lleva el identificador del borrador"
    return encontrado.group(1)


# ---- a complete intake ----------------------------------------------------------------------

def test_captura_completa_crea_el_caso_y_lleva_a_la_valoracion(como, cuentas):
    c = como("capturista")
    respuesta = enviar(c, "/casos/nuevo", formulario())
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-2000:]
    destino = re.fullmatch(r"/casos/([0-9a-f-]{36})/valoracion", respuesta.location)
    assert destino, respuesta.location

    db.session.rollback()
    caso = db.session.get(Caso, uuid.UUID(destino.group(1)))
    assert caso is not None
    assert caso.institucion_id == cuentas.institucion_a.id
    assert caso.creado_por_id == cuentas["capturista"].id
    assert caso.municipio == "32056" and caso.estado == "registrado"

    valoracion = c.get(respuesta.location)
    assert valoracion.status_code == 200
    assert "Caso registrado. Ahora valore el riesgo." in valoracion.get_data(as_text=True)

    pagina = c.get(f"/casos/{caso.id}").get_data(as_text=True)
    for visible in (NOMBRE, CURP, "01/01/1985", NARRATIVA, "Hija Sintetica Uno, 7 años",
                    "Agresor Sintetico Canario", "Expareja", "tiene acceso a armas",
                    "Nunca llamar ni acudir a su domicilio", "9 a 11 de la mañana",
                    "Hermana, vía la tienda de la esquina", "Física", "Psicológica", "Familiar",
                    "Centro de Justicia para las Mujeres", "Secretaría de Salud"):
        assert unescape(visible) in unescape(pagina), visible
    assert "Sus borradores sin terminar" not in c.get("/casos/").get_data(as_text=True)


def test_la_curp_en_minusculas_se_acepta_y_se_guarda_en_mayusculas(como):
    c = como("capturista")
    respuesta = enviar(c, "/casos/nuevo", formulario(curp=f"  {CURP.lower()} "))
    assert respuesta.status_code == 302, error_de(respuesta.get_data(as_text=True), "curp")
    caso_id = respuesta.location.split("/")[2]
    pagina = c.get(f"/casos/{caso_id}").get_data(as_text=True)
    assert f"<dd>{CURP}</dd>" in pagina
    assert CURP.lower() not in pagina
    encontrada = enviar(c, "/casos/buscar", {"texto": CURP}, pagina="/casos/").get_data(as_text=True)
    assert "1 resultado" in encontrada and f"/casos/{caso_id}" in encontrada


# ---- validation: a Spanish message beside the field, nothing typed is lost -------------------

ERRORES = [
    pytest.param({"nombre": ""}, "nombre", "Escriba el nombre de la mujer.", id="sin_nombre"),
    pytest.param({"curp": CURP[:17] + str((int(CURP[17]) + 1) % 10)}, "curp",
                 "dígito verificador", id="curp_digito_verificador"),
    pytest.param({"curp": con_digito("PEMA850231MZSRRN0"), "fecha_nacimiento": ""}, "curp",
                 "La fecha de nacimiento de la CURP no existe", id="curp_fecha_imposible"),
    pytest.param({"fecha_nacimiento": "1985-01-02"}, "fecha_nacimiento",
                 "No coincide con la fecha de nacimiento de la CURP", id="nacimiento_distinto_de_curp"),
    pytest.param({"curp": "", "fecha_nacimiento": "", "edad_aproximada": ""}, "edad_aproximada",
                 "Escriba la fecha de nacimiento, la CURP o una edad aproximada.",
                 id="sin_nacimiento_curp_ni_edad"),
    pytest.param({"fecha_hechos": (HOY + timedelta(days=2)).isoformat()}, "fecha_hechos",
                 "La fecha no puede ser futura.", id="hechos_en_el_futuro"),
    pytest.param({"tipos": None}, "tipos", "Marque al menos un tipo de violencia.", id="sin_tipo"),
    pytest.param({"modalidades": None}, "modalidades", "Marque al menos una modalidad.",
                 id="sin_modalidad"),
    pytest.param({"tipos_institucion": None}, "tipos_institucion",
                 "Marque con qué tipo de instituciones acepta compartir.",
                 id="consiente_sin_instituciones"),
    pytest.param({"datos_compartibles": None}, "datos_compartibles",
                 "Marque qué datos acepta compartir.", id="consiente_sin_datos"),
    pytest.param({"municipio": "09001"}, "municipio", "Elija un municipio de Zacatecas.",
                 id="municipio_fuera_de_zacatecas"),
]
# Texts WTForms shows when a message was left untranslated.
EN_INGLES = ("This field is required", "Not a valid", "Invalid", "must be", "Field must")


@pytest.mark.parametrize("cambios, campo, mensaje", ERRORES)
def test_error_de_captura_en_espanol_junto_al_campo_sin_perder_nada(
        como, cuentas, cambios, campo, mensaje):
    c = como("capturista")
    enviado = formulario(**cambios)
    respuesta = enviar(c, "/casos/nuevo", enviado)
    html = respuesta.get_data(as_text=True)

    assert respuesta.status_code == 200
    assert total(Caso) == 0
    error = error_de(html, campo)
    assert error is not None and mensaje in error, (campo, error)
    assert "Hay 1 campo por corregir" in html, re.findall(r'id="([\w-]+)-error"', html)
    for ingles in EN_INGLES:
        assert ingles not in html, ingles

    # A value that is not one of the options can't be shown selected; the draft keeps it.
    no_mostrable = {"municipio"} if campo == "municipio" else set()
    assert faltantes(enviado, html, excepto=no_mostrable) == {}

    # …and it was saved as a draft that its author can reopen.
    assert "Borrador guardado" in html
    guardados = borradores_de(cuentas["capturista"])
    assert [str(b.id) for b in guardados] == [id_de_borrador(html)]
    assert guardados[0].datos.get("municipio") == [enviado["municipio"]]
    assert "Sus borradores sin terminar" in c.get("/casos/").get_data(as_text=True)
    restaurado = c.get(f"/casos/nuevo/{guardados[0].id}")
    assert restaurado.status_code == 200
    assert faltantes(enviado, restaurado.get_data(as_text=True), excepto=no_mostrable) == {}


def test_la_captura_valida_sin_fecha_ni_curp_pero_con_edad_aproximada(como):
    c = como("capturista")
    respuesta = enviar(c, "/casos/nuevo", formulario(curp="", fecha_nacimiento="",
                                                    edad_aproximada="34"))
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    pagina = c.get(respuesta.location.rsplit("/", 1)[0]).get_data(as_text=True)
    assert "edad aproximada: 34" in pagina and "No registrada" in pagina


def test_corregir_y_registrar_usa_el_mismo_borrador_y_lo_borra(como, cuentas):
    c = como("capturista")
    html = enviar(c, "/casos/nuevo", formulario(nombre="")).get_data(as_text=True)
    borrador_id = id_de_borrador(html)

    # A second mistake updates the same draft instead of adding another one.
    html = enviar(c, "/casos/nuevo", formulario(borrador_id=borrador_id,
                                                narrativa="Segunda versión del relato",
                                                tipos=None), pagina="/casos/nuevo").get_data(as_text=True)
    assert id_de_borrador(html) == borrador_id
    assert total(Borrador) == 1
    assert borradores_de(cuentas["capturista"])[0].datos["narrativa"] == ["Segunda versión del relato"]

    respuesta = enviar(c, "/casos/nuevo", formulario(borrador_id=borrador_id))
    assert respuesta.status_code == 302
    assert total(Borrador) == 0 and total(Caso) == 1
    assert c.get(f"/casos/nuevo/{borrador_id}").status_code == 404
    assert "Sus borradores sin terminar" not in c.get("/casos/").get_data(as_text=True)


# ---- autosave -------------------------------------------------------------------------------

def _autoguardar(cliente, datos):
    return enviar(cliente, "/casos/borradores/guardar", datos, pagina="/casos/nuevo")


def test_autoguardado_crea_y_luego_actualiza_el_mismo_borrador(como, cuentas):
    c = como("capturista")
    primera = _autoguardar(c, {"nombre": NOMBRE, "narrativa": "Primer intento", "borrador_id": ""})
    assert primera.status_code == 200 and primera.is_json
    borrador_id = primera.get_json()["borrador_id"]
    uuid.UUID(borrador_id)

    segunda = _autoguardar(c, {"borrador_id": borrador_id, "nombre": NOMBRE, "narrativa": NARRATIVA,
                               "tipos": ["sexual", "vicaria"], "nunca_llamar_casa": "y"})
    assert segunda.get_json()["borrador_id"] == borrador_id
    assert total(Borrador) == 1

    html = c.get(f"/casos/nuevo/{borrador_id}").get_data(as_text=True)
    assert faltantes({"nombre": NOMBRE, "narrativa": NARRATIVA, "tipos": ["sexual", "vicaria"],
                      "nunca_llamar_casa": "y", "borrador_id": borrador_id}, html) == {}
    assert "Primer intento" not in html


def test_autoguardado_sin_token_csrf_se_rechaza(como):
    c = como("capturista")
    respuesta = c.post("/casos/borradores/guardar", data={"nombre": NOMBRE})
    assert respuesta.status_code == 400
    assert total(Borrador) == 0


def test_el_borrador_se_guarda_cifrado(como, cuentas):
    c = como("capturista")
    borrador_id = _autoguardar(c, {"nombre": NOMBRE, "narrativa": NARRATIVA,
                                   "curp": CURP}).get_json()["borrador_id"]
    db.session.rollback()
    crudo = db.session.execute(sa.text("SELECT datos_cifrado FROM borrador")).scalar_one()
    crudo = bytes(crudo)
    assert crudo
    for secreto in (NARRATIVA, "Zafiro-7731", NOMBRE, "Pruebasint", CURP):
        assert secreto.encode() not in crudo, secreto
    # …and it really holds what was typed, for its author.
    borrador = db.session.get(Borrador, uuid.UUID(borrador_id))
    assert borrador.datos["narrativa"] == [NARRATIVA]


def test_el_borrador_es_solo_de_su_autora(app, como, cuentas):
    autora = como("capturista")
    borrador_id = _autoguardar(autora, {"nombre": NOMBRE, "narrativa": NARRATIVA}).get_json()["borrador_id"]

    companera = crear_usuaria("capturista", cuentas.institucion_a, correo="companera@prueba.mx")
    otras = {"misma institución": app.test_client(), "supervisora": como("supervisora"),
             "otra institución": como("capturista_b")}
    assert entrar(otras["misma institución"], companera).status_code == 302
    for quien, cliente in otras.items():
        pagina = cliente.get(f"/casos/nuevo/{borrador_id}")
        assert pagina.status_code == 404, quien
        assert NARRATIVA not in pagina.get_data(as_text=True)
        assert "Sus borradores sin terminar" not in cliente.get("/casos/").get_data(as_text=True), quien
        descarte = enviar(cliente, f"/casos/borradores/{borrador_id}/descartar", pagina="/casos/")
        assert descarte.status_code == 404, quien
        # Saving "over" someone else's draft makes a new one of her own; the original stays.
        otro = _autoguardar(cliente, {"borrador_id": borrador_id, "narrativa": "Sobrescrito"})
        assert otro.get_json()["borrador_id"] != borrador_id, quien

    db.session.rollback()
    original = db.session.get(Borrador, uuid.UUID(borrador_id))
    assert original is not None and original.datos["narrativa"] == [NARRATIVA]
    assert original.usuaria_id == cuentas["capturista"].id


def test_descartar_un_borrador(como, cuentas):
    c = como("capturista")
    borrador_id = _autoguardar(c, {"nombre": NOMBRE}).get_json()["borrador_id"]
    assert "Sus borradores sin terminar" in c.get("/casos/").get_data(as_text=True)

    respuesta = enviar(c, f"/casos/borradores/{borrador_id}/descartar", pagina="/casos/")
    assert respuesta.status_code == 302
    assert total(Borrador) == 0
    lista = c.get(respuesta.location).get_data(as_text=True)
    assert "Borrador descartado." in lista and "Sus borradores sin terminar" not in lista
    assert c.get(f"/casos/nuevo/{borrador_id}").status_code == 404


def test_borrador_con_identificador_invalido_es_404(como):
    c = como("capturista")
    assert c.get("/casos/nuevo/no-es-un-uuid").status_code == 404
    assert c.get(f"/casos/nuevo/{uuid.uuid4()}").status_code == 404


# ---- duplicates across institutions ---------------------------------------------------------

def _duplicados(cliente, datos):
    respuesta = enviar(cliente, "/casos/duplicados", datos, pagina="/casos/nuevo")
    assert respuesta.status_code == 200 and respuesta.is_json
    return respuesta


def test_duplicado_por_curp_solo_dice_la_institucion(como, cuentas):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE, curp=CURP))
    db.session.commit()

    respuesta = _duplicados(como("capturista_b"), {"curp": CURP.lower()})
    assert respuesta.get_json() == {"instituciones": [INSTITUCION_A]}
    cuerpo = respuesta.get_data(as_text=True)
    for secreto in (str(caso.id), caso.id.hex, "Canaria", "Xóchitl", "Xochitl", CURP):
        assert secreto not in cuerpo, secreto


def test_duplicado_por_nombre_y_fecha_de_nacimiento(como, cuentas):
    registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE, curp=CURP))
    db.session.commit()
    b = como("capturista_b")

    mismo = _duplicados(b, {"nombre": "  canaria XOCHITL  pruebasintetica", "fecha_nacimiento": "1985-01-01"})
    assert mismo.get_json() == {"instituciones": [INSTITUCION_A]}
    otra_fecha = _duplicados(b, {"nombre": NOMBRE, "fecha_nacimiento": "1985-01-02"})
    assert otra_fecha.get_json() == {"instituciones": []}
    solo_nombre = _duplicados(b, {"nombre": NOMBRE})
    assert solo_nombre.get_json() == {"instituciones": []}


def test_otra_curp_no_es_duplicado(como, cuentas):
    registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE, curp=CURP))
    db.session.commit()
    respuesta = _duplicados(como("capturista_b"), {"curp": CURP_OTRA})
    assert respuesta.get_json() == {"instituciones": []}


def test_duplicados_sin_token_csrf_se_rechaza(como, cuentas):
    registrar_caso(cuentas["capturista"], datos_de_caso(curp=CURP))
    db.session.commit()
    respuesta = como("capturista_b").post("/casos/duplicados", data={"curp": CURP})
    assert respuesta.status_code == 400


def test_la_pagina_del_segundo_caso_avisa_posible_duplicado(como, cuentas):
    registrar_caso(cuentas["capturista"], datos_de_caso(nombre=NOMBRE, curp=CURP))
    sin_duplicado = registrar_caso(cuentas["capturista"],
                                   datos_de_caso(nombre="Otra Mujer Sintetica", curp=CURP_OTRA))
    db.session.commit()

    b = como("capturista_b")
    respuesta = enviar(b, "/casos/nuevo", formulario(nombre="Otra forma de escribir su nombre"))
    assert respuesta.status_code == 302
    segundo = respuesta.location.rsplit("/", 1)[0]
    pagina = b.get(segundo).get_data(as_text=True)
    assert f"Posible duplicado: existe un caso en {INSTITUCION_A}" in unescape(pagina)
    assert pagina.count("Posible duplicado") == 1

    a = como("capturista")
    assert "Posible duplicado" not in a.get(f"/casos/{sin_duplicado.id}").get_data(as_text=True)


# ---- daughters and sons ----------------------------------------------------------------------

def test_filas_de_hijas_en_blanco_se_ignoran(como):
    c = como("capturista")
    datos = formulario(**{"nna-0-nombre": "Hija Sintetica Uno", "nna-0-edad": "7",
                          "nna-1-nombre": "", "nna-1-edad": "",
                          "nna-2-nombre": "Hijo Sintetico Tres", "nna-2-edad": "15"})
    datos.pop("nna-0-violencia_directa")
    respuesta = enviar(c, "/casos/nuevo", datos)
    assert respuesta.status_code == 302, respuesta.get_data(as_text=True)[-1500:]
    caso_id = uuid.UUID(respuesta.location.split("/")[2])

    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nna)
                             .where(Nna.caso_id == caso_id)) == 2
    pagina = c.get(f"/casos/{caso_id}").get_data(as_text=True)
    assert "Hija Sintetica Uno, 7 años" in pagina and "Hijo Sintetico Tres, 15 años" in pagina
    assert "Sin nombre" not in pagina


def test_sin_hijas_la_pagina_lo_dice(como):
    c = como("capturista")
    datos = {k: v for k, v in formulario().items() if not k.startswith("nna-")}
    respuesta = enviar(c, "/casos/nuevo", datos)
    assert respuesta.status_code == 302
    pagina = c.get(respuesta.location.rsplit("/", 1)[0]).get_data(as_text=True)
    assert "No se registraron hijas ni hijos." in pagina


def test_un_envio_sin_los_campos_opcionales_no_da_error_500(como):
    """Not what a browser sends (it sends every input, empty or not), but what a script may."""
    c = como("capturista")
    minimo = {"nombre": "Mujer Minima Sintetica", "edad_aproximada": "30", "municipio": "32056",
              "municipio_hechos": "", "fecha_hechos": HACE_UNA_SEMANA, "narrativa": NARRATIVA,
              "tipos": ["economica"], "modalidades": ["laboral"], "nna-0-edad": "4"}
    respuesta = enviar(c, "/casos/nuevo", minimo)
    assert respuesta.status_code == 302, respuesta.status_code
    pagina = c.get(respuesta.location.rsplit("/", 1)[0]).get_data(as_text=True)
    assert "Sin nombre, 4 años" in pagina and "Nombre no conocido" in pagina
    assert "No autorizó que su caso se canalice" in pagina


# ---- consent --------------------------------------------------------------------------------

def _consentimiento_revocado(caso_id) -> bool:
    db.session.rollback()
    return db.session.get(Caso, caso_id).consentimiento.revocado_en is not None


def revocacion(**cambios) -> dict:
    """The revocation form as she fills it (tests/test_revocacion_consentimiento.py tests it)."""
    return {"revocada_el": hoy_en_mexico().isoformat(), "informada_por": "ella_persona",
            "motivo": "Ya no quiere que se comparta (sintético)", "confirmacion": "y", **cambios}


def test_revocar_el_consentimiento(como, cuentas):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    c = como("capturista")
    antes = c.get(f"/casos/{caso.id}").get_data(as_text=True)
    assert "Acepta que su caso se canalice a" in antes and "Revocó su consentimiento" not in antes

    respuesta = enviar(c, f"/casos/{caso.id}/consentimiento/revocar", revocacion())
    assert respuesta.status_code == 302 and respuesta.location == f"/casos/{caso.id}"
    despues = c.get(respuesta.location).get_data(as_text=True)
    assert "Revocó su consentimiento" in despues
    assert "Acepta que su caso se canalice a" not in despues
    assert "Registrar que revoca su consentimiento" not in despues
    assert _consentimiento_revocado(caso.id)


def test_revocar_sin_token_csrf_no_revoca(como, cuentas):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    como("capturista").post(f"/casos/{caso.id}/consentimiento/revocar", data=revocacion())
    assert not _consentimiento_revocado(caso.id)


@pytest.mark.parametrize("quien, codigo", [("capturista_b", 404), ("supervisora_b", 404),
                                           ("gestora", 403), ("admin", 403)])
def test_solo_la_institucion_duena_revoca_el_consentimiento(como, cuentas, quien, codigo):
    caso = registrar_caso(cuentas["capturista"], datos_de_caso())
    db.session.commit()
    respuesta = enviar(como(quien), f"/casos/{caso.id}/consentimiento/revocar", revocacion(), pagina="/")
    assert respuesta.status_code == codigo
    assert not _consentimiento_revocado(caso.id)
