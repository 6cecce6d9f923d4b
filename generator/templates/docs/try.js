/* Try-it panels: send an operation's form to the sandbox that served this page.
   The sandbox fills <meta name="spaces-sandbox-base"> with its API path ("/api/v1"); the page
   resolves it against its own address, so a request only ever goes to the page's own origin.
   Opened from a file (or any server that leaves the value empty) the panels stay read-only. */
(function () {
  "use strict";
  var doc = document;

  function meta(name) {
    var node = doc.querySelector('meta[name="' + name + '"]');
    return node ? node.getAttribute("content") || "" : "";
  }
  var documented = meta("spaces-api-base");
  var base = null;
  var served = meta("spaces-sandbox-base");
  if (served && /^https?:$/.test(location.protocol)) {
    var resolved = new URL(served, location.href);
    if (resolved.origin === location.origin) base = resolved.href.replace(/\/+$/, "");
  }
  var panels = Array.prototype.slice.call(doc.querySelectorAll("[data-try]"));

  /* ------------------------------------------------------------ the sandbox's own base URL */
  if (base) {
    var list = doc.querySelector(".base-urls ul");
    if (list) {
      var item = doc.createElement("li");
      item.className = "sandbox-base";
      var code = doc.createElement("code");
      code.textContent = base;
      var note = doc.createElement("span");
      note.textContent = "This sandbox: the samples and try-it panels use it.";
      item.appendChild(code);
      item.appendChild(note);
      list.insertBefore(item, list.firstChild);
    }
    if (documented) {
      doc.querySelectorAll("pre[data-sample] code").forEach(function (code) {
        var walker = doc.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        for (var node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.nodeValue.indexOf(documented) !== -1) {
            node.nodeValue = node.nodeValue.split(documented).join(base);
          }
        }
      });
    }
  }

  /* ------------------------------------------------------------ one token for every panel */
  var TOKEN_KEY = "spaces-docs-token";
  function savedToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }
  function shareToken(value, from) {
    try { window.sessionStorage.setItem(TOKEN_KEY, value); } catch (e) { /* not kept */ }
    doc.querySelectorAll("[data-try-token]").forEach(function (input) {
      if (input !== from) input.value = value;
    });
  }
  var initial = savedToken();
  doc.querySelectorAll("[data-try-token]").forEach(function (input) {
    input.value = initial;
    input.addEventListener("input", function () { shareToken(input.value, input); });
  });

  /* ------------------------------------------------------------ building and sending */
  function request(panel) {
    var path = panel.getAttribute("data-path");
    var query = new URLSearchParams();
    var body = [];
    panel.querySelectorAll("[data-in]").forEach(function (input) {
      var where = input.getAttribute("data-in");
      var value = input.value;
      if (where === "path") path = path.split("{" + input.name + "}").join(encodeURIComponent(value));
      else if (value === "") return;
      else if (where === "query") query.append(input.name, value);
      else body.push([input.name, value]);
    });
    var url = base + path + (query.toString() ? "?" + query.toString() : "");
    var init = { method: panel.getAttribute("data-method"), headers: {}, credentials: "omit", cache: "no-store" };
    var token = panel.querySelector("[data-try-token]").value;
    if (token) init.headers.Authorization = "Basic " + btoa(token + ":");
    var bodyType = panel.getAttribute("data-body-type");
    if (bodyType) {
      if (bodyType === "application/json") {
        var object = {};
        body.forEach(function (pair) { object[pair[0]] = pair[1]; });
        init.body = JSON.stringify(object);
      } else {
        init.body = new URLSearchParams(body).toString();
      }
      init.headers["Content-Type"] = bodyType;
    }
    return { url: url, init: init };
  }

  function show(panel, status, statusText, headers, text, millis) {
    var result = panel.querySelector(".try-result");
    var badge = result.querySelector(".status");
    badge.textContent = status ? String(status) : "—";
    badge.className = "status" + (status ? " s" + String(status).charAt(0) : " s5");
    result.querySelector(".try-status-text").textContent = statusText;
    result.querySelector(".try-time").textContent = millis === null ? "" : millis + " ms";
    result.querySelector(".try-headers").textContent = headers;
    var pretty = text;
    try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: as sent */ }
    result.querySelector(".try-body").textContent = pretty;
    result.hidden = false;
    panel.setAttribute("data-status", status ? String(status) : "error");
  }

  function send(panel) {
    var built = request(panel);
    var button = panel.querySelector(".try-send");
    button.disabled = true;
    panel.removeAttribute("data-status");
    var started = performance.now();
    fetch(built.url, built.init).then(function (response) {
      var lines = [];
      response.headers.forEach(function (value, name) { lines.push(name + ": " + value); });
      return response.text().then(function (text) {
        show(panel, response.status, response.statusText + " · " + built.init.method + " " + built.url,
          lines.join("\n"), text, Math.round(performance.now() - started));
      });
    }, function (error) {
      show(panel, 0, "No response from " + built.url, "", String(error), null);
    }).then(function () { button.disabled = false; });
  }

  panels.forEach(function (panel) {
    var button = panel.querySelector(".try-send");
    if (!base) { button.disabled = true; return; }
    panel.setAttribute("data-live", "");
    panel.querySelector(".try-url").textContent = base + panel.getAttribute("data-path");
    panel.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      send(panel);
    });
  });
})();
