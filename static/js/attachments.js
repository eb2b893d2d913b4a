// Files chosen for a complaint, a message or a record are checked against the limits as soon
// as they are chosen (complaints.forms.attachments.AttachmentsInput states them), and a form
// holding a file over them is not sent: on a phone, sending 200 MB only to read that 20 is the
// limit costs minutes and money. The server still judges every file by its content and says
// the same after sending when this script does not run.
(function () {
  "use strict";
  var MB = 1024 * 1024;
  var SELECTOR = "input[type=file][data-attachment-limits]";
  // complaints.attachments._NAME_SHOWN: a name is quoted back shortened.
  var NAME_SHOWN = 80;

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function shown(name) {
    return name.length <= NAME_SHOWN ? name : name.slice(0, NAME_SHOWN - 1) + "\u2026";
  }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  }

  function megabytes(bytes) {
    return (bytes / MB).toFixed(1);
  }

  // The messages for the files chosen in ``input``; none when they may be sent.
  function problems(input) {
    var limits = JSON.parse(input.getAttribute("data-attachment-limits"));
    var says = limits.messages;
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > limits.files) {
      return [fill(says.count, { count: files.length })];
    }
    var found = [];
    var total = 0;
    files.forEach(function (file) {
      var name = shown(file.name);
      var kind = extension(file.name);
      total += file.size;
      if (!file.size) {
        found.push(fill(says.empty, { name: name }));
      } else if (file.size > limits.bytes) {
        found.push(fill(says.size, { name: name, size: megabytes(file.size) }));
      } else if (limits.heic.indexOf(kind) >= 0 || limits.heic.indexOf(file.type) >= 0) {
        found.push(fill(says.heic, { name: name }));
      } else if (limits.names.indexOf(kind) < 0 && limits.types.indexOf(file.type) < 0) {
        // Only a file known by neither its name nor its type: the server decides the rest.
        found.push(fill(says.kind, { name: name }));
      }
    });
    if (total > limits.total) {
      found.push(fill(says.total, { size: megabytes(total) }));
    }
    return found;
  }

  // Shows ``messages`` under the input (or takes them away); true when there were any.
  function show(input, messages) {
    var box = input.parentNode.querySelector("[data-attachment-problems]");
    if (!messages.length) {
      input.classList.remove("is-invalid");
      if (box) {
        box.remove();
      }
      return false;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      box.setAttribute("data-attachment-problems", "");
      box.setAttribute("data-testid", "attachment-problems");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    messages.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      box.appendChild(line);
    });
    input.classList.add("is-invalid");
    return true;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(SELECTOR)) {
      show(event.target, problems(event.target));
    }
  });

  // Capturing, on the document: before the form's own handlers (the filing page's "send once",
  // htmx), so that a refused choice leaves the form as it was.
  document.addEventListener(
    "submit",
    function (event) {
      var refused = Array.prototype.filter.call(event.target.querySelectorAll(SELECTOR), function (input) {
        return show(input, problems(input));
      });
      if (refused.length) {
        event.preventDefault();
        event.stopPropagation();
        refused[0].focus();
      }
    },
    true
  );
})();
