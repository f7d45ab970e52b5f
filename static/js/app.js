/*
 * Pishran front-end behaviour.
 *
 * Plain ES2017, no build step. The site's Content-Security-Policy is
 * `script-src 'self'; style-src 'self'`, so nothing here (or in templates) may
 * rely on inline <script>, inline style="" markup, <style> elements, eval() or
 * htmx's hx-on / js: expressions. Behaviour is attached through data-attributes:
 *
 *   input[data-jdp]                 Jalali date picker (value written YYYY/MM/DD, Latin digits)
 *     data-jdp-min-date / data-jdp-max-date = "today" | "1403/01/01" | CSS selector of another input
 *   form[data-autosubmit]           submit on change of select / checkbox / radio / date input,
 *                                   and 400 ms after typing stops in input[type=search]
 *   form[data-confirm="…"]          confirm() before submitting (a submit button's own
 *                                   data-confirm, if any, takes precedence)
 *   select[data-autosubmit-lang]    submit its form on change (language switcher)
 *                                   A select in either acts on a mouse choice at once, but
 *                                   after arrow keys only on Enter or when it loses focus
 *                                   (WCAG 3.2.2: no page change while browsing the options)
 *   [data-error-summary]            focused when the page (or a swapped fragment) shows it;
 *                                   its links move focus to their field
 *   .table-responsive               made a focusable, named region (tabindex=0, role=region,
 *                                   aria-label from data-label, the caption or the card's
 *                                   header), so a wide table scrolls by keyboard
 *   [data-announce]                 its text is read out (#live-announce, aria-live) when htmx
 *                                   swaps it in: the directories' result counts
 *   Persian text in a page of another language is marked lang="fa" (names, places)
 *   body[data-jdp-button-label]     the date picker's button label: the picker opens only
 *                                   from the button beside each input[data-jdp] (a date is
 *                                   typed as year/month/day), closes on Escape and Tab
 *   select[data-place-fields="role:field …"]  show in its form only the [data-place-field]
 *                                   that names the chosen role's place (the province also
 *                                   for a unit, which it is looked up in); none until a
 *                                   role is chosen ("-": the role takes no place)
 *   input[data-rials="… %(tomans)s …"]  the amount typed (Persian, Arabic-Indic or Latin
 *                                   digits) shown in tomans under the input as it is typed
 *   meta[name=csrf-token]           CSRF token sent as X-CSRFToken on non-GET htmx requests
 *   #htmx-error                     (optional, starts `hidden`) shown when an htmx request fails
 *
 * Load order (all with `defer`): htmx.min.js, jalalidatepicker.min.js,
 * bootstrap.bundle.min.js, then this file.
 */
(function () {
  "use strict";

  var SEARCH_DEBOUNCE_MS = 400;

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  /* ------------------------------------------------------------------ htmx */

  // Must run before htmx's own DOMContentLoaded init (true for deferred
  // scripts loaded after htmx). A <meta name="htmx-config"> in the page is
  // merged on top of this by htmx and wins.
  if (window.htmx && window.htmx.config) {
    var cfg = window.htmx.config;
    cfg.includeIndicatorStyles = false; // htmx would inject a <style> (blocked by CSP); see app.css
    cfg.allowEval = false;              // hx-on / js: need eval, blocked by CSP anyway
    cfg.allowScriptTags = false;        // never run <script> from swapped HTML
    cfg.historyRestoreAsHxRequest = false; // back-button cache misses get the full page, not a fragment
    cfg.historyCacheSize = 0;           // no page snapshots (personal data) in localStorage
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      return meta.content;
    }
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    var verb = String(evt.detail.verb || "get").toLowerCase();
    if (verb !== "get" && !evt.detail.headers["X-CSRFToken"]) {
      var token = csrfToken();
      if (token) {
        evt.detail.headers["X-CSRFToken"] = token;
      }
    }
  });

  function showRequestError() {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.hidden = false;
    }
  }
  document.addEventListener("htmx:responseError", showRequestError);
  document.addEventListener("htmx:sendError", showRequestError);
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.hidden = true;
    }
  });

  /* ------------------------------------------------------ submit helpers */

  function submitForm(form, submitter) {
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      // Fires a real "submit" event: htmx (hx-get/hx-post on the form), the
      // data-confirm check and native validation all see it.
      if (submitter) {
        form.requestSubmit(submitter);
      } else {
        form.requestSubmit();
      }
      return;
    }
    // Old browsers without requestSubmit: click a temporary submit button.
    var button = document.createElement("button");
    button.type = "submit";
    button.hidden = true;
    form.appendChild(button);
    button.click();
    form.removeChild(button);
  }

  function isAutosubmitForm(form) {
    return !!form && form.hasAttribute("data-autosubmit");
  }

  var searchTimers = new WeakMap();

  function cancelPendingSearch(form) {
    var timer = searchTimers.get(form);
    if (timer) {
      clearTimeout(timer);
      searchTimers.delete(form);
    }
  }

  // A select changed by the keyboard (arrow keys, letters) waits for Enter or for the
  // focus to leave it; one changed by a pointer acts at once.
  var KEY_CHANGE_MS = 500;
  var lastSelectKey = { el: null, at: 0 };
  var pendingSelects = new WeakSet();

  function autosubmitSelect(el) {
    return (
      el.matches("select[data-autosubmit-lang]") ||
      (el.matches("select") && isAutosubmitForm(el.form))
    );
  }

  function actOn(el) {
    if (!el.matches("select[data-autosubmit-lang]")) {
      cancelPendingSearch(el.form);
    }
    submitForm(el.form);
  }

  document.addEventListener(
    "keydown",
    function (evt) {
      var el = evt.target;
      if (!(el instanceof Element) || !autosubmitSelect(el)) {
        return;
      }
      if (evt.key === "Enter" && pendingSelects.has(el)) {
        evt.preventDefault();
        pendingSelects.delete(el);
        actOn(el);
        return;
      }
      lastSelectKey = { el: el, at: Date.now() };
    },
    true
  );

  document.addEventListener("focusout", function (evt) {
    var el = evt.target;
    if (el instanceof Element && pendingSelects.has(el)) {
      pendingSelects.delete(el);
      actOn(el);
    }
  });

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!(el instanceof Element)) {
      return;
    }
    if (autosubmitSelect(el)) {
      if (lastSelectKey.el === el && Date.now() - lastSelectKey.at < KEY_CHANGE_MS) {
        pendingSelects.add(el);
      } else {
        actOn(el);
      }
      return;
    }
    if (!isAutosubmitForm(el.form)) {
      return;
    }
    if (el.matches("input[type=checkbox], input[type=radio], input[data-jdp]")) {
      cancelPendingSearch(el.form);
      submitForm(el.form);
    }
  });

  document.addEventListener("input", function (evt) {
    var el = evt.target;
    if (!(el instanceof Element) || !el.matches("input[type=search]")) {
      return;
    }
    var form = el.form;
    if (!isAutosubmitForm(form) || evt.isComposing) {
      return;
    }
    cancelPendingSearch(form);
    searchTimers.set(
      form,
      setTimeout(function () {
        searchTimers.delete(form);
        if (form.isConnected) {
          submitForm(form);
        }
      }, SEARCH_DEBOUNCE_MS)
    );
  });

  // Confirmation. Capture phase on document runs before htmx's listener on the
  // form, so cancelling here stops both native and htmx submissions.
  document.addEventListener(
    "submit",
    function (evt) {
      var form = evt.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      cancelPendingSearch(form);
      var submitter = evt.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
      }
    },
    true
  );

  /* ---------------------------------------------------- Jalali date picker */

  var PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  var ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";

  function toLatinDigits(str) {
    return str.replace(/[۰-۹٠-٩]/g, function (d) {
      var i = PERSIAN_DIGITS.indexOf(d);
      return String(i >= 0 ? i : ARABIC_DIGITS.indexOf(d));
    });
  }

  // The picker only recognises an existing value written with Latin digits
  // (it matches \d{4}/\d{2}/\d{2}) and always writes Latin digits itself, so
  // keep every date input in that form.
  function normaliseDateInput(input) {
    if (input.value) {
      var latin = toLatinDigits(input.value).trim();
      if (latin !== input.value) {
        input.value = latin;
      }
    }
  }

  function normaliseDateInputsIn(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("input[data-jdp]")) {
      normaliseDateInput(root);
    }
    var inputs = root.querySelectorAll("input[data-jdp]");
    for (var i = 0; i < inputs.length; i++) {
      normaliseDateInput(inputs[i]);
    }
  }

  // Runs (capture, on document) before the picker's own focusin listener on
  // <body> reads the value.
  document.addEventListener(
    "focusin",
    function (evt) {
      var el = evt.target;
      if (el instanceof Element && el.matches("input[data-jdp]")) {
        normaliseDateInput(el);
      }
    },
    true
  );

  var datepickerStarted = false;

  function startDatepicker() {
    // startWatch() adds document-level listeners (focusin on <body>, so inputs
    // added later by htmx are picked up automatically); calling it twice
    // would double them, so call it exactly once.
    if (datepickerStarted || !window.jalaliDatepicker) {
      return;
    }
    datepickerStarted = true;
    window.jalaliDatepicker.startWatch({
      selector: "input[data-jdp]",
      date: true,
      time: false,
      persianDigits: true, // calendar shows Persian digits; the value stays YYYY/MM/DD in Latin digits
      separatorChars: { date: "/" },
      minDate: "attr", // read data-jdp-min-date on the input ("today", a date or a selector)
      maxDate: "attr", // read data-jdp-max-date
      showTodayBtn: true,
      showEmptyBtn: true,
      hideAfterChange: true,
      autoShow: false, // opened only by its button: focus on the input never opens it
      autoReadOnlyInput: false, // the date can always be typed
      zIndex: 2000 // above Bootstrap modals (1055) and dropdowns
    });
  }

  var openDateInput = null;

  function closeDatepicker() {
    if (openDateInput && window.jalaliDatepicker) {
      window.jalaliDatepicker.hide();
    }
    if (openDateInput) {
      var button = openDateInput.parentNode.querySelector("[data-jdp-button]");
      if (button) {
        button.setAttribute("aria-expanded", "false");
      }
    }
    openDateInput = null;
  }

  // A button beside each date input opens the calendar (for the pointer and touch; the
  // keyboard types the date). The input keeps the focus, so the calendar never hides it.
  function addDateButtons(root) {
    var label = document.body.getAttribute("data-jdp-button-label");
    if (!label || !root.querySelectorAll) {
      return;
    }
    var inputs = root.querySelectorAll("input[data-jdp]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.hasAttribute("data-jdp-ready")) {
        continue;
      }
      input.setAttribute("data-jdp-ready", "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary jdp-open";
      button.setAttribute("data-jdp-button", "");
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", label);
      button.title = label;
      button.innerHTML = '<i class="bi bi-calendar3" aria-hidden="true"></i>';
      if (input.classList.contains("form-control-sm")) {
        button.classList.add("btn-sm");
      }
      var group = document.createElement("div");
      group.className = "input-group flex-nowrap" + (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
      input.parentNode.insertBefore(group, input);
      group.appendChild(input);
      group.appendChild(button);
    }
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target instanceof Element && evt.target.closest("[data-jdp-button]");
    if (!button || !window.jalaliDatepicker) {
      return;
    }
    var input = button.parentNode.querySelector("input[data-jdp]");
    if (openDateInput === input) {
      closeDatepicker();
      input.focus();
      return;
    }
    closeDatepicker();
    normaliseDateInput(input);
    input.focus();
    window.jalaliDatepicker.show(input);
    openDateInput = input;
    button.setAttribute("aria-expanded", "true");
  });

  // Escape closes the calendar and leaves the focus where it was; Tab closes it too, so it
  // never covers what takes the focus next.
  document.addEventListener(
    "keydown",
    function (evt) {
      if (!openDateInput || (evt.key !== "Escape" && evt.key !== "Tab")) {
        return;
      }
      var input = openDateInput;
      closeDatepicker();
      if (evt.key === "Escape") {
        evt.stopImmediatePropagation();
        evt.preventDefault();
        input.focus();
      }
    },
    true
  );

  document.addEventListener("jdp:change", function (evt) {
    if (evt.target === openDateInput) {
      var input = openDateInput;
      closeDatepicker();
      input.focus();
    }
  });

  // If a date input's region is swapped out while its picker is open, close it.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var active = document.activeElement;
    var target = evt.detail && evt.detail.target;
    if (
      window.jalaliDatepicker &&
      active &&
      active.matches &&
      active.matches("input[data-jdp]") &&
      target &&
      target.contains(active)
    ) {
      window.jalaliDatepicker.hide();
    }
  });

  /* -------------------------------------------------------------- Bootstrap */

  function initTooltips(root) {
    if (!window.bootstrap || !window.bootstrap.Tooltip || !root.querySelectorAll) {
      return;
    }
    var els = root.querySelectorAll('[data-bs-toggle="tooltip"]');
    for (var i = 0; i < els.length; i++) {
      window.bootstrap.Tooltip.getOrCreateInstance(els[i]);
    }
  }

  /* ------------------------------------------------ a role and its place */

  function showPlaceFields(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    var wanted = null;
    var pairs = select.getAttribute("data-place-fields").split(" ");
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i].split(":");
      if (pair[0] === select.value) {
        wanted = pair[1];
      }
    }
    var boxes = form.querySelectorAll("[data-place-field]");
    for (var j = 0; j < boxes.length; j++) {
      var name = boxes[j].getAttribute("data-place-field");
      var shown =
        select.value !== "" &&
        (wanted === null || // a role this page does not know: show every field
          name === wanted ||
          (wanted === "enterprise" && name === "province"));
      boxes[j].hidden = !shown;
    }
  }

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el instanceof Element && el.matches("select[data-place-fields]")) {
      showPlaceFields(el);
    }
  });

  function initPlaceFields(root) {
    if (!root.querySelectorAll) {
      return;
    }
    var selects = root.querySelectorAll("select[data-place-fields]");
    for (var i = 0; i < selects.length; i++) {
      showPlaceFields(selects[i]);
    }
  }

  /* ------------------------------------------------- rials, tomans beside */

  var tomanFormat = new Intl.NumberFormat(
    (document.documentElement.lang || "fa").slice(0, 2) === "fa" ? "fa-IR" : document.documentElement.lang,
    { maximumFractionDigits: 1 }
  );

  function latinDigits(text) {
    return text
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); });
  }

  function showTomans(input) {
    var box = input.nextElementSibling;
    if (!box || !box.hasAttribute("data-tomans")) {
      box = document.createElement("div");
      box.className = "form-text";
      box.setAttribute("data-tomans", "");
      box.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", box);
    }
    var digits = latinDigits(input.value).replace(/[\u066c,\s]/g, "");
    box.textContent = /^[0-9]{1,16}$/.test(digits)
      ? input.getAttribute("data-rials").replace("%(tomans)s", tomanFormat.format(Number(digits) / 10))
      : "";
  }

  document.addEventListener("input", function (evt) {
    if (evt.target instanceof Element && evt.target.matches("input[data-rials]")) {
      showTomans(evt.target);
    }
  });

  function initTomans(root) {
    if (!root.querySelectorAll) {
      return;
    }
    var inputs = root.querySelectorAll("input[data-rials]");
    for (var i = 0; i < inputs.length; i++) {
      showTomans(inputs[i]);
    }
  }

  /* --------------------------------------------------------- accessibility */

  // After a failed save the error summary takes the focus, so a screen reader reads it and
  // Tab goes on to its links; each link puts the focus in its field.
  function focusErrorSummary(root) {
    var summary =
      root.matches && root.matches("[data-error-summary]")
        ? root
        : root.querySelector && root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("click", function (evt) {
    var link = evt.target instanceof Element && evt.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      evt.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });

  function tableRegions(root) {
    if (!root.querySelectorAll) {
      return;
    }
    var boxes = root.querySelectorAll(".table-responsive, .ranking-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.hasAttribute("tabindex") || box.parentNode.closest(".ranking-scroll")) {
        continue;
      }
      var card = box.closest(".card");
      var caption = box.querySelector("caption");
      var header = card && card.querySelector(".card-header");
      var label =
        box.getAttribute("data-label") ||
        (caption && caption.textContent) ||
        (header && header.textContent) ||
        document.title;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", label.replace(/\s+/g, " ").trim());
    }
  }

  // A result count swapped in by htmx is announced through the page's one live region
  // (a region that is itself swapped is not reliably read).
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    var region = document.getElementById("live-announce");
    var said = target && target.querySelector && target.querySelector("[data-announce]");
    if (region && said) {
      region.textContent = "";
      setTimeout(function () {
        region.textContent = said.textContent.replace(/\s+/g, " ").trim();
      }, 100);
    }
  });

  // Persian data (names of units, places, people) in a page of another language: each run
  // of Persian script gets lang="fa", so a screen reader reads it with a Persian voice.
  var PERSIAN_RUN = /[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff][\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff\u200c\s\d.,:()«»\-]*/g;
  var PERSIAN_LETTER = /[\u0600-\u06ff]/;

  function markPersian(root) {
    var page = (document.documentElement.lang || "fa").slice(0, 2);
    if (page === "fa" || !root || !document.createTreeWalker) {
      return;
    }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var nodes = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      if (
        PERSIAN_LETTER.test(node.nodeValue) &&
        parent &&
        !parent.closest("[lang]:not(html), script, style, template, option, textarea, title")
      ) {
        nodes.push(node);
      }
    }
    nodes.forEach(function (text) {
      var value = text.nodeValue;
      var fragment = document.createDocumentFragment();
      var last = 0;
      value.replace(PERSIAN_RUN, function (run, at) {
        var trimmed = run.replace(/[\s.,:\-]+$/, "");
        if (at > last) {
          fragment.appendChild(document.createTextNode(value.slice(last, at)));
        }
        var span = document.createElement("span");
        span.lang = "fa";
        span.dir = "rtl";
        span.textContent = trimmed;
        fragment.appendChild(span);
        last = at + trimmed.length;
        return run;
      });
      if (last < value.length) {
        fragment.appendChild(document.createTextNode(value.slice(last)));
      }
      text.parentNode.replaceChild(fragment, text);
    });
  }

  /* ---------------------------------------------------------------- start */

  function initContent(root) {
    normaliseDateInputsIn(root);
    addDateButtons(root);
    initTooltips(root);
    initPlaceFields(root);
    initTomans(root);
    tableRegions(root);
    markPersian(root);
    focusErrorSummary(root);
  }

  onReady(function () {
    startDatepicker();
    if (window.htmx && typeof window.htmx.onLoad === "function") {
      // Called for <body> on start-up and for every piece of swapped content.
      window.htmx.onLoad(initContent);
    } else {
      initContent(document.body);
    }
  });
})();
