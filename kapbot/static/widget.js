/* kapbot chat widget: <script src="https://YOUR-KAPBOT-HOST/widget.js" defer></script>
 * Options, as data- attributes on the script tag:
 *   data-position="right" | "left"   which corner the button sits in (default right)
 *   data-color="#6b4fbb"             button and header colour (a CSS colour), carried into the
 *                                    chat; text on it is white when that has 4.5:1 contrast,
 *                                    else dark (the same rule as kapbot/web/colors.py)
 *   data-label="Questions about KAP?" the button's text and the panel's title
 *   data-lang="es"                    the chat's language at open (default: the page's
 *                                     <html lang>; en or es, else en)
 *   data-preload="off"                do not warm the chat up (see below): it loads on open
 * It adds a floating button that opens the chat (served by the same kapbot host) in an iframe
 * panel. No cookies, no third-party requests, nothing sent until the visitor types.
 * Warm-up: after the page's load event, when the browser is idle (requestIdleCallback, or a
 * timer where there is none), the chat's iframe is loaded hidden (invisible, inert, aria-hidden,
 * out of the tab order, no layout shift), so that opening only shows it. It costs a page that
 * never opens the chat the chat page's download (about 260 KB, 53 requests: see
 * benchmarks/first_open.md). Skipped with data-preload="off" or when the visitor's browser asks
 * to save data (navigator.connection.saveData); then the chat loads on open. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__kapbotWidget) { return; }
  window.__kapbotWidget = true;
  var origin = new URL(script.src, window.location.href).origin;
  var position = script.getAttribute("data-position") === "left" ? "left" : "right";
  var color = script.getAttribute("data-color") || "#6b4fbb";
  if (!/^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]+$|^rgba?\([0-9., ]+\)$/.test(color)) { color = "#6b4fbb"; }
  var lang = (script.getAttribute("data-lang") || document.documentElement.lang || "en")
    .slice(0, 2).toLowerCase() === "es" ? "es" : "en";
  var label = (script.getAttribute("data-label") ||
    (lang === "es" ? "¿Preguntas sobre KAP?" : "Questions about KAP?")).slice(0, 60);
  color = toHex(color);
  var ink = textOn(color);
  var preload = script.getAttribute("data-preload") !== "off" &&
    !(navigator.connection && navigator.connection.saveData);

  // Any CSS colour as #rrggbb (the canvas normalises it); unknown names give the default.
  function toHex(value) {
    var ctx = document.createElement("canvas").getContext("2d");
    if (!ctx) { return /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : "#6b4fbb"; }
    ctx.fillStyle = "#6b4fbb";
    ctx.fillStyle = value;
    var out = String(ctx.fillStyle);
    return /^#[0-9a-f]{6}$/.test(out) ? out : "#6b4fbb";
  }
  // WCAG: white text when its contrast on the colour is at least 4.5:1, else dark text.
  function textOn(hex) {
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05) >= 4.5 ? "#ffffff" : "#1a1a1a";
  }

  var css = [
    ".kapbot-btn{position:fixed;bottom:20px;" + position + ":20px;z-index:2147483646;display:flex;",
    "align-items:center;gap:8px;border:0;border-radius:999px;padding:12px 18px;cursor:pointer;",
    "font:600 15px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:" + ink + ";",
    "background:" + color + ";box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".kapbot-btn:focus-visible{outline:3px solid #111;outline-offset:3px;",
    "box-shadow:0 0 0 3px #fff,0 4px 14px rgba(0,0,0,.25)}",
    ".kapbot-btn svg{width:22px;height:22px;flex:none}",
    ".kapbot-panel{position:fixed;bottom:84px;" + position + ":20px;z-index:2147483647;",
    "width:400px;height:min(640px,calc(100vh - 110px));display:none;flex-direction:column;",
    "background:#fff;border-radius:14px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3)}",
    ".kapbot-panel.kapbot-open{display:flex}",
    // the warmed chat, closed: laid out at its size (so it renders right) but not seen, not
    // hit by the pointer; fixed, so nothing on the page moves
    ".kapbot-panel.kapbot-warm:not(.kapbot-open){display:flex;visibility:hidden;",
    "pointer-events:none}",
    ".kapbot-head{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;",
    "color:" + ink + ";background:" + color + ";font:600 15px system-ui,-apple-system,sans-serif}",
    ".kapbot-close{background:transparent;border:0;color:" + ink + ";font-size:22px;line-height:1;",
    "cursor:pointer;padding:4px 8px;border-radius:6px;min-width:44px;min-height:44px}",
    ".kapbot-close:focus-visible{outline:3px solid " + ink + ";outline-offset:-3px}",
    "@media (prefers-reduced-motion:no-preference){.kapbot-panel.kapbot-open{",
    "animation:kapbot-in .18s ease-out}}",
    "@keyframes kapbot-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}",
    ".kapbot-frame{flex:1;border:0;width:100%}",
    "@media (max-width:480px){.kapbot-panel{inset:0;width:auto;height:auto;bottom:0;",
    "border-radius:0}.kapbot-btn{bottom:14px;" + position + ":14px}}"
  ].join("");
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  var icon = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
    'd="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
  var button = document.createElement("button");
  button.type = "button";
  button.className = "kapbot-btn";
  button.setAttribute("aria-haspopup", "dialog");
  button.setAttribute("aria-expanded", "false");
  button.innerHTML = icon;
  var text = document.createElement("span");
  text.textContent = label;
  button.appendChild(text);

  var panel = document.createElement("div");
  panel.className = "kapbot-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-label", label);
  // Focus stays in the open panel: Tab past the chat's last control comes back to the close
  // button, Shift+Tab before the close button goes to the chat's last control.
  function sentinel() {
    var s = document.createElement("span");
    s.tabIndex = 0;
    s.className = "kapbot-trap";
    return s;
  }
  var before = sentinel(), after = sentinel();
  var head = document.createElement("div");
  head.className = "kapbot-head";
  var title = document.createElement("span");
  title.textContent = label;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "kapbot-close";
  close.setAttribute("aria-label", lang === "es" ? "Cerrar el chat" : "Close chat");
  close.textContent = "\u00d7";
  head.appendChild(title);
  head.appendChild(close);
  panel.appendChild(before);
  panel.appendChild(head);
  panel.appendChild(after);
  var frame = null;
  after.addEventListener("focus", function () { close.focus(); });
  before.addEventListener("focus", function () {
    if (frame) {
      frame.focus();
      frame.contentWindow.postMessage({kapbot: "focus-last"}, origin);
    } else { close.focus(); }
  });

  // The closed panel, once it holds the chat: hidden from the pointer, the keyboard and
  // screen readers (visibility:hidden already; inert and aria-hidden say so to everything).
  function hide(hidden) {
    panel.inert = hidden;
    if (hidden) { panel.setAttribute("aria-hidden", "true"); }
    else { panel.removeAttribute("aria-hidden"); }
  }
  function loadChat() {  // the chat's iframe, once: the warm-up's, or the first open's
    if (frame) { return; }
    frame = document.createElement("iframe");
    frame.className = "kapbot-frame";
    frame.title = label;
    frame.src = origin + "/?color=" + encodeURIComponent(color) + (lang === "es" ? "&lang=es" : "");
    panel.classList.add("kapbot-warm");
    if (!panel.classList.contains("kapbot-open")) { hide(true); }
    frame.addEventListener("load", shown);
    panel.insertBefore(frame, after);
  }
  // Tells the chat it is seen: its question box takes the focus (not while warmed up hidden).
  function shown() {
    if (frame && panel.classList.contains("kapbot-open")) {
      frame.contentWindow.postMessage({kapbot: "shown"}, origin);
    }
  }
  function open() {
    loadChat();  // a warm-up still loading is the same iframe: opening shows it
    hide(false);
    panel.classList.add("kapbot-open");
    button.setAttribute("aria-expanded", "true");
    close.focus();  // until the chat, once loaded, gives it to its question box
    shown();
  }
  function shut() {
    panel.classList.remove("kapbot-open");
    hide(true);
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }
  button.addEventListener("click", function () {
    if (panel.classList.contains("kapbot-open")) { shut(); } else { open(); }
  });
  close.addEventListener("click", shut);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel.classList.contains("kapbot-open")) { shut(); }
  });
  // Escape pressed inside the chat (focus is in the iframe): the chat page tells us.
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data && event.data.kapbot === "close") { shut(); }
  });
  document.body.appendChild(button);
  document.body.appendChild(panel);
  if (preload) {  // the warm-up: after the page has loaded, when the browser is idle
    var idle = function () {
      if (window.requestIdleCallback) { window.requestIdleCallback(loadChat, {timeout: 3000}); }
      else { window.setTimeout(loadChat, 1500); }
    };
    if (document.readyState === "complete") { idle(); }
    else { window.addEventListener("load", idle, {once: true}); }
  }
})();
