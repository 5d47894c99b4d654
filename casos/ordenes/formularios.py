from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casos.catalogos import AUTORIDADES_ORDEN, MEDIDAS_PROTECCION, TIPOS_ORDEN
from casos.expedientes.formularios import CasillasMultiples
from casos.formularios import Formulario, opciones
from flujos import plazos

FORMATO_FECHA_HORA = "%Y-%m-%dT%H:%M"


class FormularioOrden(Formulario):
    tipo = SelectField("Tipo de orden", choices=opciones(TIPOS_ORDEN))
    autoridad = SelectField("Autoridad que la emite", choices=opciones(AUTORIDADES_ORDEN))
    medidas = CasillasMultiples("Medidas solicitadas", choices=opciones(MEDIDAS_PROTECCION),
                                validators=[DataRequired("Marque al menos una medida.")])
    solicitada_en = DateTimeLocalField("Cuándo se solicitó (o supo la autoridad de los hechos)",
                                       format=FORMATO_FECHA_HORA,
                                       validators=[InputRequired("Escriba la fecha y hora.")])
    notas = TextAreaField("Notas", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class FormularioAccionOrden(Formulario):
    evento = HiddenField()
    version = HiddenField()
    momento = DateTimeLocalField("Fecha y hora de emisión", format=FORMATO_FECHA_HORA,
                                 validators=[Optional()])
    dias = IntegerField("Días de vigencia", validators=[
        Optional(), NumberRange(1, plazos.ORDEN_VIGENCIA_DIAS, "Número de días no válido.")])
    motivo = TextAreaField("Motivo", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
