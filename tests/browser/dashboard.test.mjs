// The dashboard in a real browser: Debian's chromium driven by playwright-core, against a
// real `orrery serve` on 127.0.0.1 over a temporary SQLite file holding MovieLens 100K.
//
// Checks: no console error or page error; charts drawn with data points (interactions per
// day, metrics per version, serving latency, training loss); a training started from the
// form (after a rejected value is shown at its field) shows live progress and its new
// version appears among the models; activating it makes it the served version; a running
// experiment's results and charts are shown and it stops from the page; the pipeline link
// and the user explorer work; titles, ids and categories made of HTML,
// script and control characters are shown as the text they are, never run or parsed. A
// screenshot of every page is saved.
//
// Environment: ORRERY_BIN (default target/debug/orrery), ORRERY_SHARED_DATA (default
// ../shared/data beside the checkout), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOT_DIR (default target/dashboard-screenshots).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = process.env.ORRERY_BIN || path.join(root, "target/debug/orrery");
const data = process.env.ORRERY_SHARED_DATA || path.resolve(root, "../shared/data");
const shots = process.env.SCREENSHOT_DIR || path.join(root, "target/dashboard-screenshots");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const KEY = "browser-test-admin-key";

let work;
let server;
let base;
let browser;
let page;
const consoleErrors = [];
const expectedFailures = [];

function orrery(args) {
  return execFileSync(bin, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

async function api(pathname, { method = "GET", body } = {}) {
  const response = await fetch(base + pathname, {
    method,
    headers: { "X-API-Key": KEY, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function waitFor(what, check, timeoutMs = 120_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function open(name) {
  await page.evaluate((n) => (location.hash = n), name);
  await page.waitForSelector(`body[data-loaded="${name}"]`, { timeout: 60_000 });
}

async function screenshot(n, name) {
  await page.screenshot({ path: path.join(shots, `${n}-${name}.png`), fullPage: true });
}

before(async () => {
  assert.ok(existsSync(bin), `no orrery binary at ${bin}: run cargo build -p orrery or set ORRERY_BIN`);
  assert.ok(existsSync(path.join(data, "ml-100k/u.data")), `MovieLens 100K is not under ${data}: set ORRERY_SHARED_DATA`);
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), "orrery-dashboard-"));
  const db = `sqlite://${work}/orrery.db`;
  orrery(["import", path.join(data, "ml-100k"), "--database-url", db]);

  server = spawn(
    bin,
    ["serve", "--bind", "127.0.0.1:0", "--database-url", db, "--api-key", KEY,
      "--jwt-secret", "browser-test-jwt-secret-0123456789", "--pipeline-out", path.join(work, "pipeline"),
      "--registry-poll", "0"],
    { stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" } },
  );
  base = await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`orrery serve did not start: ${seen}`)), 60_000);
    server.stderr.on("data", (chunk) => {
      const text = chunk.toString();
      process.stderr.write(text);
      seen += text;
      const m = seen.match(/serving on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`orrery serve exited with ${code}: ${seen}`)));
  });

  // A first version, so that the overview and the metrics have something to show: ALS,
  // activated. The one trained from the form comes second.
  await api("/training/train", { method: "POST", body: { algorithm: "als", hyperparameters: { factors: 16, iterations: 5 }, activate: true } });
  await waitFor("the first training", async () => (await api("/training/status")).last?.version);

  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()} @ ${m.location().url}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) expectedFailures.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the dashboard works end to end in chromium", async () => {
  await page.goto(`${base}/dashboard`);
  await page.fill("#admin-key", KEY);
  await page.dispatchEvent("#admin-key", "change");

  // Overview: counts, the encoder, the active model and the activity chart.
  await open("overview");
  assert.equal(await page.textContent("#ov-users"), "943");
  assert.equal(await page.textContent("#ov-items"), "1,682");
  assert.equal(await page.textContent("#ov-interactions"), "100,000");
  assert.match(await page.textContent("#ov-encoder-name"), /all-MiniLM-L6-v2|feature-hashing-384/);
  assert.equal(await page.textContent("#ov-model-version"), "v1");
  const activityPoints = Number(await page.getAttribute("#chart-activity svg.chart", "data-points"));
  assert.equal(activityPoints, 60, "60 days of interactions");
  assert.ok((await page.locator("#chart-activity rect.point").count()) > 30, "bars drawn");
  await screenshot(1, "overview");

  // Training: a bad value is refused at its field, then a real run shows its progress.
  await open("training");
  // The form starts on what training with nothing named does.
  assert.equal(await page.inputValue("#train-algorithm"), "auto");
  await page.selectOption("#train-algorithm", "mf");
  await page.fill('#train-params input[name="factors"]', "-3");
  await page.click("#train-button");
  const fieldError = page.locator('[data-error-for="hyperparameters.factors"]');
  await fieldError.waitFor({ state: "visible" });
  assert.match(await fieldError.textContent(), /factors/);
  assert.ok(await page.locator('#train-params input[name="factors"].invalid').count());

  await page.fill('#train-params input[name="factors"]', "32");
  // Enough epochs for the run to last a few seconds, so that progress can be watched.
  await page.fill('#train-params input[name="epochs"]', "2000");
  await page.click("#train-button");
  await page.waitForSelector('#train-progress[data-running="true"]', { timeout: 30_000 });
  await page.waitForFunction(() => /^\d+ \/ \d+$/.test(document.querySelector("#progress-epoch").textContent), null, { timeout: 60_000 });
  const progress = await page.textContent("#progress-epoch");
  await page.waitForSelector("#chart-loss svg.chart circle.point", { timeout: 60_000 });
  await screenshot(2, "training-running");
  await page.waitForSelector('#progress-last[data-version="2"]', { timeout: 300_000 });
  assert.match(await page.textContent("#progress-last"), /succeeded.*v2/);
  await page.waitForSelector('#runs-table tr[data-run="2"][data-status="succeeded"]');
  assert.ok(Number(await page.getAttribute("#chart-loss svg.chart", "data-points")) > 0, `loss charted (saw epoch ${progress})`);
  await screenshot(3, "training");

  // A run far too long to wait for is stopped with Cancel: recorded cancelled, no version.
  await page.fill('#train-params input[name="epochs"]', "10000");
  await page.click("#train-button");
  await page.waitForSelector("#train-cancel:not([hidden])", { timeout: 30_000 });
  await page.waitForFunction(() => /^\d+ \/ \d+$/.test(document.querySelector("#progress-epoch").textContent), null, { timeout: 60_000 });
  await page.click("#train-cancel");
  await page.waitForSelector('#runs-table tr[data-run="3"][data-status="cancelled"]', { timeout: 60_000 });
  assert.match(await page.textContent("#progress-last"), /cancelled.*POST \/training\/cancel/);
  assert.equal((await api("/models")).models.length, 2, "the cancelled run stored nothing");

  // Models: the new version is listed, not active; activate it.
  await open("models");
  const v2 = page.locator('#models-table tr[data-version="2"]');
  await v2.waitFor();
  assert.match(await v2.textContent(), /mf/);
  assert.equal(await v2.getAttribute("class"), "");
  await v2.locator("button.activate").click();
  await page.waitForSelector('#models-table tr[data-version="2"].active', { timeout: 30_000 });
  // MF is a rating model: it serves predicted ratings beside ALS, which keeps the lists.
  assert.match(await v2.textContent(), /active: ratings/);
  const registry = await api("/models");
  assert.equal(registry.rating_version, 2);
  assert.equal(registry.active_version, 1);
  assert.match(await page.locator('#models-table tr[data-version="1"]').textContent(), /active: lists/);
  await screenshot(4, "models");

  // Metrics over time: every chart has points (MF has RMSE; both have ranking metrics).
  await open("metrics");
  for (const id of ["rmse", "precision-at-10", "recall-at-10", "ndcg-at-10", "coverage-at-10"]) {
    const n = Number(await page.getAttribute(`#chart-metric-${id} svg.chart`, "data-points"));
    assert.ok(n >= 1, `${id} charted`);
  }
  await screenshot(5, "metrics");

  // Explore: history, recommendations from the active model and their explanations.
  await open("explore");
  await page.fill("#explore-user", "1");
  await page.click("#explore-form button");
  await page.waitForSelector('#explore-recs[data-explained="done"]', { timeout: 60_000 });
  assert.ok((await page.locator("#explore-history tbody tr").count()) > 0, "history shown");
  assert.equal(await page.locator("#explore-recs li").count(), 10);
  assert.ok((await page.locator("#explore-recs .summary").count()) > 0, "explanations shown");
  assert.match(await page.textContent("#explore-method"), /v1 als/);
  await screenshot(6, "explore");

  // Serving: recommendation traffic (the explorer's, and a burst from here) is charted.
  for (let i = 1; i <= 60; i++) await api(`/recommendations/${i}?n=10`);
  await open("serving");
  assert.ok(Number(await page.getAttribute("#chart-rps svg.chart", "data-points")) >= 60, "requests per second over 10 minutes");
  assert.ok(Number(await page.getAttribute("#chart-latency svg.chart", "data-points")) >= 2, "p50 and p99 charted");
  assert.match(await page.textContent("#routes-table"), /\/recommendations\/\{user_id\}/);
  const prometheus = await (await fetch(`${base}/metrics/prometheus`)).text();
  assert.match(prometheus, /orrery_http_requests_total\{method="GET",route="\/recommendations\/\{user_id\}",status="2xx"\} \d+/);
  await screenshot(7, "serving");

  // Flow: the stages, how lists are retrieved at this catalog's size, and the sources.
  await open("flow");
  assert.match(await page.textContent("#flow-stages"), /sources → merge → rank → rules → diversify → page/);
  assert.match(await page.textContent("#flow-retrieval"), /every item \(up to 20k items\)/);
  assert.match(await page.textContent("#flow-sources"), /model\s*100/);
  assert.match(await page.textContent("#flow-presets"), /none configured/);

  // Experiments: a running A/B split between the served lists and a diversified variant,
  // its lists and clicks counted per variant and charted per hour; stopped from the page.
  await api("/experiments", {
    method: "POST",
    body: {
      id: "diversity-test",
      description: "does diversity re-ranking earn clicks?",
      variants: [{ name: "control", share: 0.5 }, { name: "diverse", share: 0.5, mmr_lambda: 0.5 }],
    },
  });
  await api("/experiments/diversity-test/start", { method: "POST" });
  for (let i = 1; i <= 40; i++) {
    const list = await api(`/recommendations/${i}?n=10`);
    assert.equal(list.experiment, "diversity-test");
    await api("/interactions", {
      method: "POST",
      body: { user_id: String(i), item_id: list.recommendations[i % 10].item_id, kind: "click", recommendation_id: list.recommendation_id },
    });
  }
  await waitFor("the experiment's clicks to be recorded", async () => {
    const report = await api("/experiments/diversity-test");
    return report.results.reduce((sum, r) => sum + r.clicks, 0) >= 40;
  });
  await open("experiments");
  assert.match(await page.textContent('#experiments-table tr[data-experiment="diversity-test"]'), /running/);
  assert.equal(await page.locator("#experiment-results tbody tr").count(), 2);
  assert.match(await page.textContent('#experiment-results tr[data-variant="control"]'), /control/);
  for (const id of ["lists", "ctr", "conversion"]) {
    const n = Number(await page.getAttribute(`#chart-experiment-${id} svg.chart`, "data-points"));
    assert.ok(n >= 2, `${id} charted for both variants`);
  }
  await screenshot(8, "experiments");
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator('#experiments-table tr[data-experiment="diversity-test"] button.stop').click();
  await waitFor("the experiment to stop", async () =>
    /stopped/.test(await page.textContent('#experiments-table tr[data-experiment="diversity-test"]')));

  // Pipeline: run layer 2 from the page, then its CSV is linked and downloadable.
  await open("pipeline");
  await page.locator('#pipeline-table tr[data-layer="2"] button').click();
  const link = page.locator('#pipeline-table tr[data-layer="2"] a');
  await link.waitFor({ timeout: 120_000 });
  const href = await link.getAttribute("href");
  assert.equal(href, "/run-layer/2/output");
  const csv = await (await fetch(base + href)).text();
  assert.ok(csv.split("\n").length > 2, "the CSV has rows");
  await screenshot(9, "pipeline");

  // Back to the overview: lists from v1, predicted ratings from v2 now.
  await open("overview");
  assert.equal(await page.textContent("#ov-model-version"), "v1");
  assert.equal(await page.textContent("#ov-rating-version"), "v2");

  // The only failed requests are the one refused on purpose.
  assert.deepEqual(expectedFailures, ["422 POST /training/train"]);
  const unexpected = consoleErrors.filter((e) => !/status of 422/.test(e));
  assert.deepEqual(unexpected, [], "no console error");
});

test("stored HTML, script and control characters are shown as text", async () => {
  const hostile = {
    title: `<img src=x onerror="window.__pwned='title'">Neptune & <b>co</b>`,
    genre: `<script>window.__pwned='genre'</script>`,
    user: `<svg onload="window.__pwned='user'">`,
    control: "tab\there, bell\u0007, zero\u200bwidth",
  };
  await api("/items", {
    method: "POST",
    body: { item_id: "hostile-1", title: hostile.title, genres: [hostile.genre], description: hostile.control },
  });
  await api("/users/", { method: "POST", body: { user_id: hostile.user, interests: [hostile.genre] } });
  await api("/interactions", {
    method: "POST",
    body: { user_id: hostile.user, item_id: "hostile-1", kind: "rating", rating: 5 },
  });

  await page.evaluate(() => { window.__pwned = undefined; });
  await open("explore");
  await page.fill("#explore-user", hostile.user);
  await page.click("#explore-form button");
  await page.waitForSelector('#explore-recs[data-explained="done"]', { timeout: 60_000 });
  const cell = page.locator("#explore-history tbody tr td").first();
  assert.equal(await cell.textContent(), `${hostile.title} hostile-1`, "the title as text, verbatim");
  assert.equal(await page.locator("#explore-history img, #explore-history b, #explore-history svg").count(), 0, "no markup parsed");
  assert.equal(await page.locator("#explore-recs script, #explore-recs img, #explore-recs svg").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
  await screenshot(10, "escaping");
});
