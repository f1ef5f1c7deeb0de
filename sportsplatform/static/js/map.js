// The fitness map (maps/index.html): Leaflet + leaflet.markercluster, both loaded before this
// module as classic scripts from static/vendor (window.L). No build step.
//
// Data: GET {featuresUrl}?bbox=minLng,minLat,maxLng,maxLat&types=... for the visible area, again
// after every move (debounced). Venues and facilities are clustered markers; trails are lines
// coloured by trail kind, with a marker at their start so keyboard users can reach them too.
// A box with more places than the map can show comes back as server grid clusters (`clustered`):
// a count per cell; choosing one zooms to its cell.
// Navigation links come from the server ({linksUrl}), which converts WGS-84 to each app's system.
// Every string shown comes translated from the page (json_script "map-config").

const L = window.L;
const FETCH_DEBOUNCE_MS = 300;
const WIDE = window.matchMedia("(min-width: 64rem)");
const TRAIL_COLOURS = { hiking: "#b3470b", walking: "#17703d", cycling: "#6b3fa0", "": "#0a4b8c" };

// --- small helpers --------------------------------------------------------------------------

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function featureKey(layer, id) {
  return `${layer}:${id}`;
}

function isTrail(feature) {
  return feature.geometry && feature.geometry.type === "LineString";
}

function trailKind(feature) {
  const p = feature.properties;
  return p.trail_kind || (p.type !== "trail" && isTrail(feature) ? p.type : "") || "";
}

// The API's `types` for the ticked boxes: it knows type codes (a code both layers use, such as
// sports_park, selects it in both) and no trail kinds, so the page narrows the answer further.
function apiTypes(selected) {
  const types = new Set();
  for (const value of selected) {
    const [group, type] = value.split(":");
    types.add(group === "trail" ? "trail" : type);
  }
  return Array.from(types).sort();
}

// The filter value ("venue:gymnasium", "facility:sports_park", "trail:hiking") a feature falls under.
function filterValue(feature) {
  const p = feature.properties;
  if (p.layer === "venue") return `venue:${p.type}`;
  if (isTrail(feature)) return `trail:${trailKind(feature)}`;
  return `facility:${p.type}`;
}

// A Leaflet map with translated zoom buttons and the configured tiles (none: a plain ground).
function baseMap(container, tiles, labels, options = {}) {
  const map = L.map(container, { zoomControl: false, attributionControl: true, minZoom: 4, maxZoom: 18, ...options });
  L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut, position: "bottomright" }).addTo(map);
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" lang="en">Leaflet</a>');
  const urls = (tiles && tiles.urls) || [];
  for (const url of urls) {
    L.tileLayer(url, { subdomains: tiles.subdomains || "abc", attribution: tiles.attribution || "", maxZoom: 18 }).addTo(map);
  }
  if (!urls.length) container.classList.add("map-canvas--plain");
  return map;
}

// --- the fitness map page (maps/index.html) ------------------------------------------------

function initFullMap(config) {
  const labels = config.labels;
  const page = document.querySelector("[data-map-page]");
  const container = document.querySelector("[data-map]");
  const form = document.querySelector("[data-map-filters]");
  const statusLine = document.querySelector("[data-map-status]");
  const locationLine = document.querySelector("[data-map-location-status]");
  const filterToggle = document.querySelector("[data-filter-toggle]");
  const filterClose = document.querySelector("[data-filter-close]");
  const nearMeButton = document.querySelector("[data-near-me]");
  document.documentElement.classList.add("map-fullscreen");

  function setStatus(message) {
    statusLine.textContent = message;
  }

  // Kept apart from the places count, which every move of the map rewrites.
  function setLocationStatus(message) {
    locationLine.textContent = message;
  }

  const map = baseMap(container, config.tiles, labels);

  const clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    maxClusterRadius: 50,
    chunkedLoading: true,
    iconCreateFunction(cluster) {
      const count = cluster.getChildCount();
      const size = count < 10 ? "s" : count < 100 ? "m" : "l";
      const html = `<span aria-hidden="true">${count}</span><span class="visually-hidden">${format(labels.cluster, { count })}</span>`;
      return L.divIcon({ html, className: `map-cluster map-cluster--${size}`, iconSize: L.point(40, 40) });
    },
  });
  // Enter on a focused cluster zooms into it: markercluster does that itself (clusterkeypress).
  clusters.addTo(map);
  const lines = L.featureGroup().addTo(map);
  // Grid clusters the server sends for a box with too many places (`clustered` answers).
  const cells = L.featureGroup().addTo(map);

  function cellMarker(feature) {
    const p = feature.properties;
    const [lng, lat] = feature.geometry.coordinates;
    const size = p.count < 10 ? "s" : p.count < 100 ? "m" : "l";
    const label = format(labels.cluster, { count: p.count });
    const html = `<span aria-hidden="true">${p.count}</span><span class="visually-hidden">${label}</span>`;
    const marker = L.marker([lat, lng], {
      icon: L.divIcon({ html, className: `map-cluster map-cluster--${size}`, iconSize: L.point(40, 40) }),
      title: label,
      alt: label,
      keyboard: true,
    });
    const zoomToCell = () => {
      const [west, south, east, north] = p.cell;
      map.fitBounds([[south, west], [north, east]]);
    };
    marker.on("click", zoomToCell);
    // The icon is a role=button element: Enter and Space must work like a click.
    marker.on("add", () => {
      marker.getElement().addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          zoomToCell();
        }
      });
    });
    return marker;
  }

  function showCells(collection) {
    for (const key of Array.from(shown.keys())) removeEntry(key);
    cells.clearLayers();
    let total = 0;
    for (const feature of collection.features || []) {
      if (!feature.properties || !feature.properties.cluster) continue;
      cells.addLayer(cellMarker(feature));
      total += feature.properties.count;
    }
    return total;
  }

  // key → { feature, marker, line, value }
  const shown = new Map();
  let focus = config.focus;

  function markerIcon(feature) {
    const p = feature.properties;
    const kind = isTrail(feature) ? "trail" : p.layer;
    const trail = isTrail(feature) ? ` map-pin--${trailKind(feature) || "trail"}` : "";
    return L.divIcon({
      className: `map-pin map-pin--${kind}${trail}`,
      html: '<svg viewBox="0 0 24 32" aria-hidden="true" focusable="false"><path d="M12 0C5.4 0 0 5.3 0 11.9 0 20.8 12 32 12 32s12-11.2 12-20.1C24 5.3 18.6 0 12 0Z"/><circle cx="12" cy="12" r="4.5"/></svg>',
      iconSize: [28, 36],
      iconAnchor: [14, 36],
      popupAnchor: [0, -32],
    });
  }

  function popupContent(feature) {
    const p = feature.properties;
    const kindLabel = isTrail(feature) ? labels.trail : p.layer === "venue" ? labels.venue : labels.facility;
    const meta = el("p", { class: "map-popup-meta" }, [
      el("span", { class: "badge", text: (config.typeLabels || {})[filterValue(feature)] || p.type_label || kindLabel }),
    ]);
    if (p.open_now === true) meta.append(" ", el("span", { class: "badge badge-success", text: labels.openNow }));
    if (p.open_now === false) meta.append(" ", el("span", { class: "badge badge-muted", text: labels.closedNow }));
    const lengthM = p.length_m ?? null;
    const parts = [el("h2", { class: "map-popup-title", text: p.name }), meta];
    // Venues: people inside now (filled, and kept live, while the popup is open).
    if (p.layer === "venue" && config.occupancyUrl) parts.push(el("p", { class: "map-popup-occupancy", "data-occupancy": true, hidden: true }));
    if (lengthM) parts.push(el("p", { class: "map-popup-length", text: format(labels.trailLength, { km: (lengthM / 1000).toFixed(1) }) }));
    if (p.url) parts.push(el("p", {}, [el("a", { class: "map-popup-details", href: p.url, text: labels.details })]));
    const nav = el("div", { class: "map-popup-nav", "data-nav": featureKey(p.layer, p.id) }, [
      el("p", { class: "map-popup-nav-title", text: labels.navigate }),
      el("p", { class: "muted map-popup-nav-status", text: labels.linksLoading }),
    ]);
    parts.push(nav);
    return el("div", { class: "map-popup" }, parts);
  }

  const linksCache = new Map();

  async function loadLinks(layer, id) {
    const key = featureKey(layer, id);
    if (!linksCache.has(key)) {
      const url = config.linksUrl.replace("{layer}", encodeURIComponent(layer)).replace("{id}", encodeURIComponent(id));
      linksCache.set(
        key,
        fetch(url, { headers: { Accept: "application/json" } }).then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return response.json();
        }),
      );
    }
    try {
      return await linksCache.get(key);
    } catch (error) {
      linksCache.delete(key);
      throw error;
    }
  }

  async function fillNavigation(popupNode, feature, popup) {
    const p = feature.properties;
    const nav = popupNode.querySelector("[data-nav]");
    if (!nav || nav.dataset.filled) return;
    const status = nav.querySelector(".map-popup-nav-status");
    try {
      const links = await loadLinks(p.layer, p.id);
      const apps = [
        ["amap", labels.amap],
        ["baidu", labels.baidu],
        ["tencent", labels.tencent],
      ];
      const row = el(
        "div",
        { class: "map-popup-nav-links" },
        apps.map(([key, label]) =>
          el("a", {
            class: `btn btn-secondary map-nav-link map-nav-link--${key}`,
            href: links[key],
            target: "_blank",
            rel: "noopener",
            "aria-label": format(labels.navigateWith, { app: label, name: p.name }),
            text: label,
          }),
        ),
      );
      status.replaceWith(row);
      nav.dataset.filled = "1";
      // Taller now: lay the popup out again and pan so none of it is cut off.
      if (popup.isOpen()) popup.update();
    } catch {
      status.textContent = labels.linksFailed;
    }
  }

  // --- occupancy in venue popups (telemetry): a reading on open, live while open ---------------
  const OCCUPANCY_CLASSES = { comfortable: "badge-success", busy: "badge-warning", full: "badge-error" };

  function showOccupancy(node, reading, popup) {
    if (!reading || !reading.updated_at) return;
    const level = reading.level ? labels[`occupancy_${reading.level}`] : "";
    const children = [el("span", { text: format(labels.occupancyInside, { count: reading.current }) })];
    if (level) children.unshift(el("span", { class: `badge ${OCCUPANCY_CLASSES[reading.level] || "badge-muted"}`, text: level }), " ");
    node.replaceChildren(...children);
    node.dataset.occupancyCurrent = String(reading.current);
    const wasHidden = node.hidden;
    node.hidden = false;
    if (wasHidden && popup.isOpen()) popup.update();
  }

  function followOccupancy(popupNode, feature, popup) {
    const node = popupNode.querySelector("[data-occupancy]");
    if (!node) return null;
    const id = encodeURIComponent(feature.properties.id);
    fetch(config.occupancyUrl.replace("{id}", id), { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((reading) => showOccupancy(node, reading, popup))
      .catch(() => {});
    if (!("EventSource" in window) || !config.occupancyStreamUrl) return null;
    const source = new EventSource(config.occupancyStreamUrl.replace("{id}", id));
    source.addEventListener("occupancy", (event) => showOccupancy(node, JSON.parse(event.data), popup));
    return source;
  }

  function bindPopup(layer, feature) {
    const content = popupContent(feature);
    let occupancySource = null;
    layer.bindPopup(content, { maxWidth: 300, minWidth: 220, autoPanPadding: [16, 16] });
    layer.on("popupopen", (event) => {
      const closeButton = event.popup.getElement()?.querySelector(".leaflet-popup-close-button");
      if (closeButton) closeButton.setAttribute("aria-label", labels.closePopup);
      fillNavigation(content, feature, event.popup);
      if (occupancySource) occupancySource.close();
      occupancySource = followOccupancy(content, feature, event.popup);
    });
    layer.on("popupclose", () => {
      if (occupancySource) occupancySource.close();
      occupancySource = null;
    });
  }

  function addFeature(feature) {
    const p = feature.properties;
    const key = featureKey(p.layer, p.id);
    const entry = { feature, value: filterValue(feature), marker: null, line: null };
    let start;
    if (isTrail(feature)) {
      const latlngs = feature.geometry.coordinates.map(([lng, lat]) => [lat, lng]);
      start = latlngs[0];
      entry.line = L.polyline(latlngs, {
        color: TRAIL_COLOURS[trailKind(feature)] || TRAIL_COLOURS[""],
        weight: 5,
        opacity: 0.9,
        className: `map-trail map-trail--${trailKind(feature) || "trail"}`,
      });
      bindPopup(entry.line, feature);
    } else {
      const [lng, lat] = feature.geometry.coordinates;
      start = [lat, lng];
    }
    entry.marker = L.marker(start, { icon: markerIcon(feature), title: p.name, alt: p.name, keyboard: true, riseOnHover: true });
    bindPopup(entry.marker, feature);
    shown.set(key, entry);
    return entry;
  }

  function selectedValues() {
    return new Set(Array.from(form.querySelectorAll('input[name="types"]:checked'), (input) => input.value));
  }

  // Put on the map exactly the entries whose filter value is selected.
  function applyVisibility() {
    const selected = selectedValues();
    const addMarkers = [];
    const removeMarkers = [];
    for (const entry of shown.values()) {
      const visible = selected.has(entry.value);
      if (visible && !clusters.hasLayer(entry.marker)) addMarkers.push(entry.marker);
      if (!visible && clusters.hasLayer(entry.marker)) removeMarkers.push(entry.marker);
      if (entry.line) {
        if (visible && !lines.hasLayer(entry.line)) lines.addLayer(entry.line);
        if (!visible && lines.hasLayer(entry.line)) lines.removeLayer(entry.line);
      }
    }
    if (removeMarkers.length) clusters.removeLayers(removeMarkers);
    if (addMarkers.length) clusters.addLayers(addMarkers);
    let count = 0;
    for (const entry of shown.values()) if (selected.has(entry.value)) count += 1;
    return count;
  }

  function removeEntry(key) {
    const entry = shown.get(key);
    if (!entry) return;
    if (entry.marker.isPopupOpen() || (entry.line && entry.line.isPopupOpen())) return; // keep what is being read
    if (clusters.hasLayer(entry.marker)) clusters.removeLayer(entry.marker);
    if (entry.line && lines.hasLayer(entry.line)) lines.removeLayer(entry.line);
    shown.delete(key);
  }

  // --- loading --------------------------------------------------------------------------------

  let pending = null;
  let fitPending = !config.focus;
  let debounce = null;

  function bboxParam() {
    const b = map.getBounds().pad(0.25);
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [
      clamp(b.getWest(), -180, 180),
      clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90),
    ]
      .map((v) => v.toFixed(5))
      .join(",");
  }

  async function load() {
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    const selected = selectedValues();
    const params = new URLSearchParams({ bbox: bboxParam() });
    if (selected.size) params.set("types", apiTypes(selected).join(","));
    page.setAttribute("aria-busy", "true");
    setStatus(labels.loading);
    try {
      if (!selected.size) {
        // Nothing to ask for: clear the map.
        for (const key of Array.from(shown.keys())) removeEntry(key);
        applyVisibility();
        setStatus(labels.noneShown);
        return;
      }
      const response = await fetch(`${config.featuresUrl}?${params}`, {
        headers: { Accept: "application/geo+json, application/json" },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const collection = await response.json();
      if (collection.clustered) {
        const total = showCells(collection);
        fitPending = false;
        setStatus(total === 0 ? labels.noneShown : format(labels.clustered, { count: total }));
        return;
      }
      cells.clearLayers();
      const incoming = new Set();
      for (const feature of collection.features || []) {
        if (!feature.geometry || !feature.properties) continue;
        const key = featureKey(feature.properties.layer, feature.properties.id);
        incoming.add(key);
        if (!shown.has(key)) addFeature(feature);
      }
      for (const key of Array.from(shown.keys())) if (!incoming.has(key)) removeEntry(key);
      const count = applyVisibility();
      fitToFirstAnswer();
      if (collection.truncated) setStatus(labels.truncated);
      else setStatus(count === 0 ? labels.noneShown : count === 1 ? labels.shownOne : format(labels.shown, { count }));
      openFocus();
    } catch (error) {
      if (error.name !== "AbortError") setStatus(labels.loadFailed);
    } finally {
      if (pending === controller) {
        pending = null;
        page.removeAttribute("aria-busy");
      }
    }
  }

  // The first view is the whole province; when the places found sit in a smaller area (a city's
  // pilot, or no tiles to give the province a shape), close in on them once.
  function fitToFirstAnswer() {
    if (!fitPending) return;
    fitPending = false;
    const bounds = L.latLngBounds([]);
    for (const entry of shown.values()) {
      bounds.extend(entry.marker.getLatLng());
      if (entry.line) bounds.extend(entry.line.getBounds());
    }
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [32, 32], maxZoom: 14 });
  }

  function scheduleLoad() {
    clearTimeout(debounce);
    debounce = setTimeout(load, FETCH_DEBOUNCE_MS);
  }

  // `?focus=venue:<id>`: open that place's popup once its feature has arrived.
  function openFocus() {
    if (!focus) return;
    const entry = shown.get(featureKey(focus.layer, focus.id));
    if (!entry) return;
    focus = null;
    if (!clusters.hasLayer(entry.marker)) {
      entry.marker.openPopup();
      return;
    }
    clusters.zoomToShowLayer(entry.marker, () => entry.marker.openPopup());
  }

  // --- filters --------------------------------------------------------------------------------

  function syncGroupToggles() {
    for (const toggle of form.querySelectorAll("[data-group-toggle]")) {
      const boxes = form.querySelectorAll(`input[name="types"][data-group="${toggle.dataset.groupToggle}"]`);
      const on = Array.from(boxes).filter((box) => box.checked).length;
      toggle.checked = on === boxes.length;
      toggle.indeterminate = on > 0 && on < boxes.length;
    }
  }

  function setPanelOpen(open, { returnFocus = false } = {}) {
    filterToggle.setAttribute("aria-expanded", open ? "true" : "false");
    page.classList.toggle("map-filters-open", open);
    if (!open && returnFocus) filterToggle.focus();
    // The map's size changes when the sidebar opens on wide screens.
    setTimeout(() => map.invalidateSize({ debounceMoveend: true }), 0);
  }

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("[data-group-toggle]")) {
      for (const box of form.querySelectorAll(`input[name="types"][data-group="${target.dataset.groupToggle}"]`)) {
        box.checked = target.checked;
      }
    }
    syncGroupToggles();
    const count = applyVisibility();
    setStatus(count === 0 ? labels.noneShown : count === 1 ? labels.shownOne : format(labels.shown, { count }));
    scheduleLoad();
  });
  form.addEventListener("submit", (event) => {
    // The button works without JavaScript (a GET of the same page); here it only closes the panel.
    event.preventDefault();
    if (!WIDE.matches) setPanelOpen(false, { returnFocus: true });
    scheduleLoad();
  });
  filterToggle.addEventListener("click", () => setPanelOpen(filterToggle.getAttribute("aria-expanded") !== "true"));
  filterClose.addEventListener("click", () => setPanelOpen(false, { returnFocus: true }));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setPanelOpen(false, { returnFocus: true });
  });
  syncGroupToggles();
  setPanelOpen(WIDE.matches);

  // --- near me --------------------------------------------------------------------------------

  let youAreHere = null;

  nearMeButton.addEventListener("click", () => {
    if (!("geolocation" in navigator)) {
      setLocationStatus(labels.locationUnsupported);
      return;
    }
    setLocationStatus(labels.locating);
    nearMeButton.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        nearMeButton.removeAttribute("aria-busy");
        const { latitude, longitude, accuracy } = position.coords;
        const here = [latitude, longitude];
        if (youAreHere) youAreHere.remove();
        youAreHere = L.layerGroup([
          L.circle(here, { radius: Math.min(accuracy || 0, 2000), className: "map-you-accuracy", interactive: false }),
          L.marker(here, {
            icon: L.divIcon({ className: "map-you", iconSize: [22, 22], html: "<span></span>" }),
            title: labels.youAreHere,
            alt: labels.youAreHere,
            keyboard: false,
            zIndexOffset: 1000,
          }).bindTooltip(labels.youAreHere),
        ]).addTo(map);
        fitPending = false;
        map.setView(here, Math.max(map.getZoom(), 14));
        setLocationStatus(labels.located);
      },
      (error) => {
        nearMeButton.removeAttribute("aria-busy");
        setLocationStatus(error.code === error.PERMISSION_DENIED ? labels.locationDenied : labels.locationUnavailable);
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });

  // Start.
  map.on("moveend", scheduleLoad);
  if (focus && focus.bounds) {
    map.fitBounds(focus.bounds, { padding: [32, 32], maxZoom: 16 });
  } else if (focus) {
    map.setView([focus.lat, focus.lng], 16);
  } else {
    map.fitBounds(config.bounds);
  }
  scheduleLoad();
}

// --- a trail's small map (facilities/detail.html) ------------------------------------------

function initTrailMap(container) {
  const config = JSON.parse(document.getElementById(container.dataset.trailMap).textContent);
  const map = baseMap(container, config.tiles, config.labels, { scrollWheelZoom: false });
  const line = L.polyline(config.line, {
    color: TRAIL_COLOURS[config.trailKind || ""] || TRAIL_COLOURS[""],
    weight: 5,
    opacity: 0.9,
    className: `map-trail map-trail--${config.trailKind || "trail"}`,
    interactive: false,
  }).addTo(map);
  L.circleMarker(config.line[0], { radius: 7, color: "#fff", weight: 3, fillColor: "#17703d", fillOpacity: 1, interactive: false }).addTo(map);
  L.circleMarker(config.line[config.line.length - 1], { radius: 7, color: "#fff", weight: 3, fillColor: "#b42318", fillOpacity: 1, interactive: false }).addTo(map);
  map.fitBounds(line.getBounds(), { padding: [24, 24], maxZoom: 16 });
}

// --- start ----------------------------------------------------------------------------------

const pageConfig = document.getElementById("map-config");
if (pageConfig && document.querySelector("[data-map-page]")) initFullMap(JSON.parse(pageConfig.textContent));
for (const container of document.querySelectorAll("[data-trail-map]")) initTrailMap(container);
