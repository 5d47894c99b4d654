from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from casos.formularios import opciones
from casos.catalogos import ROLES, TIPOS_INSTITUCION, municipios, opciones_municipio


class FormularioInstitucion(FlaskForm):
    nombre = StringField("Nombre", validators=[DataRequired("Escriba el nombre."), Length(max=200)])
    siglas = StringField("Siglas", validators=[DataRequired("Escriba las siglas."), Length(max=30)])
    tipo = SelectField("Tipo", choices=opciones(TIPOS_INSTITUCION))
    municipio = SelectField("Municipio", choices=lambda: opciones(opciones_municipio()))
    activa = BooleanField("Activa", default=True)

    def validate_municipio(self, campo):
        if campo.data not in municipios():
            raise ValidationError("Elija un municipio de Zacatecas.")


class FormularioCuenta(FlaskForm):
    correo = EmailField("Correo electrónico", validators=[
        DataRequired("Escriba el correo."), Length(max=254),
        Email("Escriba un correo válido.", check_deliverability=False)])
    nombre = StringField("Nombre", validators=[DataRequired("Escriba el nombre."), Length(max=120)])
    rol = SelectField("Rol", choices=opciones(ROLES))
    institucion_id = SelectField("Institución", validators=[DataRequired("Elija la institución.")])
    activa = BooleanField("Activa", default=True)
