// Comfort on the receipt: the draft is cleared, the code can be copied and printed, and
// leaving before confirming that the code was kept asks first. Without it the page still
// shows the code, offers the download and the confirmation.
(function () {
  "use strict";
  var page = document.querySelector("[data-receipt]");
  if (!page) {
    return;
  }
  // The complaint is filed: its draft must not come back on the next filing.
  try {
    window.localStorage.removeItem("jiufeng.filing.draft");
  } catch (error) {
    // Storage disabled: there is no draft either.
  }

  var code = page.querySelector("[data-code]").dataset.code;
  var status = page.querySelector("[data-copy-status]");
  var copy = page.querySelector("[data-copy]");
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(code).then(
        function () { status.textContent = page.dataset.copiedText; },
        function () { status.textContent = page.dataset.copyFailedText; }
      );
    });
  }
  var print = page.querySelector("[data-print]");
  print.hidden = false;
  print.addEventListener("click", function () { window.print(); });

  var kept = false;
  page.querySelector("[data-keep-form]").addEventListener("submit", function () { kept = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!kept) {
      event.preventDefault();
      event.returnValue = page.dataset.leaveWarning;
      return page.dataset.leaveWarning;
    }
  });
})();
