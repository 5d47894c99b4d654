"""The OpenAPI 3.1 description of /api/v1, served by the app and used by the tests to
validate every answer (tests/test_api_estadisticas.py)."""

from __future__ import annotations

from casos.estadisticas.publicacion import GRANULARIDADES, MEDIDAS

_CIFRA = {
    "description": "Un conteo, o una marca de supresión: «<k» (entre 1 y k-1 casos) o «s» "
                   "(suprimida para que otra cifra no pueda deducirse). null: no se publica.",
    "oneOf": [{"type": "integer", "minimum": 0},
              {"type": "string", "pattern": "^(<[0-9]+|s)$"},
              {"type": "null"}],
}
_CLAVE_NOMBRE = {"type": "object", "required": ["clave", "nombre"], "additionalProperties": False,
                 "properties": {"clave": {"type": "string"}, "nombre": {"type": "string"}}}


def _lista(esquema: dict) -> dict:
    return {"type": ["array", "null"], "items": esquema}


ESQUEMAS = {
    "Cifra": _CIFRA,
    "Tasa": {"description": "Casos por 100 000 mujeres; «n.d.» si la cifra del municipio está suprimida.",
             "oneOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": "^n\\.d\\.$"},
                       {"type": "null"}]},
    "Valor": {"description": "Una cifra, una mediana (número con un decimal) o una marca: «<k» y «s» "
                      "para cifras; una mediana se publica solo sobre k o más casos; si no, «n.d.».",
              "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": "^(<[0-9]+|s|n\\.d\\.)$"},
                        {"type": "null"}]},
    "Mediana": {
        "type": "object", "additionalProperties": False,
        "required": ["clave", "titulo", "unidad", "dimension", "filas", "valores", "nota"],
        "properties": {
            "clave": {"type": "string"}, "titulo": {"type": "string"},
            "unidad": {"enum": ["horas", "días"]},
            "dimension": {"type": ["string", "null"]},
            "filas": {"type": "array", "items": {"$ref": "#/components/schemas/ClaveNombre"}},
            "valores": {"type": "array", "items": {"$ref": "#/components/schemas/Valor"}},
            "nota": {"type": "string"},
        },
    },
    "ClaveNombre": _CLAVE_NOMBRE,
    "Cuadro": {
        "type": "object", "additionalProperties": False,
        "required": ["clave", "titulo", "dimension", "filas", "columnas", "celdas", "totales_fila",
                     "totales_columna", "total", "retenido", "nota"],
        "properties": {
            "clave": {"type": "string"},
            "titulo": {"type": "string"},
            "dimension": {"type": ["string", "null"]},
            "filas": {"type": "array", "items": {"$ref": "#/components/schemas/ClaveNombre"}},
            "columnas": {"type": "array", "items": {"$ref": "#/components/schemas/ClaveNombre"}},
            "celdas": {"description": "Filas x columnas; null si el cuadro se retiene completo.",
                       "type": ["array", "null"],
                       "items": {"type": "array", "items": {"$ref": "#/components/schemas/Cifra"}}},
            "totales_fila": _lista({"$ref": "#/components/schemas/Cifra"}),
            "totales_columna": _lista({"$ref": "#/components/schemas/Cifra"}),
            "total": {"$ref": "#/components/schemas/Cifra"},
            "retenido": {"type": "boolean"},
            "nota": {"type": "string"},
            "tasas_por_100000_mujeres": {"type": "array", "items": {"$ref": "#/components/schemas/Tasa"}},
        },
    },
    "Edicion": {
        "description": "Una edición publicada: numerada, con el día en que se publicó y los meses "
                       "que cubre. Nunca cambia.",
        "type": "object", "additionalProperties": False, "required": ["numero", "fecha", "desde", "hasta"],
        "properties": {
            "numero": {"type": "integer", "minimum": 1},
            "fecha": {"description": "Día de publicación (Ciudad de México).", "type": "string",
                      "format": "date"},
            "desde": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
            "hasta": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
        },
    },
    "MesesMedidas": {"type": "object", "propertyNames": {"pattern": "^[0-9]{4}-[0-9]{2}$"},
                     "additionalProperties": {"type": "array", "items": {"enum": list(MEDIDAS)}}},
    "Publicacion": {
        "type": "object", "additionalProperties": False,
        "required": ["edicion", "revision", "anio", "granularidad", "ambito", "umbral_supresion", "periodos",
                     "resumen", "medidas", "medianas", "indicadores", "pendientes"],
        "properties": {
            "edicion": {"$ref": "#/components/schemas/Edicion"},
            "revision": {
                "description": "La última revisión hasta esta edición (null si no hubo): los meses "
                "AAAA-MM y medidas revisados, y los que tienen cambios posteriores que todavía no "
                "pueden publicarse (se muestran como se publicaron por primera vez).",
                "type": ["object", "null"], "additionalProperties": False,
                "required": ["edicion", "revisadas", "pendientes"],
                "properties": {"edicion": {"type": "integer", "minimum": 1},
                               "revisadas": {"$ref": "#/components/schemas/MesesMedidas"},
                               "pendientes": {"$ref": "#/components/schemas/MesesMedidas"}}},
            "anio": {"type": "integer"},
            "granularidad": {"enum": list(GRANULARIDADES)},
            "ambito": {"type": "object", "additionalProperties": False,
                       "required": ["tipo", "clave", "nombre"],
                       "properties": {"tipo": {"enum": ["estado", "municipio", "institucion"]},
                                      "clave": {"type": ["string", "null"]},
                                      "nombre": {"type": "string"}}},
            "umbral_supresion": {"type": "integer", "minimum": 2},
            "periodos": {"description": "Claves AAAA-MM, AAAA-Tn o AAAA: nunca una fecha más fina que el mes.",
                         "type": "array", "items": {
                             "allOf": [{"$ref": "#/components/schemas/ClaveNombre"},
                                       {"properties": {"clave": {
                                           "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])|-T[1-4])?$"}}}]}},
            "resumen": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Cifra"}},
            "medidas": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["clave", "titulo", "nota", "cuadros"],
                "properties": {"clave": {"type": "string"}, "titulo": {"type": "string"},
                               "nota": {"type": "string"},
                               "cuadros": {"type": "array", "items": {"$ref": "#/components/schemas/Cuadro"}}}}},
            "medianas": {"type": "array", "items": {"$ref": "#/components/schemas/Mediana"}},
            "indicadores": {"type": "array", "items": {
                "type": "object", "required": ["clave", "titulo", "valor"], "additionalProperties": False,
                "properties": {"clave": {"type": "string"}, "titulo": {"type": "string"},
                               "valor": {"$ref": "#/components/schemas/Valor"},
                               "de": {"$ref": "#/components/schemas/Cifra"},
                               "porcentaje": {"type": ["number", "null"]},
                               "unidad": {"type": ["string", "null"]}}}},
            "pendientes": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["clave", "titulo", "estado"],
                "properties": {"clave": {"type": "string"}, "titulo": {"type": "string"},
                               "estado": {"type": "string"}}}},
        },
    },
    "Catalogos": {
        "type": "object", "additionalProperties": False,
        "required": ["municipios", "instituciones", "granularidades", "medidas", "dimensiones", "anios",
                     "ediciones"],
        "properties": {
            "municipios": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["clave", "nombre", "mujeres_2020"],
                "properties": {"clave": {"type": "string", "pattern": "^32[0-9]{3}$"},
                               "nombre": {"type": "string"}, "mujeres_2020": {"type": "integer"}}}},
            "instituciones": {"type": "array", "items": {"$ref": "#/components/schemas/ClaveNombre"}},
            "granularidades": {"type": "array", "items": {"enum": list(GRANULARIDADES)}},
            "medidas": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["clave", "titulo", "dimensiones", "nota"],
                "properties": {"clave": {"type": "string"}, "titulo": {"type": "string"},
                               "dimensiones": {"type": "array", "items": {"type": "string"}},
                               "nota": {"type": "string"}}}},
            "dimensiones": {"type": "array", "items": {"$ref": "#/components/schemas/ClaveNombre"}},
            "anios": {"description": "Años que cubre la edición más reciente.",
                      "type": "array", "items": {"type": "integer"}},
            "ediciones": {"description": "Todas las ediciones, la más reciente primero.",
                          "type": "array", "items": {"$ref": "#/components/schemas/Edicion"}},
        },
    },
    "Error": {"type": "object", "required": ["error", "mensaje"],
              "properties": {"error": {"type": "string"}, "mensaje": {"type": "string"}}},
}


def _respuesta(descripcion: str, esquema: str) -> dict:
    return {"description": descripcion,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{esquema}"}}}}


_ERRORES = {
    "401": _respuesta("Falta el token o no es válido (revocado, mal escrito).", "Error"),
    "429": _respuesta("Demasiadas solicitudes en un minuto.", "Error"),
}


def documento() -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Ruta Violeta: estadística anonimizada",
            "version": "1.0.0",
            "description": (
                "Cifras agregadas para el Modelo para la Igualdad: las mismas del tablero de la "
                "gestora, de una edición publicada (numerada e inmutable; la más reciente si no se "
                "pide otra). Cada mes se publica una vez, cuando cerró y pasó su periodo de gracia; "
                "un trimestre o un año es la suma de sus meses publicados. Toda cifra de 1 a k-1 se publica como «<k» y otras se suprimen («s») "
                "para que ninguna pueda deducirse. Nunca contiene nombres, texto libre, "
                "identificadores de casos ni fechas más finas que el mes. Un municipio o una "
                "institución se consulta por separado, no ambos a la vez."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"token": []}],
        "paths": {
            "/estadisticas": {"get": {
                "operationId": "estadisticas",
                "summary": "Cuadros, medianas e indicadores de un año de una edición",
                "parameters": [
                    {"name": "edicion", "in": "query", "description": "Número de edición; por omisión, "
                     "la más reciente.", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "anio", "in": "query", "description": "Un año que cubre la edición; por "
                     "omisión, el más reciente.", "schema": {"type": "integer", "minimum": 2000}},
                    {"name": "If-None-Match", "in": "header", "description": "La ETag de una respuesta "
                     "anterior: si la edición y la pregunta son las mismas, 304 sin cuerpo.",
                     "schema": {"type": "string"}},
                    {"name": "granularidad", "in": "query", "schema": {"enum": list(GRANULARIDADES)}},
                    {"name": "municipio", "in": "query", "description": "Clave INEGI (32001-32058).",
                     "schema": {"type": "string", "pattern": "^32[0-9]{3}$"}},
                    {"name": "institucion", "in": "query", "description": "Siglas de la institución.",
                     "schema": {"type": "string"}},
                ],
                "responses": {"200": {**_respuesta("La página del año en la edición.", "Publicacion"), "headers": {
                                  "ETag": {"description": "La misma para la misma edición y pregunta.",
                                           "schema": {"type": "string"}},
                                  "Last-Modified": {"description": "Cuándo se publicó la edición.",
                                                    "schema": {"type": "string"}}}},
                              "304": {"description": "Sin cambios desde la ETag de If-None-Match."},
                              "400": _respuesta("Parámetros no válidos, o un año o institución que la "
                                                "edición no cubre.", "Error"),
                              "404": _respuesta("Esa edición no existe, o todavía no se publica ninguna.",
                                                "Error"), **_ERRORES},
            }},
            "/catalogos": {"get": {
                "operationId": "catalogos",
                "summary": "Municipios, instituciones, medidas y años disponibles",
                "responses": {"200": _respuesta("Los catálogos.", "Catalogos"), **_ERRORES},
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "Este documento", "security": [],
                "responses": {"200": {"description": "El documento OpenAPI.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "schemas": ESQUEMAS,
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "Token creado por la administración en /admin/api/tokens; se muestra una sola vez."}},
        },
    }
