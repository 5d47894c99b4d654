// Intake autosave: the form is sent as a draft a moment after the caseworker stops typing and
// when the tab is hidden, so a timeout or a closed tab loses nothing. Nothing is kept in the
// browser (no localStorage): a shared computer must not hold a victim's data.
(function () {
  "use strict";
  var formulario = document.querySelector("form[data-borrador]");
  if (!formulario) { return; }
  var estado = document.getElementById("estado-borrador");
  var aviso = document.getElementById("aviso-duplicado");
  var idBorrador = formulario.querySelector("input[name=borrador_id]");
  var espera = null;
  var pendiente = false;

  function decir(texto) { if (estado) { estado.textContent = texto; } }

  function guardar() {
    pendiente = false;
    var datos = new FormData(formulario);
    return fetch(formulario.dataset.borrador, { method: "POST", body: datos, credentials: "same-origin", redirect: "manual" })
      .then(function (respuesta) {
        if (!respuesta.ok) { throw new Error(String(respuesta.status)); }
        return respuesta.json();
      })
      .then(function (json) {
        idBorrador.value = json.borrador_id;
        var hora = new Date(json.guardado);
        decir("Borrador guardado a las " + hora.toLocaleTimeString("es-MX", { hour: "2-digit", minute: "2-digit", hour12: false }));
      })
      .catch(function () {
        decir("No se pudo guardar el borrador (¿terminó su sesión?). No cierre esta página: lo escrito sigue aquí.");
      });
  }

  function programar() {
    pendiente = true;
    window.clearTimeout(espera);
    espera = window.setTimeout(guardar, 1500);
  }

  function revisarDuplicados() {
    var datos = new FormData(formulario);
    if (!datos.get("curp") && !(datos.get("nombre") && datos.get("fecha_nacimiento"))) { return; }
    fetch(formulario.dataset.duplicados, { method: "POST", body: datos, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { instituciones: [] }; })
      .then(function (json) {
        if (!aviso) { return; }
        if (json.instituciones.length) {
          aviso.textContent = "Posible duplicado: ya existe un caso en " + json.instituciones.join(", ") +
            ". Puede solicitarlo por canalización en lugar de registrarlo de nuevo.";
          aviso.hidden = false;
        } else {
          aviso.hidden = true;
        }
      });
  }

  formulario.addEventListener("input", programar);
  formulario.addEventListener("change", function (evento) {
    programar();
    if (["curp", "nombre", "fecha_nacimiento"].indexOf(evento.target.name) >= 0) { revisarDuplicados(); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && pendiente) {
      window.clearTimeout(espera);
      navigator.sendBeacon(formulario.dataset.borrador, new FormData(formulario));
    }
  });
  formulario.addEventListener("submit", function () { window.clearTimeout(espera); pendiente = false; });
}());
