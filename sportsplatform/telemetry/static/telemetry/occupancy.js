// Live occupancy badges (telemetry/includes/occupancy_badge.html): one EventSource for all the
// badges on the page — /live/venues/<id>/occupancy/stream for one, /live/occupancy/stream?venues=…
// for several. The server ends each stream after ~25 s and EventSource reconnects by itself.
// Re-scans after htmx swaps (the venue opening page replaces its results). No dependencies.
(function () {
  "use strict";

  const LEVEL_CLASSES = { comfortable: "badge-success", busy: "badge-warning", full: "badge-error" };
  let source = null;
  let sourceUrl = "";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  }

  function badges() {
    return Array.from(document.querySelectorAll("[data-occupancy-venue]"));
  }

  function apply(reading) {
    for (const node of document.querySelectorAll(`[data-occupancy-venue="${reading.venue}"]`)) {
      // A repeat (same update time) changes nothing: skip it so screen readers are not told twice.
      if (reading.updated_at && node.dataset.updatedAt === reading.updated_at) continue;
      node.dataset.updatedAt = reading.updated_at || "";
      const count = node.querySelector("[data-occupancy-count]");
      if (count) count.textContent = format(node.dataset.labelInside, { count: reading.current });
      const level = node.querySelector("[data-occupancy-level]");
      if (level) {
        level.classList.remove("badge-success", "badge-warning", "badge-error", "badge-muted");
        if (reading.level) {
          level.classList.add(LEVEL_CLASSES[reading.level] || "badge-muted");
          level.textContent = node.dataset["label" + reading.level.charAt(0).toUpperCase() + reading.level.slice(1)] || reading.level;
          level.hidden = false;
        } else {
          level.hidden = true;
        }
      }
      node.dataset.occupancyLevel = reading.level || "";
      node.dataset.occupancyCurrent = String(reading.current);
      if (reading.updated_at) node.hidden = false;
    }
  }

  function connect() {
    const nodes = badges();
    const ids = Array.from(new Set(nodes.map((node) => node.dataset.occupancyVenue))).slice(0, 200);
    let url = "";
    if (ids.length === 1) url = nodes[0].dataset.streamUrl;
    else if (ids.length > 1) url = `/live/occupancy/stream?venues=${ids.join(",")}`;
    if (url === sourceUrl) return;
    if (source) source.close();
    source = null;
    sourceUrl = url;
    if (!url || !("EventSource" in window)) return;
    source = new EventSource(url);
    source.addEventListener("snapshot", (event) => {
      for (const reading of JSON.parse(event.data)) apply(reading);
    });
    source.addEventListener("occupancy", (event) => apply(JSON.parse(event.data)));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
  document.body.addEventListener("htmx:afterSwap", connect);
  window.addEventListener("pagehide", () => {
    if (source) source.close();
    source = null;
    sourceUrl = "";
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connect();
  });
})();
