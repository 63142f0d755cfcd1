// The dashboard: filters kept in the URL, one GraphQL request per panel, every chart drawn
// beside its table (the text alternative, and what "Download CSV" writes).

import { run } from "./api.js";
import { bars, boxes, columns, heatmap, setWidth, shares, OKABE_ITO } from "./charts.js";

const EQF_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8];
const PAGE_SIZE = 20;
const STATUS_COLOUR = { OK: OKABE_ITO[2], STALE: OKABE_ITO[1], FAILING: OKABE_ITO[5] };
const number = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 0 });
const fmtCount = (v) => (v === null || v === undefined ? "–" : number.format(v));
const fmtNumber = (v) => (v === null || v === undefined ? "–" : number.format(v));
const fmtPercent = (v) => (v === null || v === undefined ? "–" : percent.format(v));
const NONE = "(none)";
// a list key's value for the group of records that have no value (statistics' null key)
const MISSING = "none";

// ---- state <-> URL --------------------------------------------------------------------------

const state = { q: "", source: "", countries: [], eqfMin: null, eqfMax: null, distinct: false, list: null };

function readURL() {
  const p = new URLSearchParams(window.location.search);
  state.q = p.get("q") || "";
  state.source = p.get("source") || "";
  state.countries = splitList(p.get("country") || "").map((c) => c.toUpperCase());
  state.eqfMin = level(p.get("eqfMin"));
  state.eqfMax = level(p.get("eqfMax"));
  state.distinct = p.get("distinct") === "1";
  state.list = parseList(p.get("list"));
}

function writeURL() {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  if (state.source) p.set("source", state.source);
  if (state.countries.length) p.set("country", state.countries.join(","));
  if (state.eqfMin !== null) p.set("eqfMin", String(state.eqfMin));
  if (state.eqfMax !== null) p.set("eqfMax", String(state.eqfMax));
  if (state.distinct) p.set("distinct", "1");
  if (state.list) p.set("list", Object.entries(state.list).map(([k, v]) => `${k}:${v}`).join(","));
  const search = p.toString();
  const url = window.location.pathname + (search ? "?" + search : "");
  if (url !== window.location.pathname + window.location.search) window.history.pushState(null, "", url);
}

function splitList(text) {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

function level(text) {
  const n = Number.parseInt(text ?? "", 10);
  return EQF_LEVELS.includes(n) ? n : null;
}

function parseList(text) {
  if (!text) return null;
  const out = {};
  for (const part of text.split(",")) {
    const [key, ...rest] = part.split(":");
    const value = rest.join(":");
    if (["source", "country", "eqf", "year", "shared"].includes(key) && value) out[key] = value;
  }
  return Object.keys(out).length ? out : null;
}

/** The GraphQL variables of the page's filters, narrowed by a selected cell when given. */
function variables(cell = null) {
  const filter = {};
  if (state.source) filter.source = [state.source];
  if (state.countries.length) filter.issuerCountry = state.countries;
  if (state.eqfMin !== null) filter.eqfLevelMin = state.eqfMin;
  if (state.eqfMax !== null) filter.eqfLevelMax = state.eqfMax;
  if (cell?.source) filter.source = [cell.source];
  if (cell?.country === MISSING) {
    delete filter.issuerCountry;
    filter.issuerCountryMissing = true;
  } else if (cell?.country) filter.issuerCountry = [cell.country];
  if (cell?.eqf === MISSING) filter.eqfLevelMissing = true;
  else if (cell?.eqf) filter.eqfLevel = [Number(cell.eqf)];
  if (cell?.year === MISSING) filter.validFromMissing = true;
  else if (cell?.year) filter.validFromYear = [Number(cell.year)];
  if (cell?.shared) {
    // the listings, in both registers, of the offers both list
    filter.source = cell.shared.split("+");
    filter.duplicatedIn = filter.source;
  }
  return { filter, search: state.q || null, distinct: state.distinct };
}

// ---- the filter form ------------------------------------------------------------------------

const form = document.getElementById("filters");
const fields = {
  q: document.getElementById("f-q"),
  source: document.getElementById("f-source"),
  country: document.getElementById("f-country"),
  eqfMin: document.getElementById("f-eqf-min"),
  eqfMax: document.getElementById("f-eqf-max"),
  distinct: document.getElementById("f-distinct"),
};

function fillLevelSelect(select, emptyLabel) {
  select.append(new Option(emptyLabel, ""));
  for (const n of EQF_LEVELS) select.append(new Option(String(n), String(n)));
}
fillLevelSelect(fields.eqfMin, "any");
fillLevelSelect(fields.eqfMax, "any");

function showState() {
  fields.q.value = state.q;
  if (state.source && ![...fields.source.options].some((o) => o.value === state.source)) {
    fields.source.append(new Option(state.source, state.source));
  }
  fields.source.value = state.source;
  fields.country.value = state.countries.join(", ");
  fields.eqfMin.value = state.eqfMin === null ? "" : String(state.eqfMin);
  fields.eqfMax.value = state.eqfMax === null ? "" : String(state.eqfMax);
  fields.distinct.checked = state.distinct;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  state.q = fields.q.value.trim();
  state.source = fields.source.value;
  state.countries = splitList(fields.country.value).map((c) => c.toUpperCase());
  state.eqfMin = level(fields.eqfMin.value);
  state.eqfMax = level(fields.eqfMax.value);
  state.distinct = fields.distinct.checked;
  state.list = null;
  writeURL();
  refresh();
});

document.getElementById("f-reset").addEventListener("click", () => {
  Object.assign(state, { q: "", source: "", countries: [], eqfMin: null, eqfMax: null, distinct: false, list: null });
  writeURL();
  refresh();
});

window.addEventListener("popstate", () => {
  readURL();
  refresh();
});

// ---- panels ---------------------------------------------------------------------------------

/** Replace a panel's body: status line, chart, table and its CSV button. */
function draw(section, { chart, caption, table, name, open = false, nothing = "No records match these filters." }) {
  const heading = section.querySelector("h2");
  section.replaceChildren(heading);
  const tools = document.createElement("div");
  tools.className = "tools";
  const csvButton = document.createElement("button");
  csvButton.type = "button";
  csvButton.className = "csv secondary";
  csvButton.textContent = "Download CSV";
  csvButton.setAttribute("aria-label", `Download the table of “${heading.textContent}” as CSV`);
  csvButton.addEventListener("click", () => download(`${name}.csv`, csv(table)));
  tools.append(csvButton);
  section.append(tools);
  if (!table.rows.length) {
    const empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = nothing;
    section.append(empty);
  } else if (chart) {
    const figure = document.createElement("figure");
    figure.append(chart);
    if (caption) {
      const figcaption = document.createElement("figcaption");
      figcaption.textContent = caption;
      figure.append(figcaption);
    }
    section.append(figure);
  }
  const details = document.createElement("details");
  details.open = open;
  const summary = document.createElement("summary");
  summary.textContent = "Table";
  details.append(summary, renderTable(table, heading.textContent));
  section.append(details);
  section.dataset.state = "ready";
}

function renderTable({ columns: cols, rows }, title) {
  const table = document.createElement("table");
  const cap = document.createElement("caption");
  cap.textContent = title;
  cap.className = "visually-hidden";
  const head = table.createTHead().insertRow();
  for (const col of cols) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = col.label;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    cols.forEach((col, i) => {
      const cell = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) cell.scope = "row";
      const shown = (col.format || String)(col.value(row));
      const select = col.select?.(row);
      if (select) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = shown;
        button.addEventListener("click", select);
        cell.append(button);
      } else if (col.href?.(row)) {
        const a = document.createElement("a");
        a.href = col.href(row);
        a.rel = "noopener noreferrer";
        a.textContent = shown;
        cell.append(a);
      } else {
        cell.textContent = shown;
      }
      if (col.numeric) cell.className = "num";
      tr.append(cell);
    });
  }
  table.prepend(cap);
  return table;
}

function csv({ columns: cols, rows }) {
  const quote = (v) => {
    const text = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(";") : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [cols.map((c) => quote(c.label)).join(",")];
  for (const row of rows) lines.push(cols.map((c) => quote(c.value(row))).join(","));
  return lines.join("\r\n") + "\r\n";
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function fail(section, error) {
  const heading = section.querySelector("h2");
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = `Could not load: ${error.message}`;
  section.replaceChildren(heading, p);
  section.dataset.state = "error";
}

const keyLabel = (k) => (k === null ? NONE : k);
const select = (cell) => () => openList(cell);
const summaryColumns = (fmt) =>
  ["min", "p25", "median", "p75", "max", "mean"].map((k) => ({
    label: k,
    value: (r) => r.summary[k],
    format: fmt,
    numeric: true,
  }));

const PANELS = {
  "panel-sources": {
    operation: "DashboardSources",
    render(data) {
      const matching = new Map(data.statistics.groups.map((g) => [g.keys[0], g.count]));
      const rows = data.sources.map((s) => ({ ...s, matching: matching.get(s.key) ?? 0 }));
      rows.sort((a, b) => b.matching - a.matching || a.key.localeCompare(b.key));
      summary(data);
      fillSourceSelect(data.sources);
      return {
        name: "records-per-source",
        open: true, // the health columns are the point here
        chart: bars(
          rows.map((r) => ({
            label: r.key,
            value: r.matching,
            colour: STATUS_COLOUR[r.status] || OKABE_ITO[4],
            describe: `${r.key}: ${r.matching} matching records, status ${r.status}`,
            onSelect: r.matching ? select({ source: r.key }) : null,
          })),
          { label: "Matching records per source", format: fmtCount },
        ),
        caption: "Bar colour is the source's health: green OK, orange stale, red failing.",
        table: {
          columns: [
            { label: "source", value: (r) => r.key },
            { label: "connector", value: (r) => r.connector },
            { label: "status", value: (r) => r.status },
            { label: "matching records", value: (r) => r.matching, format: fmtCount, numeric: true, select: (r) => (r.matching ? select({ source: r.key }) : null) },
            { label: "records", value: (r) => r.recordCount, format: fmtCount, numeric: true },
            { label: "quarantined", value: (r) => r.quarantinedCount, format: fmtCount, numeric: true },
            { label: "last success", value: (r) => r.lastSuccessAt, format: (v) => v ?? "never" },
            { label: "last error", value: (r) => r.lastError, format: (v) => v ?? "" },
          ],
          rows,
        },
      };
    },
  },
  "panel-heatmap": {
    operation: "DashboardCountryLevel",
    render(data) {
      const counts = new Map();
      const totals = new Map();
      const levels = new Set();
      for (const g of data.statistics.groups) {
        const [country, eqf] = g.keys;
        counts.set(`${country}|${eqf}`, g.count);
        totals.set(country, (totals.get(country) ?? 0) + g.count);
        levels.add(eqf);
      }
      const countries = [...totals.keys()].sort(
        (a, b) => (a === null) - (b === null) || totals.get(b) - totals.get(a) || String(a).localeCompare(String(b)),
      );
      fillCountryList(countries.filter((c) => c !== null));
      const cols = [...EQF_LEVELS.map(String), ...(levels.has(null) ? [null] : [])].map((k) => ({ key: k, label: k ?? "none" }));
      const rowsOut = countries.map((c) => ({ key: c, label: keyLabel(c) }));
      const value = (r, c) => counts.get(`${r.key}|${c.key}`) ?? 0;
      const cell = (r, c) => ({ country: r.key ?? MISSING, eqf: c.key ?? MISSING });
      return {
        name: "country-by-eqf-level",
        chart: heatmap(rowsOut, cols, value, {
          label: "Records per issuer country and EQF level",
          onSelect: (r, c) => openList(cell(r, c)),
          describe: (r, c, v) => `${r.label}, EQF ${c.label}: ${v} records`,
        }),
        caption: "Darker is fewer, yellow is more; choose a cell to list its records.",
        table: {
          columns: [
            { label: "country", value: (r) => r.label },
            ...cols.map((c) => ({
              label: `EQF ${c.label}`,
              value: (r) => value(r, c),
              format: fmtCount,
              numeric: true,
              select: (r) => (value(r, c) ? select(cell(r, c)) : null),
            })),
          ],
          rows: rowsOut,
        },
      };
    },
  },
  "panel-workload": {
    operation: "DashboardWorkload",
    render(data) {
      const rows = data.statistics.groups.map((g) => ({
        key: g.keys[0],
        label: keyLabel(g.keys[0]),
        count: g.count,
        summary: g.ects,
        describe: `${keyLabel(g.keys[0])}: median ${fmtNumber(g.ects.median)} ECTS over ${g.ects.count} records`,
        onSelect: select({ country: g.keys[0] ?? MISSING }),
      }));
      return {
        name: "workload-per-country",
        chart: boxes(rows, { label: "ECTS workload per issuer country (box plots)", format: fmtNumber }),
        caption: "Box: middle half (25th–75th percentile); line: median; dot: mean; whiskers: min–max.",
        table: {
          columns: [
            { label: "country", value: (r) => r.label },
            { label: "records", value: (r) => r.count, format: fmtCount, numeric: true, select: (r) => r.onSelect },
            { label: "with ECTS", value: (r) => r.summary.count, format: fmtCount, numeric: true },
            ...summaryColumns(fmtNumber),
          ],
          rows,
        },
      };
    },
  },
  "panel-completeness": {
    operation: "DashboardCompleteness",
    render(data) {
      const rows = data.statistics.groups.map((g) => ({
        key: g.keys[0],
        label: keyLabel(g.keys[0]),
        count: g.count,
        summary: g.completeness,
        describe: `${g.keys[0]}: median completeness ${fmtPercent(g.completeness.median)}`,
        onSelect: select({ source: g.keys[0] }),
      }));
      return {
        name: "completeness-per-source",
        chart: boxes(rows, { label: "Completeness score per source (box plots)", format: fmtPercent, max: 1 }),
        caption: "Share of the record's fields that are filled in.",
        table: {
          columns: [
            { label: "source", value: (r) => r.label },
            { label: "records", value: (r) => r.count, format: fmtCount, numeric: true, select: (r) => r.onSelect },
            ...summaryColumns(fmtPercent),
          ],
          rows,
        },
      };
    },
  },
  "panel-shares": {
    operation: "DashboardShares",
    render(data) {
      const all = data.all.groups[0] ?? { count: 0, qualityAssured: 0, stackable: 0 };
      const rows = [
        { key: null, label: "All sources", ...all },
        ...data.bySource.groups.map((g) => ({ key: g.keys[0], label: g.keys[0], ...g })),
      ].map((r) => ({
        ...r,
        a: r.count ? r.qualityAssured / r.count : 0,
        b: r.count ? r.stackable / r.count : 0,
        describe: `${r.label}: ${fmtPercent(r.count ? r.qualityAssured / r.count : 0)} quality-assured, ${fmtPercent(r.count ? r.stackable / r.count : 0)} stackable`,
        onSelect: r.key === null ? null : select({ source: r.key }),
      }));
      return {
        name: "quality-assured-and-stackable",
        chart: shares(rows, { label: "Quality-assured and stackable shares per source", names: ["quality-assured", "stackable"] }),
        table: {
          columns: [
            { label: "source", value: (r) => r.label },
            { label: "records", value: (r) => r.count, format: fmtCount, numeric: true },
            { label: "quality-assured", value: (r) => r.qualityAssured, format: fmtCount, numeric: true },
            { label: "quality-assured share", value: (r) => r.a, format: fmtPercent, numeric: true },
            { label: "stackable", value: (r) => r.stackable, format: fmtCount, numeric: true },
            { label: "stackable share", value: (r) => r.b, format: fmtPercent, numeric: true },
          ],
          rows,
        },
      };
    },
  },
  "panel-overlap": {
    operation: "DashboardOverlap",
    distinct: false, // a duplicate group is one offer either way: the query takes no $distinct
    render: overlapPanel,
  },
  "panel-years": {
    operation: "DashboardYears",
    render(data) {
      const rows = data.statistics.groups
        .map((g) => ({ key: g.keys[0], label: keyLabel(g.keys[0]), value: g.count }))
        .sort((a, b) => (a.key === null) - (b.key === null) || String(a.key).localeCompare(String(b.key)))
        .map((r) => ({
          ...r,
          describe: `${r.label}: ${r.value} records`,
          onSelect: select({ year: r.key ?? MISSING }),
        }));
      const dated = rows.filter((r) => r.key !== null);
      const undated = rows.find((r) => r.key === null);
      return {
        name: "records-per-year",
        chart: columns(dated, { label: "Records per year their validity starts", format: fmtCount }),
        caption: undated ? `${fmtCount(undated.value)} records give no start date.` : "",
        table: {
          columns: [
            { label: "year", value: (r) => r.label },
            { label: "records", value: (r) => r.value, format: fmtCount, numeric: true, select: (r) => r.onSelect },
          ],
          rows,
        },
      };
    },
  },
};

/** Per pair of sources, the offers both list (sourceOverlap): a symmetric matrix and the pairs. */
function overlapPanel(data) {
  const shared = new Map();
  const involved = new Set();
  for (const { sources: [a, b], offers } of data.sourceOverlap) {
    shared.set(`${a}|${b}`, offers);
    shared.set(`${b}|${a}`, offers);
    involved.add(a).add(b);
  }
  const keys = data.sources.map((s) => s.key).filter((k) => involved.has(k)).sort();
  const axis = keys.map((k) => ({ key: k, label: k }));
  const value = (r, c) => shared.get(`${r.key}|${c.key}`) ?? 0;
  const rows = data.sourceOverlap.map(({ sources: [a, b], offers }) => ({ a, b, offers }));
  const pick = (a, b) => select({ shared: `${a}+${b}` });
  return {
    name: "offers-shared-between-registers",
    nothing: "No offer is listed in two registers among the matching records.",
    chart: heatmap(axis, axis, value, {
      label: "Offers listed in both of two registers",
      onSelect: (r, c) => pick(r.key, c.key)(),
      slanted: true,
      describe: (r, c, v) => (r.key === c.key ? `${r.label}` : `${r.label} and ${c.label}: ${v} offers listed in both`),
    }),
    caption: "An offer is a group of cross-register duplicates; it counts for every pair of registers listing it. Choose a cell to list its listings in both.",
    table: {
      columns: [
        { label: "register", value: (r) => r.a },
        { label: "other register", value: (r) => r.b },
        { label: "offers in both", value: (r) => r.offers, format: fmtCount, numeric: true, select: (r) => pick(r.a, r.b) },
      ],
      rows,
    },
  };
}

function summary(data) {
  const failing = data.sources.filter((s) => s.status !== "OK").map((s) => `${s.key} ${s.status.toLowerCase()}`);
  const once = state.distinct ? ", an offer listed in several registers counted once" : "";
  const text = `${fmtCount(data.statistics.count)} records match, from ${data.sources.length} sources${once}` + (failing.length ? ` (${failing.join(", ")})` : "");
  document.getElementById("summary").textContent = text;
}

function fillSourceSelect(sources) {
  const known = new Set([...fields.source.options].map((o) => o.value));
  for (const s of sources) if (!known.has(s.key)) fields.source.append(new Option(s.key, s.key));
  fields.source.value = state.source;
}

function fillCountryList(countries) {
  const list = document.getElementById("countries");
  const known = new Set([...list.options].map((o) => o.value));
  for (const c of countries) if (!known.has(c)) list.append(new Option(c, c));
}

let generation = 0;
const answers = new Map(); // panel id -> its last answer, redrawn when the width changes

function paint(id) {
  const section = document.getElementById(id);
  const open = section.querySelector("details")?.open;
  setWidth(section.clientWidth - 34); // the panel's padding and border
  draw(section, PANELS[id].render(answers.get(id)));
  if (open !== undefined) section.querySelector("details").open = open;
}

function refresh() {
  showState();
  const current = ++generation;
  answers.clear();
  for (const [id, panel] of Object.entries(PANELS)) {
    const section = document.getElementById(id);
    section.dataset.state = "loading";
    section.setAttribute("aria-busy", "true");
    const { distinct, ...unchecked } = variables();
    run(panel.operation, panel.distinct === false ? unchecked : { ...unchecked, distinct })
      .then((data) => {
        if (current !== generation) return;
        answers.set(id, data);
        paint(id);
      })
      .catch((error) => current === generation && fail(section, error))
      .finally(() => section.removeAttribute("aria-busy"));
  }
  showList(false);
}

let drawnWidth = window.innerWidth;
let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (Math.abs(window.innerWidth - drawnWidth) < 40) return;
    drawnWidth = window.innerWidth;
    for (const id of answers.keys()) paint(id);
  }, 200);
});

// ---- the record list behind a chosen cell ---------------------------------------------------

const cursors = [null];

function openList(cell) {
  state.list = Object.fromEntries(Object.entries(cell).filter(([, v]) => v !== null && v !== undefined));
  writeURL();
  cursors.length = 1;
  showList(true);
}

function describeCell(cell) {
  const parts = [];
  if (cell.source) parts.push(`source ${cell.source}`);
  if (cell.country) parts.push(cell.country === MISSING ? "no issuer country" : `country ${cell.country}`);
  if (cell.eqf) parts.push(cell.eqf === MISSING ? "no EQF level" : `EQF level ${cell.eqf}`);
  if (cell.year) parts.push(cell.year === MISSING ? "no start date" : `valid from ${cell.year}`);
  if (cell.shared) parts.push(`offers listed in both ${cell.shared.split("+").join(" and ")}`);
  return parts.join(", ");
}

async function showList(focus, page = 0) {
  const section = document.getElementById("records");
  const heading = section.querySelector("h2");
  if (!state.list) {
    section.hidden = true;
    section.dataset.state = "idle";
    return;
  }
  section.hidden = false;
  section.dataset.state = "loading";
  heading.textContent = `Records: ${describeCell(state.list)}`;
  const current = generation;
  let data;
  try {
    data = await run("DashboardRecords", { ...variables(state.list), first: PAGE_SIZE, after: cursors[page] });
  } catch (error) {
    fail(section, error);
    return;
  }
  if (current !== generation) return;
  const connection = data.microcredentials;
  const rows = connection.edges.map((e) => e.node);
  draw(section, {
    name: "records",
    table: {
      columns: [
        { label: "title", value: (r) => r.title, href: (r) => (/^https?:/.test(r.url ?? "") ? r.url : null) },
        { label: "id", value: (r) => r.id },
        { label: "source", value: (r) => r.source },
        { label: "country", value: (r) => r.issuerCountry, format: (v) => v.join(", ") },
        { label: "EQF", value: (r) => r.level?.eqf ?? null, format: (v) => v ?? "–", numeric: true },
        { label: "ECTS", value: (r) => r.workload?.ects ?? null, format: fmtNumber, numeric: true },
        { label: "hours", value: (r) => r.workload?.hours ?? null, format: fmtNumber, numeric: true },
        { label: "completeness", value: (r) => r.completeness.score, format: fmtPercent, numeric: true },
      ],
      rows,
    },
  });
  section.querySelector("details").open = true;
  const nav = document.createElement("nav");
  nav.className = "pager";
  nav.setAttribute("aria-label", "Record pages");
  const first = page * PAGE_SIZE + 1;
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  status.textContent = rows.length
    ? `${fmtCount(first)}–${fmtCount(first + rows.length - 1)} of ${fmtCount(connection.totalCount)}`
    : "no records";
  const button = (text, enabled, go) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    b.disabled = !enabled;
    b.addEventListener("click", go);
    return b;
  };
  nav.append(
    button("Previous page", page > 0, () => showList(false, page - 1)),
    status,
    button("Next page", connection.pageInfo.hasNextPage, () => {
      cursors[page + 1] = connection.pageInfo.endCursor;
      showList(false, page + 1);
    }),
    button("Close list", true, () => {
      state.list = null;
      writeURL();
      showList(false);
    }),
  );
  section.append(nav);
  if (focus) {
    section.scrollIntoView({ block: "start" });
    heading.focus();
  }
}

readURL();
refresh();
