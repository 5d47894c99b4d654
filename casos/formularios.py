"""What every form shares: Spanish messages for WTForms' own validators, and choices."""

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields.choices import SelectChoice

LOCALES = ("es_MX", "es")


class Formulario(FlaskForm):
    """Base of every page form: CSRF from Flask-WTF, built-in messages in Spanish."""

    class Meta:
        locales = LOCALES


class Subformulario(Form):
    """Base of the repeated blocks inside a form (FieldList of FormField): no CSRF of their own."""

    class Meta:
        locales = LOCALES


def opciones(pares) -> list[SelectChoice]:
    """Choices for a SelectField from (value, label) pairs or a {value: label} dict."""
    pares = pares.items() if isinstance(pares, dict) else pares
    return [SelectChoice(str(valor), etiqueta) for valor, etiqueta in pares]
