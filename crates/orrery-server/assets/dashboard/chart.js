// Line and bar charts drawn as SVG. A charting library would bring an npm build into
// `cargo build`; charts of a few hundred points need only scales, ticks and a path.
// Every text node is set with textContent, so data can never become markup.

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#3b6fd8", "#d8663b", "#2f9e63", "#9b4dca", "#c2a000", "#d23b6f", "#3ba9c2", "#6b6b6b"];

function node(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A domain that starts and ends on round numbers around [min, max], and its ticks: 1, 2
 * or 5 times a power of ten apart.
 */
export function niceScale(min, max, count = 4) {
  if (!(isFinite(min) && isFinite(max))) return { lo: 0, hi: 1, ticks: [0, 1] };
  if (min === max) {
    if (min === 0) {
      max = 1;
    } else {
      const pad = Math.abs(min) * 0.1;
      min -= pad;
      max += pad;
    }
  }
  const raw = (max - min) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
  const lo = Number((Math.floor(min / step + 1e-9) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12));
  const ticks = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return { lo, hi, ticks };
}

/** Digits without trailing zeros after the decimal point. */
function trimZeros(text) {
  return text.includes(".") && !text.includes("e") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A short label for a number: 3 significant digits, k/M suffixes for large counts. */
export function formatNumber(v) {
  if (v === null || v === undefined || !isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return trimZeros((v / 1e6).toPrecision(3)) + "M";
  if (a >= 1e4) return trimZeros((v / 1e3).toPrecision(3)) + "k";
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return trimZeros(v.toPrecision(3));
}

/**
 * Draws a chart into `container` (its children are replaced).
 *
 * options: { series: [{ name, points: [{ x, y, label? }] }], kind: "line" | "bar",
 *            xFormat(x) → text, yFormat(y) → text, yLabel, xLabel, height, yMin }
 * Points with a null y are skipped (a gap in the line). The SVG gets class "chart" and
 * data-points with the number of points drawn.
 */
export function drawChart(container, options) {
  const { series = [], kind = "line", xFormat = formatNumber, yFormat = formatNumber } = options;
  container.replaceChildren();
  const width = Math.max(320, container.clientWidth || 640);
  const height = options.height || 220;
  const margin = { top: 14, right: 16, bottom: 34, left: 56 };
  const svg = node("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
  });
  if (options.title) svg.setAttribute("aria-label", options.title);
  const points = series.flatMap((s) => s.points.filter((p) => p.y !== null && p.y !== undefined && isFinite(p.y)));
  svg.setAttribute("data-points", String(points.length));
  if (points.length === 0) {
    svg.append(node("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" }, options.empty || "no data yet"));
    container.append(svg);
    return svg;
  }
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (kind === "bar") {
    xMin -= 0.5;
    xMax += 0.5;
  } else if (xMin === xMax) {
    xMin -= 1;
    xMax += 1;
  } else {
    // A little room so that the first and last points are not cut by the edges.
    const pad = (xMax - xMin) * 0.03;
    xMin -= pad;
    xMax += pad;
  }
  const ys = points.map((p) => p.y);
  const scale = niceScale(options.yMin !== undefined ? Math.min(options.yMin, ...ys) : Math.min(...ys), Math.max(...ys), 4);
  const yMin = scale.lo;
  const yMax = scale.hi;
  const yTicks = scale.ticks;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y) => margin.top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH;

  const grid = node("g", { class: "grid" });
  for (const t of yTicks) {
    grid.append(node("line", { x1: margin.left, x2: width - margin.right, y1: sy(t), y2: sy(t) }));
    grid.append(node("text", { x: margin.left - 6, y: sy(t) + 4, "text-anchor": "end" }, yFormat(t)));
  }
  // At most ~8 x labels, on distinct x values.
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(distinct.length / 8));
  distinct.forEach((x, i) => {
    if (i % every !== 0 && i !== distinct.length - 1) return;
    if (i !== distinct.length - 1 && distinct.length - 1 - i < every / 2) return;
    grid.append(node("text", { x: sx(x), y: height - margin.bottom + 16, "text-anchor": "middle" }, xFormat(x)));
  });
  grid.append(node("line", { class: "axis", x1: margin.left, x2: width - margin.right, y1: sy(yMin), y2: sy(yMin) }));
  svg.append(grid);
  if (options.yLabel) {
    svg.append(node("text", { class: "axis-label", x: 12, y: margin.top + plotH / 2, transform: `rotate(-90 12 ${margin.top + plotH / 2})`, "text-anchor": "middle" }, options.yLabel));
  }
  if (options.xLabel) {
    svg.append(node("text", { class: "axis-label", x: margin.left + plotW / 2, y: height - 4, "text-anchor": "middle" }, options.xLabel));
  }

  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const g = node("g", { class: "series", "data-series": s.name });
    const valid = s.points.filter((p) => p.y !== null && p.y !== undefined && isFinite(p.y));
    if (kind === "bar") {
      const barW = Math.max(1, (plotW / (xMax - xMin)) * 0.8 / series.length);
      for (const p of valid) {
        const x = sx(p.x) - (barW * series.length) / 2 + i * barW;
        const top = sy(Math.max(p.y, 0));
        const rect = node("rect", { class: "point bar", x, y: top, width: barW, height: Math.max(0, sy(Math.max(yMin, 0)) - top), fill: color });
        rect.append(node("title", {}, `${p.label ?? xFormat(p.x)}: ${yFormat(p.y)}`));
        g.append(rect);
      }
    } else {
      // One path per run of consecutive valid points, so that missing values leave gaps.
      let d = "";
      let pen = false;
      for (const p of s.points) {
        if (p.y === null || p.y === undefined || !isFinite(p.y)) {
          pen = false;
          continue;
        }
        d += `${pen ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
        pen = true;
      }
      g.append(node("path", { d, fill: "none", stroke: color, "stroke-width": 2 }));
      const r = valid.length > 80 ? 1.5 : 3.5;
      for (const p of valid) {
        const c = node("circle", { class: "point", cx: sx(p.x), cy: sy(p.y), r, fill: color });
        c.append(node("title", {}, `${s.name ? s.name + " · " : ""}${p.label ?? xFormat(p.x)}: ${yFormat(p.y)}`));
        g.append(c);
      }
    }
    svg.append(g);
  });

  container.append(svg);
  if (series.length > 1 || options.legend) {
    const legend = document.createElement("div");
    legend.className = "legend";
    series.forEach((s, i) => {
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.className = `swatch c${i % PALETTE.length}`;
      item.append(swatch, document.createTextNode(s.name));
      legend.append(item);
    });
    container.append(legend);
  }
  return svg;
}
