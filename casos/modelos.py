"""Imports every model module so the metadata is complete (Alembic autogenerate, queries)."""

from casos.cuentas.modelos import Activacion, Institucion, Sesion, Usuaria  # noqa: F401
from casos.expedientes.modelos import Caso  # noqa: F401
