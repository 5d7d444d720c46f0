// A small sortable table (no dependencies): click a header to sort, click again to reverse.

/** Formats a number for display: integers as is, others with 3–4 significant digits. */
export function formatNumber(v, digits = 3) {
  if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) return "—";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a >= 1000) return v.toLocaleString("en-US", { maximumFractionDigits: 0 });
  if (a >= 1) return v.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(a))) || 1);
  return v.toPrecision(digits);
}

function compare(a, b) {
  const na = a === null || a === undefined || a === "";
  const nb = b === null || b === undefined || b === "";
  if (na || nb) return na && nb ? 0 : na ? 1 : -1; // blanks last
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { numeric: true });
}

/**
 * rows: array of objects. options.columns: [{key, label, format?(value,row) → string|Node,
 * numeric?, title?}] (default: every key of the first row). options.rowClass?(row) → string.
 */
export function sortableTable(rows, options = {}) {
  const columns =
    options.columns ??
    Object.keys(rows[0] ?? {}).map((key) => ({ key, label: key, numeric: rows.some((r) => typeof r[key] === "number") }));
  const wrap = document.createElement("div");
  wrap.className = "sf-table-wrap";
  const table = document.createElement("table");
  table.className = "sf-table";
  if (options.id) table.id = options.id;
  const thead = table.createTHead();
  const head = thead.insertRow();
  const tbody = table.createTBody();
  let sortKey = options.sort ?? null;
  let desc = options.desc ?? false;

  const render = () => {
    const data = [...rows];
    if (sortKey !== null) {
      data.sort((a, b) => {
        const c = compare(a[sortKey], b[sortKey]);
        return desc ? -c : c;
      });
    }
    tbody.replaceChildren();
    for (const row of data) {
      const tr = tbody.insertRow();
      const cls = options.rowClass?.(row);
      if (cls) tr.className = cls;
      for (const col of columns) {
        const td = tr.insertCell();
        const v = row[col.key];
        const shown = col.format ? col.format(v, row) : typeof v === "number" ? formatNumber(v) : (v ?? "—");
        if (shown instanceof Node) td.append(shown);
        else td.textContent = String(shown);
        if (col.numeric ?? typeof v === "number") td.className = "num";
      }
    }
    for (const th of head.cells) {
      const key = th.dataset.key;
      if (key === sortKey) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
  };

  for (const col of columns) {
    const th = document.createElement("th");
    // a zero-width space after "_" lets long column names (nn_distance_before) wrap, so wide tables fit the page
    th.textContent = String(col.label ?? col.key).replaceAll("_", "_\u200b");
    th.dataset.key = col.key;
    if (col.title) th.title = col.title;
    if (col.numeric) th.className = "num";
    th.addEventListener("click", () => {
      if (sortKey === col.key) desc = !desc;
      else {
        sortKey = col.key;
        desc = false;
      }
      render();
    });
    head.append(th);
  }
  render();
  wrap.append(table);
  return wrap;
}
