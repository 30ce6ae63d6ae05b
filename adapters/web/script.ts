/**
 * The chat page's only script, served same-origin at `/chat/app.js` (the chat pages' CSP allows
 * `script-src 'self'` and nothing inline). Everything works without it — forms post and redirect
 * back — and with it: new messages by polling every few seconds (paused while the tab is hidden),
 * forms sent with fetch without a page reload, a clicked button disabled at once (so a double click
 * cannot send twice), confirmation boxes closed by their cancel button, and search-as-you-type for
 * person pickers. Texts come from the page (`data-t-*`), so they follow the catalogue.
 */
export const chatScript = `(function () {
  "use strict";
  var body = document.body;
  var log = document.getElementById("log");
  if (!log || !body.hasAttribute("data-chat")) return;
  var after = Number(body.getAttribute("data-revision") || "0");
  var status = document.getElementById("status");
  var pollMs = 3000;
  var timer = null;
  var stopped = false;

  function randomKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      try { return window.crypto.randomUUID(); } catch (e) { /* insecure context */ }
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function say(text) {
    if (status) status.textContent = text || "";
  }
  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  }
  function toBottom() {
    window.scrollTo(0, document.body.scrollHeight);
  }
  function fromHtml(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content.firstElementChild;
  }
  function enhance(root) {
    var searches = root.querySelectorAll("input[data-person-search]");
    for (var i = 0; i < searches.length; i++) searches[i].hidden = false;
  }
  /** Puts each message in place: a newer revision replaces the shown one, a new message is appended. */
  function apply(messages) {
    if (!messages || !messages.length) return;
    var stick = nearBottom();
    var appended = false;
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      if (m.revision > after) after = m.revision;
      var node = fromHtml(m.html);
      if (!node) continue;
      enhance(node);
      var shown = document.getElementById("m" + m.id);
      if (shown) {
        if (Number(shown.getAttribute("data-revision")) < m.revision) shown.replaceWith(node);
      } else {
        log.appendChild(node);
        appended = true;
      }
    }
    var empty = document.getElementById("empty");
    if (empty && log.children.length) empty.remove();
    if (appended && stick) toBottom();
  }
  function expired() {
    stopped = true;
    say(body.getAttribute("data-t-expired"));
  }
  function poll() {
    timer = null;
    if (stopped || document.hidden) return;
    fetch("/chat/messages?after=" + after, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        if (res.status === 401) return expired();
        if (!res.ok) return;
        return res.json().then(function (data) { apply(data.messages); });
      })
      .catch(function () { /* offline: try again later */ })
      .then(schedule);
  }
  function schedule() {
    if (!stopped && !timer && !document.hidden) timer = setTimeout(poll, pollMs);
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { if (timer) clearTimeout(timer); timer = null; poll(); }
  });

  function formBody(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || undefined); } catch (e) {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    var params = new URLSearchParams();
    data.forEach(function (value, name) { if (typeof value === "string") params.append(name, value); });
    return params;
  }
  function buttonsOf(form) {
    var list = Array.prototype.slice.call(form.querySelectorAll("button"));
    if (form.id) list = list.concat(Array.prototype.slice.call(document.querySelectorAll('button[form="' + form.id + '"]')));
    return list;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/webhooks/web") return;
    event.preventDefault();
    var submitter = event.submitter || null;
    if (form.getAttribute("aria-busy") === "true") return;
    var params = formBody(form, submitter);
    var buttons = buttonsOf(form);
    form.setAttribute("aria-busy", "true");
    buttons.forEach(function (b) { b.disabled = true; });
    if (submitter) submitter.setAttribute("aria-busy", "true");
    say(body.getAttribute("data-t-sending"));
    var done = false;
    fetch("/webhooks/web", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: params.toString(),
    })
      .then(function (res) {
        if (res.status === 401) { expired(); return; }
        return res.json().then(function (data) {
          if (!res.ok) { say((data && data.error && data.error.message) || body.getAttribute("data-t-failed")); return; }
          done = true;
          say("");
          apply(data.messages);
          if (form.hasAttribute("data-composer")) {
            form.reset();
            var input = form.querySelector("input[name=text]");
            if (input) input.focus();
            toBottom();
          }
        });
      })
      .catch(function () { say(body.getAttribute("data-t-failed")); })
      .then(function () {
        form.removeAttribute("aria-busy");
        if (submitter) submitter.removeAttribute("aria-busy");
        // A sent card keeps its buttons disabled (the same key again would do nothing anyway);
        // the composer and a failed send are ready again, with a fresh key for the next send.
        if (!done || form.hasAttribute("data-composer")) {
          buttons.forEach(function (b) { if (!b.hasAttribute("hidden")) b.disabled = false; });
        }
        if (done && form.elements.namedItem("key")) form.elements.namedItem("key").value = randomKey();
        if (done) { var d = form.closest("details"); if (d) d.open = false; }
        if (timer) clearTimeout(timer);
        timer = null;
        schedule();
      });
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var deny = target.closest("[data-deny]");
    if (deny) {
      var details = deny.closest("details");
      if (details) details.open = false;
    }
  });

  var searchTimers = new WeakMap();
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-person-search")) return;
    var box = input.closest("[data-search-action]");
    var select = box && box.querySelector("select");
    if (!box || !select) return;
    clearTimeout(searchTimers.get(input));
    searchTimers.set(input, setTimeout(function () {
      var params = new URLSearchParams();
      params.set("type", "search");
      params.set("action", box.getAttribute("data-search-action"));
      params.set("query", input.value.trim());
      params.set("key", randomKey());
      params.set("_csrf", body.getAttribute("data-csrf") || "");
      fetch("/webhooks/web", {
        method: "POST",
        credentials: "same-origin",
        headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
        body: params.toString(),
      })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (data) {
          if (!data || !data.options) return;
          var keep = {};
          Array.prototype.forEach.call(select.options, function (o) {
            if (o.selected && o.value) keep[o.value] = o;
          });
          Array.prototype.slice.call(select.options).forEach(function (o) {
            if (o.value && !keep[o.value]) o.remove();
          });
          data.options.forEach(function (opt) {
            if (keep[opt.value]) return;
            var o = document.createElement("option");
            o.value = opt.value;
            o.textContent = opt.label;
            select.appendChild(o);
          });
        })
        .catch(function () { /* keep the current options */ });
    }, 250));
  });

  enhance(document);
  toBottom();
  schedule();
})();
`;
