"""The password policy (NIST SP 800-63B-4) and Argon2id hashing, as units.

Length decides; no composition rules; common, trivial and self-referencing passwords are refused
with a Spanish reason; the stored secret is compared exactly as typed.
"""

from __future__ import annotations

import pytest

from casos.cuentas import contrasenas
from casos.cuentas.contrasenas import contexto_de, problemas
from casos.cuentas.modelos import Institucion

CORTA = "Debe tener al menos 15 caracteres."
LARGA = "Debe tener como máximo 128 caracteres."
COMUN = "Es una contraseña común o fácil de adivinar; elija otra frase."
NOMBRES = "No debe contener el nombre del sistema, de su institución ni de su cuenta."

TEXTO = ("el río juchipila baja despacio entre mezquites, nopales y huizaches mientras la "
         "abuela tuesta chiles en el comal de barro y los perros duermen bajo el portal")


def _de_largo(n: int) -> str:
    texto = TEXTO[:n]
    assert len(texto) == n
    return texto


def _contexto():
    cjm = Institucion(nombre="Centro de Justicia para las Mujeres", siglas="CJMZ")
    return contexto_de("maria.lopez@fiscalia.gob.mx", "Guadalupe Ramírez", cjm)


# ---- length ----------------------------------------------------------------------------------

def test_14_caracteres_se_rechazan_y_15_se_aceptan():
    assert problemas("tulipan morado") == [CORTA]
    assert problemas("tulipan morados") == []


@pytest.mark.parametrize("largo", [64, 128])
def test_frases_largas_hasta_128_se_aceptan(largo):
    assert problemas(_de_largo(largo)) == []


def test_129_caracteres_se_rechazan():
    assert problemas(_de_largo(129)) == [LARGA]


def test_el_largo_se_cuenta_en_caracteres_no_en_bytes():
    # 15 characters, 60 bytes in UTF-8: long enough; 14 of them are not.
    flores = "🌵🌙🌸🌼🌻🌷🌹🥀🌺🍀🍁🍂🍃🌾🌿"
    assert len(flores) == 15 and len(flores.encode()) > 15
    assert problemas(flores) == []
    assert problemas(flores[:14]) == [CORTA]


# ---- no composition rules --------------------------------------------------------------------

@pytest.mark.parametrize("contrasena", [
    "mariposa amarilla del norte",        # lower case only, no digit, no symbol
    "MARIPOSA AMARILLA DEL NORTE",        # upper case only
    "839274610582736",                    # digits only, not a sequence
    "ñandú 🌵 ámbar 🌙 sol",              # spaces, accents and emoji
    "  espacios al inicio y al final  ",  # spaces are characters like any other
])
def test_sin_reglas_de_composicion(contrasena):
    assert problemas(contrasena) == []


# ---- common and trivial ----------------------------------------------------------------------

@pytest.mark.parametrize("contrasena", [
    "passwordpassword",
    "PasswordPassword",
    "123456789012345",
    "qwertyuiopasdfgh",
    "contraseña12345678",
    "Contraseña2024!!!!",
    "123passwordpassword!!",
    "abcabcabcabcabcabc",
    "aaaaaaaaaaaaaaaaaaaa",
    "te amo te amo te amo ",
    "abcdefghijklmnopq",
])
def test_contrasenas_comunes_o_triviales_se_rechazan(contrasena):
    assert problemas(contrasena) == [COMUN]


# ---- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("contrasena", [
    "rutavioleta es mi casa segura",
    "mi clave de Ruta Violeta 2025",
    "RUTA-VIOLETA nunca duerme hoy",
    "la rúta violéta de zacatecas",
])
def test_el_nombre_del_sistema_se_rechaza(contrasena):
    assert problemas(contrasena) == [NOMBRES]


@pytest.mark.parametrize("contrasena", [
    "centro de justicia para las mujeres 2025",  # the institution's name
    "CJMZ es mi segundo hogar hoy",              # its acronym
    "maria.lopez toma cafe de olla",             # the e-mail's local part
    "lopez toma cafe de olla de barro",          # a piece of it
    "ramirez toma cafe de olla",                 # her surname, accent or not
    "Guadalupe toma cafe de olla",               # her first name
])
def test_nombres_de_la_cuenta_y_su_institucion_se_rechazan(contrasena):
    assert problemas(contrasena, contexto=_contexto()) == [NOMBRES]
    # The same phrase is fine for someone else: the refusal comes from the context.
    assert problemas(contrasena) == []


def test_nombres_de_menos_de_4_caracteres_no_bloquean():
    cjm = Institucion(nombre="CJM", siglas="CJM")
    contexto = contexto_de("ana@cjm.gob.mx", "Ana", cjm)
    assert problemas("mañana el cjm abre a las nueve", contexto=contexto) == []


def test_contexto_de_reune_correo_nombre_e_institucion():
    assert set(_contexto()) == {"maria.lopez", "maria", "lopez", "Guadalupe", "Ramírez",
                                "Centro de Justicia para las Mujeres", "CJMZ"}
    assert set(contexto_de("sola@prueba.mx")) == {"sola"}
    assert "" not in contexto_de("a..b@prueba.mx", "  Nombre   Con  Espacios ")


def test_los_motivos_estan_en_espanol():
    for motivo in (problemas("corta"), problemas("x" * 129), problemas("passwordpassword"),
                   problemas("rutavioleta para siempre")):
        assert len(motivo) == 1
        texto = motivo[0]
        assert texto in (CORTA, LARGA, COMUN, NOMBRES)
        for ingles in ("password", "must", "characters", "common", "least"):
            assert ingles not in texto.lower()


# ---- Argon2id --------------------------------------------------------------------------------

def test_cifrar_usa_argon2id_con_sal(app):
    frase = "girasoles bajo la lluvia de agosto"
    uno, otro = contrasenas.cifrar(frase), contrasenas.cifrar(frase)
    assert uno.startswith("$argon2id$") and otro.startswith("$argon2id$")
    assert uno != otro  # a random salt each time
    assert frase not in uno


def test_cifrar_usa_los_costos_configurados(app):
    app.config["ARGON2"] = {"time_cost": 2, "memory_cost": 16, "parallelism": 1}
    hash_ = contrasenas.cifrar("girasoles bajo la lluvia de agosto")
    assert "$m=16,t=2,p=1$" in hash_
    assert not contrasenas.necesita_rehash(hash_)
    app.config["ARGON2"] = {"time_cost": 3, "memory_cost": 32, "parallelism": 1}
    assert contrasenas.necesita_rehash(hash_)


def test_verificar_es_exacta(app):
    frase = "Girasoles bajo la lluvia de agosto"
    hash_ = contrasenas.cifrar(frase)
    assert contrasenas.verificar(hash_, frase) is True
    for casi in (frase.lower(), frase.upper(), frase + " ", " " + frase, frase[:-1],
                 frase.replace("a", "á", 1)):
        assert contrasenas.verificar(hash_, casi) is False, casi


def test_verificar_sin_hash_o_con_hash_invalido_es_falso(app):
    assert contrasenas.verificar(None, "girasoles bajo la lluvia de agosto") is False
    assert contrasenas.verificar("", "girasoles bajo la lluvia de agosto") is False
    assert contrasenas.verificar("no-es-un-hash", "no-es-un-hash") is False
    # A hash of the empty password still does not open an account with no password.
    assert contrasenas.verificar(None, "") is False
