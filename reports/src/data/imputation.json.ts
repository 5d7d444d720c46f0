// Data loader: one run's imputation data as JSON (see src/report/loader-main.ts for the environment).
import { runPageLoader } from "../../../src/report/loader-main.js";

await runPageLoader("imputation");
