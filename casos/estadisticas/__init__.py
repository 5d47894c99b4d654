"""Anonymized statistics: aggregates by SQL GROUP BY over plaintext categorical columns,
small-cell suppression, the gestora's dashboard, CSV/JSON downloads and a token API.

Nothing here imports `casos.cripto` or reads the key file (tests/test_estadisticas.py)."""


def registrar(app) -> None:
    from casos.estadisticas.api import bp as api
    from casos.estadisticas.cli import estadisticas
    from casos.estadisticas.vistas import bp as tablero
    from casos.estadisticas.vistas_admin import bp as tokens

    for blueprint in (tablero, tokens, api):
        app.register_blueprint(blueprint)
    app.cli.add_command(estadisticas)
