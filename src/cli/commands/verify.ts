import type { Command } from "../main.js";
import { verifyStore } from "../../engine/store/verify.js";
import { parse, resolveStore, storeOption } from "../shared.js";

export const command: Command = {
  usage: "somflow verify [--fix] [--store DIR] [--json]",
  async run(args) {
    const { values } = parse(args, { ...storeOption, fix: { type: "boolean" }, json: { type: "boolean" } });
    const r = await verifyStore(resolveStore(values.store), { fix: values.fix });
    const corrupt = r.problems.filter((p) => p.severity === "corrupt");
    const remaining = corrupt.filter((p) => !p.fixed);
    if (values.json) {
      console.log(JSON.stringify({ ok: corrupt.length === 0, ...r }));
    } else {
      for (const p of r.problems) {
        const tag = p.fixed ? "fixed" : p.severity;
        console.error(`${tag}: ${p.message}\n  ${p.fixed ? "removed" : `what to do: ${p.action}`}`);
      }
      const legacy = r.artifacts.legacy
        ? ` (${r.artifacts.legacy} with seals from before content hashes, checked through their folder hash)`
        : "";
      const leftovers = r.problems.length - corrupt.length;
      console.log(
        `verify ${r.store}: ${r.artifacts.ok} of ${r.artifacts.checked} artifacts intact${legacy}; ` +
          `${corrupt.length} corrupt${values.fix ? ` (${corrupt.length - remaining.length} removed)` : ""}, ${leftovers} leftover${leftovers === 1 ? "" : "s"}`,
      );
    }
    // With --fix, what was removed will be rebuilt; only what is left (run records) fails.
    return (values.fix ? remaining : corrupt).length > 0 ? 1 : 0;
  },
};
