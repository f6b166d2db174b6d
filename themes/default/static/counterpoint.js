/* counterpoint: refinements for the essay page.  Without this script the page is
   complete (remarks sit in the margin or under their block); with it remarks are
   placed beside their claims, claims and remarks highlight each other, phones get
   a marker button per claim, and what is new since the last visit is marked. */
(function () {
  "use strict";
  var body = document.querySelector(".essay > .essay-body");
  if (!body) return;
  var root = document.documentElement;
  root.classList.add("cp-js");

  var article = body.parentElement;
  var STRENGTH = ["refutes", "disputes", "questions", "notes", "supports"];
  var GAP = 10, GROUP_GAP = 3;
  var claims = {};   // claim id -> {id, parts, remarks, button, open}
  var order = [];    // claim ids in document order

  function $$(selector, scope) {
    return Array.prototype.slice.call((scope || body).querySelectorAll(selector));
  }

  // ---- claims and their remarks ----
  $$(":scope > .remark").forEach(function (remark, index) {
    var id = remark.getAttribute("data-target");
    var claim = claims[id];
    if (!claim) {
      var parts = $$('[data-claim="' + CSS.escape(id) + '"]');
      if (!parts.length) return;
      claim = claims[id] = { id: id, parts: parts, remarks: [], open: false };
      order.push(id);
    }
    claim.remarks.push(remark);
    remark.tabIndex = -1;
    remark.setAttribute("data-note", index + 1);
  });

  order.forEach(function (id) {
    var claim = claims[id];
    var stances = claim.remarks.map(function (r) { return r.getAttribute("data-stance"); });
    var mark = STRENGTH.filter(function (s) { return stances.indexOf(s) >= 0; })[0] || "notes";
    claim.parts.forEach(function (part) { part.setAttribute("data-mark", mark); });
    var first = +claim.remarks[0].getAttribute("data-note");
    var last = first + claim.remarks.length - 1;
    var notes = first === last ? String(first) : first + "\u2013" + last;
    claim.parts[claim.parts.length - 1].setAttribute("data-notes", notes);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "claim-marker";
    button.textContent = claim.remarks.length;
    button.setAttribute("data-for", id);
    button.setAttribute("data-stance", mark);
    button.setAttribute("aria-label", (body.getAttribute("data-label-remarks") || "Remarks") + ": " + claim.remarks.length);
    button.setAttribute("aria-controls", claim.remarks.map(function (r) { return r.id; }).join(" "));
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () { markerClicked(claim); });
    placeButton(claim.parts[claim.parts.length - 1], button, claim.remarks[0]);
    claim.button = button;
  });

  function placeButton(part, button, firstRemark) {
    if (part.tagName === "SPAN") { part.after(button); return; }
    var holders = part.matches("p, li, dd, dt, td, th, h1, h2, h3, h4, h5, h6")
      ? [part] : $$("p, li, dd, td, h1, h2, h3, h4, h5, h6", part);
    var holder = holders[holders.length - 1];
    if (holder) holder.appendChild(button);
    else firstRemark.before(button);
  }

  // ---- layout: remarks in the margin beside their claims ----
  function isMargin() {
    return getComputedStyle(body).getPropertyValue("--cp-layout").trim() === "margin";
  }

  function claimTop(claim) {
    var rects = claim.parts[0].getClientRects();
    return (rects.length ? rects[0] : claim.parts[0].getBoundingClientRect()).top;
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(function () { scheduled = false; layout(); });
  }

  function layout() {
    var margin = isMargin();
    order.forEach(function (id) {
      var claim = claims[id];
      claim.button.setAttribute("aria-expanded", margin || claim.open ? "true" : "false");
    });
    var remarks = $$(".essay-body > .remark");
    if (!margin) {
      remarks.forEach(function (r) { r.style.top = ""; r.classList.remove("is-grouped"); });
      body.style.minHeight = "";
      return;
    }
    // read everything first, then write
    var base = body.getBoundingClientRect().top;
    var items = remarks.map(function (remark, index) {
      var claim = claims[remark.getAttribute("data-target")];
      return {
        remark: remark,
        index: index,
        target: remark.getAttribute("data-target"),
        top: claim ? claimTop(claim) - base : remark.offsetTop,
        height: remark.offsetHeight
      };
    });
    items.sort(function (a, b) { return a.top - b.top || a.index - b.index; });
    var toc = body.querySelector(":scope > .toc");  // the table of contents holds the margin's top
    var bottom = toc ? toc.offsetTop + toc.offsetHeight : -Infinity, previous = null;
    items.forEach(function (item) {
      var grouped = previous === item.target;
      var top = Math.max(item.top, bottom + (grouped ? GROUP_GAP : GAP));
      item.remark.style.top = Math.round(top) + "px";
      item.remark.classList.toggle("is-grouped", grouped);
      bottom = top + item.height;
      previous = item.target;
    });
    body.style.minHeight = items.length ? Math.ceil(bottom) + "px" : "";
  }

  // ---- highlighting: claim <-> remarks ----
  var hovered = null, focused = null, linked = [];
  function claimOf(element) {
    if (!element || !element.closest) return null;
    var remark = element.closest(".remark");
    if (remark) return remark.getAttribute("data-target");
    var marker = element.closest(".claim-marker");
    if (marker) return marker.getAttribute("data-for");
    for (var node = element.closest("[data-claim]"); node; node = node.parentElement && node.parentElement.closest("[data-claim]")) {
      if (claims[node.getAttribute("data-claim")]) return node.getAttribute("data-claim");
    }
    return null;
  }
  function pieces(id) {
    var claim = claims[id];
    return claim ? claim.parts.concat(claim.remarks, [claim.button]) : [];
  }
  function refresh() {
    linked.forEach(function (el) { el.classList.remove("is-linked"); });
    linked = pieces(hovered).concat(focused === hovered ? [] : pieces(focused));
    linked.forEach(function (el) { el.classList.add("is-linked"); });
  }
  body.addEventListener("mouseover", function (e) {
    var id = claimOf(e.target);
    if (id !== hovered) { hovered = id; refresh(); }
  });
  body.addEventListener("mouseleave", function () { hovered = null; refresh(); });
  body.addEventListener("focusin", function (e) { focused = claimOf(e.target); refresh(); });
  body.addEventListener("focusout", function (e) {
    if (!body.contains(e.relatedTarget)) { focused = null; refresh(); }
  });

  // ---- phones: the marker folds and unfolds the remarks ----
  function setOpen(claim, open) {
    claim.open = open;
    claim.remarks.forEach(function (r) { r.classList.toggle("is-open", open); });
    claim.button.setAttribute("aria-expanded", open || isMargin() ? "true" : "false");
  }
  function markerClicked(claim) {
    if (isMargin()) {
      claim.remarks[0].focus({ preventScroll: true });
      if (!inView(claim.remarks[0])) claim.remarks[0].scrollIntoView({ block: "nearest", behavior: "smooth" });
      return;
    }
    setOpen(claim, !claim.open);
  }
  function inView(el) {
    var r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight;
  }

  // ---- permalinks: #claim-id and #remark-… highlight the pair ----
  var targeted = [];
  function openHash() {
    targeted.forEach(function (el) { el.classList.remove("is-target"); });
    targeted = [];
    var id = location.hash ? decodeURIComponent(location.hash.slice(1)) : "";
    var element = id && document.getElementById(id);
    if (!element || !body.contains(element)) return;
    var claimId = element.classList.contains("remark") ? element.getAttribute("data-target") : element.getAttribute("data-claim");
    var claim = claims[claimId];
    if (!claim) return;
    setOpen(claim, true);
    targeted = claim.parts.concat(element.classList.contains("remark") ? [element] : claim.remarks);
    targeted.forEach(function (el) { el.classList.add("is-target"); });
    layout();
    element.scrollIntoView({ block: isMargin() ? "center" : "start" });
  }
  addEventListener("hashchange", openHash);

  // ---- new since the last visit ----
  function markNew() {
    var key = "counterpoint:last-visit:" + (article.getAttribute("data-essay") || location.pathname);
    var now = new Date();
    var today = [now.getFullYear(), now.getMonth() + 1, now.getDate()]
      .map(function (n) { return n < 10 ? "0" + n : String(n); }).join("-");
    var last = null;
    try {
      last = localStorage.getItem(key);
      localStorage.setItem(key, today);
    } catch (e) { return; }
    if (!last) return;
    var label = body.getAttribute("data-label-new") || "new";
    $$(".remark[data-date], .upd[data-date], .critique[data-date], .reply[data-date]", article).forEach(function (el) {
      if (el.getAttribute("data-date") <= last) return;
      el.classList.add("is-new");
      var head = el.querySelector(".remark-head, .upd-head, .critique-head h3, .reply-head");
      if (!head) return;
      var badge = document.createElement("span");
      badge.className = "new-badge";
      badge.textContent = label;
      head.appendChild(badge);
    });
  }

  // ---- code and tables that scroll get a keyboard stop ----
  function scrollers() {
    $$("pre, table").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) el.tabIndex = 0;
      else el.removeAttribute("tabindex");
    });
  }

  markNew();
  layout();
  scrollers();
  openHash();
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(schedule);
    observer.observe(body);
    $$(".essay-body > .remark").forEach(function (r) { observer.observe(r); });
  }
  addEventListener("resize", function () { schedule(); scrollers(); });
  addEventListener("load", schedule);
  if (document.fonts) document.fonts.ready.then(schedule);
  $$("img").forEach(function (img) { if (!img.complete) img.addEventListener("load", schedule); });
})();
