// homelang serve: the quality checks shown while a volunteer types (the server checks
// again on every save, so the page works the same without this file).
"use strict";
(function () {
  const form = document.querySelector("form.review[data-check]");
  const list = document.getElementById("live-findings");
  if (!form || !list || !window.fetch) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;
  let sent = 0;

  function show(findings) {
    list.replaceChildren();
    for (const f of findings) {
      const item = document.createElement("li");
      item.className = f.level;
      item.textContent = f.level + ": " + f.message; // text only: never parsed as HTML
      list.appendChild(item);
    }
  }

  async function check() {
    const body = new FormData();
    for (const area of form.querySelectorAll("textarea")) body.append(area.name, area.value);
    const number = ++sent;
    try {
      const response = await fetch(form.dataset.check, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      });
      if (!response.ok || number !== sent) return;
      show((await response.json()).findings);
    } catch (error) {
      // offline or slow: the server checks again when the text is saved
    }
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  });
  check();
})();
