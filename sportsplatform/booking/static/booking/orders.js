// Checkout helpers: a countdown to the hold's end and a poll of the order's status while a
// payment is on its way (the provider's callback arrives in the background).
document.addEventListener("alpine:init", function () {
  "use strict";
  window.Alpine.data("countdown", function (iso) {
    return {
      left: "",
      init: function () {
        var end = Date.parse(iso);
        if (!end) return;
        var self = this;
        function tick() {
          var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
          var m = Math.floor(seconds / 60);
          var s = seconds % 60;
          self.left = m + ":" + (s < 10 ? "0" : "") + s;
          if (seconds === 0) {
            clearInterval(timer);
            window.setTimeout(function () { window.location.reload(); }, 1500);
          }
        }
        var timer = setInterval(tick, 1000);
        tick();
      },
    };
  });
  window.Alpine.data("orderStatus", function (url) {
    return {
      message: "",
      init: function () {
        var self = this;
        var tries = 0;
        function poll() {
          tries += 1;
          fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (data) {
              if (data.paid || (data.status && data.status !== "pending_payment")) {
                window.location.assign(data.detail_url);
              } else if (tries < 150) {
                window.setTimeout(poll, 2000);
              }
            })
            .catch(function () { if (tries < 150) window.setTimeout(poll, 4000); });
        }
        window.setTimeout(poll, 1500);
      },
    };
  });
});
