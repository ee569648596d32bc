/* The searchable picker: a WAI-ARIA combobox (APG "list autocomplete" pattern) over the native control
   the server renders beside it, which keeps carrying the form's value: the <select> of a single
   reference, or the checkboxes of several (shown here as removable tokens). HTMX fetches the options
   from the tenant's /pick/... address as the member types; this file only handles the keyboard, the
   ARIA state and the value. Without JavaScript the native control is shown and works on its own. */
(function () {
  "use strict";

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
  }

  function setup(root) {
    if (root.dataset.pickerReady) { return; }
    var id = root.dataset.picker;
    var input = document.getElementById(id + "-search");
    var list = document.getElementById(id + "-listbox");
    if (!input || !list) { return; }
    root.dataset.pickerReady = "true";
    var multiple = root.hasAttribute("data-picker-multiple");
    var select = multiple ? null : document.getElementById(id);
    var box = root.querySelector(".picker-box");
    var label = document.getElementById(id + "-label");
    var wanted = null; // "first" or "last": the option to make active once the options arrive
    var chosen = input.value; // the label of the value chosen (a single reference)

    root.querySelectorAll("[data-picker-native]").forEach(function (el) { el.hidden = true; });
    root.querySelectorAll("[data-picker-hint]").forEach(function (el) { el.hidden = false; });
    box.hidden = false;
    if (select) { select.required = false; } // the server checks it; a hidden control cannot be focused
    if (label && label.tagName === "LABEL") { label.htmlFor = input.id; }

    function isOpen() { return input.getAttribute("aria-expanded") === "true"; }

    function activeOption() {
      var current = input.getAttribute("aria-activedescendant");
      return current ? document.getElementById(current) : null;
    }

    function setActive(option) {
      options(list).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      setActive(null);
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function fetchOptions(which) {
      wanted = which;
      if (window.htmx) { window.htmx.trigger(input, "picker-open"); }
    }

    function move(step) {
      var all = options(list);
      if (!all.length) { return; }
      var index = all.indexOf(activeOption());
      if (index < 0) { index = step > 0 ? 0 : all.length - 1; }
      else { index = (index + step + all.length) % all.length; }
      setActive(all[index]);
    }

    function checkbox(value) {
      return root.querySelector('input[type="checkbox"][value="' + CSS.escape(value) + '"]');
    }

    function renderTokens() {
      var tokens = document.getElementById(id + "-tokens");
      var template = document.getElementById(id + "-token");
      tokens.textContent = "";
      root.querySelectorAll('input[type="checkbox"]:checked').forEach(function (box) {
        var item = template.content.firstElementChild.cloneNode(true);
        var button = item.querySelector("button");
        item.querySelector(".token-label").textContent = box.parentNode.textContent.trim();
        button.dataset.value = box.value;
        button.addEventListener("click", function () {
          box.checked = false;
          renderTokens();
          input.focus();
        });
        tokens.appendChild(item);
      });
    }

    function choose(option) {
      var value = option.dataset.value;
      var text = option.textContent.trim();
      if (multiple) {
        var box = checkbox(value);
        if (!box) {
          var wrapper = document.createElement("label");
          wrapper.className = "checkbox";
          box = document.createElement("input");
          box.type = "checkbox";
          box.name = root.dataset.pickerName;
          box.value = value;
          wrapper.appendChild(box);
          wrapper.appendChild(document.createTextNode(" " + text));
          root.querySelector(".checks").appendChild(wrapper);
        }
        box.checked = true;
        input.value = "";
        renderTokens();
      } else {
        if (!select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
          select.add(new Option(text, value));
        }
        select.value = value;
        input.value = text;
        chosen = text;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      close();
    }

    input.addEventListener("keydown", function (event) {
      var active = activeOption();
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          event.preventDefault();
          if (event.altKey && event.key === "ArrowDown") { open(); if (!options(list).length) { fetchOptions(null); } return; }
          if (!isOpen() || !options(list).length) {
            open();
            fetchOptions(event.key === "ArrowDown" ? "first" : "last");
          } else {
            move(event.key === "ArrowDown" ? 1 : -1);
          }
          break;
        case "Home":
        case "End":
          if (isOpen() && options(list).length) {
            event.preventDefault();
            var all = options(list);
            setActive(event.key === "Home" ? all[0] : all[all.length - 1]);
          }
          break;
        case "Enter":
          if (isOpen() && active) {
            event.preventDefault();
            choose(active);
          } else if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            if (select) { select.value = ""; chosen = ""; }
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("input", function () {
      if (select && input.value !== chosen) {
        select.value = "";
        chosen = "";
      }
      wanted = null;
    });

    input.addEventListener("blur", function () {
      window.setTimeout(function () { if (document.activeElement !== input) { close(); } }, 150);
    });

    // A click chooses without taking the focus from the input.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) { choose(option); input.focus(); }
    });

    list.addEventListener("htmx:afterSwap", function () {
      if (document.activeElement !== input) { close(); return; }
      open();
      var all = options(list);
      if (wanted === "first" && all.length) { setActive(all[0]); }
      else if (wanted === "last" && all.length) { setActive(all[all.length - 1]); }
      else { setActive(null); }
      wanted = null;
    });

    if (multiple) { renderTokens(); }
  }

  function scan(scope) {
    (scope.querySelectorAll ? scope : document).querySelectorAll("[data-picker]").forEach(setup);
  }

  // The search typed so far goes with every request for options.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("picker-input")) {
      event.detail.parameters.q = elt.value;
    }
  });
  // A search the server refuses (400) still shows its sentence, in place of the options.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("picker-list") && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
})();
