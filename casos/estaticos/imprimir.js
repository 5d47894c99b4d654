// "Imprimir" on a printable page (plantillas/impresos/, the statistics dashboard): the CSP
// forbids inline scripts, so the button waits hidden until this file shows it and sends it to
// the browser's print dialog. Closed sections (<details class="seccion">) print open — whether
// printing starts from the button or from the browser's menu — and close again afterwards.
(function () {
  "use strict";
  var abiertas = [];
  window.addEventListener("beforeprint", function () {
    abiertas = Array.prototype.filter.call(document.querySelectorAll("details.seccion"), function (d) {
      return !d.open;
    });
    abiertas.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    abiertas.forEach(function (d) { d.open = false; });
    abiertas = [];
  });
  document.querySelectorAll("[data-imprimir]").forEach(function (boton) {
    boton.hidden = false;
    boton.addEventListener("click", function () { window.print(); });
  });
})();
