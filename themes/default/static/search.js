/* The search page: loads Pagefind's UI from the bundle the build wrote and
 * mounts it on #search.  The index is in shards (bundle/shards.json lists their
 * folders): the first is the primary index, the others are merged into it.  Everything it needs comes from data attributes:
 *   data-bundle       URL of the Pagefind bundle ("/blog/pagefind/")
 *   data-base-url     the site's base path, prefixed to every result URL
 *   data-placeholder  the search box placeholder, in the page's language
 *   data-many-results the line over two or more results ([COUNT], [SEARCH_TERM])
 *                     (both only where the site speaks the language: Pagefind's own otherwise)
 *   data-unavailable  what to say when the bundle is missing
 * A query in the address (search/?q=tides) is run on load, and the address
 * follows what is typed, so a search can be bookmarked or shared. */
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) return;
  var data = root.dataset;
  var bundle = data.bundle || "/pagefind/";
  if (bundle.charAt(bundle.length - 1) !== "/") bundle += "/";

  function unavailable() {
    var note = document.createElement("p");
    note.className = "search-unavailable";
    note.textContent = data.unavailable || "Search is not available.";
    root.replaceChildren(note);
    root.setAttribute("data-search-state", "unavailable");
  }

  function followQuery() {
    if (!window.history || !window.history.replaceState) return;
    root.addEventListener("input", function (event) {
      var input = event.target;
      if (!input || input.tagName !== "INPUT") return;
      var url = new URL(window.location.href);
      if (input.value) url.searchParams.set("q", input.value);
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.toString());
    });
  }

  function mount(shards) {
    if (typeof window.PagefindUI !== "function" || !shards.length) {
      unavailable();
      return;
    }
    var baseUrl = data.baseUrl || "/";
    var options = {
      element: "#search",
      bundlePath: bundle + shards[0],
      baseUrl: baseUrl,
      mergeIndex: shards.slice(1).map(function (shard) {
        return { bundlePath: bundle + shard, baseUrl: baseUrl };
      }),
      showSubResults: true,
      showImages: false,
      autofocus: true
    };
    options.translations = {};
    if (data.placeholder) options.translations.placeholder = data.placeholder;
    if (data.manyResults) options.translations.many_results = data.manyResults;
    var ui = new window.PagefindUI(options);
    // Pagefind's box has a title but no label: name it, for screen readers (axe: label-title-only)
    var label = function () {
      var input = root.querySelector("input");
      if (input && !input.hasAttribute("aria-label")) input.setAttribute("aria-label", data.placeholder || "Search");
    };
    label();
    new MutationObserver(label).observe(root, { childList: true, subtree: true });
    root.setAttribute("data-search-state", "ready");
    followQuery();
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  }

  function load(shards) {
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = bundle + "pagefind-ui.css";
    document.head.appendChild(style);

    var script = document.createElement("script");
    script.src = bundle + "pagefind-ui.js";
    script.onload = function () { mount(shards); };
    script.onerror = unavailable;
    document.head.appendChild(script);
  }

  fetch(bundle + "shards.json", { cache: "no-cache" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (list) {
      var shards = (list && list.shards) || [];
      if (!Array.isArray(shards)) throw new Error("shards.json");
      load(shards.filter(function (s) { return typeof s === "string" && /^[0-9]+\/$/.test(s); }));
    })
    .catch(unavailable);
})();
