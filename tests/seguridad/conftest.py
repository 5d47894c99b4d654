"""The objects for every URL argument, shared with tests/test_rutas_por_rol.py."""

from tests.test_rutas_por_rol import objetos  # noqa: F401  (a fixture)
