// The booking grid: keeps the "your choice" panel and the total in step with the ticked times.
// Without JavaScript the grid is a plain form of checkboxes and still books (one place per session).
document.addEventListener("alpine:init", function () {
  "use strict";
  window.Alpine.data("bookingGrid", function () {
    return {
      items: [],
      total: 0,
      init: function () {
        this.$root.querySelectorAll("[data-chosen-server]").forEach(function (el) { el.remove(); });
        this.refresh();
      },
      refresh: function () {
        var previous = {};
        this.items.forEach(function (item) { previous[item.id] = item.qty; });
        var items = [];
        this.$root.querySelectorAll("input[name=slot]:checked").forEach(function (box) {
          var id = box.value;
          var qty = previous[id] || parseInt(box.dataset.qty || "1", 10) || 1;
          items.push({
            id: id,
            label: box.dataset.label,
            price: parseFloat(box.dataset.price),
            session: box.dataset.session === "1",
            available: parseInt(box.dataset.available || "1", 10),
            qty: qty,
          });
        });
        this.items = items;
        this.total = items.reduce(function (sum, item) { return sum + item.price * (item.qty || 1); }, 0);
      },
    };
  });
});
