// counterpoint dev server: live reload, stylesheet swap and the build-error overlay.
// Injected by `counterpoint serve` into every HTML response; never part of `build` output.
// Events (Server-Sent Events from /__counterpoint/events):
//   hello  {epoch, ok}  on every (re)connection: reload if the site changed meanwhile
//   reload {epoch}      a build changed pages: reload, keeping the scroll position
//   css    {epoch}      a build changed only stylesheets: swap them without a reload
//   ok     {epoch}      a build succeeded without changing anything: drop the overlay
//   error  {errors}     a build failed: show every error over the last good page
(() => {
  "use strict";
  if (window.__counterpointReload) return;
  // State for curious humans and browser tests: `connected` turns true with the server's
  // hello, after which no build can be missed.
  const state = (window.__counterpointReload = { connected: false, epoch: null });

  const EVENTS = "/__counterpoint/events";
  const SCROLL_KEY = "counterpoint:scroll:" + location.pathname;
  const OVERLAY_ID = "counterpoint-error-overlay";
  const me = document.currentScript;
  let epoch = (me && me.dataset.epoch) || null;
  state.epoch = epoch;
  let source = null;
  let retry = null;
  let delay = 1000;

  // -- scroll position across reloads --------------------------------------------------
  function saveScroll() {
    try { sessionStorage.setItem(SCROLL_KEY, String(window.scrollY)); } catch (e) { /* private mode */ }
  }
  function restoreScroll() {
    let saved = null;
    try {
      saved = sessionStorage.getItem(SCROLL_KEY);
      sessionStorage.removeItem(SCROLL_KEY);
    } catch (e) { return; }
    if (saved === null) return;
    const y = Number(saved) || 0;
    const go = () => window.scrollTo(0, y);
    go();  // now, to avoid a visible jump, and again once images have their size
    if (document.readyState === "complete") requestAnimationFrame(go);
    else window.addEventListener("load", go, { once: true });
  }
  function reload() {
    saveScroll();
    location.reload();
  }

  // -- stylesheets ------------------------------------------------------------------------
  function swapStylesheets(tag) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      const url = new URL(link.getAttribute("href"), location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("counterpoint", tag);
      link.href = url.pathname + url.search + url.hash;
    }
  }

  // -- error overlay (in a shadow root, so the site's CSS cannot hide or restyle it) -------
  function hideErrors() {
    const host = document.getElementById(OVERLAY_ID);
    if (host) host.remove();
  }
  function showErrors(errors) {
    hideErrors();
    const host = document.createElement("div");
    host.id = OVERLAY_ID;
    host.setAttribute("role", "alertdialog");
    host.setAttribute("aria-label", "counterpoint: the build failed");
    // The host itself is the fixed full-window layer; inline !important beats any site CSS.
    for (const [name, value] of [["all", "initial"], ["display", "block"], ["position", "fixed"], ["inset", "0"],
                                 ["z-index", "2147483647"]]) {
      host.style.setProperty(name, value, "important");
    }
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = `
      .box { position: absolute; inset: 0; overflow: auto; box-sizing: border-box;
             padding: 2rem clamp(1rem, 4vw, 3rem); background: rgba(24, 24, 27, 0.96); color: #f4f4f5;
             font: 14px/1.55 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
             color-scheme: dark; }
      h2 { font: inherit; font-size: 16px; font-weight: bold; margin: 0 3rem 0.25rem 0; color: #fca5a5; }
      p { margin: 0 0 1.25rem; color: #d4d4d8; }
      pre { margin: 0 0 0.75rem; padding: 0.75rem 1rem; white-space: pre-wrap; overflow-wrap: anywhere;
            font: inherit; border-left: 4px solid #f87171; background: rgba(255, 255, 255, 0.06); }
      button { position: fixed; top: 1rem; right: 1rem; font: inherit; font-size: 20px; line-height: 1;
               padding: 0.35rem 0.7rem; cursor: pointer; border-radius: 4px;
               color: inherit; background: transparent; border: 1px solid currentColor; }
      button:focus-visible { outline: 3px solid #60a5fa; outline-offset: 2px; }
      @media (prefers-color-scheme: light) {
        .box { background: rgba(255, 255, 255, 0.97); color: #18181b; color-scheme: light; }
        h2 { color: #b91c1c; }
        p { color: #3f3f46; }
        pre { border-left-color: #dc2626; background: rgba(220, 38, 38, 0.06); }
      }`;
    const box = document.createElement("div");
    box.className = "box";
    const title = document.createElement("h2");
    title.textContent = `counterpoint: the build failed (${errors.length} error${errors.length === 1 ? "" : "s"})`;
    const note = document.createElement("p");
    note.textContent = "The page shows the last good build. Fix the files and save: this overlay goes away by itself.";
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.title = "Dismiss (Esc)";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", hideErrors);
    box.append(close, title, note);
    for (const text of errors) {
      const pre = document.createElement("pre");
      pre.textContent = text;  // reader-written text: never as HTML
      box.append(pre);
    }
    root.append(style, box);
    document.documentElement.append(host);
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hideErrors();
  });

  // -- the connection -------------------------------------------------------------------
  function data(e) {
    try { return JSON.parse(e.data); } catch (err) { return {}; }
  }
  function disconnect() {
    if (source) source.close();
    source = null;
    state.connected = false;
    clearTimeout(retry);
  }
  function connect() {
    if (source || document.hidden) return;
    source = new EventSource(EVENTS);
    source.addEventListener("hello", (e) => {
      const d = data(e);
      delay = 1000;
      if (epoch !== null && d.epoch !== epoch) return reload();  // rebuilt or restarted meanwhile
      epoch = state.epoch = d.epoch;
      state.connected = true;
      if (d.ok) hideErrors();
    });
    source.addEventListener("reload", reload);
    source.addEventListener("css", (e) => {
      const d = data(e);
      epoch = state.epoch = d.epoch;
      hideErrors();
      swapStylesheets(d.epoch);
    });
    source.addEventListener("ok", hideErrors);
    source.addEventListener("error", (e) => {
      if (e instanceof MessageEvent && typeof e.data === "string" && e.data) {
        showErrors(data(e).errors || []);  // a failed build
        return;
      }
      // The connection dropped (server stopped or restarting). EventSource retries on its
      // own while CONNECTING; once CLOSED it gives up, so try again with a backoff.
      state.connected = false;
      if (source && source.readyState === EventSource.CLOSED) {
        disconnect();
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      }
    });
  }

  // Pause while the tab is hidden (like MkDocs): no connection held by background tabs.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) disconnect();
    else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", (e) => { if (e.persisted) connect(); });

  restoreScroll();
  connect();
})();
