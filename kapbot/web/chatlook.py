"""The chat page's look and behaviour in the browser: the stylesheet and the script that Gradio
puts in the page's ``<head>``. Pure text. The practice's colour comes in as two CSS variables
(``theme_css``), set per page by ``kapbot.web.asgi.PageHead`` from the iframe's ``?color=``.

The script (plain DOM, no library): the question box takes the focus when the chat is seen (in
the widget: when the widget shows it, not while it is warmed up hidden); Escape asks the
embedding widget to close; a sent message shrinks the disclosure notice (it stays, with 988) and
shows a typing indicator until the reply is in; each new reply is read once into a polite live
region (``#kap-live``), as text.
"""

from __future__ import annotations

import html
import json

from kapbot import wording

LIVE_ID = "kap-live"
TYPING_CLASS = "kap-typing"
USED_CLASS = "kap-used"  # on <body> once the visitor has sent a message
SUGGESTION_CLASS = "kap-suggestion"  # starter questions here; "did you mean" buttons elsewhere


def theme_css(background: str, text: str) -> str:
    """The practice's colour and the text drawn on it (``kapbot.web.colors.theme``)."""
    return f"html:root{{--kap-color:{background};--kap-on-color:{text}}}"


def head() -> str:
    """The ``<head>`` script, with the typing indicator's spoken text in each language."""
    typing = {lang: html.escape(wording.phrase("TYPING", lang)) for lang in ("en", "es")}
    return "<script>\n" + SCRIPT.replace("__TYPING__", json.dumps(typing)) \
        .replace("__LIVE__", json.dumps(LIVE_ID)).replace("__USED__", json.dumps(USED_CLASS)) \
        .replace("__TYPINGCLASS__", json.dumps(TYPING_CLASS)) \
        .replace("__SUGGESTION__", json.dumps(SUGGESTION_CLASS)) + "\n</script>"


SCRIPT = r"""(function () {
  var TYPING = __TYPING__, LIVE = __LIVE__, USED = __USED__, TYPINGCLASS = __TYPINGCLASS__;
  var SUGGESTION = __SUGGESTION__;
  if (new URLSearchParams(location.search).get("lang") === "es") {  // opened in Spanish
    document.documentElement.lang = "es";
  }
  TYPING = TYPING[document.documentElement.lang === "es" ? "es" : "en"];
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && window.parent !== window) {
      window.parent.postMessage({kapbot: "close"}, "*");
    }
  }, true);
  // The question box takes the focus once the chat is seen: at once on its own page; in the
  // widget when the widget shows it ("shown"), never while it is loaded hidden ahead of an open
  // (the page around it keeps its focus).
  var wantFocus = window.parent === window;
  function focusBox() {
    if (!wantFocus) { return; }
    var box = document.querySelector("#kapbot-box textarea");
    if (box) { wantFocus = false; box.focus(); }
  }
  // The widget's focus trap: Shift+Tab before its close button comes to the last control here.
  window.addEventListener("message", function (e) {
    if (e.source !== window.parent || !e.data) { return; }
    if (e.data.kapbot === "focus-last") {  // a "did you mean" button when shown, else Send
      var last = Array.prototype.filter.call(
        document.querySelectorAll("#kapbot-send, #kapbot-suggestions button"),
        function (b) { return b.offsetParent !== null; }).pop();
      if (last) { last.focus(); }
    } else if (e.data.kapbot === "shown") { wantFocus = true; focusBox(); }
  });
  var replies = -1, timer = null;
  function bots() { return document.querySelectorAll("#kapbot-chat .message-row.bot-row"); }
  function typing(on) {
    var old = document.querySelector("." + TYPINGCLASS);
    if (old) { old.remove(); }
    if (timer) { clearTimeout(timer); timer = null; }
    if (!on) { return; }
    var wrap = document.querySelector("#kapbot-chat .bubble-wrap");
    if (!wrap) { return; }
    var dots = document.createElement("div");
    dots.className = TYPINGCLASS;
    dots.innerHTML = '<span class="kap-dot"></span><span class="kap-dot"></span>' +
      '<span class="kap-dot"></span><span class="kap-sr">' + TYPING + "</span>";
    wrap.appendChild(dots);
    wrap.scrollTop = wrap.scrollHeight;
    timer = setTimeout(function () { typing(false); }, 60000);
  }
  function sent() {
    document.body.classList.add(USED);
    var more = document.querySelector("#kapbot-notice details");
    if (more) { more.open = false; }
    replies = bots().length;
    typing(true);
  }
  document.addEventListener("keydown", function (e) {
    var box = e.target;
    if (e.key === "Enter" && !e.shiftKey && box && box.closest && box.closest("#kapbot-box")
        && box.value && box.value.trim()) { sent(); }
  }, true);
  document.addEventListener("click", function (e) {
    var hit = e.target && e.target.closest && e.target.closest("#kapbot-send, ." + SUGGESTION);
    if (!hit) { return; }
    var box = document.querySelector("#kapbot-box textarea");
    if (hit.id !== "kapbot-send" || (box && box.value.trim())) { sent(); }
  }, true);
  var offers = -1;
  function tidy() {
    focusBox();
    var row = document.getElementById("kapbot-suggestions");  // its height, for the chat's
    var high = row && row.offsetParent !== null ? row.offsetHeight + 8 : 0;
    if (high !== offers) {
      offers = high;
      document.body.style.setProperty("--kap-offers", high + "px");
    }
    var log = document.querySelector("#kapbot-chat [role=log]");
    if (log && log.getAttribute("aria-live") !== "off") { log.setAttribute("aria-live", "off"); }
    var rows = bots();
    document.querySelectorAll("#kapbot-chat [data-testid][aria-label]").forEach(function (m) {
      m.removeAttribute("aria-label");  // Gradio's holds the raw Markdown of the message
    });
    var panel = document.getElementById("kapbot-review");  // review mode: scrolls, so focusable
    if (panel && !panel.hasAttribute("tabindex")) { panel.setAttribute("tabindex", "0"); }
    if (replies >= 0 && rows.length > replies) {
      replies = -1;
      typing(false);
      setTimeout(function () {  // once the reply's Markdown is rendered
        var live = document.getElementById(LIVE), all = bots();
        var text = all.length && all[all.length - 1].querySelector(".message-content");
        if (live && text) { live.textContent = text.innerText; }
        // a long reply is read from its start (a crisis reply's first lines are the numbers)
        var wrap = document.querySelector("#kapbot-chat .bubble-wrap");
        var row = all.length && all[all.length - 1];
        if (wrap && row) {  // (Gradio's own autoscroll is off: it would go to the end)
          var over = row.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
          if (row.offsetHeight > wrap.clientHeight - 16) { wrap.scrollTop += over; }
          else { wrap.scrollTop = wrap.scrollHeight; }
        }
      }, 300);
    }
  }
  function start() {
    var live = document.createElement("div");
    live.id = LIVE;
    live.className = "kap-sr";
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    document.body.appendChild(live);
    new MutationObserver(tidy).observe(document.body, {childList: true, subtree: true});
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();"""


CSS = """
:root { --kap-color: #6b4fbb; --kap-on-color: #ffffff; }
.gradio-container { max-width: 760px !important; width: 100% !important; margin: auto;
  padding: 6px 10px !important;
  --button-primary-background-fill: var(--kap-color);
  --button-primary-background-fill-hover: var(--kap-color);
  --button-primary-text-color: var(--kap-on-color);
  --button-primary-text-color-hover: var(--kap-on-color);
  --button-primary-border-color: var(--kap-color);
  --color-accent: var(--kap-color); }
footer { display: none !important; }
.gradio-container > .main { padding: 6px 4px !important; }
.gradio-container .column, .gradio-container .row { gap: 8px !important; }
.gradio-container .column { min-width: 0 !important; }
.kap-sr { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

/* the disclosure: one line and "more"; after the first message, smaller (never removed) */
#kapbot-notice { font-size: 0.875rem; line-height: 1.4; padding: 8px 10px; border-radius: 10px;
  border-left: 4px solid var(--kap-color); background: var(--background-fill-secondary); }
#kapbot-notice p { margin: 0; }
#kapbot-notice summary { display: block; cursor: pointer; list-style: none; }
#kapbot-notice summary::-webkit-details-marker { display: none; }
#kapbot-notice .kap-more { text-decoration: underline; color: var(--link-text-color);
  white-space: nowrap; }
#kapbot-notice details[open] .kap-more { display: none; }
.dark #kapbot-notice .kap-more, .dark #kapbot-notice a { color: #a5b4fc; }
#kapbot-notice details > div { margin-top: 6px; }
#kapbot-notice summary, #kapbot-notice .prose { font-size: 14px; }
/* (Gradio scopes each rule under its container, which outranks a plain `body.kap-used #id`:
   these name the id twice to win, and stay unscoped) */
body.kap-used #kapbot-notice#kapbot-notice { padding: 3px 8px !important; border-left-width: 3px; }
body.kap-used #kapbot-notice#kapbot-notice summary { font-size: 12px; line-height: 1.35; }

/* the conversation */
#kapbot-chat { height: max(260px, min(640px, calc(100dvh - 232px))) !important; }
body.kap-used #kapbot-chat#kapbot-chat {  /* less the "did you mean" row when it is shown */
  height: max(260px, min(680px, calc(100dvh - 150px - var(--kap-offers, 0px)))) !important; }
#kapbot-chat .top-panel { display: none !important; }
#kapbot-chat .placeholder { text-align: center; padding: 0 24px; }
#kapbot-chat .chatbot.prose { font-size: 15px; line-height: 1.5; opacity: 1 !important; }
#kapbot-chat .chatbot.prose blockquote { margin: 0.4em 0; padding-left: 0.7em;
  border-left: 3px solid var(--kap-color); }
#kapbot-chat .user-row .message { background: var(--kap-color) !important;
  border-color: var(--kap-color) !important; }
#kapbot-chat .user-row .message, #kapbot-chat .user-row .message * {
  color: var(--kap-on-color) !important; }
#kapbot-chat .kap-disclaimer { display: block; font-size: 12px; line-height: 1.4;
  color: #4b5563; }
.dark #kapbot-chat .kap-disclaimer { color: #c4c8d0; }
#kapbot-chat a.kap-source, #kapbot-chat span.kap-source { display: inline-block;
  font-size: 12.5px; line-height: 1.3; padding: 3px 10px; border-radius: 999px;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color); text-decoration: none; }
#kapbot-chat a.kap-source:hover { border-color: var(--kap-color); }
#kapbot-chat a.kap-book { display: inline-block; margin-top: 2px; padding: 8px 16px;
  border-radius: 999px; font-weight: 600; font-size: 14px; text-decoration: none;
  background: var(--kap-color); color: var(--kap-on-color) !important; }
#kapbot-chat a.kap-book:hover { filter: brightness(1.08); }
#kapbot-chat hr { margin: 0.6em 0 0.3em; }

/* the typing indicator */
.kap-typing { display: flex; gap: 5px; align-items: center; width: fit-content;
  margin: 6px 0 10px 10px; padding: 12px 14px; border-radius: 16px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.kap-dot { width: 7px; height: 7px; border-radius: 50%; background: var(--body-text-color-subdued);
  animation: kap-bounce 1.2s infinite ease-in-out; }
.kap-dot:nth-child(2) { animation-delay: 0.15s; }
.kap-dot:nth-child(3) { animation-delay: 0.3s; }
@keyframes kap-bounce { 0%, 80%, 100% { opacity: 0.35; transform: translateY(0); }
  40% { opacity: 1; transform: translateY(-3px); } }

/* suggestion and starter chips */
#kapbot-starters { flex-wrap: nowrap !important; gap: 6px !important; overflow-x: auto;
  scrollbar-width: thin; padding: 2px 2px 4px; min-width: 0 !important;
  max-width: min(100%, calc(100vw - 12px)); }
.kap-suggestion, button.kap-suggestion { flex: 0 0 auto !important; min-width: 0 !important;
  width: auto !important; padding: 5px 12px !important; border-radius: 999px !important;
  font-size: 13px !important; font-weight: 500 !important; line-height: 1.3 !important;
  border: 1px solid var(--kap-color) !important;
  background: var(--background-fill-primary) !important;
  color: var(--body-text-color) !important; box-shadow: none !important; white-space: nowrap; }
.kap-suggestion:hover { background: var(--background-fill-secondary) !important; }
/* "did you mean": long questions wrap, inside the chat's width */
#kapbot-suggestions { flex-wrap: wrap !important; gap: 6px !important; align-items: center;
  min-width: 0 !important; }
#kapbot-suggestions .kap-suggestion { white-space: normal; text-align: left;
  max-width: 100% !important; }
#kapbot-book { flex: 0 0 auto !important; white-space: nowrap; min-width: 0 !important;
  width: auto !important;
  padding: 5px 12px !important; border-radius: 999px !important; font-size: 13px !important; }
body.kap-used #kapbot-starters#kapbot-starters { display: none !important; }

/* focus, motion */
.gradio-container :focus-visible { outline: 3px solid var(--kap-color) !important;
  outline-offset: 2px; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important;
    scroll-behavior: auto !important; }
}
"""

REVIEW_CSS = """
.gradio-container { max-width: 1280px !important; }
.gradio-container .column { min-width: min(320px, 100%) !important; }
#kapbot-chat { height: 560px !important; }
#kapbot-review { font-size: 0.85rem; }
.gradio-container [data-testid="block-info"] { color: var(--body-text-color) !important; }
#kapbot-review table { font-size: 0.8rem; }
"""
