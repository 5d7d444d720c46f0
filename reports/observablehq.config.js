// Observable Framework config for the somflow report. Built offline by src/report/build.ts:
// nothing here may pull from a CDN (no web fonts, no search index, no implicit libraries).
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
  toc: true,
  pager: false,
  head: '<link rel="icon" href="data:,">',
  header: "",
  footer: "Built by somflow from one run's artifacts.",
};
