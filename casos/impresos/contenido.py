"""What each printed document says, for the person who prints it.

The oficio carries of the woman only what `vista_del_oficio` (casos/acceso/casos.py) allows:
the categories the receiving institution may read, on either institution's copy. The summary
follows the case page for the same `Vista`: the owning institution reads all of it, a
receiving one only what she consented to share. Build a document after the route's read event
(casos/peticion.py): it decrypts.
"""

from __future__ import annotations

from casos.acceso import etiqueta
from casos.acceso.casos import vista_del_oficio
from casos.atenciones import servicios as atenciones
from casos.bd import hoy_local
from casos.catalogos import (
    AUTORIDADES_ORDEN,
    DATOS_COMPARTIBLES,
    MEDIDAS_PROTECCION,
    QUIEN_INFORMA_REVOCACION,
    SERVICIOS,
    TIPOS_INSTITUCION,
    TIPOS_ORDEN,
    tipos_atencion,
)
from casos.expedientes.historia import quien
from casos.impresos import de_ella
from casos.impresos.documento import (
    Documento,
    Seccion,
    alerta,
    dato,
    dia,
    etiquetas,
    fecha,
    impreso_por,
    punto,
    texto,
)
from casos.transiciones.servicios import historia_de
from flujos import FLUJOS
from flujos.canalizacion import EN_ESPERA_DE_RESPUESTA

SIN_ENVIAR = "sin enviar"
COMPARTIDO = "Lo que la mujer aceptó compartir"


def _paso(historia) -> str:
    return f"{quien(historia.usuaria, historia.rol, historia.institucion)}, el {fecha(historia.momento)}"


def _solicitud_y_aprobacion(canalizacion) -> list:
    """Who asked for it and which supervisora approved the sending: the history's steps (the
    last request before the sending, after a return to draft the new one)."""
    pasos = historia_de(canalizacion)
    envio = next((p for p in reversed(pasos) if p.evento == "enviar"), None)
    antes = pasos[:pasos.index(envio)] if envio else pasos
    pidio = next((p for p in reversed(antes) if p.evento in ("solicitar_envio", "crear")), None)
    if envio is not None:
        aprobo = _paso(envio)
    elif canalizacion.estado == "por_aprobar":
        aprobo = "pendiente: espera la aprobación de una supervisora"
    elif canalizacion.enviada_en is None:
        aprobo = "todavía no se aprueba su envío"
    else:
        aprobo = "no requirió aprobación"
    return [dato("Solicitó la canalización", _paso(pidio) if pidio else "—"), dato("Aprobó el envío", aprobo)]


def _lo_que_comparte(caso, vista) -> list[Seccion]:
    if vista.sin_datos:
        return [Seccion(COMPARTIDO, [texto(
            f"Esta canalización ya no comparte datos de la mujer: {vista.sin_datos}. "
            "Este documento conserva solo su folio, las instituciones, las fechas y los estados.")])]
    if not vista.categorias:
        return [Seccion(COMPARTIDO, [texto("La mujer no aceptó compartir ningún dato suyo con esta canalización.")])]
    aviso = Seccion(COMPARTIDO, [texto(
        f"Solo lo que la mujer aceptó compartir con esta canalización: {de_ella.compartidas(vista.categorias)}.")])
    return [aviso, *de_ella.secciones(caso, vista.categorias)]


def oficio(canalizacion, usuaria) -> Documento:
    vista = vista_del_oficio(canalizacion, usuaria)
    estados = FLUJOS["canalizacion"].estados
    enviada = canalizacion.enviada_en
    lineas = []
    # What the receiver was told when it was sent; before that, the case as it is.
    if vista.detalle and (canalizacion.urgente if enviada else canalizacion.caso.urgente):
        lineas.append(alerta("URGENTE"))
    lineas += [dato("Estado", estados[canalizacion.estado]),
               dato("Fecha de envío", fecha(enviada) if enviada else SIN_ENVIAR),
               dato("Institución que envía", canalizacion.origen.nombre),
               dato("Institución que recibe", canalizacion.destino.nombre),
               dato("Servicios solicitados", etiquetas(canalizacion.servicios, SERVICIOS))]
    if canalizacion.estado in EN_ESPERA_DE_RESPUESTA and canalizacion.plazo_respuesta:
        lineas.append(dato("Responder antes de", fecha(canalizacion.plazo_respuesta)))
    for etiqueta_, momento in (("Respondida", canalizacion.respondida_en),
                               ("Contrarreferencia", canalizacion.atendida_en),
                               ("Concluida", canalizacion.concluida_en)):
        if momento:
            lineas.append(dato(etiqueta_, fecha(momento)))
    if canalizacion.servicios_prestados:
        lineas.append(dato("Servicios prestados", etiquetas(canalizacion.servicios_prestados, SERVICIOS)))
    secciones = [Seccion("Canalización", lineas)]
    if vista.detalle:  # the sender's reason may describe her: only while the oficio carries her data
        secciones.append(Seccion("Motivo de la canalización", [texto(canalizacion.motivo or "—")]))
    secciones.append(Seccion("Quién la solicitó y quién aprobó su envío", _solicitud_y_aprobacion(canalizacion)))
    secciones += _lo_que_comparte(canalizacion.caso, vista)
    folio = str(canalizacion.id)
    return Documento("Oficio de canalización", folio, f"oficio-{folio[:8]}.pdf", impreso_por(usuaria), secciones)


# ---- the case summary --------------------------------------------------------------------------

def _ordenes(caso, propia: bool) -> Seccion:
    estados, lineas = FLUJOS["orden_proteccion"].estados, []
    for orden in caso.ordenes:
        partes = [f"{TIPOS_ORDEN[orden.tipo]} · {AUTORIDADES_ORDEN[orden.autoridad]} · {estados[orden.estado]}.",
                  f"Medidas: {etiquetas(orden.medidas, MEDIDAS_PROTECCION)}.",
                  f"Solicitada el {fecha(orden.solicitada_en)}."]
        if orden.emitida_en:
            partes.append(f"Emitida el {fecha(orden.emitida_en)}; vence el {fecha(orden.vence_en)}"
                          + (" (prorrogada)." if orden.prorrogas else "."))
        if propia and (notas := orden.notas):  # the owner's notes, as on the case page
            partes.append(f"Notas: {notas}")
        lineas.append(punto(" ".join(partes)))
    return Seccion("Órdenes de protección", lineas or [texto("Sin órdenes de protección.")])


def _canalizaciones(caso, vista) -> Seccion:
    # A receiving institution: its own referral only (another would say where else she went).
    canalizaciones = caso.canalizaciones if vista.propia else [c for c in (vista.canalizacion,) if c]
    estados = FLUJOS["canalizacion"].estados
    lineas = [punto(f"De {c.origen.siglas} a {c.destino.nombre} · {estados[c.estado]} · "
                    f"{etiquetas(c.servicios, SERVICIOS)} · "
                    f"{('enviada el ' + fecha(c.enviada_en)) if c.enviada_en else SIN_ENVIAR} · folio {c.id}")
              for c in canalizaciones]
    return Seccion("Canalizaciones", lineas or [texto("Este caso no se ha canalizado.")])


def _atenciones(caso, usuaria) -> Seccion:
    lineas = []
    for atencion in atenciones.atenciones_visibles(caso, usuaria):
        tipo = tipos_atencion().get(atencion.tipo)
        linea = " · ".join((
            dia(atencion.fecha), tipo.nombre if tipo else atencion.tipo,
            atencion.institucion.siglas + (" (por canalización)" if atencion.canalizacion_id else ""),
            atencion.brindada_por.nombre,
            f"{atencion.duracion_minutos} min" if atencion.duracion_minutos else "—"))
        if atenciones.ve_notas(atencion, usuaria) and (notas := atencion.notas):
            linea += f". Notas: {notas}"
        lineas.append(punto(linea))
    return Seccion("Atenciones brindadas", lineas or [texto("Sin atenciones registradas.")])


def _consentimiento(caso) -> Seccion:
    consentimiento = caso.consentimiento
    if consentimiento is not None and consentimiento.vigente(hoy_local()):
        lineas = [texto("Acepta que su caso se canalice a: "
                        f"{etiquetas(consentimiento.tipos_institucion, TIPOS_INSTITUCION)}."),
                  texto("Datos que se pueden compartir: "
                        f"{etiquetas(consentimiento.datos_compartibles, DATOS_COMPARTIBLES, '; ') or 'ninguno'}.")]
        if consentimiento.vigente_hasta:
            lineas.append(texto(f"Vigente hasta el {dia(consentimiento.vigente_hasta)}."))
    elif consentimiento is not None and consentimiento.revocado_en:
        lineas = [texto(f"Revocó su consentimiento el {dia(consentimiento.revocada_el)}. "
                        "El caso no se comparte con otras instituciones."),
                  dato("Quién informó a su institución",
                       QUIEN_INFORMA_REVOCACION.get(consentimiento.revocacion_informada_por, "—")),
                  dato("Se registró el", fecha(consentimiento.revocado_en)),
                  dato("Motivo", consentimiento.motivo_revocacion
                       or "No se registró (revocación anterior a este dato).")]
    else:
        lineas = [texto("No autorizó que su caso se canalice, o la autorización venció.")]
    return Seccion("Consentimiento", lineas)


def resumen(caso, usuaria, vista) -> Documento:
    folio = str(caso.id)
    documento = Documento("Resumen del caso", folio, f"resumen-{folio[:8]}.pdf", impreso_por(usuaria))
    lineas = [dato("Fecha de registro", fecha(caso.creado_en)),
              dato("Institución", caso.institucion.nombre),
              dato("Estado", FLUJOS["caso"].estados.get(caso.estado, caso.estado))]
    if vista.eliminado:
        lineas.append(texto(f"Los datos personales de este caso se eliminaron el {fecha(caso.datos_eliminados_en)}. "
                            "Este resumen no contiene datos personales: solo se conservan sus datos estadísticos."))
        documento.secciones = [Seccion(etiqueta(caso, vista), lineas)]
        return documento
    if vista.propia:
        lineas.append(dato("Persona responsable", caso.responsable.nombre if caso.responsable else "Sin asignar"))
    else:
        lineas.append(texto("Su institución ve este caso por una canalización: solo lo que la mujer aceptó "
                            f"compartir ({de_ella.compartidas(vista.categorias) or 'nada más que el aviso'})."))
    secciones = [Seccion("Caso", lineas), *de_ella.secciones(caso, vista.categorias, con_municipio=True)]
    # Protection orders tell of her risk: a receiving institution reads them only with "riesgo".
    if vista.propia or "riesgo" in vista.categorias:
        secciones.append(_ordenes(caso, vista.propia))
    secciones += [_canalizaciones(caso, vista), _atenciones(caso, usuaria)]
    if vista.propia:
        secciones.append(_consentimiento(caso))
    documento.secciones = secciones
    return documento
