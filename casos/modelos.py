"""Imports every model module so the metadata is complete (Alembic autogenerate, queries)."""

from casos.cuentas.modelos import Activacion, Institucion, Sesion, Usuaria  # noqa: F401
from casos.expedientes.modelos import (  # noqa: F401
                                       Agresor,
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
