/*
 * The data screen (screen/screen.html): draws the charts with ECharts (static/vendor/echarts) and
 * keeps the figures current.
 *
 * - The first figures come with the page (#screen-summary), so the screen is complete at once.
 * - Fresh figures: GET config.summaryUrl?region=<code> (the API the page is built from). With a
 *   live stream (config.streamUrl, server-sent events from the telemetry app) every event asks
 *   for fresh figures within a second; without one, or while it is down, the page asks every
 *   config.pollSeconds.
 * - The map: the boundary GeoJSON of the region (summary.map.url); a click on a division opens
 *   the screen of that division (its counties), "Back" the division above.
 * Texts come translated from the server (config.labels).
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("screen-config").textContent);
  let summary = JSON.parse(document.getElementById("screen-summary").textContent);
  const L = config.labels;
  const lang = document.documentElement.lang || "zh-hans";
  const locale = lang.startsWith("zh") ? "zh-CN" : lang;
  const integer = new Intl.NumberFormat(locale);
  const money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  const COLOURS = {
    text: "#e8f1ff",
    muted: "#a9c1dd",
    axis: "#2a5a9a",
    grid: "rgba(42, 90, 154, 0.35)",
    accent: "#3fc1ff",
    gold: "#ffd36b",
    green: "#4ee39b",
    palette: ["#3fc1ff", "#ffd36b", "#4ee39b", "#ff8f6b", "#b38cff", "#5ce1e6", "#ffb454", "#8fa8ff"],
  };
  const TOOLTIP = {
    backgroundColor: "rgba(6, 22, 51, 0.95)",
    borderColor: "#1f4f8f",
    textStyle: { color: COLOURS.text, fontSize: 14 },
  };
  const METRICS = {
    visitors_today: { label: L.visitors, unit: L.visitsUnit, format: (v) => integer.format(v) },
    venues: { label: L.venues, unit: L.venueUnit, format: (v) => integer.format(v) },
    bookings_today: { label: L.bookingsToday, unit: "", format: (v) => integer.format(v) },
    area_per_person_m2: { label: L.areaPerPerson, unit: L.squareMetres, format: (v) => (v == null ? L.noData : v.toFixed(3)) },
  };

  const charts = {};
  let metric = "visitors_today";
  let days = 7;

  // --- small helpers ---------------------------------------------------------------------
  function get(obj, path) {
    return path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function chart(name) {
    if (!charts[name]) {
      const el = document.querySelector(`[data-chart="${name}"]`);
      if (!el) return null;
      charts[name] = echarts.init(el, null, { renderer: "canvas" });
    }
    return charts[name];
  }
  function base(extra) {
    return Object.assign(
      {
        aria: { enabled: true },
        animationDuration: 600,
        textStyle: { color: COLOURS.text, fontFamily: getComputedStyle(document.body).fontFamily },
        color: COLOURS.palette,
        tooltip: Object.assign({}, TOOLTIP),
      },
      extra
    );
  }
  const axisStyle = {
    axisLine: { lineStyle: { color: COLOURS.axis } },
    axisLabel: { color: COLOURS.muted },
    splitLine: { lineStyle: { color: COLOURS.grid } },
  };

  // --- figures in the page ---------------------------------------------------------------
  function renderFigures() {
    document.querySelectorAll("[data-figure]").forEach((el) => {
      const key = el.dataset.figure;
      const value = get(summary, key);
      if (value == null) return;
      if (el.dataset.format === "money") el.textContent = money.format(Number(value));
      else if (key.endsWith("per_person_m2")) el.textContent = Number(value).toFixed(3);
      else if (typeof value === "number") el.textContent = integer.format(value);
      else el.textContent = value;
    });
    (summary.extra_figures || []).forEach((figure) => {
      const el = document.querySelector(`[data-extra-figure="${figure.key}"]`);
      if (el) el.textContent = integer.format(figure.value);
    });
    renderBusiest();
  }

  function renderBusiest() {
    const body = document.querySelector("[data-busiest]");
    if (!body) return;
    const rows = summary.busiest || [];
    body.replaceChildren();
    if (!rows.length) {
      const tr = body.insertRow();
      const td = tr.insertCell();
      td.colSpan = 4;
      td.className = "scr-empty";
      td.textContent = L.noData;
      return;
    }
    rows.forEach((venue, i) => {
      const tr = body.insertRow();
      tr.insertCell().textContent = String(i + 1);
      const name = tr.insertCell();
      const title = document.createElement("span");
      title.className = "scr-venue";
      title.textContent = venue.name;
      const region = document.createElement("span");
      region.className = "scr-venue-region";
      region.textContent = venue.region_name;
      name.append(title, region);
      const visitors = tr.insertCell();
      visitors.className = "scr-numcell";
      visitors.textContent = integer.format(venue.visitors_today);
      const inside = tr.insertCell();
      inside.className = "scr-numcell";
      inside.textContent = integer.format(venue.inside);
      if (venue.level) {
        const badge = document.createElement("span");
        badge.className = `scr-level scr-level-${venue.level}`;
        badge.textContent = venue.level_label;
        inside.append(" ", badge);
      }
    });
  }

  // --- charts ----------------------------------------------------------------------------
  function compact(c) {
    return c.getWidth() < 520;
  }

  function drawTypes() {
    const c = chart("types");
    if (!c) return;
    const small = compact(c);
    const data = (summary.by_type || []).map((t) => ({ name: t.label, value: t.count }));
    c.setOption(
      base({
        tooltip: Object.assign({}, TOOLTIP, { trigger: "item", formatter: (p) => `${escapeHtml(p.name)}<br>${integer.format(p.value)} ${L.venueUnit}（${p.percent}%）` }),
        legend: {
          orient: "vertical",
          right: 0,
          top: "middle",
          textStyle: { color: COLOURS.text, fontSize: small ? 12 : 13 },
          itemWidth: 10,
          itemHeight: 10,
          formatter: (name) => {
            const total = data.reduce((sum, d) => sum + d.value, 0) || 1;
            const item = data.find((d) => d.name === name);
            return `${name}  ${((100 * (item ? item.value : 0)) / total).toFixed(1)}%`;
          },
        },
        series: [
          {
            name: L.shareOfVenues,
            type: "pie",
            radius: small ? ["36%", "62%"] : ["45%", "75%"],
            center: small ? ["30%", "50%"] : ["28%", "50%"],
            itemStyle: { borderColor: "#0b2146", borderWidth: 2 },
            label: { show: false },
            data,
          },
        ],
      }),
      true
    );
  }

  function drawChildren() {
    const c = chart("children");
    if (!c) return;
    const level = summary.region.level;
    if (level === "county") {
      const open = summary.venues.open_now;
      const closed = Math.max(0, summary.venues.total - open);
      c.setOption(
        base({
          tooltip: Object.assign({}, TOOLTIP, { trigger: "item", formatter: (p) => `${escapeHtml(p.name)}：${integer.format(p.value)} ${L.venueUnit}` }),
          legend: { bottom: 0, textStyle: { color: COLOURS.muted } },
          series: [
            {
              type: "pie",
              radius: ["45%", "72%"],
              label: { color: COLOURS.text, formatter: "{b} {c}" },
              data: [
                { name: L.open, value: open, itemStyle: { color: COLOURS.green } },
                { name: L.closed, value: closed, itemStyle: { color: "#4a6a96" } },
              ],
            },
          ],
        }),
        true
      );
      return;
    }
    const key = level === "province" ? "area_per_person_m2" : "visitors_today";
    const rows = (summary.children || []).slice().sort((a, b) => (a[key] || 0) - (b[key] || 0));
    const fmt = METRICS[key].format;
    c.setOption(
      base({
        grid: { left: 8, right: 48, top: 4, bottom: 4, containLabel: true },
        tooltip: Object.assign({}, TOOLTIP, {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: (ps) => {
            const row = rows[ps[0].dataIndex];
            const lines = [`<b>${escapeHtml(row.name)}</b>`, `${METRICS[key].label}：${fmt(row[key])} ${METRICS[key].unit}`];
            if (key === "area_per_person_m2") {
              lines.push(`${L.siteArea}：${integer.format(Math.round(row.site_area_m2))} ${L.squareMetres}`);
              if (row.population) lines.push(`${L.population}：${integer.format(row.population)}`);
            }
            return lines.join("<br>");
          },
        }),
        xAxis: Object.assign({ type: "value" }, axisStyle, { axisLabel: { color: COLOURS.muted, fontSize: 11 } }),
        yAxis: Object.assign({ type: "category", data: rows.map((r) => r.name) }, axisStyle, { axisLabel: { color: COLOURS.text, fontSize: 11, interval: c.getHeight() / Math.max(1, rows.length) < 13 ? "auto" : 0 } }),
        series: [
          {
            type: "bar",
            barMaxWidth: 12,
            data: rows.map((r) => (r[key] == null ? 0 : r[key])),
            itemStyle: { borderRadius: [0, 6, 6, 0], color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: "#1f6fd1" }, { offset: 1, color: COLOURS.accent }]) },
            label: { show: true, position: "right", color: COLOURS.muted, fontSize: 11, formatter: (p) => fmt(rows[p.dataIndex][key]) },
          },
        ],
      }),
      true
    );
  }

  function drawTrend() {
    const c = chart("trend");
    if (!c) return;
    const rows = (summary.trend || []).slice(-days);
    c.setOption(
      base({
        grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
        legend: { top: 0, textStyle: { color: COLOURS.muted } },
        tooltip: Object.assign({}, TOOLTIP, {
          trigger: "axis",
          formatter: (ps) => {
            const row = rows[ps[0].dataIndex];
            return [
              `<b>${row.date}</b>`,
              `${L.trendVisitors}：${integer.format(row.visitors)} ${L.visitsUnit}`,
              `${L.trendBookings}：${integer.format(row.bookings)}`,
              `${L.trendRevenue}：${money.format(Number(row.revenue))}`,
            ].join("<br>");
          },
        }),
        xAxis: Object.assign({ type: "category", data: rows.map((r) => r.date.slice(5)), boundaryGap: true }, axisStyle),
        yAxis: [
          Object.assign({ type: "value", name: L.trendVisitors, nameTextStyle: { color: COLOURS.muted } }, axisStyle),
          Object.assign({ type: "value", name: L.trendBookings, nameTextStyle: { color: COLOURS.muted } }, axisStyle, { splitLine: { show: false } }),
        ],
        series: [
          {
            name: L.trendVisitors,
            type: "line",
            smooth: true,
            symbolSize: 6,
            data: rows.map((r) => r.visitors),
            lineStyle: { width: 3, color: COLOURS.accent },
            itemStyle: { color: COLOURS.accent },
            areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: "rgba(63,193,255,0.45)" }, { offset: 1, color: "rgba(63,193,255,0)" }]) },
          },
          {
            name: L.trendBookings,
            type: "bar",
            yAxisIndex: 1,
            barMaxWidth: 14,
            data: rows.map((r) => r.bookings),
            itemStyle: { color: COLOURS.gold, borderRadius: [4, 4, 0, 0] },
          },
        ],
      }),
      true
    );
  }

  function drawHourly() {
    const c = chart("hourly");
    if (!c) return;
    const rows = summary.hourly_today || [];
    c.setOption(
      base({
        grid: { left: 8, right: 8, top: 32, bottom: 4, containLabel: true },
        legend: { top: 0, textStyle: { color: COLOURS.muted } },
        tooltip: Object.assign({}, TOOLTIP, { trigger: "axis" }),
        xAxis: Object.assign({ type: "category", data: rows.map((r) => `${r.hour}${L.hourSuffix}`) }, axisStyle),
        yAxis: Object.assign({ type: "value" }, axisStyle),
        series: [
          { name: L.entries, type: "bar", barMaxWidth: 10, data: rows.map((r) => r.entries), itemStyle: { color: COLOURS.accent, borderRadius: [3, 3, 0, 0] } },
          { name: L.exits, type: "line", smooth: true, showSymbol: false, data: rows.map((r) => r.exits), lineStyle: { color: COLOURS.green, width: 2 }, itemStyle: { color: COLOURS.green } },
        ],
      }),
      true
    );
  }

  // --- the map ---------------------------------------------------------------------------
  const geoCache = {};
  async function loadGeo() {
    const m = summary.map;
    const name = m.only ? `${m.code}-${m.only}` : m.code;
    if (geoCache[name]) return name;
    const response = await fetch(m.url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`boundaries ${response.status}`);
    const geo = await response.json();
    if (m.only) geo.features = geo.features.filter((f) => f.properties.code === m.only);
    echarts.registerMap(name, geo);
    geoCache[name] = true;
    return name;
  }

  function mapRows() {
    if (summary.region.level === "county") {
      return [
        Object.assign({}, summary.region, {
          venues: summary.venues.total,
          public: summary.venues.public,
          private: summary.venues.private,
          open_now: summary.venues.open_now,
          facilities: summary.facilities,
          visitors_today: summary.visitors.today,
          inside: summary.visitors.inside,
          bookings_today: summary.bookings.today,
          revenue_today: summary.bookings.revenue_today,
          area_per_person_m2: null,
          population: null,
        }),
      ];
    }
    return summary.children || [];
  }

  function mapTooltip(p) {
    const row = p.data && p.data.row;
    if (!row) return `${escapeHtml(p.name)}<br>${L.noData}`;
    const lines = [
      `<b>${escapeHtml(row.name)}</b>`,
      `${L.visitors}：${integer.format(row.visitors_today)} ${L.visitsUnit}`,
      `${L.inside}：${integer.format(row.inside)} ${L.peopleUnit}`,
      `${L.venues}：${integer.format(row.venues)}（${L.public} ${integer.format(row.public)} · ${L.private} ${integer.format(row.private)}）`,
      `${L.openNow}：${integer.format(row.open_now)}`,
      `${L.facilities}：${integer.format(row.facilities)}`,
      `${L.bookingsToday}：${integer.format(row.bookings_today)}`,
      `${L.revenueToday}：¥${money.format(Number(row.revenue_today))}`,
    ];
    if (row.area_per_person_m2 != null) lines.push(`${L.areaPerPerson}：${row.area_per_person_m2.toFixed(3)} ${L.squareMetres}`);
    return lines.join("<br>");
  }

  async function drawMap() {
    const c = chart("map");
    if (!c) return;
    let name;
    try {
      name = await loadGeo();
    } catch (error) {
      c.showLoading({ text: L.noData, textColor: COLOURS.muted, maskColor: "transparent", showSpinner: false });
      return;
    }
    c.hideLoading();
    const rows = mapRows();
    const values = rows.map((r) => (r[metric] == null ? null : Number(r[metric])));
    const max = Math.max(1, ...values.filter((v) => v != null));
    const level = summary.region.level;
    const small = compact(c);
    const venues = (summary.busiest || []).map((v) => ({
      name: v.name,
      value: [v.lng, v.lat, v.visitors_today],
      venue: v,
    }));
    const venueMax = Math.max(1, ...venues.map((v) => v.value[2]));
    c.setOption(
      base({
        tooltip: Object.assign({}, TOOLTIP, {
          trigger: "item",
          formatter: (p) => (p.seriesType === "effectScatter" ? venueTooltip(p.data.venue) : mapTooltip(p)),
        }),
        visualMap: {
          type: "continuous",
          seriesIndex: 0,
          min: 0,
          max,
          left: 8,
          bottom: 8,
          orient: small ? "horizontal" : "vertical",
          itemWidth: small ? 10 : 16,
          itemHeight: small ? 100 : 120,
          calculable: false,
          text: [METRICS[metric].label, ""],
          textStyle: { color: COLOURS.muted },
          // Blues only: the venue markers are gold and must stand out on every division.
          inRange: { color: ["#12366b", "#1b58b0", "#2a8fe0", "#4fd0ff"] },
          formatter: (v) => METRICS[metric].format(Number(v)),
        },
        geo: {
          map: name,
          roam: false,
          layoutCenter: ["50%", small ? "45%" : "50%"],
          layoutSize: small ? "90%" : "96%",
          selectedMode: false,
          label: { show: true, color: COLOURS.text, fontSize: small ? 10 : level === "province" ? 12 : 13, textBorderColor: "#04122b", textBorderWidth: 2 },
          itemStyle: { areaColor: "#0f2d5c", borderColor: "#8fd8ff", borderWidth: 1 },
          emphasis: { label: { color: "#04122b", textBorderWidth: 0 }, itemStyle: { areaColor: "#9be7ff" } },
        },
        series: [
          {
            type: "map",
            geoIndex: 0,
            data: rows.map((r, i) => ({ name: r.name, value: values[i], code: r.code, row: r })),
          },
          {
            type: "effectScatter",
            coordinateSystem: "geo",
            zlevel: 1,
            rippleEffect: { scale: 3, brushType: "stroke" },
            symbolSize: (value) => 7 + 12 * Math.sqrt(value[2] / venueMax),
            itemStyle: { color: COLOURS.gold, borderColor: "#04122b", borderWidth: 1, shadowBlur: 8, shadowColor: COLOURS.gold },
            data: venues,
          },
        ],
      }),
      true
    );
    document.body.dataset.mapReady = "true";
  }

  function venueTooltip(v) {
    const lines = [
      `<b>${escapeHtml(v.name)}</b>`,
      escapeHtml(v.region_name),
      `${L.visitors}：${integer.format(v.visitors_today)} ${L.visitsUnit}`,
      `${L.inside}：${integer.format(v.inside)} ${L.peopleUnit}${v.level_label ? `（${escapeHtml(v.level_label)}）` : ""}`,
    ];
    return lines.join("<br>");
  }

  function drawAll() {
    drawTypes();
    drawChildren();
    drawTrend();
    drawHourly();
    drawMap();
  }

  // --- navigation ------------------------------------------------------------------------
  function openRegion(code) {
    const url = new URL(config.screenUrl, window.location.href);
    url.searchParams.set("region", code);
    window.location.assign(url.toString());
  }

  function wireControls() {
    const mapChart = chart("map");
    if (mapChart) {
      mapChart.on("click", (p) => {
        if (summary.region.level === "county") return;
        const row = (summary.children || []).find((r) => (p.data && p.data.code === r.code) || r.name === p.name);
        if (row) openRegion(row.code);
      });
    }
    const back = document.querySelector("[data-back]");
    if (back) {
      back.addEventListener("click", () => {
        const crumbs = summary.breadcrumb || [];
        if (crumbs.length) openRegion(crumbs[crumbs.length - 1].code);
      });
    }
    const form = document.querySelector("[data-region-form]");
    if (form) {
      const select = form.querySelector("select");
      select.addEventListener("change", () => openRegion(select.value));
    }
    document.querySelectorAll("[data-metric]").forEach((button) => {
      button.addEventListener("click", () => {
        metric = button.dataset.metric;
        document.querySelectorAll("[data-metric]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        drawMap();
      });
    });
    document.querySelectorAll("[data-days]").forEach((button) => {
      button.addEventListener("click", () => {
        days = Number(button.dataset.days);
        document.querySelectorAll("[data-days]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        drawTrend();
      });
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        Object.values(charts).forEach((c) => c.resize());
        drawAll(); // phone and big-screen layouts differ (legend, labels, map scale)
      }, 150);
    });
  }

  // --- keeping the figures current ---------------------------------------------------------
  const status = document.querySelector("[data-live-status]");
  const statusText = document.querySelector("[data-live-text]");
  function setStatus(state) {
    if (!status) return;
    status.dataset.state = state;
    statusText.textContent = state === "live" ? L.live : state === "offline" ? L.offline : L.polling;
  }

  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const url = new URL(config.summaryUrl, window.location.href);
      url.searchParams.set("region", summary.region.code);
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401 || response.status === 403) {
        window.location.reload(); // signed out (idle timeout): the page sends to the sign-in
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      summary = await response.json();
      renderFigures();
      drawAll();
      if (!stream || stream.readyState !== EventSource.OPEN) setStatus("polling");
      if (behindStream()) again = true;
    } catch (error) {
      setStatus("offline");
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        setTimeout(refresh, 1000);
      }
    }
  }

  let stream = null;
  let debounce = null;
  let lastEventAt = 0; // server time of the newest change the stream announced
  function followStream() {
    if (!config.streamUrl || !window.EventSource) return;
    const url = new URL(config.streamUrl, window.location.href);
    url.searchParams.set("region", summary.region.code);
    stream = new EventSource(url.toString(), { withCredentials: true });
    stream.onopen = () => setStatus("live");
    stream.onerror = () => setStatus("polling"); // EventSource reconnects by itself
    const onEvent = (event) => {
      try {
        const at = Date.parse(JSON.parse(event.data).updated_at);
        if (at > lastEventAt) lastEventAt = at;
      } catch (error) {
        lastEventAt = Date.now();
      }
      // Events come in bursts (a turnstile batch): one refresh per burst.
      clearTimeout(debounce);
      debounce = setTimeout(refresh, 300);
    };
    (config.streamEvents || []).forEach((name) => stream.addEventListener(name, onEvent));
    // Each (re)connection starts with a snapshot; after a reconnection it may hold changes made
    // while the stream was down, so it is worth one refresh (the first one is what the page shows).
    let connections = 0;
    stream.addEventListener("snapshot", () => {
      connections += 1;
      if (connections > 1) {
        clearTimeout(debounce);
        debounce = setTimeout(refresh, 300);
      }
    });
  }

  // The server keeps the live figures for a few seconds (config.cacheSeconds): an answer computed
  // before the latest announced change is asked for again shortly, until it includes it.
  function behindStream() {
    return lastEventAt && Date.parse(summary.generated_at) < lastEventAt;
  }

  function poll() {
    const live = stream && stream.readyState === EventSource.OPEN;
    // With a live stream, a slow poll only catches what the stream does not announce (bookings).
    setTimeout(() => refresh().finally(poll), (live ? config.livePollSeconds || 30 : config.pollSeconds) * 1000);
  }

  function tick() {
    const el = document.querySelector("[data-clock]");
    if (!el) return;
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    el.textContent = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  }

  function start() {
    renderFigures();
    drawAll();
    wireControls();
    setStatus("polling");
    followStream();
    poll();
    tick();
    setInterval(tick, 1000);
    document.body.dataset.screenReady = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
