// Progressive enhancement only: the MDO page works without this file.
// A suggestion from the worklist goes on the agenda without reloading the page: its form
// is posted with fetch and the answer (HTML) replaces the suggestion's row and adds the
// patient's row to the agenda. Anything unexpected falls back to the plain form post.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-fragment") || !window.fetch) {
    return;
  }
  event.preventDefault();
  var button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; }
  fetch(form.action, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Kernteam-Fragment": "1" },
    body: new URLSearchParams(new FormData(form)).toString()
  }).then(function (response) {
    if (response.status !== 200 && response.status !== 422) { throw new Error("status " + response.status); }
    return response.text();
  }).then(function (html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var row = form.closest("li[data-row]");
    var answer = doc.querySelector("li[data-row]");
    if (!row || !answer) { throw new Error("unexpected answer"); }
    var agendaRow = doc.querySelector("tr[data-agenda-row]");
    var rows = document.getElementById("agenda-rows");
    if (agendaRow && rows) {
      rows.appendChild(document.importNode(agendaRow, true));
      rows.closest("table").hidden = false;
      var empty = document.getElementById("agenda-empty");
      if (empty) { empty.remove(); }
    }
    var placed = document.importNode(answer, true);
    row.replaceWith(placed);
    var focus = placed.querySelector("[role=alert]") ? placed.querySelector("input[name=reason]") : placed.querySelector("[role=status]");
    if (focus) { focus.focus(); }
  }).catch(function () {
    if (button) { button.disabled = false; }
    form.submit();
  });
});
