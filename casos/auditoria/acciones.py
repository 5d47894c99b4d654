"""The catalogue of audited actions: short code -> what the audit pages say in Spanish.

`registrar` refuses a code that is not here, so the pages can always name what happened.
A new feature adds its lines here.
"""

ACCIONES: dict[str, str] = {
    # sessions and one's own account
    "sesion.entrar": "Entró al sistema",
    "sesion.fallo": "Intento de entrada fallido",
    "sesion.salir": "Salió del sistema",
    "contrasena.cambiar": "Cambió su contraseña",
    "contrasena.fallo": "Contraseña actual incorrecta al intentar cambiarla",
    "contrasena.activar": "Estableció su contraseña con un enlace de activación",
    # administration
    "cuenta.crear": "Creó una cuenta",
    "cuenta.editar": "Modificó una cuenta",
    "cuenta.desactivar": "Desactivó una cuenta",
    "cuenta.activacion": "Generó un enlace de activación",
    "cuenta.segundo_factor": "Activó, renovó o restableció la verificación en dos pasos",
    "cuenta.bloquear": "La cuenta se bloqueó tras intentos fallidos",
    "cuenta.desbloquear": "Desbloqueó una cuenta",
    "cuenta.avisos": "Eligió cómo recibir los avisos por correo",
    "institucion.crear": "Creó una institución",
    "institucion.editar": "Modificó una institución",
    "institucion.desactivar": "Desactivó una institución",
    "claves.rotar": "Rotó la clave maestra",
    "claves.retirar": "Retiró una versión de la clave maestra",
    "api.token.crear": "Creó un token de la API de estadística",
    "api.token.revocar": "Revocó un token de la API de estadística",
    "estadisticas.exportar": "Descargó estadísticas agregadas",
    "estadisticas.publicar": "Publicó una edición de la estadística",
    "api.consultar": "Un token consultó la API de estadística",
    # cases
    "casos.listar": "Consultó la lista de casos",
    "busqueda": "Buscó casos por CURP o nombre",
    "duplicados.consultar": "Consultó posibles duplicados",
    "caso.ver": "Abrió el caso",
    "canalizacion.ver": "Abrió una canalización",
    "pendientes.ver": "Consultó sus pendientes",
    "aprobaciones.ver": "Consultó las aprobaciones pendientes",
    "caso.registrar": "Registró el caso",
    "valoracion.registrar": "Registró una valoración de riesgo",
    "caso.asignar": "Asignó a la persona responsable del caso",
    "consentimiento.revocar": "Registró la revocación del consentimiento",
    "atencion.registrar": "Registró una atención brindada",
    "adjunto.subir": "Adjuntó un documento al caso",
    "adjunto.descargar": "Descargó un documento del caso",
    # printed documents (casos/impresos/): the page that prints, and the PDF
    "oficio.imprimir": "Abrió el oficio de canalización para imprimir",
    "oficio.descargar": "Descargó el oficio de canalización en PDF",
    "resumen.imprimir": "Abrió el resumen del caso para imprimir",
    "resumen.descargar": "Descargó el resumen del caso en PDF",
    "datos.eliminar": "Eliminó los datos personales del caso",
    "arco.ver": "Abrió una solicitud ARCO",
    # each right exercised on her data (casos/arco/, casos/impresos/): what the system holds
    # about her, printed for delivery; her corrected fields (names only); her opposition
    "arco.acceso.imprimir": "Abrió para imprimir lo que el sistema tiene de la titular (acceso ARCO)",
    "arco.acceso.descargar": "Descargó en PDF lo que el sistema tiene de la titular (acceso ARCO)",
    "arco.rectificacion.ver": "Abrió los datos de la titular para rectificarlos (ARCO)",
    "arco.rectificar": "Rectificó datos de la titular (ARCO)",
    "oposicion.registrar": "Registró la oposición de la titular a compartir sus datos (ARCO)",
    "borrador.abrir": "Abrió un borrador de captura",
    "borrador.guardar": "Guardó un borrador de captura",
    "borrador.descartar": "Descartó un borrador de captura",
    # retention (casos/conservacion/): the schedule's review, each case it blocks, and the
    # reads of a blocked case the admin authorizes
    "conservacion.revisar": "Revisó los plazos de conservación",
    "caso.bloquear": "Bloqueó el caso al vencer su plazo de conservación",
    "lectura_bloqueada.formulario": "Abrió la solicitud de lectura de un caso bloqueado",
    "lectura_bloqueada.pedir": "Pidió leer un caso bloqueado",
    "lectura_bloqueada.consultar": "Consultó las lecturas de casos bloqueados por autorizar",
    "lectura_bloqueada.autorizar": "Autorizó la lectura de un caso bloqueado",
    "lectura_bloqueada.rechazar": "Rechazó la lectura de un caso bloqueado",
    # the audit trail itself: who looked at who looked
    "auditoria.caso": "Consultó los accesos al caso",
    "auditoria.consultar": "Consultó la bitácora de auditoría",
    # `auditoria verificar` (a command): its result in `motivo`, the broken event in objeto_id.
    "auditoria.verificar": "Verificó la cadena de la bitácora",
}


def _de_los_flujos() -> dict[str, str]:
    """Every workflow move is audited as "<flujo>.<evento>" (casos/transiciones/servicios.py)."""
    from flujos import FLUJOS

    nombres = {"caso": "Caso", "canalizacion": "Canalización", "orden_proteccion": "Orden de protección",
               "solicitud_aprobacion": "Aprobación", "valoracion_riesgo": "Nivel de riesgo",
               "solicitud_arco": "Solicitud ARCO"}
    acciones = {f"{flujo.nombre}.{t.evento}": f"{nombres.get(flujo.nombre, flujo.nombre)}: {t.etiqueta}"
                for flujo in FLUJOS.values() for t in flujo.transiciones}
    acciones.update({
        "canalizacion.crear": "Canalización: solicitud registrada",
        "orden_proteccion.solicitar": "Orden de protección: solicitud registrada",
        "orden_proteccion.seguimiento": "Orden de protección: contacto de seguimiento",
        "solicitud_aprobacion.crear": "Aprobación: solicitud creada",
        "solicitud_arco.crear": "Solicitud ARCO: registrada",
    })
    return acciones


ACCIONES.update(_de_los_flujos())
