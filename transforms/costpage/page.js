"use strict";
// The page's data are exact decimal strings; they are parsed to numbers
// only to draw, and shown rounded to cents.
const data = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const colors = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

function money(s, cur) {
  const n = Number(s);
  return n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + (cur ? " " + cur : "");
}

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function fill(select, values, labels) {
  const keep = select.value;
  select.innerHTML = "";
  values.forEach((v, i) => {
    const o = document.createElement("option");
    o.value = v;
    o.textContent = labels ? labels[i] : v;
    select.appendChild(o);
  });
  if (values.includes(keep)) select.value = keep;
}

function setup() {
  fill($("payer"), [""].concat(data.payers), ["All payers"].concat(data.payers));
  const currencies = [...new Set(data.views.map((v) => v.currency))].sort();
  fill($("currency"), currencies);
  if (currencies.includes("USD")) $("currency").value = "USD";
  fillAccounts();
  for (const id of ["payer", "account", "currency", "measure", "group"]) {
    $(id).addEventListener("change", () => { if (id === "payer") fillAccounts(); draw(); });
  }
  draw();
}

function fillAccounts() {
  const p = $("payer").value;
  const ids = data.accounts.filter((a) => !p || a.payer === p).map((a) => a.id);
  fill($("account"), [""].concat(ids), ["All accounts"].concat(ids));
}

function filters() {
  return { payer: $("payer").value, account: $("account").value, currency: $("currency").value,
    measure: $("measure").value, group: $("group").value };
}

function currentView(f) {
  // An account's view is kept under no payer: the account names it.
  const payer = f.account ? "" : f.payer;
  return data.views.find((v) => v.payer === payer && v.account === f.account &&
    v.currency === f.currency && v.measure === f.measure && v.group === f.group);
}

function draw() {
  const f = filters();
  const v = currentView(f);
  drawChart(v, f);
  drawMonthToDate(v, f);
  drawMovers(v, f);
  drawForecast(f);
  drawFindings(f);
}

function matchingAnomalies(f) {
  return data.anomalies.filter((a) => a.currency === f.currency &&
    (!f.payer || a.payer === f.payer) && (!f.account || a.account === f.account));
}

function drawChart(v, f) {
  const box = $("chart");
  box.innerHTML = "";
  $("legend").innerHTML = "";
  if (!v) { box.textContent = "No costs for these filters."; return; }
  const W = 960, H = 320, L = 70, R = 10, T = 16, B = 28;
  const n = data.days.length;
  // The stack's extent per day: costs stack up from zero, credits down.
  let top = 0, bottom = 0;
  for (let i = 0; i < n; i++) {
    let up = 0, down = 0;
    for (const s of v.series) { const x = Number(s.values[i]); if (x >= 0) up += x; else down += x; }
    top = Math.max(top, up); bottom = Math.min(bottom, down);
  }
  if (top === bottom) top = 1;
  const y = (x) => T + (top - x) / (top - bottom) * (H - T - B);
  const step = (W - L - R) / Math.max(n, 1);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", id: "chart-svg" }, box);
  for (let k = 0; k <= 4; k++) {
    const val = bottom + (top - bottom) * k / 4;
    el("line", { x1: L, x2: W - R, y1: y(val), y2: y(val), stroke: "#e4e7eb" }, svg);
    el("text", { x: L - 6, y: y(val) + 4, "text-anchor": "end" }, svg).textContent = money(val);
  }
  const labelEvery = Math.ceil(n / 10);
  data.days.forEach((day, i) => {
    let up = 0, down = 0;
    v.series.forEach((s, j) => {
      const x = Number(s.values[i]);
      if (x === 0) return;
      const from = x >= 0 ? up : down;
      const to = from + x;
      if (x >= 0) up = to; else down = to;
      const r = el("rect", { class: "bar", x: L + i * step + step * 0.1, width: step * 0.8,
        y: Math.min(y(from), y(to)), height: Math.abs(y(from) - y(to)), fill: colors[j % colors.length],
        "data-day": day, "data-series": s.name, "data-value": s.values[i] }, svg);
      el("title", {}, r).textContent = `${day} ${s.name}: ${money(s.values[i], f.currency)}`;
    });
    if (i % labelEvery === 0) {
      el("text", { x: L + i * step + step / 2, y: H - 8, "text-anchor": "middle" }, svg).textContent = day.slice(5);
    }
  });
  el("line", { x1: L, x2: W - R, y1: y(0), y2: y(0), stroke: "#9aa5b1" }, svg);
  for (const a of matchingAnomalies(f)) {
    const i = data.days.indexOf(a.start);
    if (i < 0) continue;
    const cx = L + i * step + step / 2;
    const m = el("path", { class: "anomaly", d: `M${cx - 5},${T - 12} L${cx + 5},${T - 12} L${cx},${T - 3} Z`,
      fill: "#d64545", "data-day": a.start, "data-impact": a.impact }, svg);
    el("title", {}, m).textContent = `${a.kind} ${a.start}..${a.end} ${a.account || a.payer} ${a.service}: ` +
      `actual ${money(a.actual, a.currency)}, expected ${money(a.expected, a.currency)}, impact ${money(a.impact, a.currency)}`;
  }
  v.series.forEach((s, j) => {
    const span = document.createElement("span");
    span.innerHTML = `<i style="background:${colors[j % colors.length]}"></i>`;
    span.appendChild(document.createTextNode(s.name));
    $("legend").appendChild(span);
  });
  drawAnomalyTable(f);
}

function row(table, cells, head) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement(head ? "th" : "td");
    if (typeof c === "object") {
      td.textContent = c.text;
      if (c.cls) td.className = c.cls;
      if (c.title) td.title = c.title;
      if (c.value !== undefined) td.dataset.value = c.value;
    } else td.textContent = c;
    tr.appendChild(td);
  }
  table.appendChild(tr);
}

function drawAnomalyTable(f) {
  const t = $("anomalies");
  t.innerHTML = "";
  const as = matchingAnomalies(f);
  $("anomaly-panel").hidden = as.length === 0;
  if (as.length === 0) return;
  row(t, ["Kind", "Days", "Account", "Service", "Expected", "Actual", "Impact"], true);
  for (const a of as) {
    row(t, [a.kind, `${a.start}..${a.end}`, a.account || a.payer, a.service || "(all)",
      { text: money(a.expected), cls: "num" }, { text: money(a.actual), cls: "num" },
      { text: money(a.impact), cls: "num " + (Number(a.impact) > 0 ? "up" : "down") }]);
  }
}

function drawMonthToDate(v, f) {
  const p = $("mtd");
  if (!v || !v.monthToDate.month) { p.textContent = "-"; return; }
  const m = v.monthToDate;
  p.textContent = money(m.value, f.currency);
  const note = document.createElement("div");
  note.className = "muted";
  note.textContent = `${m.month} through ${m.through}` +
    (m.previous ? `; previous month to the same day ${money(m.previous, f.currency)}` : "");
  p.appendChild(note);
}

function drawMovers(v, f) {
  const t = $("movers");
  t.innerHTML = "";
  if (!v || v.movers.length === 0) { row(t, ["No change between the days compared."]); return; }
  row(t, ["Compared", f.group === "account" ? "Account" : "Service", "From", "To", "Before", "After", "Change"], true);
  for (const m of v.movers) {
    row(t, [m.kind === "day" ? "day over day" : "week over week", m.name, m.from, m.to,
      { text: money(m.before), cls: "num" }, { text: money(m.after), cls: "num" },
      { text: (Number(m.change) > 0 ? "+" : "") + money(m.change), cls: "num " + (Number(m.change) > 0 ? "up" : "down") }]);
  }
}

function drawForecast(f) {
  const box = $("forecast");
  box.innerHTML = "";
  // Forecasts are per payer: an account's scope has none of its own.
  const fs = f.account ? [] : data.forecasts.filter((x) => x.currency === f.currency &&
    x.measure === f.measure && (!f.payer || x.payer === f.payer));
  if (fs.length === 0) { box.textContent = "No forecast for these filters."; return; }
  for (const x of fs) {
    const d = document.createElement("p");
    d.className = "forecast";
    d.textContent = money(x.forecast, x.currency);
    const note = document.createElement("div");
    note.className = "muted";
    note.textContent = `payer ${x.payer}, ${x.month}: 80% between ${money(x.lower80)} and ${money(x.upper80)}; ` +
      `${money(x.monthToDate)} to date as of ${x.asOf}`;
    d.appendChild(note);
    box.appendChild(d);
  }
}

// The findings' sums come exact from the data, one per scope: the page
// sums no money, it only rounds what it shows.
function findingScope(f) {
  // As with the views, an account's scope is kept under no payer.
  const payer = f.account ? "" : f.payer;
  return data.findings.scopes.find((s) => s.payer === payer && s.account === f.account);
}

function drawFindings(f) {
  const fd = data.findings;
  const summary = $("findings-summary"), rules = $("finding-rules"), t = $("findings"), more = $("findings-more");
  summary.innerHTML = "";
  rules.innerHTML = "";
  t.innerHTML = "";
  more.textContent = "";
  const sc = findingScope(f);
  if (!sc) {
    summary.textContent = fd.scopes.length === 0 ? "No savings findings." : "No savings findings for these filters.";
    return;
  }
  const total = document.createElement("p");
  total.id = "findings-total";
  total.dataset.value = sc.saving;
  total.textContent = money(sc.saving);
  summary.appendChild(total);
  const note = document.createElement("div");
  note.className = "muted";
  note.textContent = `estimated saving a month from ${sc.count} finding${sc.count === 1 ? "" : "s"}; ` +
    "unblended cost, before private discounts";
  summary.appendChild(note);
  const formula = (rule) => fd.formulas[rule] || "";
  row(rules, ["Rule", "Findings", "Saving a month"], true);
  for (const r of sc.rules) {
    row(rules, [{ text: r.rule, cls: "rule", title: formula(r.rule) }, { text: String(r.count), cls: "num" },
      { text: money(r.saving), cls: "num saving", value: r.saving }]);
  }
  const payer = f.account ? "" : f.payer;
  const rows = fd.rows.filter((r) => (!payer || r.payer === payer) && (!f.account || r.account === f.account))
    .slice(0, fd.limit);
  row(t, ["Rule", "Resource", "Account", "Region", "Detail", "First seen", "Last seen", "Cost a month", "Saving a month"], true);
  for (const r of rows) {
    row(t, [{ text: r.rule, cls: "rule", title: formula(r.rule) }, r.resourceId, r.account, r.region, r.detail,
      r.firstSeen, r.lastSeen, { text: money(r.monthlyCost), cls: "num", value: r.monthlyCost },
      { text: money(r.monthlySaving), cls: "num saving", value: r.monthlySaving }]);
  }
  if (sc.count > rows.length) {
    const n = sc.count - rows.length;
    more.textContent = `${n} more finding${n === 1 ? "" : "s"} not listed; \`curpipe findings\` lists them all.`;
  }
}

setup();
