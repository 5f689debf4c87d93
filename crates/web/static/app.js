// Progressive enhancement only: everything works without this file.
// Adds a "Nog een regel" button under repeatable care-plan rows.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("fieldset[data-rows]").forEach(function (set) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = "Nog een regel";
    button.addEventListener("click", function () {
      var rows = set.querySelectorAll(".row");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var n = rows.length + 1;
      copy.querySelectorAll("input, select, label").forEach(function (el) {
        if (el.tagName === "LABEL") { el.htmlFor = el.htmlFor.replace(/-\d+$/, "-" + n); return; }
        el.id = el.id.replace(/-\d+$/, "-" + n);
        if (el.tagName === "INPUT") { el.value = ""; }
      });
      copy.querySelectorAll("label").forEach(function (l) { l.textContent = l.textContent.replace(/\d+$/, n); });
      set.insertBefore(copy, button);
    });
    set.appendChild(button);
  });
});

// The print button of the printed care plan.
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) { window.print(); }
});
