// The Orrery dashboard: one page per hash (#overview, #models, …), each filled from the
// JSON API of the server that serves this file. Data only ever reaches the page through
// textContent and attribute setters (never innerHTML), so ids, titles and error messages
// from the API are shown as text whatever they contain.

import { drawChart, formatNumber } from "./chart.js";

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ---- API ------------------------------------------------------------------------------

/** An error answered by the API, with its problem document. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const keyInput = $("admin-key");
keyInput.value = sessionStorage.getItem("orrery-admin-key") || "";
keyInput.addEventListener("change", () => sessionStorage.setItem("orrery-admin-key", keyInput.value));

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (keyInput.value) headers["X-API-Key"] = keyInput.value;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data || {});
  return data;
}

// ---- formatting -----------------------------------------------------------------------

const dateTime = (unix) => (unix ? new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19) : "–");
const day = (unix) => (unix ? new Date(unix * 1000).toISOString().slice(0, 10) : "–");
const clock = (unix) => new Date(unix * 1000).toISOString().slice(11, 19);
const bytes = (n) =>
  n === null || n === undefined ? "–" : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`;
const seconds = (s) => (s === null || s === undefined ? "–" : s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed ? s.toFixed(1) : s} s`);
const metric = (v) => (typeof v === "number" ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4)) : "–");

/** `k=v` pairs as a compact list. */
function pairs(map) {
  const entries = Object.entries(map || {});
  if (entries.length === 0) return el("span", { class: "muted" }, "–");
  return el("span", { class: "pairs" }, entries.map(([k, v]) => el("span", {}, el("b", {}, k), "=", String(v))));
}

/** The metrics worth a glance, in a fixed order. */
const KEY_METRICS = ["rmse", "mae", "precision@10", "recall@10", "ndcg@10", "hr@10", "coverage@10"];
function metricPairs(metrics) {
  const shown = {};
  for (const k of KEY_METRICS) if (k in (metrics || {})) shown[k] = metric(metrics[k]);
  return pairs(shown);
}

let toastTimer = null;
function toast(message, kind = "ok") {
  const t = $("toast");
  t.textContent = message;
  t.className = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), 5000);
}

function fail(where, error) {
  console.warn(where, error);
  toast(`${where}: ${error.message}`, "error");
}

// ---- pages ----------------------------------------------------------------------------

const pages = {
  overview: loadOverview,
  models: loadModels,
  metrics: loadMetrics,
  training: loadTraining,
  serving: loadServing,
  flow: loadFlow,
  experiments: loadExperiments,
  pipeline: loadPipeline,
  explore: loadExplore,
};
let current = null;
let refreshTimer = null;

function show() {
  const name = location.hash.slice(1) in pages ? location.hash.slice(1) : "overview";
  current = name;
  for (const section of document.querySelectorAll(".page")) section.hidden = section.id !== `page-${name}`;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.dataset.page === name);
  clearInterval(refreshTimer);
  refreshTimer = null;
  document.body.dataset.loaded = "";
  pages[name]()
    .catch((e) => fail(`Loading ${name}`, e))
    .finally(() => {
      if (current === name) document.body.dataset.loaded = name;
    });
}

// Overview --------------------------------------------------------------------------------

async function loadOverview() {
  const [stats, activity, metrics] = await Promise.all([
    api("/stats"),
    api("/stats/interactions-per-day?days=60"),
    api("/metrics"),
  ]);
  const count = (n) => n.toLocaleString("en-US");
  $("ov-users").textContent = count(stats.users);
  $("ov-items").textContent = count(stats.items);
  $("ov-interactions").textContent = count(stats.interactions);
  $("ov-backend").textContent = stats.backend;

  const enc = stats.text_encoder;
  $("ov-encoder").replaceChildren(
    el("p", {}, el("strong", { id: "ov-encoder-name" }, enc.name), " ",
      el("span", { class: enc.fallback ? "badge warn" : "badge ok" }, enc.fallback ? "fallback" : enc.kind === "mini_lm" ? "MiniLM" : "hashing")),
    el("p", { class: "muted small" }, enc.description),
  );

  const first = activity.days[0];
  const last = activity.days[activity.days.length - 1];
  $("ov-activity-range").textContent = first ? `${first.date} – ${last.date} · ${formatNumber(activity.total)} interactions` : "";
  drawChart($("chart-activity"), {
    kind: "bar",
    title: "Interactions per day",
    series: [{ name: "interactions", points: activity.days.map((d) => ({ x: d.day, y: d.count, label: d.date })) }],
    xFormat: (x) => day(x * 86400).slice(5),
    yMin: 0,
    empty: "no interactions stored",
  });

  const model = $("ov-model");
  if (metrics.model_version === null || metrics.model_version === undefined) {
    model.replaceChildren(el("p", { class: "muted" }, "No model is active: train one on the Training page."));
  } else {
    const rows = Object.entries(metrics.metrics || {}).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, metric(v))));
    const rating = metrics.rating_model;
    model.replaceChildren(
      el("p", {}, el("strong", { id: "ov-model-version" }, `v${metrics.model_version}`), " ", metrics.algorithm, " · trained ", dateTime(metrics.trained_at)),
      el("p", {}, pairs(metrics.params)),
      rows.length ? el("table", { class: "compact" }, el("tbody", {}, rows)) : el("p", { class: "muted" }, "No holdout metrics (too little data to hold any out)."),
      rating
        ? el("p", {}, "Predicted ratings: ", el("strong", { id: "ov-rating-version" }, `v${rating.version}`), " ", rating.algorithm,
            rating.metrics.rmse === undefined ? "" : ` · RMSE ${metric(rating.metrics.rmse)}`)
        : "",
    );
  }
}

// Models ----------------------------------------------------------------------------------

async function loadModels() {
  const list = await api("/models");
  const body = $("models-table").querySelector("tbody");
  body.replaceChildren(
    ...list.models.map((m) =>
      el("tr", { dataset: { version: m.version }, class: m.active ? "active" : "" },
        el("td", {}, `v${m.version}`),
        el("td", {}, m.algorithm, el("br"), el("span", { class: "muted" }, m.purpose)),
        el("td", {}, pairs(m.params)),
        el("td", {}, metricPairs(m.metrics)),
        el("td", { class: "num" }, bytes(m.size_bytes)),
        el("td", {}, `${formatNumber(m.n_users)} users × ${formatNumber(m.n_items)} items, ${seconds(m.train_seconds)}`),
        el("td", {}, dateTime(m.created_at)),
        el("td", {}, m.active ? el("span", { class: "badge ok" }, m.purpose === "rating" ? "active: ratings" : "active: lists") : "", m.pinned ? el("span", { class: "badge" }, "pinned") : ""),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "activate", disabled: m.active, onclick: () => modelAction(m.version, "activate") }, "Activate"),
          el("button", { type: "button", class: "delete danger", disabled: m.active, onclick: () => modelAction(m.version, "delete") }, "Delete"),
        ),
      ),
    ),
  );
  if (list.models.length === 0) body.append(el("tr", {}, el("td", { colspan: 9, class: "muted" }, "No model trained yet.")));
}

async function modelAction(version, action) {
  if (action === "delete" && !confirm(`Delete model version ${version}?`)) return;
  try {
    const result =
      action === "activate"
        ? await api(`/models/${version}/activate`, { method: "POST" })
        : await api(`/models/${version}`, { method: "DELETE" });
    toast(result.message || `${action}: done`);
  } catch (e) {
    fail(action === "activate" ? `Activating v${version}` : `Deleting v${version}`, e);
  }
  await loadModels().catch((e) => fail("Loading models", e));
}

// Metrics over time -----------------------------------------------------------------------

const HISTORY_METRICS = [
  ["rmse", "RMSE"],
  ["precision@10", "Precision@10"],
  ["recall@10", "Recall@10"],
  ["ndcg@10", "NDCG@10"],
  ["coverage@10", "Coverage@10"],
];

async function loadMetrics() {
  const { history } = await api("/metrics/history?limit=1000");
  const box = $("metric-charts");
  box.replaceChildren();
  const algorithms = [...new Set(history.map((h) => h.algorithm))];
  // Every panel first, so that each chart is drawn at the width the grid gives it.
  const holders = HISTORY_METRICS.map(([key, title]) => {
    const holder = el("div", { class: "chart-box", id: `chart-metric-${key.replace("@", "-at-")}` });
    box.append(el("div", { class: "panel" }, el("h3", {}, title), holder));
    return holder;
  });
  HISTORY_METRICS.forEach(([key, title], n) => {
    drawChart(holders[n], {
      title,
      xLabel: "version",
      xFormat: (x) => `v${x}`,
      series: algorithms
        .map((a) => ({
          name: a,
          points: history.filter((h) => h.algorithm === a && key in h.metrics).map((h) => ({ x: h.version, y: h.metrics[key], label: `v${h.version} (${dateTime(h.recorded_at)})` })),
        }))
        .filter((s) => s.points.length > 0),
      legend: true,
      empty: `no version has ${title} yet`,
    });
  });
}

// Training --------------------------------------------------------------------------------

let algorithms = [];
let pollTimer = null;
let lossSeries = [];
let watchedRun = null;

async function loadTraining() {
  if (algorithms.length === 0) {
    const list = await api("/training/algorithms");
    algorithms = list.algorithms;
    const select = $("train-algorithm");
    const label = (a) => (a.name === "auto" ? "auto (the best of als, ease and itemknn)" : a.name);
    select.replaceChildren(...algorithms.map((a) => el("option", { value: a.name }, label(a))));
    select.value = list.default;
    renderParams();
  }
  await Promise.all([loadRuns(), pollStatus()]);
}

function renderParams() {
  const algo = algorithms.find((a) => a.name === $("train-algorithm").value);
  const box = $("train-params");
  box.replaceChildren(
    ...(algo ? algo.params : []).map((p) =>
      el("div", { class: "param" },
        el("label", {}, p.name, el("input", { name: p.name, value: p.default, dataset: { field: `hyperparameters.${p.name}`, default: p.default }, autocomplete: "off" })),
        el("p", { class: "field-error", dataset: { errorFor: `hyperparameters.${p.name}` } }),
      ),
    ),
  );
  clearErrors();
}

function clearErrors() {
  for (const e of document.querySelectorAll("#train-form .field-error")) e.textContent = "";
  for (const e of document.querySelectorAll("#train-form .invalid")) e.classList.remove("invalid");
  $("train-error").textContent = "";
}

$("train-algorithm").addEventListener("change", renderParams);

$("train-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const hyperparameters = {};
  for (const input of $("train-params").querySelectorAll("input")) {
    // Only what was changed: the server fills in the rest with the same defaults.
    if (input.value !== input.dataset.default) hyperparameters[input.name] = input.value.trim();
  }
  const button = $("train-button");
  button.disabled = true;
  try {
    const accepted = await api("/training/train", {
      method: "POST",
      // `auto` names no algorithm: the server then trains the best ranking model.
      body: {
        algorithm: $("train-algorithm").value === "auto" ? undefined : $("train-algorithm").value,
        hyperparameters,
        activate: $("train-activate").checked,
      },
    });
    toast(`Training run ${accepted.run_id} (${accepted.algorithm}) started`);
    lossSeries = [];
    watchedRun = accepted.run_id;
    await pollStatus();
    await loadRuns();
  } catch (e) {
    const field = e.problem && e.problem.field;
    const slot = field && document.querySelector(`#train-form [data-error-for="${CSS.escape(field)}"]`);
    if (slot) {
      slot.textContent = e.message;
      const input = document.querySelector(`#train-form [data-field="${CSS.escape(field)}"]`) || (field === "algorithm" ? $("train-algorithm") : null);
      if (input) input.classList.add("invalid");
    } else {
      $("train-error").textContent = e.message;
    }
  } finally {
    button.disabled = false;
  }
});

$("train-cancel").addEventListener("click", async () => {
  const button = $("train-cancel");
  button.disabled = true;
  try {
    const run = await api("/training/cancel", { method: "POST" });
    toast(`Training run ${run.run_id} stops after the epoch under way`);
    await pollStatus();
  } catch (e) {
    fail("Cancel", e);
  } finally {
    button.disabled = false;
  }
});

async function pollStatus() {
  clearTimeout(pollTimer);
  const status = await api("/training/status");
  const p = status.current;
  $("train-progress").dataset.running = status.running ? "true" : "false";
  if (p) {
    watchedRun = p.run_id;
    $("progress-state").textContent = p.cancel_requested ? `Stopping ${p.algorithm}…` : `Training ${p.algorithm}…`;
    $("train-cancel").hidden = p.cancel_requested;
    $("progress-run").textContent = String(p.run_id);
    $("progress-phase").textContent = p.phase;
    $("progress-epoch").textContent = p.epochs ? `${p.epoch} / ${p.epochs}` : "–";
    $("progress-loss").textContent = p.loss === null || p.loss === undefined ? "–" : p.loss.toPrecision(5);
    const v = p.validation;
    $("progress-validation").textContent = v ? `${v.metric} ${v.value.toFixed(4)} (epoch ${v.epoch})` : "–";
    $("progress-elapsed").textContent = seconds(p.elapsed_seconds);
    const bar = $("progress-bar");
    if (p.epochs) {
      bar.max = p.epochs;
      bar.value = p.epoch;
    } else {
      bar.removeAttribute("value");
    }
    if (p.loss !== null && p.loss !== undefined && p.epoch) {
      const key = `${p.phase} ${p.epoch}`;
      if (!lossSeries.some((l) => l.key === key)) lossSeries.push({ key, phase: p.phase, epoch: p.epoch, loss: p.loss });
    }
  } else {
    $("progress-state").textContent = "No training is running.";
    $("train-cancel").hidden = true;
    $("progress-bar").max = 1;
    $("progress-bar").value = status.last ? 1 : 0;
  }
  const phases = [...new Set(lossSeries.map((l) => l.phase))];
  drawChart($("chart-loss"), {
    height: 150,
    title: "Training loss",
    xLabel: "epoch",
    series: phases.map((ph) => ({ name: ph, points: lossSeries.filter((l) => l.phase === ph).map((l) => ({ x: l.epoch, y: l.loss })) })),
    legend: phases.length > 0,
    empty: "the loss of each epoch appears here while a model trains",
  });
  const last = status.last;
  const lastBox = $("progress-last");
  if (last) {
    lastBox.replaceChildren(
      el("span", { class: last.status === "succeeded" ? "badge ok" : "badge warn" }, last.status),
      ` run ${last.run_id} (${last.algorithm})`,
      last.version ? ` stored v${last.version}${last.activated ? " and activated it" : ""}` : "",
      ` in ${seconds(last.train_seconds)}`,
      last.error ? el("span", { class: "error-text" }, ` — ${last.error}`) : "",
    );
    lastBox.dataset.run = String(last.run_id);
    lastBox.dataset.version = last.version ? String(last.version) : "";
  }
  if (current !== "training") return;
  if (status.running) {
    pollTimer = setTimeout(() => pollStatus().catch((e) => fail("Training status", e)), 250);
  } else if (watchedRun !== null) {
    // The run watched from here just ended: show its outcome in the history.
    watchedRun = null;
    await loadRuns();
  }
}

async function loadRuns() {
  const { runs } = await api("/training/runs?limit=50");
  const body = $("runs-table").querySelector("tbody");
  body.replaceChildren(
    ...runs.map((r) =>
      el("tr", { dataset: { run: r.id, status: r.status } },
        el("td", {}, String(r.id)),
        el("td", {}, r.algorithm),
        el("td", {}, pairs(r.params)),
        el("td", {}, dateTime(r.started_at)),
        el("td", { class: "num" }, r.duration_seconds === null ? "–" : `${r.duration_seconds} s`),
        el("td", {}, el("span", { class: r.status === "succeeded" ? "badge ok" : r.status === "failed" ? "badge warn" : "badge" }, r.status), r.error ? el("div", { class: "error-text small" }, r.error) : ""),
        el("td", {}, r.version ? `v${r.version}` : "–"),
      ),
    ),
  );
  if (runs.length === 0) body.append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No training run yet.")));
}

// Serving ---------------------------------------------------------------------------------

async function loadServing() {
  const stats = await api("/metrics/serving?minutes=10&step=10");
  const points = (f) => stats.intervals.map((i) => ({ x: i.start, y: f(i), label: clock(i.start) }));
  drawChart($("chart-rps"), {
    title: "Requests per second",
    series: [{ name: "requests/s", points: points((i) => i.requests_per_second) }],
    xFormat: (x) => clock(x).slice(0, 5),
    yMin: 0,
  });
  drawChart($("chart-latency"), {
    title: "Latency",
    series: [
      { name: "p50", points: points((i) => i.p50_ms) },
      { name: "p99", points: points((i) => i.p99_ms) },
    ],
    xFormat: (x) => clock(x).slice(0, 5),
    yMin: 0,
    empty: "no recommendation request in the last 10 minutes",
  });
  $("serving-uptime").textContent = `· up ${seconds(stats.uptime_seconds)}`;
  $("routes-table").querySelector("tbody").replaceChildren(
    ...stats.routes.map((r) =>
      el("tr", { class: r.recommendation ? "highlight" : "" },
        el("td", {}, r.method),
        el("td", {}, el("code", {}, r.route)),
        el("td", { class: "num" }, formatNumber(r.requests)),
        el("td", { class: "num" }, String(r.errors)),
        el("td", { class: "num" }, r.mean_ms === null ? "–" : r.mean_ms.toFixed(2)),
      ),
    ),
  );
  if (!refreshTimer) refreshTimer = setInterval(() => current === "serving" && loadServing().catch((e) => fail("Serving", e)), 5000);
}

// Flow ------------------------------------------------------------------------------------

async function loadFlow() {
  const flow = await api("/flow");
  $("flow-stages").replaceChildren(
    ...flow.stages.flatMap((stage, i) => [...(i ? [el("span", { class: "arrow" }, " → ")] : []), el("strong", {}, stage)]),
  );
  const index = flow.model_index;
  const row = (name, value) => el("tr", {}, el("th", {}, name), el("td", {}, value));
  $("flow-retrieval").querySelector("tbody").replaceChildren(
    row("Live items", formatNumber(flow.catalog_items)),
    row("Scored", flow.retrieval === "index"
      ? `candidates only (more than ${formatNumber(flow.settings.exact_items)} items)`
      : `every item (up to ${formatNumber(flow.settings.exact_items)} items)`),
    row("Model index", index
      ? `version ${index.version}, ${formatNumber(index.items)} items, recall@10 ${index.recall_at_10 === null ? "–" : index.recall_at_10.toFixed(3)}`
      : "none"),
    row("Content index", flow.content_index ?? "no vectors yet"),
    row("Cold-start ramp", `${flow.cold_start_threshold} interactions`),
  );
  const s = flow.settings;
  $("flow-sources").querySelector("tbody").replaceChildren(
    ...[
      ["model", s.model_candidates],
      ["neighbours", `${s.neighbours_per_item} per recent item, ${s.recent_items} recent items`],
      ["content", s.content_candidates],
      ["popular", s.popular_candidates],
    ].map(([name, n]) => el("tr", {}, el("td", {}, name), el("td", { class: "num" }, String(n)))),
  );
  const presets = Object.entries(s.presets);
  $("flow-presets").querySelector("tbody").replaceChildren(
    ...(presets.length
      ? presets.map(([name, p]) =>
          el("tr", {}, el("td", {}, name), el("td", {}, el("code", {}, p.filter ?? "")), el("td", {}, el("code", {}, p.boost ?? ""))),
        )
      : [el("tr", {}, el("td", { colspan: "3" }, "none configured"))]),
  );
}

// Experiments -----------------------------------------------------------------------------

let selectedExperiment = null;

/** What a variant changes, in a few words. */
function variantSettings(v) {
  const parts = [];
  if (v.model_version) parts.push(`v${v.model_version} ${v.algorithm ?? ""}`.trim());
  if (v.cf_weight !== undefined) parts.push(`cf_weight ${v.cf_weight}`);
  if (v.mmr_lambda !== undefined) parts.push(`mmr_lambda ${v.mmr_lambda}`);
  if (v.preset !== undefined) parts.push(`preset ${v.preset}`);
  return parts.length ? parts.join(", ") : "as served";
}

const percent = (r) => `${(r * 100).toFixed(2)} %`;
const rateWithInterval = (r) => `${percent(r.rate)} (${percent(r.low)}–${percent(r.high)})`;

async function loadExperiments() {
  const all = await api("/experiments");
  const body = $("experiments-table").querySelector("tbody");
  body.replaceChildren(
    ...all.map((e) =>
      el("tr", { dataset: { experiment: e.id }, class: e.id === selectedExperiment ? "active" : "" },
        el("td", {}, el("a", { href: "#experiments", onclick: (event) => { event.preventDefault(); selectedExperiment = e.id; loadExperiments().catch((x) => fail("Experiments", x)); } }, e.id),
          e.description ? el("br") : null, e.description ? el("span", { class: "muted" }, e.description) : null),
        el("td", {}, el("span", { class: `badge ${e.status === "running" ? "ok" : ""}` }, e.status)),
        el("td", {}, el("ul", { class: "plain" }, e.variants.map((v, i) =>
          el("li", {}, el("b", {}, v.name), ` ${percent(v.share)}${i === 0 ? " (control)" : ""}: ${variantSettings(v)}`)))),
        el("td", {}, dateTime(e.created_at)),
        el("td", {}, dateTime(e.started_at)),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "start", disabled: !["draft", "paused"].includes(e.status), onclick: () => experimentAction(e.id, "start") }, "Start"),
          el("button", { type: "button", class: "pause", disabled: e.status !== "running", onclick: () => experimentAction(e.id, "pause") }, "Pause"),
          el("button", { type: "button", class: "stop danger", disabled: !["running", "paused"].includes(e.status), onclick: () => experimentAction(e.id, "stop") }, "Stop"),
        ),
      ),
    ),
  );
  if (all.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No experiment defined yet.")));
    $("experiment-detail").hidden = true;
    return;
  }
  if (!all.some((e) => e.id === selectedExperiment)) {
    selectedExperiment = (all.find((e) => e.status === "running") ?? all[0]).id;
    for (const row of body.querySelectorAll("tr")) row.classList.toggle("active", row.dataset.experiment === selectedExperiment);
  }
  await showExperiment(selectedExperiment);
  if (!refreshTimer) refreshTimer = setInterval(() => current === "experiments" && loadExperiments().catch((e) => fail("Experiments", e)), 10000);
}

async function showExperiment(id) {
  const report = await api(`/experiments/${encodeURIComponent(id)}`);
  $("experiment-detail").hidden = false;
  $("experiment-name").textContent = `· ${id}`;
  $("experiment-results").querySelector("tbody").replaceChildren(
    ...report.results.map((r) => {
      const against = r.against_control;
      return el("tr", { dataset: { variant: r.name } },
        el("td", {}, r.name),
        el("td", { class: "num" }, formatNumber(r.users)),
        el("td", { class: "num" }, formatNumber(r.lists)),
        el("td", { class: "num" }, formatNumber(r.items_shown)),
        el("td", { class: "num" }, rateWithInterval(r.ctr)),
        el("td", { class: "num" }, percent(r.list_ctr.rate)),
        el("td", { class: "num" }, rateWithInterval(r.conversion)),
        el("td", { class: "num" }, against ? (against.ctr.lift === null ? "–" : `${against.ctr.lift >= 0 ? "+" : ""}${(against.ctr.lift * 100).toFixed(1)} %`) : "control"),
        el("td", { class: `num ${against && against.ctr.p_value < 0.05 ? "significant" : ""}` }, against ? against.ctr.p_value.toFixed(4) : ""),
      );
    }),
  );
  $("experiment-warnings").replaceChildren(...report.warnings.map((w) => el("li", {}, w)));
  const periodText = `· per ${report.period_seconds >= 86400 ? "day" : "hour"}`;
  for (const small of document.querySelectorAll("#experiment-detail .period")) small.textContent = periodText;
  const stamp = (x) => (report.period_seconds >= 86400 ? day(x) : dateTime(x).slice(5, 16));
  const series = (f) =>
    report.results.map((r) => ({
      name: r.name,
      points: report.series.filter((p) => p.variant === r.name).map((p) => ({ x: p.start, y: f(p), label: stamp(p.start) })),
    }));
  const charts = [
    ["chart-experiment-lists", "Lists served", (p) => p.lists, formatNumber],
    ["chart-experiment-ctr", "Click-through rate", (p) => p.ctr, percent],
    ["chart-experiment-conversion", "Conversion rate", (p) => p.conversion, percent],
  ];
  for (const [target, title, f, yFormat] of charts) {
    drawChart($(target), { title, series: series(f), xFormat: stamp, yFormat, yMin: 0, legend: true, empty: "no list served yet" });
  }
}

async function experimentAction(id, action) {
  if (action === "stop" && !confirm(`Stop experiment ${id} for good?`)) return;
  try {
    const changed = await api(`/experiments/${encodeURIComponent(id)}/${action}`, { method: "POST" });
    toast(`Experiment ${changed.id} is ${changed.status}`);
  } catch (e) {
    fail(`${action[0].toUpperCase()}${action.slice(1)} ${id}`, e);
  }
  selectedExperiment = id;
  await loadExperiments().catch((e) => fail("Experiments", e));
}

// Pipeline --------------------------------------------------------------------------------

/** Layers 3 and 4 hold per-user rows, so with an admin key the link must send it. */
async function downloadWithKey(event, url, file) {
  if (!keyInput.value) return;
  event.preventDefault();
  try {
    const response = await fetch(url, { headers: { "X-API-Key": keyInput.value } });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: file });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (e) {
    fail("Pipeline", e);
  }
}

async function loadPipeline() {
  const out = await api("/pipeline/outputs");
  $("pipeline-dir").textContent = `Files are written to ${out.out_dir}.`;
  $("pipeline-table").querySelector("tbody").replaceChildren(
    ...out.layers.map((l) =>
      el("tr", { dataset: { layer: l.layer } },
        el("td", {}, `Layer ${l.layer}`),
        el("td", {}, l.exists ? el("a", { href: l.url, download: l.file, onclick: (e) => downloadWithKey(e, l.url, l.file) }, l.file) : el("span", { class: "muted" }, l.file)),
        el("td", {}, l.exists ? dateTime(l.modified_at) : "not run yet"),
        el("td", { class: "num" }, l.rows === null ? "–" : formatNumber(l.rows)),
        el("td", { class: "num" }, bytes(l.size_bytes)),
        el("td", { class: "small" }, l.columns.length > 6 ? `${l.columns.slice(0, 6).join(", ")}, … (${l.columns.length})` : l.columns.join(", ")),
        el("td", {}, el("button", { type: "button", onclick: (e) => runLayer(l.layer, e.target) }, "Run")),
      ),
    ),
  );
}

async function runLayer(n, button) {
  button.disabled = true;
  try {
    const report = await api(`/run-layer/${n}`, { method: "POST" });
    toast(`Layer ${n}: ${report.rows} rows from ${report.data_source && report.data_source.kind} data in ${seconds(report.duration_seconds)}`);
  } catch (e) {
    fail(`Running layer ${n}`, e);
  } finally {
    button.disabled = false;
  }
  await loadPipeline().catch((e) => fail("Pipeline", e));
}

// Explore ---------------------------------------------------------------------------------

async function loadExplore() {
  const list = await api("/users?page=1&size=50");
  $("explore-users").replaceChildren(...list.users.map((u) => el("option", { value: u.user_id })));
}

$("explore-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("explore-user").value.trim();
  if (!id) return;
  $("explore-error").textContent = "";
  // Marked before the first request so that nothing reads the previous user's lists as this one's.
  $("explore-recs").dataset.explained = "pending";
  const user = encodeURIComponent(id);
  try {
    const [profile, history] = await Promise.all([api(`/users/${user}`), api(`/users/${user}/interactions?limit=30`)]);
    const facts = [
      ["id", profile.user_id],
      ["interactions", profile.interactions],
      ["interests", (profile.interests || []).join(", ")],
      ["age", profile.age],
      ["gender", profile.gender],
      ["occupation", profile.occupation],
    ].filter(([, v]) => v !== null && v !== undefined && v !== "");
    $("explore-profile").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]));
    $("explore-history-count").textContent = `${history.interactions.length} newest of ${history.total}`;
    $("explore-history").querySelector("tbody").replaceChildren(
      ...history.interactions.map((h) =>
        el("tr", {}, el("td", {}, h.title || h.item_id, el("span", { class: "muted small" }, ` ${h.item_id}`)), el("td", {}, h.kind), el("td", { class: "num" }, formatNumber(h.value)), el("td", {}, day(h.ts))),
      ),
    );
    $("explore-result").hidden = false;
    await showRecommendations(id);
  } catch (e) {
    $("explore-result").hidden = true;
    $("explore-error").textContent = e.message;
    $("explore-recs").dataset.explained = "failed";
  }
});

async function showRecommendations(id) {
  const user = encodeURIComponent(id);
  const recs = await api(`/recommendations/${user}?n=10&explain=true`);
  $("explore-method").textContent = `· ${recs.method}${recs.model_version ? ` · v${recs.model_version} ${recs.algorithm}` : ""}`;
  const list = $("explore-recs");
  list.replaceChildren(
    ...recs.recommendations.map((r) => {
      const why = el("div", { class: "why small" }, r.because ? `because you liked ${r.because.title}` : r.matched && r.matched.length ? `matches ${r.matched.join(", ")}` : "");
      const li = el("li", { dataset: { item: r.item_id } },
        el("div", {}, el("strong", {}, r.title || r.item_id), " ", el("span", { class: "muted small" }, `${r.genres.join(", ")} · score ${formatNumber(r.score)}`)),
        why,
      );
      return li;
    }),
  );
  if (recs.recommendations.length === 0) list.append(el("li", { class: "muted" }, "Nothing to recommend."));
  $("explore-recs").dataset.explained = "pending";
  // The model's own explanation of each item, when a model is active.
  if (recs.model_version) {
    await Promise.all(
      recs.recommendations.map(async (r) => {
        const li = list.querySelector(`li[data-item="${CSS.escape(r.item_id)}"] .why`);
        try {
          const x = await api(`/explain/${user}/${encodeURIComponent(r.item_id)}`);
          li.replaceChildren(
            el("span", { class: "summary" }, x.summary),
            x.pulled_up_by.length
              ? el("span", { class: "muted" }, ` — up: ${x.pulled_up_by.slice(0, 3).map((i) => `${i.title || i.item_id} (${formatNumber(i.contribution)})`).join("; ")}`)
              : "",
          );
        } catch (e) {
          li.append(el("span", { class: "muted" }, ` (${e.message})`));
        }
      }),
    );
  }
  $("explore-recs").dataset.explained = "done";
}

// ---- start ----------------------------------------------------------------------------

window.addEventListener("hashchange", show);
// Charts are drawn at their box's width: draw them again when the window changes size.
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => current && current !== "explore" && current !== "training" && pages[current]().catch((e) => fail(`Loading ${current}`, e)), 300);
});
show();
