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
  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.querySelectorAll("textarea[data-maxlength]").forEach(updateCount);
  });
  document.addEventListener("click", preventDoubleClick);
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) { updateCount(event.target); }
  });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrorSummary(event.target); });
})();
