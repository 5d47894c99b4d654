from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    StopValidation,
    ValidationError,
)

from casos.catalogos import ROLES, TIPOS_INSTITUCION, municipios, opciones_municipio
from casos.formularios import Formulario, opciones


class Seleccion(SelectField):
    """A SelectField that answers a choice not in its list once, with its Spanish
    `invalid_choice_message`: WTForms' own is English, and other validators would add a second."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise StopValidation(error.args[0]) from None


class FormularioInstitucion(Formulario):
    nombre = StringField("Nombre", validators=[DataRequired("Escriba el nombre."), Length(max=200)])
    siglas = StringField("Siglas", validators=[DataRequired("Escriba las siglas."), Length(max=30)])
    tipo = Seleccion("Tipo", choices=opciones(TIPOS_INSTITUCION),
                     invalid_choice_message="Elija el tipo de institución.")
    municipio = Seleccion("Municipio", choices=lambda: opciones(opciones_municipio()),
                          invalid_choice_message="Elija un municipio de Zacatecas.")
    activa = BooleanField("Activa", default=True)

    def validate_municipio(self, campo):
        if campo.data not in municipios():
            raise ValidationError("Elija un municipio de Zacatecas.")


class FormularioCuenta(Formulario):
    correo = EmailField("Correo electrónico", validators=[
        DataRequired("Escriba el correo."), Length(max=254),
        Email("Escriba un correo válido.", check_deliverability=False)])
    nombre = StringField("Nombre", validators=[DataRequired("Escriba el nombre."), Length(max=120)])
    rol = Seleccion("Rol", choices=opciones(ROLES), invalid_choice_message="Elija un rol.")
    institucion_id = Seleccion("Institución", validators=[DataRequired("Elija la institución.")],
                               invalid_choice_message="Elija la institución.")
    activa = BooleanField("Activa", default=True)
