// The reply letter on the tracking page: print it alone, copy its text, and inside WeChat
// (where nothing can be downloaded) turn it into a picture to long-press and save.
// Without it the letter is still in the page, printable with the page and downloadable.
(function () {
  "use strict";
  var section = document.querySelector("[data-letter-section]");
  if (!section) {
    return;
  }
  var letter = section.querySelector("#reply-letter");
  var status = section.querySelector("[data-letter-status]");

  var print = section.querySelector("[data-letter-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      document.body.classList.add("printing-letter");
      window.print();
    });
    window.addEventListener("afterprint", function () {
      document.body.classList.remove("printing-letter");
    });
  }

  // The clipboard API wants a secure page; older in-app browsers only know execCommand.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand && document.execCommand("copy");
      document.body.removeChild(area);
      if (done) {
        resolve();
      } else {
        reject(new Error("copy"));
      }
    });
  }
  var copy = section.querySelector("[data-letter-copy]");
  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      copyText(letter.innerText).then(
        function () { status.textContent = section.dataset.copiedText; },
        function () { status.textContent = section.dataset.copyFailedText; }
      );
    });
  }

  var picture = section.querySelector("[data-letter-image]");
  if (picture && window.htmlToImage) {
    window.htmlToImage
      .toPng(letter, { pixelRatio: 2, backgroundColor: "#ffffff" })
      .then(function (url) {
        var image = new Image();
        image.src = url;
        image.alt = picture.dataset.alt;
        image.className = "img-fluid border";
        image.setAttribute("data-testid", "letter-picture");
        picture.replaceChildren(image);
        picture.hidden = false;
        // The picture stands for the letter on screen; its text stays for screen readers and copying.
        letter.classList.add("visually-hidden");
      })
      .catch(function () {
        status.textContent = section.dataset.imageFailedText;
      });
  }
})();
