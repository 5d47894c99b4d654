"""Catalogues the law or the State define. Kept as data so a reform is a one-line change."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATOS = Path(__file__).resolve().parent / "datos"

ROLES = {
    "capturista": "Capturista",
    "supervisora": "Supervisora",
    "gestora": "Gestora",
    "admin": "Administración",
}

TIPOS_INSTITUCION = {
    "fiscalia": "Fiscalía",
    "cjm": "Centro de Justicia para las Mujeres",
    "semujer": "Secretaría de las Mujeres",
    "dif": "DIF / Procuraduría de Protección de NNA",
    "salud": "Secretaría de Salud",
    "refugio": "Refugio",
    "imm": "Instancia Municipal de las Mujeres",
    "seguridad": "Seguridad pública",
    "otra": "Otra",
}


@dataclass(frozen=True)
class Municipio:
    clave: str  # INEGI cvegeo, 32001..32058
    nombre: str
    poblacion: int
    mujeres: int


@cache
def municipios() -> dict[str, Municipio]:
    with open(DATOS / "municipios_zacatecas.csv", encoding="utf-8", newline="") as archivo:
        return {
            fila["cvegeo"]: Municipio(fila["cvegeo"], fila["municipio"],
                                      int(fila["poblacion_2020"]), int(fila["mujeres_2020"]))
            for fila in csv.DictReader(archivo)
        }


def opciones_municipio() -> list[tuple[str, str]]:
    return sorted(((m.clave, m.nombre) for m in municipios().values()), key=lambda o: o[1])


# LGAMVLV Art. 6 and the Zacatecas law (Art. 14 Quáter: obstétrica). Several per incident.
TIPOS_VIOLENCIA = {
    "psicologica": "Psicológica",
    "fisica": "Física",
    "patrimonial": "Patrimonial",
    "economica": "Económica",
    "sexual": "Sexual",
    "vicaria": "Vicaria (a través de hijas, hijos o familiares)",
    "obstetrica": "Obstétrica",
    "otra": "Otra",
}

# LGAMVLV Title II. Laboral and docente are defined apart by the law: kept apart here.
MODALIDADES = {
    "familiar": "Familiar",
    "laboral": "Laboral",
    "docente": "Docente",
    "comunidad": "En la comunidad (incluye acoso en espacios públicos)",
    "institucional": "Institucional",
    "politica": "Política",
    "digital": "Digital y mediática",
    "feminicida": "Feminicida",
}

RELACIONES_AGRESOR = {
    "pareja": "Pareja actual",
    "expareja": "Expareja",
    "familiar": "Familiar",
    "conocido": "Conocido",
    "companero_trabajo": "Compañero o jefe de trabajo",
    "docente": "Docente o autoridad escolar",
    "autoridad": "Servidor público",
    "desconocido": "Desconocido",
    "otra": "Otra",
}

NIVELES_RIESGO = {"bajo": "Bajo", "medio": "Medio", "alto": "Alto", "extremo": "Extremo"}
ORDEN_NIVEL = {nivel: orden for orden, nivel in enumerate(NIVELES_RIESGO)}
NIVELES_URGENTES = frozenset({"alto", "extremo"})
# Re-assessment period by level (VioGén's defaults), configurable here.
HORAS_REVALORACION = {"extremo": 72, "alto": 7 * 24, "medio": 30 * 24, "bajo": 60 * 24}

# LGDNNA Art. 5 for the first two bands; published bands for statistics.
RANGOS_EDAD = ((0, 11, "0-11"), (12, 17, "12-17"), (18, 29, "18-29"), (30, 39, "30-39"),
               (40, 49, "40-49"), (50, 59, "50-59"), (60, 200, "60+"))

# What the victim may agree to share through a referral.
DATOS_COMPARTIBLES = {
    "identidad": "Nombre, CURP y fecha de nacimiento",
    "contacto": "Teléfono, domicilio y preferencias de contacto seguro",
    "hechos": "Relato de los hechos",
    "riesgo": "Valoración de riesgo",
    "nna": "Datos de hijas e hijos",
    "agresor": "Datos de la persona agresora",
}


def rango_edad(edad: int | None) -> str | None:
    if edad is None:
        return None
    return next(etiqueta for minimo, maximo, etiqueta in RANGOS_EDAD if minimo <= edad <= maximo)


# What a referral can ask for (DOMAIN.md), including the wider equality model's services.
SERVICIOS = {
    "psicologica": "Atención psicológica",
    "juridica": "Asesoría jurídica",
    "trabajo_social": "Trabajo social",
    "medica": "Atención médica (NOM-046)",
    "refugio": "Refugio o alojamiento temporal",
    "orden_proteccion": "Orden de protección",
    "denuncia": "Denuncia / investigación",
    "proteccion_nna": "Protección de niñas, niños y adolescentes",
    "empoderamiento": "Empoderamiento económico",
    "reeducacion": "Reeducación de la persona agresora",
    "registro_victima": "Registro como víctima / reparación",
}

@dataclass(frozen=True)
class TipoAtencion:
    clave: str
    nombre: str
    estrategia: str  # the line of the Plan Estatal de Desarrollo 2022-2027 it reports to


@cache
def tipos_atencion() -> dict[str, TipoAtencion]:
    """The services an institution records as given to her (datos/tipos_atencion.csv)."""
    with open(DATOS / "tipos_atencion.csv", encoding="utf-8", newline="") as archivo:
        return {f["clave"]: TipoAtencion(f["clave"], f["nombre"], f["estrategia"])
                for f in csv.DictReader(archivo)}


# What a file attached to a case is (casos/adjuntos/).
CATEGORIAS_ADJUNTO = {
    "denuncia": "Denuncia",
    "dictamen_medico": "Dictamen médico",
    "orden_proteccion": "Orden de protección",
    "identificacion": "Identificación",
    "otro": "Otro documento",
}

# What a receiving institution must have been shared, under her consent, to open a file of
# each category (casos/acceso/casos.py `AccesoDocumentos`). A scanned document carries her
# name, so identity always; a complaint and an order also name the aggressor, and an order
# tells of her risk (the case page shows orders to a receiver only with "riesgo"). "otro": no
# consent can name what it holds, so it stays with the institution that uploaded it.
CONSENTIMIENTO_DE_ADJUNTO: dict[str, frozenset[str] | None] = {
    "denuncia": frozenset({"identidad", "hechos", "agresor"}),
    "dictamen_medico": frozenset({"identidad", "hechos"}),
    "orden_proteccion": frozenset({"identidad", "riesgo", "agresor"}),
    "identificacion": frozenset({"identidad"}),
    "otro": None,
}

# A request to read a case blocked by the retention schedule (casos/conservacion/).
ESTADOS_LECTURA_BLOQUEADA = {"pendiente": "Por autorizar", "autorizada": "Autorizada", "rechazada": "Rechazada"}

# Where a file's encrypted chunks are kept (casos/adjuntos/almacen.py).
ALMACENES_ADJUNTO = ("bd", "directorio")

# What a file may be, by its content (casos/adjuntos/archivos.py): MIME type -> what people call it.
TIPOS_ADJUNTO = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

# How a person receives the staff e-mails (casos/avisos/): each one as it happens, or one
# summary a day.
AVISOS_POR_CORREO = {
    "inmediato": "Cada aviso en cuanto ocurre",
    "resumen": "Un resumen al día con todo lo ocurrido",
}

# Who told the institution that she withdraws her consent.
QUIEN_INFORMA_REVOCACION = {
    "ella_persona": "Ella misma, en persona",
    "ella_telefono": "Ella misma, por teléfono (contacto seguro)",
    "representante": "Su representante legal",
    "otra_institucion": "Otra institución que la atiende",
}

TIPOS_ORDEN = {"administrativa": "Administrativa", "jurisdiccional": "Jurisdiccional"}

AUTORIDADES_ORDEN = {
    "ministerio_publico": "Ministerio Público",
    "juzgado": "Juzgado",
    "policia": "Autoridad policial",
    "administrativa": "Otra autoridad administrativa",
}

MEDIDAS_PROTECCION = {
    "prohibicion_acercarse": "Prohibición de acercarse o comunicarse",
    "salida_domicilio": "Salida del agresor del domicilio",
    "proteccion_policial": "Protección policial",
    "alojamiento_temporal": "Alojamiento temporal",
    "reserva_domicilio": "Reserva del domicilio",
    "suspension_visitas": "Suspensión de visitas y convivencia",
    "resguardo_armas": "Resguardo de armas",
    "otra": "Otra",
}

# ---- requests over her personal data (derechos ARCO, LGPDPPSO; casos/arco/) -------------------
# Paraphrases of the law for the officer's choices: check them against the text in force.

DERECHOS_ARCO = {
    "acceso": "Acceso (saber qué datos suyos tiene la institución)",
    "rectificacion": "Rectificación (corregir datos inexactos o incompletos)",
    "cancelacion": "Cancelación (que se eliminen sus datos)",
    "oposicion": "Oposición (que se deje de tratar sus datos para un fin)",
}

# How the request reached the institution.
MEDIOS_SOLICITUD_ARCO = {
    "presencial": "En persona, en la unidad de transparencia",
    "escrito": "Por escrito (oficialía de partes o correo postal)",
    "correo_electronico": "Por correo electrónico",
    "plataforma": "Por la Plataforma Nacional de Transparencia",
}

QUIEN_PRESENTA_ARCO = {
    "titular": "La titular de los datos (ella misma)",
    "representante": "Una persona que dice representarla",
}

# Official identification of the titular (and of her representative): without one there is no
# verifiable identity, and the request is not registered.
IDENTIFICACIONES_ARCO = {
    "ine": "Credencial para votar (INE)",
    "pasaporte": "Pasaporte",
    "cedula_profesional": "Cédula profesional",
    "cartilla_militar": "Cartilla del Servicio Militar Nacional",
    "licencia": "Licencia de conducir",
    "firma_electronica": "Firma electrónica avanzada (e.firma), por medios electrónicos",
    "otra_oficial": "Otra identificación oficial vigente con fotografía",
}

# What accredits a representative: without it, a representative's request is not served.
REPRESENTACIONES_ARCO = {
    "instrumento_publico": "Instrumento público (poder notarial)",
    "carta_poder": "Carta poder firmada ante dos testigos, con las identificaciones de quien la otorga y de quien la recibe",
    "comparecencia": "Declaración en comparecencia personal de la titular ante la institución",
    "patria_potestad": "Patria potestad o tutela de una titular menor de edad (acta y, en su caso, resolución)",
    "resolucion_judicial": "Resolución judicial que designa a quien la representa",
}

# Grounds to refuse (LGPDPPSO 2025, Art. 49, as the issue cites it; wording ours). The first
# two protect her from whoever asks in her name: an aggressor asking for her file must get
# nothing that harms her, her daughters and sons, or the proceedings against him.
CAUSALES_IMPROCEDENCIA_ARCO = {
    "dano_tercero": "Se lesionarían los derechos de un tercero (ella, sus hijas e hijos u otras personas)",
    "obstruye_procedimientos": "Se obstaculizarían actuaciones judiciales o administrativas en curso",
    "no_titular": "Quien solicita no es la titular ni su representante debidamente acreditada",
    "no_en_posesion": "Los datos no están en posesión de la institución",
    "impedimento_legal": "Una ley o una resolución de autoridad competente lo impide",
    "ya_realizada": "La cancelación u oposición ya se había realizado",
    "obligacion_legal": "La institución debe conservarlos para cumplir una obligación legal",
    "interes_de_la_titular": "Son necesarios para proteger intereses jurídicamente tutelados de la titular",
}
