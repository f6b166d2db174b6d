/* counterpoint: "Critique this passage".  Loaded only when site.yml names a channel
   (critiques: github / email).  Selecting text in the essay shows a small button; it opens
   a panel holding a critique in counterpoint's own format (front matter with the essay and
   today's date, '::: on "passage"' with room to write), which the reader sends as a GitHub
   issue, an e-mail, or copies.  Nothing leaves the page until the reader picks a channel.
   The passage is trimmed the way the build anchors quotes: the essay's text with whitespace
   collapsed, within one block, and occurring once. */
(function () {
  "use strict";
  var config = document.getElementById("cp-critique");
  var body = document.querySelector(".essay > .essay-body");
  if (!config || !body || !(config.dataset.github || config.dataset.email)) return;
  var data = config.dataset;
  var URL_LIMIT = 7500;      // GitHub answers 414 above about 8 KB
  var MAILTO_LIMIT = 1900;   // mail programs cut longer mailto: links
  var QUOTE_LIMIT = 300;     // characters of the passage at most
  var SKIP = "aside.remark, button, pre, script, style, .upd-head, .upd-corrects, .footnote-ref, " +
    ".footnote-backref, .corrected-mark, .claim-count, .claim-marker, .cp-critique-control";
  var BLOCK = "p, li, h1, h2, h3, h4, h5, h6, td, th, dt, dd, figcaption, caption, blockquote, section, div";

  // ---- the essay's text, as the build's anchoring sees it ----
  function textModel() {
    var nodes = [], raw = "", lastBlock = null;
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        if (node.nodeType === 3 || node.tagName === "BR") return NodeFilter.FILTER_ACCEPT;  // a <br> reads as a space
        return node.matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP;
      }
    });
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var block = (node.nodeType === 1 ? node : node.parentElement).closest(BLOCK);
      if (block !== lastBlock) { raw += "\u0000"; lastBlock = block; }
      var text = node.nodeType === 1 ? " " : node.data.replace(/\u2060/g, "");
      nodes.push({ node: node, start: raw.length, text: text });
      raw += text;
    }
    return { nodes: nodes, raw: raw };
  }

  function collapse(text) { return text.replace(/\s+/g, " ").trim(); }

  function occurrences(haystack, needle) {
    var count = 0, at = haystack.indexOf(needle);
    while (at !== -1 && count < 2) { count++; at = haystack.indexOf(needle, at + 1); }
    return count;
  }

  function offsetOf(model, container, offset) {
    for (var i = 0; i < model.nodes.length; i++) {
      var item = model.nodes[i];
      if (item.node === container) return item.start + Math.min(offset, item.text.length);
    }
    // an element boundary: the first text at or after it
    var probe = document.createRange();
    probe.setStart(container, offset);
    for (var j = 0; j < model.nodes.length; j++) {
      if (probe.comparePoint(model.nodes[j].node, 0) >= 0) return model.nodes[j].start;
    }
    return model.raw.length;
  }

  /* The selected passage: within the block where the selection starts, whitespace collapsed,
     at most QUOTE_LIMIT characters, and widened word by word until it occurs once. */
  function passage(range) {
    var model = textModel();
    var start = offsetOf(model, range.startContainer, range.startOffset);
    var end = offsetOf(model, range.endContainer, range.endOffset);
    if (end <= start) return "";
    var blockStart = model.raw.lastIndexOf("\u0000", start) + 1;
    var blockEnd = model.raw.indexOf("\u0000", start);
    if (blockEnd === -1) blockEnd = model.raw.length;
    if (!collapse(model.raw.slice(start, Math.min(end, blockEnd)))) {
      // the selection starts in a gap between blocks: begin at the next block
      start = blockEnd + 1; blockStart = start;
      blockEnd = model.raw.indexOf("\u0000", start);
      if (blockEnd === -1) blockEnd = model.raw.length;
    }
    var block = model.raw.slice(blockStart, blockEnd);
    var words = [];
    block.replace(/\S+/g, function (word, at) { words.push({ s: blockStart + at, e: blockStart + at + word.length }); });
    var first = 0, last = words.length - 1;
    while (first < words.length && words[first].e <= start) first++;
    while (last >= 0 && words[last].s >= Math.min(end, blockEnd)) last--;
    if (first > last) return "";
    var all = model.raw.split("\u0000").map(collapse).join("\u0000");
    function span(a, b) { return collapse(model.raw.slice(words[a].s, words[b].e)); }
    while (last > first && span(first, last).length > QUOTE_LIMIT) last--;
    var quote = span(first, last);
    while (occurrences(all, quote) > 1 && (last < words.length - 1 || first > 0)) {
      if (last < words.length - 1) last++; else first--;
      quote = span(first, last);
    }
    return quote.length >= 3 ? quote : "";
  }

  // ---- the critique ----
  function today() {
    var now = new Date();
    return [now.getFullYear(), now.getMonth() + 1, now.getDate()]
      .map(function (n) { return n < 10 ? "0" + n : String(n); }).join("-");
  }

  function draft(target) {
    var url = /^https?:/.test(data.url) ? data.url : location.origin + data.url;
    return "---\nessay: " + data.essay + "\ndate: " + today() + "\nurl: " + url + "\n---\n\n" +
      "::: on " + target + "\n\n:::\n";
  }

  function short(text, size) { return text.length > size ? text.slice(0, size - 1) + "\u2026" : text; }

  // ---- the button beside a selection ----
  var control = document.createElement("button");
  control.type = "button";
  control.className = "cp-critique-control";
  control.textContent = data.labelPassage;
  control.hidden = true;
  var live = document.createElement("p");
  live.className = "cp-critique-live";
  live.setAttribute("aria-live", "polite");
  document.body.appendChild(live);
  var pending = null;  // {target, label} for the panel

  function hideControl() {
    // kept while focused, and while the panel it opened is open: closing the panel returns focus to it
    if (document.activeElement === control || (panel && !panel.hidden && opener === control)) return;
    control.hidden = true;
    pending = null;
  }

  function showControl(range, quote) {
    var rects = range.getClientRects();
    var rect = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    var topBlock = range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement;
    while (topBlock && topBlock.parentElement !== body) topBlock = topBlock.parentElement;
    if (topBlock) topBlock.after(control); else body.appendChild(control);  // next in the tab order
    var wasHidden = control.hidden;
    control.hidden = false;
    var origin = (control.offsetParent || document.body).getBoundingClientRect();
    var width = control.offsetWidth;
    var left = Math.min(Math.max(rect.left, 8), document.documentElement.clientWidth - width - 8);
    control.style.left = Math.round(left - origin.left) + "px";
    control.style.top = Math.round(rect.bottom - origin.top + 8) + "px";
    pending = { target: '"' + quote + '"', title: quote };
    if (wasHidden) live.textContent = data.labelPassage;
  }

  var timer = 0;
  function selectionChanged() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var selection = getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { hideControl(); return; }
      var range = selection.getRangeAt(0);
      var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
      if (!body.contains(range.commonAncestorContainer) && !body.contains(start)) { hideControl(); return; }
      if (start.closest(SKIP)) { hideControl(); return; }
      var quote = passage(range);
      if (quote) showControl(range, quote); else hideControl();
    }, 120);
  }
  document.addEventListener("selectionchange", selectionChanged);
  control.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the selection
  control.addEventListener("click", function () { if (pending) openPanel(pending, control); });

  // ---- "critique this claim" on every remark ----
  Array.prototype.forEach.call(body.querySelectorAll("aside.remark"), function (remark) {
    var id = remark.getAttribute("data-target");
    var parts = body.querySelectorAll('[data-claim="' + CSS.escape(id) + '"]');
    if (!parts.length) return;
    var authored = document.getElementById(id) === parts[0] && id.indexOf("q-") !== 0;
    var text = collapse(Array.prototype.map.call(parts, function (p) { return p.textContent; }).join(" "));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cp-critique-claim";
    button.textContent = data.labelClaim;
    button.addEventListener("click", function () {
      openPanel({ target: authored ? "#" + id : '"' + short(text, QUOTE_LIMIT) + '"', title: text }, button);
    });
    (remark.querySelector(".remark-foot") || remark).appendChild(button);
  });

  // ---- the panel ----
  var panel = null, opener = null;
  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function buildPanel() {
    panel = make("section", "cp-critique-panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "cp-critique-heading");
    var heading = make("h2", "", data.labelHeading);
    heading.id = "cp-critique-heading";
    var help = make("p", "cp-critique-help", data.labelHelp);
    help.id = "cp-critique-help";
    var area = make("textarea");
    area.id = "cp-critique-text";
    area.rows = 9;
    area.spellcheck = true;
    area.setAttribute("aria-labelledby", "cp-critique-heading");
    area.setAttribute("aria-describedby", "cp-critique-help");
    var actions = make("p", "cp-critique-actions");
    if (data.github) {
      var github = make("a", "cp-critique-send cp-critique-github", data.labelGithub);
      github.target = "_blank";
      github.rel = "noopener";
      github.addEventListener("click", function () { github.href = githubLink(true); });
      actions.appendChild(github);
    }
    if (data.email) {
      var email = make("a", "cp-critique-send cp-critique-email", data.labelEmail);
      email.addEventListener("click", function () { email.href = mailLink(true); });
      actions.appendChild(email);
    }
    var copy = make("button", "cp-critique-copy", data.labelCopy);
    copy.type = "button";
    copy.addEventListener("click", function () { copyText(area.value); });
    actions.appendChild(copy);
    var close = make("button", "cp-critique-close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", data.labelClose);
    close.addEventListener("click", closePanel);
    var status = make("p", "cp-critique-status");
    status.setAttribute("role", "status");
    panel.append(close, heading, help, area, actions, status);
    area.addEventListener("input", refreshLinks);
    // Escape closes the panel wherever the focus is (it does not trap focus: Tab goes on into the page);
    // first, before the page's own Escape (a remark's, back to its claim) acts on the same key
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || panel.hidden) return;
      e.preventDefault();
      closePanel();
    }, true);
    // what gets focus in the page scrolls clear of the panel (a sheet over the lower screen on a phone)
    if ("ResizeObserver" in window) new ResizeObserver(clearance).observe(panel);
    addEventListener("resize", clearance);
    document.body.appendChild(panel);
  }

  function clearance() {
    var below = panel.hidden ? 0 : innerHeight - panel.getBoundingClientRect().top;
    document.documentElement.style.scrollPaddingBottom = below > 0 ? Math.ceil(below + 8) + "px" : "";
  }

  function part(name) { return panel.querySelector(name); }
  function say(text) { part(".cp-critique-status").textContent = text; }

  function issueTitle() { return short(data.essayTitle + ": \u201c" + panel.getAttribute("data-title") + "\u201d", 120); }

  // the text, or when the link would be too long, the prefilled part alone (the whole is copied on click)
  function bounded(limit, build, onClick) {
    var text = part("textarea").value;
    var link = build(text);
    if (link.length <= limit) return link;
    if (onClick) { copyText(text); say(data.labelTooLong); }
    return build(panel.getAttribute("data-draft"));
  }

  function githubLink(onClick) {
    return bounded(URL_LIMIT, function (text) {
      return "https://github.com/" + data.github + "/issues/new?title=" + encodeURIComponent(issueTitle()) +
        "&labels=" + encodeURIComponent("essay:" + data.essay) + "&body=" + encodeURIComponent(text);
    }, onClick);
  }

  function mailLink(onClick) {
    return bounded(MAILTO_LIMIT, function (text) {
      return "mailto:" + data.email + "?subject=" + encodeURIComponent(data.labelSubject + ": " + issueTitle()) +
        "&body=" + encodeURIComponent(text);
    }, onClick);
  }

  function refreshLinks() {
    var github = part(".cp-critique-github"), email = part(".cp-critique-email");
    if (github) github.href = githubLink(false);
    if (email) email.href = mailLink(false);
  }

  function copyText(text) {
    function fallback() {
      var area = part("textarea");
      area.focus();
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      say(done ? data.labelCopied : data.labelCopyFailed);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(data.labelCopied); }, fallback);
    } else {
      fallback();
    }
  }

  function openPanel(what, from) {
    if (!panel) buildPanel();
    opener = from;
    var text = draft(what.target);
    panel.setAttribute("data-draft", text);
    panel.setAttribute("data-title", short(what.title, 60));
    var area = part("textarea");
    area.value = text;
    say("");
    refreshLinks();
    panel.hidden = false;
    clearance();
    var caret = text.lastIndexOf("\n\n:::") + 1;  // the empty line inside the remark: room to write
    area.focus();
    area.setSelectionRange(caret, caret);
  }

  function closePanel() {
    var inside = panel.contains(document.activeElement);
    panel.hidden = true;
    clearance();
    // focus goes back where it came from, unless the reader had already moved on into the page
    if (inside && opener && document.contains(opener) && !opener.hidden) opener.focus();
  }
})();
