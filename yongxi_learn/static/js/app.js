// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  // A button may ask on its own (发布考试 beside 保存草稿 in one form).
  var submitter = event.submitter;
  var message = (submitter && submitter.getAttribute("data-confirm")) ||
    form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  var busy = form.getAttribute("data-busy");
  if (busy) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      // Say what the server is doing while a slow request (import, export) runs.
      window.setTimeout(function () { button.disabled = true; button.textContent = busy; }, 0);
    }
  }
});
// Print buttons on pages that show one-time passwords (CSP forbids inline handlers).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
// The header menu (a <details>, usable without this file): open on a wide screen, where its
// links sit in the bar; on a phone, closed again by Escape or a tap outside it.
(function () {
  var menu = document.querySelector("details[data-menu]");
  if (!menu || !window.matchMedia) {
    return;
  }
  // 长辈模式 keeps the menu one panel of large buttons on every screen.
  var elder = /(^|\s)elder(\s|$)/.test(document.documentElement.className);
  var wide = window.matchMedia(elder ? "not all" : "(min-width: 960px)");
  function fit() {
    menu.open = wide.matches;
  }
  fit();
  if (wide.addEventListener) {
    wide.addEventListener("change", fit);
  } else if (wide.addListener) {
    wide.addListener(fit);
  }
  document.addEventListener("click", function (event) {
    if (menu.open && !wide.matches && !menu.contains(event.target)) {
      menu.open = false;
    }
  });
  document.addEventListener("keydown", function (event) {
    if (menu.open && !wide.matches && (event.key === "Escape" || event.key === "Esc")) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
// ---- 催办: the copy button of a ready-to-copy message (the text stays selectable without it).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) {
    return;
  }
  field.select();
  var done = function () { button.textContent = button.getAttribute("data-copied") || "已复制"; };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (document.execCommand("copy")) { done(); }
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});

// ---- 无障碍: a table wider than the screen scrolls sideways inside its .table-wrap; as a tab
// stop the keyboard reaches it and its arrow keys scroll it (WCAG 2.1.1, docs/accessibility.md).
Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
  wrap.tabIndex = 0;
});
