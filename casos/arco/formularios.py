from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casos.admin.formularios import Seleccion
from casos.bd import hoy_local
from casos.catalogos import DERECHOS_ARCO, IDENTIFICACIONES_ARCO, MEDIOS_SOLICITUD_ARCO, QUIEN_PRESENTA_ARCO
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
