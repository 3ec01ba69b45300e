// Progressive enhancement only: the page works without this file.
// Suggestions under the search box, keyboard-operable (↑ ↓ Enter Esc).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null, active = -1, items = [];
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", "suggestions");
  input.setAttribute("aria-expanded", "false");
  function close() { list.hidden = true; list.textContent = ""; items = []; active = -1; input.setAttribute("aria-expanded", "false"); }
  function pick(text) { input.value = text; close(); input.form.submit(); }
  function show(sugs) {
    list.textContent = "";
    items = sugs.map(function (s, i) {
      var li = document.createElement("li");
      li.id = "sug-" + i;
      li.setAttribute("role", "option");
      li.textContent = s.text; // text, never HTML
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(s.text); });
      list.appendChild(li);
      return li;
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(function () {
      fetch("/api/suggest?q=" + encodeURIComponent(q)).then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (j) { if (input.value.trim() === q) show(j.suggestions || []); }).catch(close);
    }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (active >= 0) items[active].removeAttribute("aria-selected");
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); pick(items[active].textContent);
    } else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
