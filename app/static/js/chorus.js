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
    // The words come from the page (data-remaining, data-too-many), in the page's language.
    var words = left >= 0 ? counter.dataset.remaining : counter.dataset.tooMany;
    if (!words) { return; }
    counter.textContent = words.replace("{count}", Math.abs(left).toLocaleString(document.documentElement.lang || undefined));
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
