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
    // an answer swapped in where the pressed button was takes the focus (else the focus falls back to the page)
    document.body.addEventListener("htmx:afterSettle", function () {
      var answer = document.querySelector("[data-focus]");
      if (answer) { answer.removeAttribute("data-focus"); answer.focus(); }
    });
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
      var toggle = evt.target.closest(".menu-toggle");
      if (toggle) {
        var header = toggle.closest("header");
        var open = header.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      }
    });
    // a reason is needed to reject or modify, not to approve: mark the fields as the decision changes
    document.body.addEventListener("change", function (evt) {
      var select = evt.target.closest("select[data-needs-reason]");
      if (!select) { return; }
      var needed = select.dataset.needsReason.split(" ").indexOf(select.value) >= 0;
      select.form.querySelectorAll("[data-reason]").forEach(function (field) {
        field.required = needed;
        field.setAttribute("aria-required", needed ? "true" : "false");
      });
    });
    queueKeys();
  });
  // The queue's keys: j / k move between rows, a approves the row (asking for an optional reason), Enter opens it.
  function queueKeys() {
    var table = document.getElementById("queue");
    if (!table) { return; }
    var current = -1;
    function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-rec]")); }
    function move(step) {
      var all = rows();
      if (!all.length) { return; }
      if (current >= 0 && all[current]) { all[current].classList.remove("current"); }
      current = Math.max(0, Math.min(all.length - 1, current + step));
      all[current].classList.add("current");
      all[current].focus();
    }
    document.addEventListener("keydown", function (evt) {
      var target = evt.target;
      if (evt.ctrlKey || evt.metaKey || evt.altKey || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) { return; }
      var row = rows()[current];
      if (evt.key === "j") { move(1); evt.preventDefault(); }
      else if (evt.key === "k") { move(-1); evt.preventDefault(); }
      else if (evt.key === "Enter" && row) { var link = row.querySelector("a"); if (link) { link.click(); } }
      else if (evt.key === "a" && row) {
        var form = row.querySelector("form.approve-form");
        if (!form) { return; }
        var reason = window.prompt("Approve this recommendation. Reason (optional):", "");
        if (reason === null) { return; }
        form.querySelector("input[name=reason]").value = reason;
        form.requestSubmit();
        evt.preventDefault();
      }
    });
  }
})();
