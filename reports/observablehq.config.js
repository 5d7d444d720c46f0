// Observable Framework config for the somflow report. Built offline by src/report/build.ts:
// nothing here may pull from a CDN (no web fonts, no search index, no implicit libraries).
const FILE_NOTE = `<script>
if (location.protocol === "file:") addEventListener("DOMContentLoaded", () => {
  const p = document.createElement("p");
  p.id = "sf-file-note";
  p.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:1000;margin:0;padding:1rem 1.5rem;background:#fef3c7;color:#111;border-bottom:2px solid #d97706;font:16px/1.5 system-ui,sans-serif";
  p.textContent = "This report cannot be opened from disk (browsers block its scripts and data on file://): in the folder that holds this index.html run  python3 -m http.server 8000  (or  npx http-server -p 8000 ) and open http://localhost:8000/index.html";
  document.body.prepend(p);
});
</script>`;

export default {
  title: "somflow report",
  root: "src",
  output: process.env.SOMFLOW_REPORT_OUTPUT || "dist",
  pages: [
    { name: "Overview", path: "/" },
    { name: "Model metrics", path: "/metrics" },
    { name: "Harmonization", path: "/harmonization" },
    { name: "Imputation coverage", path: "/imputation" },
  ],
  globalStylesheets: [],
  style: "style.css",
  search: false,
  // no "Contents" column: it took ~200 px that wide tables need at 1280 px; the sidebar lists the pages
  toc: false,
  pager: false,
  // Links end in .html (./metrics.html) so any plain static server, python's http.server
  // included, finds the pages; clean URLs need a rewriting server.
  preserveExtension: true,
  preserveIndex: true,
  // Browsers refuse the report's module scripts and data from file://: say how to serve it.
  head: '<link rel="icon" href="data:,">' + FILE_NOTE,
  header: "",
  footer: "Built by somflow from one run's artifacts.",
};
