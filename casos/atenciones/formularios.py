from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casos.atenciones.modelos import DURACION_MAXIMA_MINUTOS
from casos.atenciones.servicios import DURACION_INVALIDA, PERSONA_INVALIDA
from casos.catalogos import ROLES, tipos_atencion
from casos.formularios import Formulario, opciones


class FormularioAtencion(Formulario):
    """`personal`: who may be named as having given it (her institution's active staff);
    `problema_de_fecha(fecha)`: the service's rule for the date, said in Spanish."""

    # The choices are checked below, to say what is wrong instead of "Opción inválida".
    tipo = SelectField("Tipo de atención", validate_choice=False,
                       validators=[DataRequired("Elija el tipo de atención.")])
    fecha = DateField("Fecha en que se brindó", validators=[InputRequired("Escriba la fecha.")])
    duracion_minutos = IntegerField("Duración en minutos", validators=[
        Optional(), NumberRange(1, DURACION_MAXIMA_MINUTOS, DURACION_INVALIDA)])
    brindada_por = SelectField("Quién la brindó", validate_choice=False,
                               validators=[DataRequired(PERSONA_INVALIDA)])
    notas = TextAreaField("Notas", validators=[Optional(), Length(max=4000)], render_kw={"rows": 4})

    def __init__(self, personal, problema_de_fecha, **kwargs):
        super().__init__(**kwargs)
        self.problema_de_fecha = problema_de_fecha
        self.tipo.choices = opciones([("", "— Elija —")]
                                     + [(t.clave, t.nombre) for t in tipos_atencion().values()])
        self.brindada_por.choices = opciones([(p.id, f"{p.nombre} ({ROLES[p.rol].lower()})") for p in personal])

    def validate_tipo(self, campo):
        if campo.data and campo.data not in tipos_atencion():
            raise ValidationError("Elija un tipo de atención del catálogo.")

    def validate_fecha(self, campo):
        if campo.data and (problema := self.problema_de_fecha(campo.data)):
            raise ValidationError(problema)

    def validate_brindada_por(self, campo):
        if campo.data not in {opcion.value for opcion in campo.choices}:
            raise ValidationError(PERSONA_INVALIDA)
