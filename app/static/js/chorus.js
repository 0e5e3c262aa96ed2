// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }
  function preventDoubleClick(event) {
    var button = event.target.closest("[data-prevent-double-click]");
    if (!button) { return; }
    if (button.dataset.clicked) { event.preventDefault(); return; }
    button.dataset.clicked = "1";
    setTimeout(function () { delete button.dataset.clicked; }, 2000);
  }
  function updateCount(textarea) {
    var max = parseInt(textarea.dataset.maxlength, 10);
    var counter = document.getElementById(textarea.id + "-count");
    if (!max || !counter) { return; }
    var left = max - textarea.value.length;
    counter.textContent = left >= 0 ? "You have " + left.toLocaleString() + " characters remaining"
                                    : "You have " + (-left).toLocaleString() + " characters too many";
  }
  document.documentElement.classList.add("js-enabled");
  // GOV.UK conditional reveal: the content under an option shows while that option is chosen.
  function syncConditionals() {
    document.querySelectorAll("input[data-aria-controls]").forEach(function (input) {
      var target = document.getElementById(input.dataset.ariaControls);
      if (!target) { return; }
      input.setAttribute("aria-controls", target.id);  // no aria-expanded: not allowed on radios (GOV.UK 5)
      target.classList.toggle("conditional-hidden", !input.checked);
    });
  }
  // GOV.UK exclusive checkbox: "None of these" clears the others, and the others clear it.
  function exclusive(input) {
    if (input.type !== "checkbox" || !input.checked || !input.form) { return; }
    input.form.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
      if (other === input || other.name !== input.name) { return; }
      var otherExclusive = other.dataset.behaviour === "exclusive";
      if (input.dataset.behaviour === "exclusive" ? true : otherExclusive) { other.checked = false; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.querySelectorAll("textarea[data-maxlength]").forEach(updateCount);
    syncConditionals();
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=checkbox], input[type=radio]")) {
      exclusive(event.target);
      syncConditionals();
    }
  });
  document.addEventListener("click", preventDoubleClick);
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) { updateCount(event.target); }
  });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });
})();
