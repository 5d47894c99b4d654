"""What a request asks for (an edition, a year, a granularity, one optional scope) and the
downloads.

Shared by the dashboard, its downloads and the API, so all three read the same parameters.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field

from flask import Response, request

from casos.bd import hoy_local
from casos.catalogos import municipios
from casos.estadisticas import consultas, ediciones
from casos.estadisticas.ediciones import Edicion, Servida
from casos.estadisticas.publicacion import GRANULARIDADES, Ambito, Publicacion
from casos.peticion import numero_o_none

PRIMER_ANIO = 2000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
INICIOS_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")
SIN_EDICIONES = ("Todavía no se ha publicado ninguna edición de la estadística: se publica cada mes, "
                 "cuando un mes cerró y pasó su periodo de gracia para registros tardíos.")


@dataclass
class Consulta:
    """A question, checked in three steps so that each answer says what is wrong: its
    parameters (400), then the edition (404: none yet, or no such number), then the
    parameters against that edition (400: a year or an institution it does not cover)."""

    edicion: Edicion | None = None
    anio: int | None = None
    granularidad: str = "mes"
    municipio: str | None = None
    institucion: str | None = None
    errores: list[str] = field(default_factory=list)
    codigo: int = 200
    pedida: int | None = None  # the edition asked for by number, if any

    @classmethod
    def de_args(cls, args) -> Consulta:
        """Unknown values are refused with a message, never passed on."""
        consulta = cls()
        errores = consulta.errores
        texto = (args.get("edicion") or "").strip()
        if texto:
            consulta.pedida = numero_o_none(texto)
            if not consulta.pedida:
                errores.append("La edición debe ser un número entero positivo (1, 2, 3…).")
        actual = hoy_local().year
        anio = (args.get("anio") or "").strip()
        if anio:
            if PRIMER_ANIO <= (numero_o_none(anio, digitos=4) or 0) <= actual:
                consulta.anio = int(anio)
            else:
                errores.append(f"El año debe estar entre {PRIMER_ANIO} y {actual}.")
        granularidad = args.get("granularidad") or "mes"
        if granularidad in GRANULARIDADES:
            consulta.granularidad = granularidad
        else:
            errores.append("La granularidad debe ser mes, trimestre o anio.")
        municipio = args.get("municipio") or None
        if municipio is not None and municipio not in municipios():
            errores.append("Ese municipio no existe en Zacatecas.")
            municipio = None
        institucion = args.get("institucion") or None
        if institucion is not None and institucion not in consultas.instituciones():
            errores.append("Esa institución no existe.")
            institucion = None
        if municipio and institucion:
            # Rows of state tables can be shown; a municipality-and-institution table is a
            # third dimension that the state tables do not protect.
            errores.append("Elija un municipio o una institución, no ambos.")
            institucion = None
        consulta.municipio, consulta.institucion = municipio, institucion
        if errores:
            consulta.codigo = 400
            return consulta

        consulta.edicion = ediciones.de_numero(consulta.pedida) if consulta.pedida else ediciones.ultima()
        if consulta.edicion is None:
            consulta.codigo = 404
            ultima = ediciones.ultima() if consulta.pedida else None
            errores.append(SIN_EDICIONES if ultima is None and not consulta.pedida else
                           f"No existe la edición {consulta.pedida}." + (
                               f" La más reciente es la {ultima.numero}." if ultima else ""))
            return consulta
        contenido = ediciones.contenido(consulta.edicion)
        numero = consulta.edicion.numero
        if institucion and institucion not in contenido.instituciones:
            errores.append(f"Esa institución no figura en la edición {numero}.")
        anios = contenido.anios
        if consulta.anio is None:
            consulta.anio = anios[0]
        elif consulta.anio not in anios:
            errores.append(f"La edición {numero} cubre de {anios[-1]} a {anios[0]}: elija uno de esos años.")
        if errores:
            consulta.codigo = 400
        return consulta

    @property
    def ambito(self) -> Ambito:
        if self.municipio:
            return Ambito("municipio", self.municipio, municipios()[self.municipio].nombre)
        if self.institucion:
            return Ambito("institucion", self.institucion,
                          ediciones.contenido(self.edicion).instituciones[self.institucion])
        return Ambito("estado")

    def servir(self) -> Servida:
        """The page this question asks for, from its edition (never computed here)."""
        return ediciones.servir(self.edicion, self.anio, self.granularidad, self.ambito)

    def como_args(self) -> dict:
        """The question, with its edition's number: a link or a download made from a page
        answers with the figures the page showed, even after a new edition."""
        return {k: v for k, v in (("edicion", self.edicion.numero if self.edicion else None),
                                  ("anio", self.anio), ("granularidad", self.granularidad),
                                  ("municipio", self.municipio),
                                  ("institucion", self.institucion)) if v}

    def nombre_archivo(self, extension: str) -> str:
        ambito = self.municipio or self.institucion or "estado"
        limpio = "".join(c if c.isalnum() else "-" for c in ambito)
        return f"ruta-violeta_edicion-{self.edicion.numero}_{self.anio}_{self.granularidad}_{limpio}.{extension}"


def neutralizar(valor):
    if isinstance(valor, str) and valor.startswith(INICIOS_DE_FORMULA):
        return "'" + valor
    return valor


FILAS_EDICION = (("numero", "Número"), ("fecha", "Publicada el"), ("desde", "Primer mes que cubre"),
                 ("hasta", "Último mes que cubre"))


def _filas_csv(publicacion: Publicacion):
    ambito = publicacion.ambito.clave or publicacion.ambito.tipo
    for clave, nombre in FILAS_EDICION:  # which edition, first: the figures are its own
        yield (publicacion.anio, publicacion.granularidad, ambito, "edicion", "edicion", clave, nombre,
               "", "", publicacion.edicion[clave])
    for medida, cuadros in publicacion.cuadros.items():
        for cuadro in cuadros:
            base = (publicacion.anio, publicacion.granularidad, ambito, medida, cuadro.clave)
            if cuadro.retenido:
                yield (*base, "", "", "", "", "retenido")
                continue
            for i, (fila, nombre_fila) in enumerate(cuadro.filas):
                for j, (columna, nombre_columna) in enumerate(cuadro.columnas):
                    yield (*base, fila, nombre_fila, columna, nombre_columna, cuadro.celdas[i][j])
                if cuadro.totales_fila is not None:
                    yield (*base, fila, nombre_fila, "total", "Total", cuadro.totales_fila[i])
                if cuadro.tasas is not None:
                    yield (*base, fila, nombre_fila, "tasa_100000_mujeres", "Tasa por 100 000 mujeres",
                           cuadro.tasas[i])
            if cuadro.totales_columna is not None:
                for j, (columna, nombre_columna) in enumerate(cuadro.columnas):
                    yield (*base, "total", "Total", columna, nombre_columna, cuadro.totales_columna[j])
            if cuadro.total is not None:
                yield (*base, "total", "Total", "total", "Total", cuadro.total)
    anio = (publicacion.anio, publicacion.granularidad, ambito)
    for mediana in publicacion.medianas:
        for fila, valor in zip(mediana["filas"], mediana["valores"]):
            yield (*anio, "medianas", mediana["clave"], fila["clave"], fila["nombre"],
                   "mediana", f"Mediana ({mediana['unidad']})", valor)
    for indicador in publicacion.indicadores:
        for campo, nombre in (("valor", "Valor"), ("de", "De"), ("porcentaje", "Porcentaje")):
            if campo in indicador:
                yield (*anio, "indicadores", indicador["clave"], "total", indicador["titulo"],
                       campo, nombre, indicador[campo])


COLUMNAS_CSV = ("anio", "granularidad", "ambito", "medida", "cuadro", "fila", "fila_nombre",
                "columna", "columna_nombre", "valor")


def a_csv(publicacion: Publicacion) -> str:
    salida = io.StringIO()
    escritor = csv.writer(salida, lineterminator="\r\n")
    escritor.writerow(COLUMNAS_CSV)
    for fila in _filas_csv(publicacion):
        escritor.writerow([neutralizar("" if v is None else v) for v in fila])
    # A byte-order mark, so spreadsheet programs read the accents as UTF-8.
    return "\ufeff" + salida.getvalue()


def a_json(publicacion: Publicacion) -> str:
    return json.dumps(publicacion.como_dict(), ensure_ascii=False, indent=1)


def en_formato(servida: Servida, formato: str) -> tuple[str, str]:
    """A page of an edition as CSV or JSON, and its ETag, made once per page in this process."""
    if formato not in servida.derivados:
        texto = (a_csv if formato == "csv" else a_json)(servida.publicacion)
        servida.derivados[formato] = (texto, hashlib.sha256(texto.encode()).hexdigest()[:32])
    return servida.derivados[formato]


def descarga(servida: Servida, formato: str, nombre: str | None = None) -> Response:
    """The figures of an edition as an answer. The same edition and question always give the
    same bytes and the same ETag: with If-None-Match, 304 and no body. Last-Modified: the
    moment the edition was published."""
    contenido, etiqueta = en_formato(servida, formato)
    respuesta = Response(contenido, mimetype="text/csv" if formato == "csv" else "application/json")
    if nombre:
        respuesta.headers["Content-Disposition"] = f'attachment; filename="{nombre}"'
    respuesta.set_etag(etiqueta)
    respuesta.last_modified = servida.edicion.publicada_en
    return respuesta.make_conditional(request)
