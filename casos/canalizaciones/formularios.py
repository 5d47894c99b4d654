from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from casos.catalogos import SERVICIOS
from casos.expedientes.formularios import CasillasMultiples
from casos.formularios import Formulario, opciones


class FormularioCanalizacion(Formulario):
    # The view checks the choice itself, to say why a destination is refused (her own
    # institution, the woman's consent) instead of a bare "Opción inválida.".
    destino_id = SelectField("Institución a la que se canaliza", validate_choice=False, validators=[
        DataRequired("Elija la institución.")])
    servicios = CasillasMultiples("Servicios que se solicitan", choices=opciones(SERVICIOS),
                                  validators=[DataRequired("Marque al menos un servicio.")])
    motivo = TextAreaField("Motivo de la canalización", validators=[
        DataRequired("Escriba el motivo."), Length(max=2000)], render_kw={"rows": 3})


class FormularioRespuesta(Formulario):
    """Accept, reject, counter-refer, conclude or cancel: the event and the version seen."""

    evento = HiddenField()
    version = HiddenField()
    motivo = TextAreaField("Motivo", validators=[Length(max=2000)], render_kw={"rows": 2})
    servicios_prestados = CasillasMultiples("Servicios que su institución prestó",
                                            choices=opciones(SERVICIOS))
    nota = TextAreaField("Contrarreferencia: qué se hizo y qué sigue", validators=[Length(max=4000)],
                         render_kw={"rows": 3})
