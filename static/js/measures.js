// "Add another measure" on the decision form: a new row from the formset's empty form, up to
// its maximum (complaints.forms.staff.MeasureFormSet). Without JavaScript the button stays
// hidden and the formset's empty rows serve.
(function () {
  "use strict";

  function setUp(fieldset) {
    var prefix = fieldset.getAttribute("data-prefix");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template[data-measure-template]");
    var rows = fieldset.querySelector("[data-measure-rows]");
    var button = fieldset.querySelector("[data-measure-add]");
    if (!total || !max || !template || !rows || !button) {
      return;
    }
    function refresh() {
      button.hidden = parseInt(total.value, 10) >= parseInt(max.value, 10);
    }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= parseInt(max.value, 10)) {
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("select, input, textarea");
      if (first) {
        first.focus();
      }
      refresh();
    });
    refresh();
  }

  function init() {
    var sets = document.querySelectorAll("fieldset[data-measures]");
    for (var i = 0; i < sets.length; i++) {
      if (!sets[i].hasAttribute("data-measures-ready")) {
        sets[i].setAttribute("data-measures-ready", "");
        setUp(sets[i]);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
