// hedgerow dashboard: render Vega-Lite charts from embedded JSON specs; show htmx errors in the flash area.
(function () {
  "use strict";
  function renderCharts(root) {
    if (typeof window.vegaEmbed !== "function") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      el.dataset.rendered = "pending";
      window.vegaEmbed(el, JSON.parse(source.textContent), { actions: false, renderer: "svg" })
        .then(function () { el.dataset.rendered = "done"; el.classList.add("chart-ready"); })
        .catch(function (err) { el.dataset.rendered = "error"; el.textContent = "The chart could not be drawn: " + err; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    renderCharts(document);
    document.body.addEventListener("htmx:afterSettle", function (evt) { renderCharts(evt.target); });
    document.body.addEventListener("htmx:beforeSwap", function (evt) {
      var status = evt.detail.xhr.status;
      if (status >= 400 && status !== 401) {
        evt.detail.shouldSwap = true;
        evt.detail.isError = false;
        evt.detail.target = document.getElementById("flash");
      }
    });
    document.body.addEventListener("click", function (evt) {
      var button = evt.target.closest("[data-dismiss]");
      if (button) { var form = button.closest("form"); if (form) { form.remove(); } }
    });
  });
})();
