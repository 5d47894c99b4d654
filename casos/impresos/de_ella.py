"""Her data in a printed document, by consent category: each category prints what the case
page shows for it (plantillas/expedientes/caso.html), and only when the caller's categories
(decided in casos/acceso/) name it. Call after the route's read event: this decrypts."""

from __future__ import annotations

from casos.catalogos import (
    DATOS_COMPARTIBLES,
    MODALIDADES,
    NIVELES_RIESGO,
    RELACIONES_AGRESOR,
    TIPOS_VIOLENCIA,
    municipios,
)
from casos.impresos.documento import Seccion, alerta, dato, dia, etiquetas, fecha, punto, subtitulo, texto


def instrucciones_de_contacto(contacto: dict) -> list[str]:
    """How she may be reached, in plain words for whoever calls her."""
    telefono, horario = contacto.get("telefono"), contacto.get("horario")
    if telefono:
        frase = f"Contacte a la mujer solo por el teléfono seguro {telefono}"
        frase += f", en el horario {horario}." if horario else "; no indicó un horario seguro."
    else:
        frase = ("Contacte a la mujer solo por el medio que acuerde con la institución que la canaliza: "
                 "no indicó un teléfono seguro.")
    frases = [frase]
    if contacto.get("nunca_casa"):
        frases.append("Nunca llame ni acuda a su domicilio.")
    return frases


def _antes_de_contactarla(victima) -> Seccion:
    contacto = victima.contacto_seguro or {}
    lineas = [alerta(frase) for frase in instrucciones_de_contacto(contacto)]
    lineas += [dato("Teléfono seguro", contacto.get("telefono") or "No indicado"),
               dato("Horario seguro", contacto.get("horario") or "No indicado"),
               dato("Persona de confianza", contacto.get("persona_confianza") or "No indicada")]
    if contacto.get("indicaciones"):
        lineas.append(dato("Indicaciones", contacto["indicaciones"]))
    return Seccion("Antes de contactarla", lineas)


def _municipio(clave) -> str:
    return municipios()[clave].nombre if clave in municipios() else "—"


def _datos_de_la_mujer(caso, categorias, con_municipio: bool) -> Seccion | None:
    victima, lineas = caso.victima, []
    if "identidad" in categorias:
        nacimiento, edad = victima.fecha_nacimiento, victima.edad_aproximada
        lineas += [dato("Nombre", victima.nombre), dato("CURP", victima.curp or "No registrada"),
                   dato("Fecha de nacimiento", dia(nacimiento)
                        + (f" (edad aproximada: {edad})" if edad is not None else ""))]
    if "perfil" in categorias:  # the owner's only (casos/acceso/casos.py SOLO_DE_LA_DUENA)
        lineas += [dato("Lengua indígena", victima.lengua_indigena or "—"),
                   dato("Discapacidad", victima.discapacidad or "—"),
                   dato("Nacionalidad", victima.nacionalidad or "—")]
    if "contacto" in categorias:
        lineas += [dato("Teléfono", victima.telefono or "—"), dato("Domicilio", victima.domicilio or "—")]
    if lineas and con_municipio:
        lineas.append(dato("Municipio", _municipio(caso.municipio)))
    return Seccion("Datos de la mujer", lineas) if lineas else None


def _riesgo(caso) -> Seccion:
    nivel = NIVELES_RIESGO.get(caso.nivel_riesgo, "Sin valorar")
    lineas = [dato("Nivel de riesgo actual", nivel)]
    if caso.urgente:
        lineas.insert(0, alerta(f"Riesgo {nivel.lower()}: caso urgente."))
    lineas.append(dato("Próxima revaloración", fecha(caso.proxima_valoracion, "%d/%m/%Y") or "—"))
    return Seccion("Valoración de riesgo", lineas)


def _hechos(caso) -> Seccion:
    lineas = []
    for hecho in caso.hechos:
        lugar = hecho.lugar
        lineas += [subtitulo(" · ".join(filter(None, (dia(hecho.fecha), _municipio(hecho.municipio)
                                                     if hecho.municipio else None, lugar)))),
                   texto(f"Tipos: {etiquetas(hecho.tipos, TIPOS_VIOLENCIA)}. "
                         f"Modalidades: {etiquetas(hecho.modalidades, MODALIDADES)}."),
                   texto(hecho.narrativa or "")]
    return Seccion("Hechos", lineas or [texto("Sin hechos registrados.")])


def _nna(caso) -> Seccion:
    lineas = [punto((n.nombre or "Sin nombre") + (f", {n.edad} años" if n.edad is not None else "")
                    + (" · también vivió violencia" if n.violencia_directa else "")) for n in caso.nna]
    return Seccion("Hijas e hijos", lineas or [texto("No se registraron hijas ni hijos.")])


def _agresor(caso) -> Seccion:
    lineas = [punto(f"{a.nombre or 'Nombre no conocido'} · {RELACIONES_AGRESOR[a.relacion]}"
                    + (" · vive con ella" if a.vive_con_ella else "")
                    + (" · tiene acceso a armas" if a.acceso_armas else "")) for a in caso.agresores]
    return Seccion("Persona agresora", lineas or [texto("No registrada.")])


def secciones(caso, categorias: frozenset[str], *, con_municipio: bool = False) -> list[Seccion]:
    """Her data, the safe-contact instructions first (whoever reads on may call her)."""
    resultado = [_antes_de_contactarla(caso.victima)] if "contacto" in categorias else []
    resultado.append(_datos_de_la_mujer(caso, categorias, con_municipio))
    por_categoria = {"riesgo": _riesgo, "hechos": _hechos, "nna": _nna, "agresor": _agresor}
    resultado += [hacer(caso) for categoria, hacer in por_categoria.items() if categoria in categorias]
    return [seccion for seccion in resultado if seccion is not None]


def compartidas(categorias: frozenset[str]) -> str:
    """The shared categories as the consent form names them, in its order."""
    return etiquetas(sorted(categorias & DATOS_COMPARTIBLES.keys()), DATOS_COMPARTIBLES, "; ")
