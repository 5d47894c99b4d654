"""What a request asks for (year, granularity, one optional scope) and the downloads.

Shared by the dashboard, its downloads and the API, so all three read the same parameters.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from flask import Response, current_app

from casos.bd import hoy_local
from casos.catalogos import municipios
from casos.estadisticas import consultas, instantaneas
from casos.estadisticas.instantaneas import Instantanea
from casos.estadisticas.publicacion import GRANULARIDADES, Ambito, Publicacion, publicar
from casos.peticion import numero_o_none

PRIMER_ANIO = 2000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
INICIOS_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def umbral() -> int:
    k = int(current_app.config["UMBRAL_SUPRESION"])
    if k < 2:
        raise ValueError("UMBRAL_SUPRESION debe ser al menos 2.")
    return k


@dataclass
class Consulta:
    anio: int
    granularidad: str = "mes"
    municipio: str | None = None
    institucion: str | None = None
    errores: list[str] = field(default_factory=list)

    @classmethod
    def de_args(cls, args) -> Consulta:
        """Unknown values are refused with a message, never passed on."""
        actual = hoy_local().year
        consulta = cls(anio=actual)
        errores = consulta.errores
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
        return consulta

    @property
    def ambito(self) -> Ambito:
        if self.municipio:
            return Ambito("municipio", self.municipio, municipios()[self.municipio].nombre)
        if self.institucion:
            return Ambito("institucion", self.institucion, consultas.instituciones()[self.institucion])
        return Ambito("estado")

    def publicar(self) -> Publicacion:
        """The publication computed now (the roll-up itself)."""
        return publicar(self.anio, self.granularidad, self.ambito, umbral())

    def instantanea(self) -> Instantanea:
        """What pages serve: the stored publication while recent, else computed now."""
        return instantaneas.obtener(self.anio, self.granularidad, self.ambito, umbral())

    def como_args(self) -> dict:
        return {k: v for k, v in (("anio", self.anio), ("granularidad", self.granularidad),
                                  ("municipio", self.municipio),
                                  ("institucion", self.institucion)) if v}

    def nombre_archivo(self, extension: str) -> str:
        ambito = self.municipio or self.institucion or "estado"
        limpio = "".join(c if c.isalnum() else "-" for c in ambito)
        return f"ruta-violeta_{self.anio}_{self.granularidad}_{limpio}.{extension}"


def neutralizar(valor):
    if isinstance(valor, str) and valor.startswith(INICIOS_DE_FORMULA):
        return "'" + valor
    return valor


def _filas_csv(publicacion: Publicacion):
    ambito = publicacion.ambito.clave or publicacion.ambito.tipo
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


def en_formato(instantanea: Instantanea, formato: str) -> str:
    """A snapshot's publication as CSV or JSON, made once per snapshot in this process."""
    if formato not in instantanea.derivados:
        instantanea.derivados[formato] = (a_csv if formato == "csv" else a_json)(instantanea.publicacion)
    return instantanea.derivados[formato]


def descarga(contenido: str, tipo: str, instantanea: Instantanea, nombre: str | None = None) -> Response:
    """The figures of a snapshot as an answer; Last-Modified says when they were computed."""
    respuesta = Response(contenido, mimetype=tipo)
    if nombre:
        respuesta.headers["Content-Disposition"] = f'attachment; filename="{nombre}"'
    respuesta.last_modified = instantanea.calculada_en
    return respuesta
