// Dashboard charts. The server renders every number as a table (the accessible equivalent of
// each chart); this module fetches the same tables from the page's JSON endpoint and draws them
// with Chart.js (vendored).
//
// On a cheap phone drawing is the costly part, so a chart is drawn only when its figure comes
// near the screen, one chart per task, and Chart.js itself (210 KB) is fetched only when the
// first chart is about to be drawn: a page whose charts are never scrolled to never loads it.
//
// Offline, the service worker answers with the last dashboard this device viewed; the page then
// says so, with the time the numbers were taken.

const COLOURS = {
  PS: "#1b6e3a", PC: "#5fae6e", N: "#8a8f98", NP: "#d9822b", NR: "#b42318",
  positive: "#1b6e3a", negative: "#b42318",
  green: "#1b6e3a", amber: "#c77700", red: "#b42318",
  compliments: "#1b6e3a", concerns: "#c77700",
};
const DEFAULT_COLOUR = "#1f5f8b";

function colour(key) {
  return COLOURS[key] || DEFAULT_COLOUR;
}

function translucent(hex) {
  return `${hex}33`;  // 20% opacity, for the interval bands
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const LONGEST_TICK = 16;

// A date as the table shows it ("5 Mar 2026"), not as the JSON sends it ("2026-03-05").
function shownDate(iso) {
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

// Long category names (checklist items) are cut on the axis, where a phone has no room for
// them; the tooltip and the table give them in full.
function tickLabel(text) {
  return typeof text === "string" && text.length > LONGEST_TICK
    ? `${text.slice(0, LONGEST_TICK - 1)}…` : text;
}

function values(table, key, scale) {
  const index = table.columns.findIndex((column) => column.key === key);
  return table.rows.map((row) => (row[index] === null ? null : row[index] * scale));
}

function label(table, key) {
  return table.columns.find((column) => column.key === key).label;
}

function datasets(table, chart) {
  const scale = chart.percent ? 100 : 1;
  const sets = [];
  chart.series.forEach((key, position) => {
    const base = {
      label: label(table, key),
      data: values(table, key, scale),
      backgroundColor: colour(key),
      borderColor: colour(key),
    };
    if (chart.kind === "line") Object.assign(base, { spanGaps: false, tension: 0, pointRadius: 3 });
    sets.push(base);
    const band = chart.bands[position];
    if (band && chart.kind === "line") {
      // The 95% interval: a shaded area between the low and the high column (bar charts leave
      // it to the table).
      const shade = { borderWidth: 0, pointRadius: 0, backgroundColor: translucent(colour(key)) };
      sets.push({ ...shade, label: `${label(table, key)}: 95% interval, low`, data: values(table, band[0], scale), fill: false, interval: true });
      sets.push({ ...shade, label: `${label(table, key)}: 95% interval`, data: values(table, band[1], scale), fill: "-1", interval: true });
    }
  });
  return sets;
}

function draw(figure, table) {
  const chart = table.chart;
  const canvas = figure.querySelector("canvas");
  const xIndex = table.columns.findIndex((column) => column.key === chart.x);
  const xIsDate = table.columns[xIndex].kind === "date";
  const labels = table.rows.map((row) => (xIsDate && row[xIndex] ? shownDate(row[xIndex]) : row[xIndex]));
  const stacked = chart.kind === "stacked";
  const existing = window.Chart.getChart(canvas);
  if (existing) existing.destroy();
  new window.Chart(canvas, {
    type: chart.kind === "line" ? "line" : "bar",
    data: { labels, datasets: datasets(table, chart) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      interaction: { mode: "index", intersect: false },
      layout: { padding: { top: 8 } },  // a point at 100% is drawn whole
      scales: {
        x: {
          stacked,
          ticks: { callback(value) { return tickLabel(this.getLabelForValue(value)); } },
        },
        y: {
          stacked,
          beginAtZero: true,
          max: chart.percent ? 100 : undefined,
          title: { display: true, text: chart.percent ? "%" : "Count" },
        },
      },
      plugins: {
        legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].interval || item.text.endsWith("interval") } },
        title: { display: false },
      },
    },
  });
  figure.dataset.drawn = "true";
}

function formatTime(iso) {
  return new Date(iso).toLocaleString("en-GB", {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

function sayOffline(note, asOf) {
  if (!note) return;
  note.textContent = `You are offline. These are the figures as of ${formatTime(asOf)}; they update when you are back online.`;
  note.hidden = false;
}

// How far ahead of the screen a chart starts to be drawn: a quarter of a screen, so it is mostly
// ready by the time it scrolls in, yet a dashboard opened at its top (the headline figures, some
// way above the first chart on a phone) loads no Chart.js and draws nothing.
const NEAR = "25% 0px";

let chartLibrary;

// Chart.js, loaded once by a script element of our own origin (the CSP allows that, unlike an
// inline script); its URL comes from the page, which knows the static file's current name.
function loadChartJs(src) {
  chartLibrary ??= new Promise((resolve, reject) => {
    if (window.Chart) {
      resolve(window.Chart);
      return;
    }
    const script = document.createElement("script");
    script.src = src;
    script.addEventListener("load", () => resolve(window.Chart));
    script.addEventListener("error", () => reject(new Error(`Could not load ${src}`)));
    document.head.append(script);
  });
  return chartLibrary;
}

// Let the browser paint and handle taps between two charts, so no single task is long.
function yieldToBrowser() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => { setTimeout(resolve, 0); });
}

function chartsFailed(root, note) {
  // The figures are taken away rather than left as empty boxes. This happens at load (the data
  // is fetched at once) or when Chart.js cannot be fetched, both rare: online it never happens,
  // and offline the service worker has Chart.js in its shell.
  for (const figure of root.querySelectorAll("figure[data-chart]")) figure.hidden = true;
  if (note) {
    note.textContent = "The charts could not be loaded. The tables below show the same numbers.";
    note.hidden = false;
  }
}

async function fetchTables(root) {
  const response = await fetch(root.dataset.dashboardEndpoint, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = await response.json();
  return new Map(data.tables.map((table) => [table.key, table]));
}

// Draws the figures handed to it, in the order they came near the screen, one per task.
function chartDrawer(root, tablesReady, note) {
  const figures = [...root.querySelectorAll("figure[data-chart]")];
  const queue = [];
  let settled = 0;
  let running = false;

  function finished() {
    settled += 1;
    if (settled === figures.length) root.dataset.chartsDrawn = "true";
  }

  async function run() {
    running = true;
    let tables;
    try {
      tables = await tablesReady;
    } catch {
      observer.disconnect();  // start() has said so and taken the figures away
      return;
    }
    while (queue.length) {
      const figure = queue.shift();
      const table = tables.get(figure.dataset.chart);
      if (table?.chart && table.rows.length) {
        try {
          await loadChartJs(root.dataset.chartScript);
        } catch {
          observer.disconnect();
          chartsFailed(root, note);
          return;  // nothing more is drawn, and the root is not marked drawn
        }
        try {
          draw(figure, table);
        } catch {
          figure.hidden = true;  // this chart only: the table below it has the same numbers
        }
      } else {
        figure.hidden = true;  // the data has no such chart: nothing to draw in its box
      }
      finished();
      await yieldToBrowser();
    }
    running = false;
  }

  if (!figures.length) {
    root.dataset.chartsDrawn = "true";
    return;
  }
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      queue.push(entry.target);
    }
    if (queue.length && !running) run();
  }, { rootMargin: NEAR });
  for (const figure of figures) observer.observe(figure);
}

function start() {
  const root = document.querySelector("[data-dashboard-endpoint]");
  if (!root) return;
  const note = document.querySelector(".offline-note");
  const pageAsOf = document.querySelector("[data-as-of]")?.dataset.asOf;
  if (!navigator.onLine && pageAsOf) sayOffline(note, pageAsOf);
  // The data is small: fetched at once, so that a failure is known (and said) at load.
  const tablesReady = fetchTables(root);
  tablesReady.catch(() => chartsFailed(root, note));
  chartDrawer(root, tablesReady, note);
}

window.addEventListener("offline", () => {
  const pageAsOf = document.querySelector("[data-as-of]")?.dataset.asOf;
  if (pageAsOf) sayOffline(document.querySelector(".offline-note"), pageAsOf);
});

start();
