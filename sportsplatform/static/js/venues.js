// Public venue pages (venues/templates/venues/). Everything here is an enhancement: without
// JavaScript the filter form submits as a plain GET, photos open as links, and the map buttons
// open the map apps.
(function () {
  "use strict";

  // --- Region cascade: province → city → county from /api/v1/regions?parent= ------------------
  var LEVELS = ["province", "city", "county"];

  function setupRegionCascade(form) {
    var url = form.getAttribute("data-regions-url");
    var selects = LEVELS.map(function (level) {
      return form.querySelector('select[data-region-level="' + level + '"]');
    });
    if (!url || selects.indexOf(null) !== -1) return;

    function reset(select) {
      // Keep the "All …" option; drop the rest. Runs synchronously in the change event, before
      // htmx (listening on the form) sends the search, so a stale child code is never sent.
      while (select.options.length > 1) select.remove(1);
      select.value = "";
      select.disabled = true;
    }

    function load(select, parentCode) {
      var request = fetch(url + "?parent=" + encodeURIComponent(parentCode), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      request
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (regions) {
          if (!Array.isArray(regions) || !regions.length) return;
          regions.forEach(function (region) {
            select.add(new Option(region.name, region.code));
          });
          select.disabled = false;
        })
        .catch(function () { /* the selects stay as they are; the search still works */ });
    }

    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var below = selects.slice(index + 1);
        below.forEach(reset);
        if (below.length && select.value) load(below[0], select.value);
      });
    });
  }

  // --- Near me: the browser's position (WGS-84) into ?near=lat,lng -----------------------------
  function setupNearMe(form) {
    var button = form.querySelector("[data-near-me]");
    var input = form.querySelector("[data-near-input]");
    var status = form.querySelector("[data-near-status]");
    if (!button || !input || !("geolocation" in navigator)) return;
    button.hidden = false;

    button.addEventListener("click", function () {
      if (status) status.textContent = button.getAttribute("data-locating");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          button.disabled = false;
          if (status) status.textContent = "";
          input.value = position.coords.latitude.toFixed(5) + "," + position.coords.longitude.toFixed(5);
          submit(form);
        },
        function () {
          button.disabled = false;
          if (status) status.textContent = button.getAttribute("data-denied");
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });

    // The results say which location they were sorted by ("stop using my location" clears it):
    // keep the form's hidden field in step after each swap.
    document.body.addEventListener("htmx:afterSwap", function () {
      var results = document.querySelector("[data-near]");
      if (results) input.value = results.getAttribute("data-near") || "";
    });
  }

  function submit(form) {
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  // --- Filters: open on wide screens, folded on phones unless a filter is set ------------------
  function setupFiltersDisclosure(form) {
    var details = form.querySelector("[data-filters-details]");
    if (details && window.matchMedia("(min-width: 64rem)").matches) details.open = true;
  }

  // --- Gallery: a tap opens the full image in a dialog ----------------------------------------
  function setupGallery() {
    var gallery = document.querySelector("[data-gallery]");
    var dialog = document.querySelector("[data-lightbox]");
    if (!gallery || !dialog || typeof dialog.showModal !== "function") return;
    var track = gallery.querySelector(".venue-gallery-track");
    var controls = gallery.querySelector("[data-gallery-controls]");
    if (controls && track) {
      controls.hidden = false;
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-gallery-step]");
        if (!button) return;
        var step = parseInt(button.getAttribute("data-gallery-step"), 10) * track.clientWidth;
        var atEnd = track.scrollLeft + track.clientWidth >= track.scrollWidth - 2;
        var atStart = track.scrollLeft <= 2;
        // Wrap around at either end, so both buttons always do something.
        if (step > 0 && atEnd) track.scrollTo({ left: 0 });
        else if (step < 0 && atStart) track.scrollTo({ left: track.scrollWidth });
        else track.scrollBy({ left: step });
      });
    }
    var image = dialog.querySelector("[data-lightbox-image]");
    var caption = dialog.querySelector("[data-lightbox-caption]");
    gallery.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-full]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      image.src = link.getAttribute("data-full");
      image.alt = link.getAttribute("data-caption") || "";
      caption.textContent = link.getAttribute("data-caption") || "";
      dialog.showModal();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }

  // --- The venue's small map (Leaflet, served from static/vendor) ------------------------------
  function setupMap() {
    var element = document.getElementById("venue-map");
    if (!element || !window.L) return;
    var L = window.L;
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lng = parseFloat(element.getAttribute("data-lng"));
    if (isNaN(lat) || isNaN(lng)) return;
    var name = element.getAttribute("data-name") || "";

    var map = L.map(element, {
      zoomControl: false,
      scrollWheelZoom: false,
      // On a phone one finger scrolls the page, not the map.
      dragging: !L.Browser.mobile,
      attributionControl: false,
    }).setView([lat, lng], 16);
    L.control
      .zoom({
        zoomInTitle: element.getAttribute("data-zoom-in") || "+",
        zoomOutTitle: element.getAttribute("data-zoom-out") || "-",
      })
      .addTo(map);

    var tiles = element.getAttribute("data-tile-url");
    if (tiles) {
      var attribution = element.getAttribute("data-tile-attribution") || "";
      L.tileLayer(tiles, {
        subdomains: element.getAttribute("data-tile-subdomains") || "abc",
        attribution: attribution,
        maxZoom: 18,
      }).addTo(map);
      if (attribution) L.control.attribution({ prefix: false }).addTo(map);
    }
    L.marker([lat, lng], { title: name, alt: name, keyboard: true }).addTo(map).bindPopup(name);
    element.setAttribute("data-map-ready", "true");
  }

  // --- Shorter shareable URLs: htmx searches leave out empty filters ---------------------------
  function dropEmptyParameters(event) {
    var form = event.detail.elt;
    var data = event.detail.formData;
    if (!form || !form.matches || !form.matches("form[data-venue-filters]") || !data || !data.forEach) return;
    var empty = [];
    data.forEach(function (value, key) {
      if (value === "") empty.push(key);
    });
    empty.forEach(function (key) { data.delete(key); });
  }

  function init() {
    document.body.addEventListener("htmx:configRequest", dropEmptyParameters);
    document.querySelectorAll("form[data-venue-filters]").forEach(function (form) {
      setupRegionCascade(form);
      setupNearMe(form);
      setupFiltersDisclosure(form);
    });
    setupGallery();
    setupMap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
