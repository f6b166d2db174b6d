/* counterpoint: refinements for the essay page.  Without this script the page is
   complete (remarks sit in the margin or under their block); with it remarks are
   placed beside their claims, claims and remarks highlight each other, phones get
   a marker button per claim, and what is new since the last visit is marked. */
(function () {
  "use strict";
  // keyed by the site's path too when it is not at the root: two sites under one origin (a GitHub
  // Pages user's project sites, /a/ and /b/) share the browser's storage. The path is where this
  // script is served from (BASE/static/counterpoint.js); a site at the root keeps the plain key.
  var script = document.currentScript && document.currentScript.src ? new URL(document.currentScript.src).pathname : "/";
  var base = script.replace(/static\/counterpoint\.js$/, "");
  var KEY = "counterpoint:last-visit:" + (base === "/" ? "" : base);

  // The last visit of an essay, in ms since the epoch (null on the first visit);
  // this visit is recorded as the next one's reference, to the minute.
  function visit(slug) {
    var last = null;
    try {
      last = localStorage.getItem(KEY + slug);
      localStorage.setItem(KEY + slug, new Date().toISOString().slice(0, 16) + "Z");
    } catch (e) { return null; }
    return last ? Date.parse(last) : null;
  }
  function lastVisit(slug) {
    try { var last = localStorage.getItem(KEY + slug); return last ? Date.parse(last) : null; } catch (e) { return null; }
  }

  // ---- listings: "N new since your visit" per essay (each essay's publication times are on its card) ----
  Array.prototype.forEach.call(document.querySelectorAll(".new-since[data-published]"), function (el) {
    var last = lastVisit(el.getAttribute("data-essay"));
    if (last === null) return;
    var n = el.getAttribute("data-published").split(" ").filter(function (t) { return t && Date.parse(t) > last; }).length;
    if (!n) return;
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(el.closest("[lang]") ? el.closest("[lang]").lang : "en") : null;
    var category = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    el.textContent = (el.getAttribute("data-label-" + category) || el.getAttribute("data-label-other") || "{n} new").replace("{n}", n);
    el.hidden = false;
  });

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

  // ---- claims and their remarks (stance colours, counts and note numbers are in the HTML) ----
  $$(":scope > .remark").forEach(function (remark) {
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
  });

  order.forEach(function (id) {
    var claim = claims[id];
    var count = body.querySelector('.claim-count[data-for="' + CSS.escape(id) + '"]');
    // the count the build wrote after the claim's last part becomes the marker: an inline
    // element after a word joiner, so it never wraps onto a line alone
    var button = count || document.createElement("a");
    if (!count) { button.className = "claim-count"; button.textContent = claim.remarks.length; claim.remarks[0].before(button); }
    button.classList.add("claim-marker");
    button.setAttribute("role", "button");
    button.setAttribute("data-for", id);
    button.setAttribute("aria-label", (body.getAttribute("data-label-remarks") || "Remarks") + ": " + claim.remarks.length);
    button.setAttribute("aria-controls", claim.remarks.map(function (r) { return r.id; }).join(" "));
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function (e) { e.preventDefault(); markerClicked(claim); });
    button.addEventListener("keydown", function (e) {
      if (e.key === " ") { e.preventDefault(); markerClicked(claim); }
    });
    claim.button = button;
  });

  // ---- stacks: three or more remarks after one block fold behind "N more" ----
  var stacks = [];
  (function () {
    var run = [];
    function close() {
      var members = run;
      run = [];
      if (members.length >= 3) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "stack-more";
        var n = members.length - 1;
        more.textContent = label("more-remarks", n);
        var stack = { remarks: members, more: more, open: false };
        more.setAttribute("aria-expanded", "false");
        more.setAttribute("aria-controls", members.slice(1).map(function (r) { return r.id; }).join(" "));
        more.addEventListener("click", function () {
          stack.open = true;
          more.setAttribute("aria-expanded", "true");
          layout();
          members[1].focus({ preventScroll: true });
        });
        members[0].after(more);
        stacks.push(stack);
      }
    }
    Array.prototype.forEach.call(body.children, function (child) {
      if (child.classList.contains("remark")) run.push(child);
      else if (child.tagName !== "BUTTON") close();
    });
    close();
  })();

  function label(name, n) {
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(article.getAttribute("lang") || root.lang || "en") : null;
    var category = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    var text = body.getAttribute("data-label-" + name + "-" + category) || body.getAttribute("data-label-" + name + "-other") || "{n} more";
    return text.replace("{n}", n);
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

  var expanded = {};  // remark id -> shown whole although it had been made compact
  function layout() {
    var margin = isMargin();
    var remarks = $$(".essay-body > .remark");
    var mores = stacks.map(function (s) { return s.more; });
    if (!margin) {
      remarks.concat(mores).forEach(function (r) {
        r.style.top = "";
        r.classList.remove("is-grouped", "is-compact", "is-folded", "is-far");
      });
      expandedStates();
      return;
    }
    var folded = {};
    stacks.forEach(function (s) {
      s.remarks.slice(1).forEach(function (r) { folded[r.id] = !s.open; });
      s.more.hidden = s.open;
    });
    // read everything first, then write: full and compact heights of each remark
    remarks.forEach(function (r) { r.classList.remove("is-compact", "is-far"); r.classList.toggle("is-folded", !!folded[r.id]); });
    var full = remarks.map(function (r) { return r.offsetHeight; });
    remarks.forEach(function (r) { r.classList.add("is-compact"); });
    var compact = remarks.map(function (r) { return r.offsetHeight; });
    remarks.forEach(function (r) { r.classList.remove("is-compact"); });
    var base = body.getBoundingClientRect().top;
    var reach = Math.min(innerHeight, 900);  // no remark starts more than a screen below its claim
    var items = remarks.map(function (remark, index) {
      var claim = claims[remark.getAttribute("data-target")];
      return {
        el: remark, index: index, target: remark.getAttribute("data-target"),
        top: claim ? claimTop(claim) - base : remark.offsetTop,
        full: full[index], compact: compact[index], folded: !!folded[remark.id]
      };
    });
    stacks.forEach(function (s) {
      if (s.open) return;
      var first = items[remarks.indexOf(s.remarks[0])];
      items.push({ el: s.more, index: first.index + 0.5, target: first.target, top: first.top, full: s.more.offsetHeight, compact: s.more.offsetHeight, more: true });
    });
    items.sort(function (a, b) { return a.top - b.top || a.index - b.index; });
    var toc = body.querySelector(":scope > .toc");  // the table of contents holds the margin's top
    var bottom = toc ? toc.offsetTop + toc.offsetHeight : -Infinity, previous = null;
    items.forEach(function (item) {
      if (item.folded) { item.el.style.top = ""; return; }
      var grouped = previous === item.target;
      var top = Math.max(item.top, bottom + (grouped ? GROUP_GAP : GAP));
      var height = item.full;
      var state = "";
      if (!item.more && top - item.top > reach / 2 && !expanded[item.el.id]) {
        state = "is-compact";
        height = item.compact;
      }
      if (top - item.top > reach && !expanded[item.el.id]) state = "is-far";  // not even a compact marker fits: its claim's count leads to it
      item.el.classList.toggle("is-compact", state === "is-compact");
      item.el.classList.toggle("is-far", state === "is-far");
      item.el.style.top = Math.round(top) + "px";
      if (!item.more) item.el.classList.toggle("is-grouped", grouped);
      if (state !== "is-far") { bottom = top + height; previous = item.target; }
    });
    expandedStates();
  }

  // a claim's count is "expanded" while all of its remarks are shown: unfolded on a phone; in the margin,
  // none folded into a stack or left out far below its claim
  function expandedStates() {
    var margin = isMargin();
    order.forEach(function (id) {
      var claim = claims[id];
      var shown = margin ? claim.remarks.every(function (r) { return !r.classList.contains("is-folded") && !r.classList.contains("is-far"); }) : claim.open;
      claim.button.setAttribute("aria-expanded", shown ? "true" : "false");
    });
  }

  // a compact remark opens whole when clicked or focused (Tab into its head shows its status and words)
  body.addEventListener("click", function (e) {
    var remark = e.target.closest && e.target.closest(".remark.is-compact");
    if (!remark) return;
    if (!e.target.closest("a")) e.preventDefault();
    expanded[remark.id] = true;
    layout();
  });
  body.addEventListener("focusin", function (e) {
    var remark = e.target.closest && e.target.closest(".remark.is-compact");
    if (!remark) return;
    expanded[remark.id] = true;
    layout();
  });

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
    expandedStates();
  }
  // a remark folded into a stack or made compact is shown whole when something leads to it
  function reveal(remark) {
    stacks.forEach(function (s) {
      if (s.remarks.indexOf(remark) > 0 && !s.open) { s.open = true; s.more.setAttribute("aria-expanded", "true"); }
    });
    expanded[remark.id] = true;
    layout();
  }
  function markerClicked(claim) {
    if (isMargin()) {
      claim.remarks.forEach(reveal);
      claim.remarks[0].focus({ preventScroll: true });
      if (!inView(claim.remarks[0])) claim.remarks[0].scrollIntoView({ block: "nearest", behavior: motion() });
      return;
    }
    setOpen(claim, !claim.open);
  }
  // Escape in a remark goes back to its claim's count (where Enter came from); on a phone it folds the remarks
  body.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    var remark = e.target.closest && e.target.closest(".remark");
    var claim = remark && claims[remark.getAttribute("data-target")];
    if (!claim) return;
    if (!isMargin()) setOpen(claim, false);
    claim.button.focus();
  });
  // tapping the claim's own words opens its remarks too (a link inside the claim stays a link)
  body.addEventListener("click", function (e) {
    if (isMargin() || !e.target.closest || e.target.closest("a, button, .remark")) return;
    var id = claimOf(e.target);
    if (id && claims[id] && !(window.getSelection && String(getSelection()).length)) setOpen(claims[id], !claims[id].open);
  });
  // a glide to the remark, unless the reader asked the system for less motion
  function motion() {
    return window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
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
    if (element.classList.contains("remark")) reveal(element);
    else claim.remarks.forEach(reveal);
    targeted = claim.parts.concat(element.classList.contains("remark") ? [element] : claim.remarks);
    targeted.forEach(function (el) { el.classList.add("is-target"); });
    layout();
    element.scrollIntoView({ block: isMargin() ? "center" : "start" });
  }
  addEventListener("hashchange", openHash);

  // ---- new since the last visit: what first appeared on the site after it, to the minute ----
  function markNew() {
    var last = visit(article.getAttribute("data-essay") || location.pathname);
    if (last === null) return;
    var label = body.getAttribute("data-label-new") || "new";
    $$(".remark[data-published], .upd[data-published], .critique[data-published], .reply[data-published]", article).forEach(function (el) {
      if (!(Date.parse(el.getAttribute("data-published")) > last)) return;
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
