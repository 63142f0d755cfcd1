// Charts drawn as SVG by hand: five small chart kinds are less code than any charting library's
// built files, need no build step, and every mark can be a keyboard-reachable button.
// Colours: Okabe–Ito for categories, viridis for amounts (both read under colour blindness).

const NS = "http://www.w3.org/2000/svg";
export const OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
let WIDTH = 520;

/** Charts are drawn at the width they are shown at, so their text stays at its CSS size. */
export function setWidth(pixels) {
  WIDTH = Math.max(280, Math.min(1200, Math.round(pixels)));
}

/** Room for the row labels: less on a phone, where long labels are cut. */
function labelRoom() {
  return Math.round(Math.min(124, WIDTH * 0.3));
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function frame(height, label, width = WIDTH) {
  return el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": label,
    class: "chart",
    preserveAspectRatio: "xMinYMin meet",
  });
}

/** A mark that acts as a button: click, Enter or Space selects it. */
function selectable(node, label, onSelect) {
  if (!onSelect) {
    node.append(el("title", {}, label));
    return node;
  }
  node.setAttribute("tabindex", "0");
  node.setAttribute("role", "button");
  node.setAttribute("aria-label", label);
  node.classList.add("hit");
  node.append(el("title", {}, label));
  node.addEventListener("click", onSelect);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onSelect();
    }
  });
  return node;
}

export function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = hex(VIRIDIS[i]);
  const b = hex(VIRIDIS[i + 1]);
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(",")})`;
}

function hex(colour) {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
}

/** Black or white, whichever reads better on the fill. */
function ink(fill) {
  const [r, g, b] = fill.startsWith("#") ? hex(fill) : fill.match(/\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 140 ? "#000" : "#fff";
}

/** Axis ticks from 0 in round steps (1, 2, 2.5, 5 × 10^n) covering `value`; whole steps for counts. */
function axis(value, whole = true) {
  const target = value > 0 ? value / 4 : 1;
  const power = 10 ** Math.floor(Math.log10(target));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= target);
  if (whole) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(value / step - 1e-9) * step);
  const ticks = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(t);
  return { max: top, ticks };
}

/** Drawn no wider than 1.6 times the natural size: a short chart on a wall screen stays legible. */
function limitWidth(svg, width) {
  svg.style.maxWidth = `${Math.round(width * 1.6)}px`;
  return svg;
}

function truncate(text, max = Math.floor(labelRoom() / 7)) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** Horizontal bars: rows [{label, value, colour?, onSelect?, describe}]. */
export function bars(rows, { label, format }) {
  const left = labelRoom();
  const right = 60;
  const rowHeight = 28;
  const height = rows.length * rowHeight + 30;
  const { max, ticks } = axis(Math.max(0, ...rows.map((r) => r.value)));
  const scale = (v) => ((WIDTH - left - right) * v) / max;
  const svg = frame(height, label);
  for (const t of ticks) {
    const x = left + scale(t);
    svg.append(el("line", { x1: x, x2: x, y1: 0, y2: height - 24, class: "grid" }));
    svg.append(el("text", { x, y: height - 8, class: "tick", "text-anchor": "middle" }, format(t)));
  }
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    const g = el("g", {});
    g.append(el("text", { x: left - 8, y: y + 15, class: "label", "text-anchor": "end" }, truncate(row.label)));
    g.append(el("rect", { x: left, y, width: Math.max(1, scale(row.value)), height: rowHeight - 8, fill: row.colour || OKABE_ITO[0] }));
    g.append(el("text", { x: left + scale(row.value) + 6, y: y + 15, class: "value" }, format(row.value)));
    svg.append(selectable(g, row.describe, row.onSelect));
  });
  return svg;
}

/** Vertical columns over an ordered axis (years): rows [{label, value, describe, onSelect?}]. */
export function columns(rows, { label, format }) {
  const height = 260;
  const left = 50;
  const bottom = 40;
  const { max, ticks } = axis(Math.max(0, ...rows.map((r) => r.value)));
  const plot = height - bottom - 10;
  const band = (WIDTH - left - 10) / Math.max(1, rows.length);
  const svg = frame(height, label);
  for (const t of ticks) {
    const y = 10 + plot - (plot * t) / max;
    svg.append(el("line", { x1: left, x2: WIDTH - 10, y1: y, y2: y, class: "grid" }));
    svg.append(el("text", { x: left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, format(t)));
  }
  const every = Math.ceil(rows.length / 12); // keep axis labels from overlapping
  rows.forEach((row, i) => {
    const h = (plot * row.value) / max;
    const x = left + i * band;
    const g = el("g", {});
    g.append(el("rect", { x: x + band * 0.15, y: 10 + plot - h, width: band * 0.7, height: Math.max(1, h), fill: OKABE_ITO[2] }));
    if (i % every === 0) {
      g.append(el("text", { x: x + band / 2, y: height - bottom + 18, class: "tick", "text-anchor": "middle" }, row.label));
    }
    svg.append(selectable(g, row.describe, row.onSelect));
  });
  return svg;
}

/** A heat map: rows × columns of counts, viridis by count; cells [{row, col, value, onSelect}].
 * `slanted`: long labels (register names) get room, the column labels written at 45°. */
export function heatmap(rowLabels, colLabels, value, { label, onSelect, describe, slanted = false }) {
  const longest = (labels) => Math.max(0, ...labels.map((l) => String(l.label).length));
  const left = slanted ? Math.min(labelRoom() + 20, 7 * longest(rowLabels) + 14) : 70;
  const top = slanted ? Math.min(110, 5 * longest(colLabels) + 16) : 30;
  const cellW = Math.max(24, Math.min(56, (WIDTH - left - 10) / Math.max(1, colLabels.length)));
  const cellH = 26;
  const width = left + colLabels.length * cellW + 10 + (slanted ? top : 0);
  const height = top + rowLabels.length * cellH + 10;
  let max = 0;
  rowLabels.forEach((r) => colLabels.forEach((c) => (max = Math.max(max, value(r, c)))));
  const svg = limitWidth(frame(height, label, width), width);
  colLabels.forEach((c, j) => {
    const x = left + j * cellW + cellW / 2;
    const at = slanted
      ? { x, y: top - 6, "text-anchor": "start", transform: `rotate(-45 ${x} ${top - 6})` }
      : { x, y: top - 10, "text-anchor": "middle" };
    svg.append(el("text", { ...at, class: "tick" }, c.label));
  });
  rowLabels.forEach((r, i) => {
    const y = top + i * cellH;
    const shown = slanted ? truncate(r.label, Math.floor((left - 8) / 7)) : r.label;
    svg.append(el("text", { x: left - 8, y: y + cellH / 2 + 4, class: "label", "text-anchor": "end" }, shown));
    colLabels.forEach((c, j) => {
      const v = value(r, c);
      const fill = v ? viridis(Math.sqrt(v / max)) : "#f4f4f4";
      const g = el("g", {});
      g.append(el("rect", { x: left + j * cellW + 1, y: y + 1, width: cellW - 2, height: cellH - 2, fill }));
      if (v) {
        g.append(el("text", { x: left + j * cellW + cellW / 2, y: y + cellH / 2 + 4, "text-anchor": "middle", class: "cell", fill: ink(fill) }, String(v)));
      }
      const select = v && onSelect ? () => onSelect(r, c) : null;
      svg.append(selectable(g, describe(r, c, v), select));
    });
  });
  return svg;
}

/** Box plots from summaries (min, p25, median, p75, max, mean): rows [{label, summary, onSelect, describe}]. */
export function boxes(rows, { label, format, max: fixedMax }) {
  const left = labelRoom();
  const right = 20;
  const rowHeight = 30;
  const height = rows.length * rowHeight + 30;
  const { max, ticks } = fixedMax
    ? { max: fixedMax, ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * fixedMax) }
    : axis(Math.max(0, ...rows.map((r) => r.summary.max ?? 0)), false);
  const scale = (v) => left + ((WIDTH - left - right) * v) / max;
  const svg = frame(height, label);
  for (const t of ticks) {
    const x = scale(t);
    svg.append(el("line", { x1: x, x2: x, y1: 0, y2: height - 24, class: "grid" }));
    svg.append(el("text", { x, y: height - 8, class: "tick", "text-anchor": "middle" }, format(t)));
  }
  rows.forEach((row, i) => {
    const s = row.summary;
    const mid = i * rowHeight + rowHeight / 2 + 2;
    const g = el("g", {});
    g.append(el("text", { x: left - 8, y: mid + 4, class: "label", "text-anchor": "end" }, truncate(row.label)));
    if (s.count) {
      g.append(el("line", { x1: scale(s.min), x2: scale(s.max), y1: mid, y2: mid, class: "whisker" }));
      for (const end of [s.min, s.max]) {
        g.append(el("line", { x1: scale(end), x2: scale(end), y1: mid - 6, y2: mid + 6, class: "whisker" }));
      }
      g.append(el("rect", { x: scale(s.p25), y: mid - 9, width: Math.max(1, scale(s.p75) - scale(s.p25)), height: 18, fill: OKABE_ITO[4], class: "box" }));
      g.append(el("line", { x1: scale(s.median), x2: scale(s.median), y1: mid - 9, y2: mid + 9, class: "median" }));
      g.append(el("circle", { cx: scale(s.mean), cy: mid, r: 3, class: "mean" }));
    } else {
      g.append(el("text", { x: left + 4, y: mid + 4, class: "tick" }, "no values"));
    }
    svg.append(selectable(g, row.describe, row.onSelect));
  });
  return svg;
}

/** Two shares per row (0–1), side by side: rows [{label, a, b, describe}]. */
export function shares(rows, { label, names }) {
  const left = labelRoom();
  const right = 50;
  const rowHeight = 36;
  const height = rows.length * rowHeight + 50;
  const scale = (v) => (WIDTH - left - right) * v;
  const svg = frame(height, label);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + scale(t);
    svg.append(el("line", { x1: x, x2: x, y1: 0, y2: height - 44, class: "grid" }));
    svg.append(el("text", { x, y: height - 30, class: "tick", "text-anchor": "middle" }, `${Math.round(t * 100)}%`));
  }
  names.forEach((name, k) => {
    const x = left + k * Math.min(140, (WIDTH - left) / 2);
    svg.append(el("rect", { x, y: height - 16, width: 12, height: 12, fill: OKABE_ITO[k ? 1 : 0] }));
    svg.append(el("text", { x: x + 18, y: height - 6, class: "tick" }, name));
  });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    const g = el("g", {});
    g.append(el("text", { x: left - 8, y: y + 18, class: "label", "text-anchor": "end" }, truncate(row.label)));
    [row.a, row.b].forEach((v, k) => {
      const yy = y + k * 14;
      g.append(el("rect", { x: left, y: yy, width: Math.max(1, scale(v)), height: 12, fill: OKABE_ITO[k ? 1 : 0] }));
      g.append(el("text", { x: left + scale(v) + 4, y: yy + 10, class: "value small" }, `${Math.round(v * 100)}%`));
    });
    svg.append(selectable(g, row.describe, row.onSelect));
  });
  return svg;
}
