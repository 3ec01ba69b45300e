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

// Instant filtering: facet, pager and sort/size changes load the next results
// in place (the same server-rendered page, fetched), keep the URL in the
// address bar so it can be shared, and move focus to the results heading.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !window.fetch || !window.history || !window.DOMParser) return;
  var latest = 0; // only the newest request may fill the page (Back twice quickly starts two)
  function load(url, push) {
    var mine = ++latest;
    main.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" } }).then(function (r) {
      if (!r.ok && r.status !== 400 && r.status !== 404) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      if (mine !== latest) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      var next = doc.getElementById("main");
      if (!next) throw new Error("no main");
      main.replaceChildren.apply(main, Array.prototype.map.call(next.childNodes, function (n) { return document.importNode(n, true); }));
      document.title = doc.title;
      if (push) history.pushState({ gs: 1 }, "", url);
      shown = window.location.pathname + window.location.search;
      main.removeAttribute("aria-busy");
      var h = document.getElementById("results-h") || main;
      h.setAttribute("tabindex", "-1");
      h.focus();
    }).catch(function () { if (mine === latest) window.location.href = url; });
  }
  main.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest && e.target.closest(".facets a, .pager a");
    if (!a || a.origin !== window.location.origin) return;
    e.preventDefault();
    load(a.href, true);
  });
  main.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.form || !sel.form.classList.contains("filters") || sel.tagName !== "SELECT") return;
    load(sel.form.action + "?" + new URLSearchParams(new FormData(sel.form)).toString(), true);
  });
  // Back/Forward between states this script made; a popstate from a #fragment
  // (the skip link) or for the URL already shown changes nothing.
  var shown = window.location.pathname + window.location.search;
  window.addEventListener("popstate", function () {
    var now = window.location.pathname + window.location.search;
    if (now === shown) return;
    shown = now;
    load(window.location.href, false);
  });
})();
