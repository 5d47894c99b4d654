"""Imports every model module so the metadata is complete (Alembic autogenerate, queries)."""

from casos.adjuntos.modelos import Adjunto, TrozoAdjunto  # noqa: F401
from casos.arco.modelos import Oposicion, SolicitudArco  # noqa: F401
from casos.atenciones.modelos import Atencion  # noqa: F401
from casos.auditoria.modelos import CabezaAuditoria, EventoAuditoria  # noqa: F401
from casos.avisos.modelos import CorreoSaliente  # noqa: F401
from casos.canalizaciones.modelos import Canalizacion  # noqa: F401
from casos.conservacion.modelos import LecturaBloqueada  # noqa: F401
from casos.cuentas.modelos import Activacion, CodigoRecuperacion, Institucion, Sesion, Usuaria  # noqa: F401
from casos.estadisticas.modelos import TokenApi  # noqa: F401
from casos.expedientes.modelos import (  # noqa: F401
    Agresor,
    Asignacion,
    Borrador,
    Caso,
    Consentimiento,
    Hecho,
    HechoModalidad,
    HechoTipo,
    Nna,
    ValoracionRiesgo,
    Victima,
)
from casos.ordenes.modelos import OrdenProteccion  # noqa: F401
from casos.transiciones.modelos import HistorialTransicion, SolicitudAprobacion  # noqa: F401
