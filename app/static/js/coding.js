// Guided coding's keyboard shortcuts (enhancement only: every step is a plain form without this file).
// 1-9 give a code and move on, N names a new code, S skips. They act only while the person is not
// typing in a box, and a checkbox turns them off (WCAG 2.2 SC 2.1.4), remembered on this device.
(function () {
  "use strict";
  var STORE = "chorus-coding-shortcuts";
  function enabled() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }
  function remember(on) {
    try { window.localStorage.setItem(STORE, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-coding-form]");
    var hints = document.getElementById("shortcut-hints");
    if (!form || !hints) { return; }
    var toggle = document.createElement("div");
    toggle.className = "checkboxes coding-shortcut-toggle";
    toggle.innerHTML = '<div class="choice"><input class="choice-input" id="use-shortcuts" type="checkbox">' +
      '<label class="choice-label" for="use-shortcuts"></label></div>';
    // The page gives the label in the reader's language (Welsh or English).
    toggle.querySelector("label").textContent = hints.getAttribute("data-toggle-label") || "Use keyboard shortcuts";
    hints.insertAdjacentElement("afterend", toggle);
    var box = document.getElementById("use-shortcuts");
    box.checked = enabled();
    box.addEventListener("change", function () { remember(box.checked); });
    document.addEventListener("keydown", function (event) {
      if (!box.checked || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var target = event.target;
      if (target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
          (target.tagName === "INPUT" && target.type !== "radio" && target.type !== "checkbox"))) { return; }
      var key = event.key;
      if (/^[1-9]$/.test(key)) {
        var radio = form.querySelector('input[data-key="' + key + '"]');
        if (!radio) { return; }
        event.preventDefault();
        radio.checked = true;
        var save = form.querySelector("[data-coding-save]");
        if (form.requestSubmit) { form.requestSubmit(save); } else { save.click(); }
      } else if (key === "n" || key === "N") {
        event.preventDefault();
        document.getElementById("new_code").focus();
      } else if (key === "s" || key === "S") {
        var skip = form.querySelector("[data-coding-skip]");
        if (!skip) { return; }
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(skip); } else { skip.click(); }
      }
    });
  });
})();
