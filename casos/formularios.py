"""Small helpers shared by every form module."""

from wtforms.fields.choices import SelectChoice


def opciones(pares) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs or a {value: label} dict."""
    pares = pares.items() if isinstance(pares, dict) else pares
    return [SelectChoice(str(valor), etiqueta) for valor, etiqueta in pares]
