// Comfort on the filing form: a draft that survives a reload, a unit search by name or
// pinyin initials, the name fields only when wanted, and no double sending. The form
// works the same without any of it.
(function () {
  "use strict";
  var form = document.getElementById("filing-form");
  if (!form) {
    return;
  }
  var DRAFT_KEY = "jiufeng.filing.draft";
  // Never kept in the draft: files (they cannot be), the CSRF token, and who the
  // petitioner is, because a phone may be shared with the people they complain about.
  var SKIP = { csrfmiddlewaretoken: 1, attachments: 1, name: 1, phone: 1, id_number: 1, email: 1, file_anyway: 1 };
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  // --- Draft ---------------------------------------------------------------------------
  function collect() {
    var data = {};
    each(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file") {
        return;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) {
          data[el.name] = el.value;
        }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(data) {
    each(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || !Object.prototype.hasOwnProperty.call(data, el.name)) {
        return;
      }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = el.value === data[el.name];
      } else {
        el.value = data[el.name];
      }
    });
    each(form.querySelectorAll("details"), function (details) {
      if (details.querySelector("input:checked")) {
        details.open = true;
      }
    });
  }

  var storage = store();
  var notice = form.querySelector("[data-draft-notice]");
  if (storage) {
    // Only a fresh form is filled from the draft: one that came back from the server
    // already holds what the petitioner sent.
    var saved = storage.getItem(DRAFT_KEY);
    if (saved && form.dataset.fresh === "true") {
      try {
        restore(JSON.parse(saved));
        notice.hidden = false;
      } catch (error) {
        storage.removeItem(DRAFT_KEY);
      }
    }
    var save = function () {
      storage.setItem(DRAFT_KEY, JSON.stringify(collect()));
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    notice.querySelector("[data-draft-discard]").addEventListener("click", function () {
      storage.removeItem(DRAFT_KEY);
      form.reset();
      notice.hidden = true;
      showIdentityFields();
    });
  }

  // --- The unit: search by name, pinyin or its initials ---------------------------------
  var search = form.querySelector("[data-unit-search]");
  var select = form.querySelector("select[name=subject_unit]");
  if (search && select) {
    var input = search.querySelector("input");
    var results = search.querySelector("[data-unit-results]");
    var chosen = search.querySelector("[data-unit-chosen]");
    var options = Array.prototype.filter.call(select.options, function (option) { return option.value; });
    var squash = function (text) { return (text || "").toLowerCase().replace(/[\s\-·]/g, ""); };
    var choose = function (option) {
      select.value = option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      results.textContent = "";
      chosen.textContent = search.dataset.chosenText + " " + option.text;
    };
    var show = function () {
      var query = squash(input.value);
      results.textContent = "";
      if (!query) {
        return;
      }
      var found = options.filter(function (option) {
        return squash(option.text).indexOf(query) >= 0 ||
          (option.dataset.initials || "").indexOf(query) >= 0 ||
          (option.dataset.pinyin || "").indexOf(query) >= 0;
      }).slice(0, 20);
      if (!found.length) {
        var none = document.createElement("p");
        none.className = "small mt-1 mb-0";
        none.textContent = search.dataset.noneText;
        results.appendChild(none);
        return;
      }
      found.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.setAttribute("role", "listitem");
        button.textContent = option.text;
        if (option.dataset.parent) {
          var parent = document.createElement("span");
          parent.className = "d-block small text-body-secondary";
          parent.textContent = option.dataset.parent;
          button.appendChild(parent);
        }
        button.addEventListener("click", function () { choose(option); });
        results.appendChild(button);
      });
    };
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      // Enter picks the first match instead of sending the unfinished form.
      if (event.key === "Enter") {
        event.preventDefault();
        var first = results.querySelector("button");
        if (first) {
          first.click();
        }
      }
    });
    search.hidden = false;
  }

  // --- Name fields only for a real-name complaint ----------------------------------------
  var realName = form.querySelector("[data-real-name-fields]");
  function showIdentityFields() {
    var checked = form.querySelector("input[name=identity]:checked");
    realName.hidden = !(checked && checked.value === "real_name");
  }
  each(form.querySelectorAll("input[name=identity]"), function (radio) {
    radio.addEventListener("change", showIdentityFields);
  });
  showIdentityFields();

  // --- One tap sends once, even on a slow connection -------------------------------------
  var submit = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function () {
    window.setTimeout(function () { submit.disabled = true; }, 0);
  });
  // Back from the next page (the browser's page cache): the button works again.
  window.addEventListener("pageshow", function () { submit.disabled = false; });
})();
