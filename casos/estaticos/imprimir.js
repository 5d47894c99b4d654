// "Imprimir" on a printable document (plantillas/impresos/): the CSP forbids inline scripts, so
// the button waits hidden until this file shows it and sends it to the browser's print dialog.
(function () {
  "use strict";
  document.querySelectorAll("[data-imprimir]").forEach(function (boton) {
    boton.hidden = false;
    boton.addEventListener("click", function () { window.print(); });
  });
})();
