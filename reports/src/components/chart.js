// Vega-Lite charts through vega-embed (self-hosted from node_modules, no CDN) and the
// visible note shown where the run has no such table.
import vegaEmbed from "vega-embed";

const config = {
  font: "system-ui, sans-serif",
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: "#ddd" },
};

/** A div that renders `spec` (Vega-Lite) as SVG. */
export function chart(spec, { name } = {}) {
  const div = document.createElement("div");
  div.className = "chart";
  if (name) div.dataset.chart = name;
  vegaEmbed(div, { config, ...spec }, { mode: "vega-lite", actions: false, renderer: "svg" })
    .then(() => div.setAttribute("data-rendered", "true"))
    .catch((error) => {
      div.setAttribute("data-error", String(error));
      console.error("chart failed", name ?? "", error);
    });
  return div;
}

/** The visible note for a section the run cannot fill. */
export function absentNote(text) {
  const div = document.createElement("div");
  div.className = "absent";
  div.textContent = text;
  return div;
}

/** True when a section is an `{absent: note}` object. */
export function isAbsent(x) {
  return x !== null && typeof x === "object" && !Array.isArray(x) && "absent" in x;
}

/** A flex row of elements. */
export function row(...children) {
  const div = document.createElement("div");
  div.className = "chart-grid";
  div.append(...children.filter(Boolean));
  return div;
}

export function link(href, text, download = false) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (download) a.setAttribute("download", "");
  return a;
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

export const STATUS_COLORS = { domain: ["ran", "cached", "failed", "skipped"], range: ["#2563eb", "#9ca3af", "#dc2626", "#f59e0b"] };
