from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casos.admin.formularios import Seleccion
from casos.arco.rectificacion import CAMPOS
from casos.bd import hoy_local
from casos.catalogos import DERECHOS_ARCO, IDENTIFICACIONES_ARCO, MEDIOS_SOLICITUD_ARCO, QUIEN_PRESENTA_ARCO
from casos.cripto.indices import normalizar_curp
from casos.expedientes.curp import errores_curp
from casos.expedientes.formularios import TELEFONO
from casos.formularios import Formulario, opciones

ELIJA = [("", "— Elija —")]


class FormularioSolicitudArco(Formulario):
    """Registering a request. Catalogue fields answer a value not in their list once, in
    Spanish; what needs the database (the case, a second open request, how far back the date
    may be) is casos/arco/servicios.py `errores_de_registro`."""

    institucion_id = Seleccion("Institución ante la que se presentó",
                               invalid_choice_message="Elija la institución ante la que se presentó la solicitud.")
    caso_id = StringField("Identificador del caso", validators=[
        DataRequired("Escriba el identificador del caso."), Length(max=60)])
    derecho = Seleccion("Derecho que ejerce", choices=opciones(ELIJA + list(DERECHOS_ARCO.items())),
                        invalid_choice_message="Elija el derecho que ejerce.")
    recibida_el = DateField("Día en que se recibió", default=hoy_local, validators=[
        InputRequired("Escriba el día en que la institución recibió la solicitud.")])
    medio = Seleccion("Cómo llegó", choices=opciones(ELIJA + list(MEDIOS_SOLICITUD_ARCO.items())),
                      invalid_choice_message="Elija cómo llegó la solicitud.")
    presentada_por = Seleccion("Quién la presenta", choices=opciones(ELIJA + list(QUIEN_PRESENTA_ARCO.items())),
                               invalid_choice_message="Elija quién presenta la solicitud.")
    identificacion = Seleccion("Identificación oficial que presentó",
                               choices=opciones(ELIJA + list(IDENTIFICACIONES_ARCO.items())),
                               invalid_choice_message="Elija la identificación que presentó.")
    folio = StringField("Folio de la solicitud (si tiene)", validators=[Optional(), Length(max=40)])
    descripcion = TextAreaField("Qué pide", validators=[Length(max=2000)])


def _no_futura(_formulario, campo):
    if campo.data and campo.data > hoy_local():
        raise ValidationError("La fecha de nacimiento no puede ser futura.")


class FormularioRectificacion(Formulario):
    """Her correctable data (casos/arco/rectificacion.py CAMPOS), as the intake validates them.
    `confirmar` is set by the confirmation page, which shows the before/after first."""

    nombre = StringField("Nombre completo", validators=[
        DataRequired("El nombre no puede quedar vacío: escriba el nombre completo corregido."), Length(max=200)])
    curp = StringField("CURP", validators=[Optional(), Length(max=25)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    fecha_nacimiento = DateField("Fecha de nacimiento", validators=[Optional(), _no_futura])
    edad_aproximada = IntegerField("Edad aproximada", validators=[
        Optional(), NumberRange(0, 120, "Escriba una edad entre 0 y 120.")])
    telefono = StringField("Teléfono", validators=[Optional(), TELEFONO],
                           render_kw={"inputmode": "tel", "autocomplete": "off"})
    domicilio = TextAreaField("Domicilio", validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    lengua_indigena = StringField("Lengua indígena", validators=[Optional(), Length(max=100)])
    discapacidad = StringField("Discapacidad", validators=[Optional(), Length(max=200)])
    nacionalidad = StringField("Nacionalidad", validators=[Optional(), Length(max=100)])
    confirmar = HiddenField()
    version = HiddenField()

    def validate_fecha_nacimiento(self, campo):
        # A browser without a date picker sends what was typed: say which format is expected.
        if campo.raw_data and campo.raw_data[0] and campo.data is None:
            raise ValidationError("Escriba una fecha válida (día, mes y año).")

    def validate_curp(self, campo):
        if campo.data:
            campo.data = normalizar_curp(campo.data)
            if errores := errores_curp(campo.data):
                raise ValidationError(errores[0])

    def nuevos(self) -> dict:
        return {campo: getattr(self, campo).data for campo in CAMPOS}
