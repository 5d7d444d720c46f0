/**
 * The `somflow` command line: parse the command name, lazily import that one command, map
 * errors to exit codes (0 ok, 1 a step failed, 2 usage/validation). The only place that
 * prints for humans or decides the exit status.
 */
import { UsageError } from "../engine/errors.js";

export interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
  /** More `--help` text that depends on the store (e.g. the tables a run has); best effort. */
  helpDetails?(args: string[]): Promise<string>;
}

/**
 * Every command, with its one-line summary here so `--help` lists them without importing any
 * (each import pulls in its engine modules); the module loads only when the command runs.
 */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  run: { summary: "run a pipeline; unchanged steps come from the cache", load: () => import("./commands/run.js") },
  "run-step": { summary: "run one step as a SLURM job (submitted by run --executor slurm)", load: () => import("./commands/run-step.js") },
  plan: { summary: "dry run: which steps are cached and which would run, and why", load: () => import("./commands/plan.js") },
  dag: { summary: "show the step graph (text, or Mermaid with --mermaid)", load: () => import("./commands/dag.js") },
  runs: { summary: "list the runs recorded in the store", load: () => import("./commands/runs.js") },
  metrics: { summary: "model metrics of a run (default: the latest)", load: () => import("./commands/metrics.js") },
  export: {
    summary: "write a table of a run to CSV or Parquet, with a JSON sidecar describing it",
    load: () => import("./commands/export.js"),
  },
  gc: {
    summary:
      "remove artifacts no kept or running run uses (keeps the last N runs and each pipeline's latest), stale temp files, locks and leases",
    load: () => import("./commands/gc.js"),
  },
  verify: {
    summary: "check every artifact's files against its seal, and the store's records; exit 1 on corruption",
    load: () => import("./commands/verify.js"),
  },
  check: {
    summary: "compare a run's metrics with the thresholds in the pipeline's `checks` (CI gate)",
    load: () => import("./commands/check.js"),
  },
  report: {
    summary: "build the static report of a run (default: the pipeline's latest) into reports/dist",
    load: () => import("./commands/report.js"),
  },
};

function help(): string {
  const lines = ["somflow — cached MIR soil-spectroscopy pipelines", "", "Commands:"];
  for (const [name, { summary }] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${summary}`);
  lines.push("", "Common options: --store DIR (or SOMFLOW_STORE; default .somflow), --json", "Run `somflow <command> --help` for details.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`somflow: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    const details = command.helpDetails ? await command.helpDetails(rest).catch((e: unknown) => `(${(e as Error).message})`) : "";
    console.log(`${entry.summary}\n\nUsage: ${command.usage}${details ? `\n\n${details}` : ""}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`somflow ${name}: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      console.error(`somflow ${name}: ${e.message}\nUsage: ${command.usage}`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`somflow ${name}: ${(e as Error).message}\nUsage: ${command.usage}`);
      return 2;
    }
    throw e;
  }
}
