(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-verdict]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.filter"));
  var status = document.getElementById("filter-status");
  var panel = document.getElementById("filters");

  function apply() {
    var sel = { verdict: [], category: [] };
    buttons.forEach(function (b) {
      if (b.getAttribute("aria-pressed") === "true") { sel[b.getAttribute("data-filter")].push(b.getAttribute("data-value")); }
    });
    var shown = 0;
    cards.forEach(function (c) {
      var ok = (sel.verdict.length === 0 || sel.verdict.indexOf(c.getAttribute("data-verdict")) >= 0) &&
               (sel.category.length === 0 || sel.category.indexOf(c.getAttribute("data-category")) >= 0);
      c.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (status) { status.textContent = "Showing " + shown + " of " + cards.length + " claims."; }
  }
  function reset() {
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    apply();
  }
  function setOpen(open) {
    cards.forEach(function (c) { var d = c.querySelector("details"); if (d) { d.open = open; } });
  }
  // A link into a card (from the article, or a bookmarked #claim-C13) shows and opens that card.
  function show(el) {
    var card = el.closest ? el.closest(".card") : null;
    if (!card) { return false; }
    var changed = false;
    if (card.hidden) { reset(); changed = true; }
    var d = card.querySelector("details");
    if (d && !d.open) { d.open = true; changed = true; }
    return changed;
  }
  function targetOf(hash) {
    var id = hash && decodeURIComponent(hash.slice(1));
    return id ? document.getElementById(id) : null;
  }
  function reveal() {
    var el = targetOf(location.hash);
    if (el && show(el)) { el.scrollIntoView(); }
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest('a[href^="#"]') : null;
    var el = a && targetOf(a.getAttribute("href"));
    if (el) { show(el); }
  });
  window.addEventListener("hashchange", reveal);

  // Printing shows every card open; afterwards the cards are as they were.
  var wasOpen = null;
  window.addEventListener("beforeprint", function () {
    wasOpen = cards.map(function (c) { var d = c.querySelector("details"); return d ? d.open : false; });
    setOpen(true);
  });
  window.addEventListener("afterprint", function () {
    if (!wasOpen) { return; }
    cards.forEach(function (c, i) { var d = c.querySelector("details"); if (d) { d.open = wasOpen[i]; } });
    wasOpen = null;
  });

  // Figures: each has one "Full size" button (in the page, hidden until this script can open the viewer).
  var viewer = document.getElementById("figure-viewer");
  if (viewer && typeof viewer.showModal === "function") {
    var body = viewer.querySelector(".viewer-body");
    Array.prototype.slice.call(document.querySelectorAll("figure.figure")).forEach(function (fig) {
      var svg = fig.querySelector("svg");
      var btn = fig.querySelector("button.fig-open");
      if (!svg || !btn) { return; }
      btn.addEventListener("click", function () {
        var copy = svg.cloneNode(true);
        var box = (svg.getAttribute("viewBox") || "").split(/\s+/);
        copy.removeAttribute("aria-labelledby");
        copy.setAttribute("aria-label", (fig.querySelector("title") || {}).textContent || "Figure");
        if (box.length === 4) { copy.style.width = Math.round(parseFloat(box[2]) * 4 / 3) + "px"; }
        copy.style.maxWidth = "none";
        copy.style.minWidth = "0";
        body.textContent = "";
        body.appendChild(copy);
        viewer.showModal();
      });
      btn.hidden = false;
    });
    viewer.addEventListener("click", function (e) { if (e.target === viewer) { viewer.close(); } });
  }

  // Tables wider than their box scroll sideways; a line above such a table says so.
  // A figure's box does the same; its cue, already in the page, is shown only while it scrolls.
  // A figure at most this many pixels wider than its box is fitted to it: no cue for a trivial overflow.
  var TRIVIAL_OVERFLOW_PX = 24;
  var wraps = Array.prototype.slice.call(document.querySelectorAll(".table-wrap"));
  var figBoxes = Array.prototype.slice.call(document.querySelectorAll(".fig-scroll"));
  function markScrollers() {
    figBoxes.forEach(function (w) {
      var cue = w.parentNode.querySelector(".fig-hint");
      var svg = w.querySelector("svg");
      if (svg) { svg.style.minWidth = ""; }  // measure at the figure's own readable width
      var over = w.scrollWidth - w.clientWidth;
      if (svg && over > 1 && over < TRIVIAL_OVERFLOW_PX) {
        svg.style.minWidth = "0";  // a few pixels too wide: fit the column (text a little smaller) rather than scroll
        over = w.scrollWidth - w.clientWidth;
      }
      if (cue) { cue.hidden = !(w.clientWidth > 0 && over > 1); }
    });
    wraps.forEach(function (w) {
      var hint = w.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      var wide = w.clientWidth > 0 && w.scrollWidth > w.clientWidth + 1;
      if (wide && !has) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "This table is wider than the page: scroll it sideways to see every column";
        w.parentNode.insertBefore(hint, w);
      } else if (!wide && has) {
        hint.parentNode.removeChild(hint);
      }
    });
  }
  window.addEventListener("resize", markScrollers);
  document.addEventListener("toggle", markScrollers, true);
  markScrollers();

  if (panel) {
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
        apply();
      });
    });
    document.getElementById("filter-reset").addEventListener("click", reset);
    document.getElementById("cards-open").addEventListener("click", function () { setOpen(true); });
    document.getElementById("cards-close").addEventListener("click", function () { setOpen(false); });
    panel.hidden = false;
    apply();
  }
  reveal();
})();
