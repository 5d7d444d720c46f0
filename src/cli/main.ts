/**
 * The `somflow` command line: parse the command name, lazily import that one command, map
 * errors to exit codes (0 ok, 1 a step failed, 2 usage/validation). The only place that
 * prints for humans or decides the exit status.
 */
import { UsageError } from "../engine/errors.js";

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  run: () => import("./commands/run.js"),
  "run-step": () => import("./commands/run-step.js"),
  plan: () => import("./commands/plan.js"),
  dag: () => import("./commands/dag.js"),
  runs: () => import("./commands/runs.js"),
  metrics: () => import("./commands/metrics.js"),
  export: () => import("./commands/export.js"),
  gc: () => import("./commands/gc.js"),
  check: () => import("./commands/check.js"),
  report: () => import("./commands/report.js"),
};

async function help(): Promise<string> {
  const lines = ["somflow — cached MIR soil-spectroscopy pipelines", "", "Commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(8)} ${command.summary}`);
  }
  lines.push("", "Common options: --store DIR (or SOMFLOW_STORE; default .somflow), --json", "Run `somflow <command> --help` for details.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(await help());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`somflow: unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
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
