"""What the system holds about her, for the transparency officer to deliver when a request of
acceso (ARCO) was granted with her identity accredited (the loader, casos/acceso/objetos.py,
lets nobody print it otherwise).

Field by field from the models: HER data, never a third party's (LGPDPPSO Art. 49; a leak of
the aggressor's data or of where she went can also reach him through her papers). What each
record keeps out, and why, is docs/DESIGN.md "ARCO requests"; the document ends by saying what
it leaves out, the same words whatever the case holds, so the absence tells nothing. Free
text written by staff (the account of the facts, notes, reasons, file names) may name other
people: it is left out, and delivered, if she asks, as a versión pública. Call after the
route's read event: this decrypts.
"""

from __future__ import annotations

from casos.adjuntos import servicios as adjuntos
from casos.atenciones import servicios as atenciones
from casos.catalogos import (
    AUTORIDADES_ORDEN,
    CATEGORIAS_ADJUNTO,
    DATOS_COMPARTIBLES,
    DERECHOS_ARCO,
    MEDIDAS_PROTECCION,
    MODALIDADES,
    NIVELES_RIESGO,
    QUIEN_INFORMA_REVOCACION,
    SERVICIOS,
    TIPOS_INSTITUCION,
    TIPOS_ORDEN,
    TIPOS_VIOLENCIA,
    municipios,
    tipos_atencion,
)
from casos.impresos.documento import (
    Documento,
    Seccion,
    dato,
    dia,
    etiquetas,
    fecha,
    impreso_por,
    punto,
    texto,
)
from flujos import FLUJOS

NO_INCLUYE = (
    "Este documento no incluye datos de otras personas: ni de la persona agresora, ni de sus hijas o "
    "hijos, ni de la persona de confianza que indicó, ni de otras personas que se mencionen en el "
    "expediente. Tampoco incluye los textos libres que escribió el personal (el relato de los hechos, "
    "notas, motivos y nombres de archivos), porque pueden nombrar a otras personas; si los solicita, "
    "se le entregan en versión pública, con los datos de terceros testados (LGPDPPSO, art. 49).")


def _municipio(clave) -> str:
    return municipios()[clave].nombre if clave in municipios() else "—"


def _solicitud(solicitud) -> Seccion:
    estados = FLUJOS["solicitud_arco"].estados
    return Seccion("Solicitud", [
        dato("Derecho", DERECHOS_ARCO[solicitud.derecho]),
        dato("Folio", solicitud.folio or str(solicitud.id)),
        dato("Institución", solicitud.institucion.nombre),
        dato("Recibida el", dia(solicitud.recibida_el)),
        dato("Identidad acreditada el", dia(solicitud.identidad_acreditada_el)),
        dato("Respondida el", dia(solicitud.respondida_el)),
        dato("Estado", estados[solicitud.estado])])


def _sus_datos(caso) -> Seccion:
    victima = caso.victima
    lineas = [dato("Nombre", victima.nombre or "—"), dato("CURP", victima.curp or "No registrada"),
              dato("Fecha de nacimiento", dia(victima.fecha_nacimiento)),
              dato("Edad aproximada", victima.edad_aproximada if victima.edad_aproximada is not None else "—"),
              dato("Teléfono", victima.telefono or "—"), dato("Domicilio", victima.domicilio or "—"),
              dato("Municipio", _municipio(caso.municipio)),
              dato("Lengua indígena", victima.lengua_indigena or "—"),
              dato("Discapacidad", victima.discapacidad or "—"),
              dato("Nacionalidad", victima.nacionalidad or "—")]
    return Seccion("Sus datos de identificación y contacto", lineas)


def _contacto_seguro(caso) -> Seccion:
    # Her own instructions; the trusted person is someone else: not here (NO_INCLUYE).
    contacto = caso.victima.contacto_seguro or {}
    lineas = [dato("Teléfono seguro", contacto.get("telefono") or "No indicado"),
              dato("Horario seguro", contacto.get("horario") or "No indicado"),
              dato("Nunca llamar ni acudir a su domicilio", "Sí" if contacto.get("nunca_casa") else "No")]
    return Seccion("Cómo pidió que se le contacte", lineas)


def _caso(caso) -> Seccion:
    lineas = [dato("Registrado el", fecha(caso.creado_en)), dato("Institución", caso.institucion.nombre),
              dato("Estado", FLUJOS["caso"].estados.get(caso.estado, caso.estado)),
              dato("Nivel de riesgo actual", NIVELES_RIESGO.get(caso.nivel_riesgo, "Sin valorar"))]
    # Each assessment's level and date; its answers describe the aggressor (weapons, living with her).
    lineas += [punto(f"Valoración de riesgo del {fecha(v.creada_en)}: {NIVELES_RIESGO.get(v.nivel, v.nivel)}")
               for v in caso.valoraciones]
    for hecho in caso.hechos:
        lineas.append(punto(f"Hechos del {dia(hecho.fecha)} en {_municipio(hecho.municipio)}: "
                            f"{etiquetas(hecho.tipos, TIPOS_VIOLENCIA)} ({etiquetas(hecho.modalidades, MODALIDADES)})"))
    return Seccion("Su caso", lineas)


def _canalizaciones(caso) -> Seccion:
    """Sent referrals only: what left the institution, to whom, when, with which of her data."""
    estados = FLUJOS["canalizacion"].estados
    lineas = [punto(f"A {c.destino.nombre} ({TIPOS_INSTITUCION[c.destino.tipo]}), enviada el {fecha(c.enviada_en)} · "
                    f"{estados[c.estado]} · servicios: {etiquetas(c.servicios, SERVICIOS)} · datos compartidos: "
                    f"{etiquetas(sorted(c.datos_compartidos), DATOS_COMPARTIBLES, '; ') or 'ninguno'}")
              for c in caso.canalizaciones if c.enviada_en is not None]
    return Seccion("Instituciones con las que se compartió su caso",
                   lineas or [texto("Su caso no se ha compartido con otra institución.")])


def _ordenes(caso) -> Seccion:
    estados, lineas = FLUJOS["orden_proteccion"].estados, []
    for orden in caso.ordenes:
        partes = [f"{TIPOS_ORDEN[orden.tipo]} · {AUTORIDADES_ORDEN[orden.autoridad]} · {estados[orden.estado]}.",
                  f"Medidas: {etiquetas(orden.medidas, MEDIDAS_PROTECCION)}.",
                  f"Solicitada el {fecha(orden.solicitada_en)}."]
        if orden.emitida_en:
            partes.append(f"Emitida el {fecha(orden.emitida_en)}; vence el {fecha(orden.vence_en)}.")
        lineas.append(punto(" ".join(partes)))
    return Seccion("Órdenes de protección a su favor", lineas or [texto("Sin órdenes de protección.")])


def _atenciones(caso) -> Seccion:
    lineas = []
    for atencion in atenciones.todas_del_caso(caso):
        tipo = tipos_atencion().get(atencion.tipo)
        lineas.append(punto(f"{dia(atencion.fecha)} · {tipo.nombre if tipo else atencion.tipo} · "
                            f"{atencion.institucion.nombre}"))
    return Seccion("Atenciones que recibió", lineas or [texto("Sin atenciones registradas.")])


def _documentos(caso) -> Seccion:
    """By category and date, never a file's name (typed by staff, it may name someone)."""
    lineas = [punto(f"{CATEGORIAS_ADJUNTO.get(a.categoria, a.categoria)}, agregado el {fecha(a.subido_en)} "
                    f"por {a.institucion.siglas}") for a in adjuntos.todos_del_caso(caso)]
    return Seccion("Documentos en su expediente", lineas or [texto("Su expediente no tiene documentos.")])


def _consentimiento(caso) -> Seccion:
    consentimiento, lineas = caso.consentimiento, []
    if consentimiento is None:
        return Seccion("Sus consentimientos", [texto("No se registró su consentimiento.")])
    lineas.append(dato("Registrado el", fecha(consentimiento.registrado_en)))
    if consentimiento.autoriza_canalizar:
        lineas += [dato("Aceptó que su caso se canalice a", etiquetas(consentimiento.tipos_institucion,
                                                                       TIPOS_INSTITUCION) or "ninguna"),
                   dato("Datos que aceptó compartir", etiquetas(consentimiento.datos_compartibles,
                                                                 DATOS_COMPARTIBLES, "; ") or "ninguno"),
                   dato("Vigente hasta", dia(consentimiento.vigente_hasta) if consentimiento.vigente_hasta
                        else "sin fecha de término")]
    else:
        lineas.append(texto("No autorizó que su caso se canalice a otras instituciones."))
    if consentimiento.revocado_en:
        lineas += [dato("Lo revocó el", dia(consentimiento.revocada_el)),
                   dato("Quién lo informó", QUIEN_INFORMA_REVOCACION.get(consentimiento.revocacion_informada_por, "—"))]
    lineas += [punto(f"Se opuso a que sus datos se compartan con: {TIPOS_INSTITUCION[o.tipo_institucion]} "
                     f"(desde el {fecha(o.desde)})") for o in caso.oposiciones]
    return Seccion("Sus consentimientos y oposiciones", lineas)


def acceso(solicitud, usuaria) -> Documento:
    caso = solicitud.caso
    folio = str(solicitud.id)
    secciones = [_solicitud(solicitud), _sus_datos(caso), _contacto_seguro(caso), _caso(caso),
                 _canalizaciones(caso), _ordenes(caso), _atenciones(caso), _documentos(caso),
                 _consentimiento(caso), Seccion("Lo que este documento no incluye", [texto(NO_INCLUYE)])]
    return Documento("Sus datos personales (derecho de acceso)", folio, f"acceso-{folio[:8]}.pdf",
                     impreso_por(usuaria), secciones)
