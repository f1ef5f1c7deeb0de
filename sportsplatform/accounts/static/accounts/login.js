// Sign-in page helpers. The page works without this script: the "send code" button is a plain
// submit button and the server renders the "sent" state. With it, sending uses htmx (loaded
// here unless the base page already did) and the button counts down until a resend is allowed.
(function () {
  "use strict";
  var script = document.currentScript;

  function startCountdown(root) {
    var button = root.querySelector("[data-resend-in]");
    if (!button) return;
    var left = parseInt(button.getAttribute("data-resend-in"), 10) || 0;
    if (left <= 0) return;
    var label = button.textContent;
    var template = button.getAttribute("data-label-wait") || "{seconds}";
    var hint = root.querySelector("[data-countdown-text]");
    if (hint) hint.style.display = "none";
    button.disabled = true;
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = template.replace("{seconds}", String(left));
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  function init(root) {
    startCountdown(root || document);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });

  if (!window.htmx && script && script.getAttribute("data-htmx-src")) {
    var htmxScript = document.createElement("script");
    htmxScript.src = script.getAttribute("data-htmx-src");
    document.head.appendChild(htmxScript);
  }
})();
