(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage may be unavailable for file:// pages */ }
    return null;
  }

  /* ---------------------------------------------------------------- colour scheme */
  var themeButton = doc.getElementById("theme");
  var themes = ["auto", "light", "dark"];
  var labels = { auto: "Auto", light: "Light", dark: "Dark" };
  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
    themeButton.querySelector(".theme-label").textContent = labels[theme] || "Auto";
    themeButton.title = theme === "auto" ? "Colour scheme: follows the system" : "Colour scheme: " + theme;
  }
  var theme = store("spaces-docs-theme") || "auto";
  applyTheme(theme);
  themeButton.addEventListener("click", function () {
    theme = themes[(themes.indexOf(theme) + 1) % themes.length];
    store("spaces-docs-theme", theme === "auto" ? null : theme);
    applyTheme(theme);
  });

  /* ---------------------------------------------------------------- code tabs */
  function selectLang(lang) {
    doc.querySelectorAll("[data-tabs]").forEach(function (panel) {
      var has = panel.querySelector('pre[data-lang="' + lang + '"]');
      if (!has) return;
      panel.querySelectorAll(".tab").forEach(function (tab) {
        tab.setAttribute("aria-selected", tab.getAttribute("data-lang") === lang ? "true" : "false");
      });
      panel.querySelectorAll("pre[data-lang]").forEach(function (pre) {
        pre.hidden = pre.getAttribute("data-lang") !== lang;
      });
    });
  }
  doc.addEventListener("click", function (event) {
    var tab = event.target.closest(".tab");
    if (!tab) return;
    var lang = tab.getAttribute("data-lang");
    var top = tab.getBoundingClientRect().top;
    selectLang(lang);
    window.scrollBy(0, tab.getBoundingClientRect().top - top);  // keep the clicked tab in place
    store("spaces-docs-lang", lang);
  });
  var savedLang = store("spaces-docs-lang");
  if (savedLang) selectLang(savedLang);

  /* ---------------------------------------------------------------- copy buttons */
  doc.addEventListener("click", function (event) {
    var button = event.target.closest(".copy");
    if (!button) return;
    var pre = Array.prototype.filter.call(
      button.closest(".panel").querySelectorAll("pre"), function (p) { return !p.hidden; })[0];
    if (!pre) return;
    var text = pre.textContent;
    function done() {
      button.textContent = "Copied";
      button.classList.add("done");
      setTimeout(function () { button.textContent = "Copy"; button.classList.remove("done"); }, 1400);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var area = doc.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      doc.body.appendChild(area);
      area.select();
      try { doc.execCommand("copy"); done(); } catch (e) { /* nothing to do */ }
      doc.body.removeChild(area);
    }
  });

  /* ---------------------------------------------------------------- deep links */
  function reveal(hash) {
    if (!hash || hash.length < 2) return;
    var target = doc.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    var opened = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    if (opened) target.scrollIntoView();
  }
  window.addEventListener("hashchange", function () { reveal(location.hash); });
  reveal(location.hash);

  /* ---------------------------------------------------------------- search */
  var input = doc.getElementById("search");
  var nav = doc.getElementById("nav");
  var results = doc.getElementById("search-results");
  var empty = doc.getElementById("search-empty");
  var items = Array.prototype.slice.call(results.children);
  var current = -1;
  function visible() {
    return Array.prototype.filter.call(results.children, function (li) { return !li.hidden; });
  }
  function setCurrent(index) {
    var shown = visible();
    items.forEach(function (li) { li.classList.remove("current"); });
    current = shown.length ? Math.max(0, Math.min(index, shown.length - 1)) : -1;
    if (current >= 0) {
      shown[current].classList.add("current");
      shown[current].scrollIntoView({ block: "nearest" });
    }
  }
  var kindRank = { section: 0, operation: 1, status: 2, event: 3, parameter: 4, attribute: 5 };
  function score(li, words) {
    var label = li.querySelector(".label").textContent.toLowerCase();
    var detail = li.querySelector(".detail").textContent.toLowerCase();
    var missing = 0;
    words.forEach(function (w) {
      if (label.indexOf(w) === -1) missing += detail.indexOf(w) === -1 ? 2 : 1;
    });
    return missing * 10 + (kindRank[li.getAttribute("data-kind")] || 0);
  }
  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) {
      nav.hidden = false;
      results.hidden = true;
      empty.hidden = true;
      return;
    }
    var matches = [];
    items.forEach(function (li, index) {
      var text = li.getAttribute("data-text");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      li.hidden = !match;
      if (match) matches.push({ li: li, score: score(li, words), index: index });
    });
    // Best first: words in the label before words only in the group; then by kind; then as listed.
    matches.sort(function (a, b) { return a.score - b.score || a.index - b.index; });
    matches.forEach(function (m) { results.appendChild(m.li); });
    var count = matches.length;
    nav.hidden = true;
    results.hidden = count === 0;
    empty.hidden = count !== 0;
    setCurrent(0);
  }
  input.addEventListener("input", filter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { setCurrent(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { setCurrent(current - 1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var shown = visible();
      if (shown[current]) shown[current].querySelector("a").click();
    } else if (event.key === "Escape") { input.value = ""; filter(); input.blur(); }
  });
  doc.addEventListener("keydown", function (event) {
    if (event.key === "/" && doc.activeElement !== input && !/INPUT|TEXTAREA/.test(doc.activeElement.tagName)) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  filter();

  /* ---------------------------------------------------------------- menu (narrow screens) */
  var sidebar = doc.getElementById("sidebar");
  var menu = doc.getElementById("menu");
  menu.addEventListener("click", function () {
    var open = sidebar.classList.toggle("open");
    menu.setAttribute("aria-expanded", open ? "true" : "false");
  });
  sidebar.addEventListener("click", function (event) {
    if (event.target.closest("a")) { sidebar.classList.remove("open"); menu.setAttribute("aria-expanded", "false"); }
  });

  /* ---------------------------------------------------------------- where am I */
  var links = {};
  nav.querySelectorAll("a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
  var activeLink = null;
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var link = links[entry.target.id];
        if (!link || link === activeLink) return;
        if (activeLink) activeLink.classList.remove("active");
        activeLink = link;
        link.classList.add("active");
        var box = link.getBoundingClientRect();
        var side = sidebar.getBoundingClientRect();
        if (!nav.hidden && (box.top < side.top + 80 || box.bottom > side.bottom - 20)) {
          sidebar.scrollTop += box.top - side.top - side.height / 2;
        }
      });
    }, { rootMargin: "-10% 0px -80% 0px" });
    Object.keys(links).forEach(function (id) {
      var section = doc.getElementById(id);
      if (section) observer.observe(section);
    });
  }
})();
