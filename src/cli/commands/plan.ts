import type { Command } from "../main.js";
import { planPipeline } from "../../engine/plan.js";
import { formatMemory, formatTime } from "../../engine/resources.js";
import { sbatchArgs } from "../../engine/slurm/sbatch.js";
import { parse, pipelineFromArgs, pipelineOptions, resolveStore } from "../shared.js";
import { executorKind, executorOptions, slurmExecutor } from "../slurm.js";

export const command: Command = {
  usage:
    "somflow plan <pipeline.yaml> [--param k=v]... [--force STEP]... [--store DIR] [--json] [--executor slurm [--slurm-partition P] [--slurm-account A] [--slurm-arg ARG]...]",
  async run(args) {
    const { values, positionals } = parse(
      args,
      { ...pipelineOptions, force: { type: "string", multiple: true }, json: { type: "boolean" }, ...executorOptions },
      1,
    );
    const pipeline = await pipelineFromArgs(positionals[0], values);
    const store = resolveStore(values.store);
    const slurm = executorKind(values) === "slurm";
    // Under SLURM: checks the cluster answers and every step fits a node, then shows each job's resources and sbatch line.
    const executor = slurm ? await slurmExecutor(values, store) : null;
    for (const s of pipeline.steps) executor?.checkFits(s.name, s.resources, pipeline.file);
    const plan = await planPipeline(pipeline, { store, force: values.force });
    const byName = new Map(pipeline.steps.map((s) => [s.name, s]));
    const jobOf = (name: string) => {
      const r = byName.get(name)!.resources;
      const line = sbatchArgs(
        {
          runId: "<run>",
          step: name,
          key: "<key>",
          log: `${store}/jobs/<run>/${name}.log`,
          cwd: process.cwd(),
          script: `${store}/jobs/<run>/${name}.sh`,
          resources: r,
        },
        { partition: values["slurm-partition"], account: values["slurm-account"], extra: values["slurm-arg"] ?? [] },
      );
      return {
        cpus: r.cpus,
        mem: formatMemory(r.memMiB),
        time: formatTime(r.timeMinutes),
        gpus: r.gpus,
        sbatch: `sbatch ${line.join(" ")}`,
      };
    };
    if (values.json) {
      console.log(JSON.stringify(slurm ? plan.map((p) => (p.status === "run" ? { ...p, job: jobOf(p.name) } : p)) : plan));
      return 0;
    }
    const width = Math.max(...plan.map((p) => p.name.length));
    for (const p of plan) {
      const job = slurm && p.status === "run" ? jobOf(p.name) : null;
      const res = job ? `  [job: ${job.cpus} cpu, ${job.mem}, ${job.time}${job.gpus ? `, ${job.gpus} gpu` : ""}]` : "";
      console.log(`${p.name.padEnd(width)}  ${p.status.padEnd(6)}  ${p.reasons.join("; ")}${res}`.trimEnd());
    }
    if (slurm) {
      const n = plan.filter((p) => p.status === "run").length;
      console.log(
        `\n${n} step(s) would be submitted as SLURM jobs${n ? `, e.g.\n  ${jobOf(plan.find((p) => p.status === "run")!.name).sbatch}` : ""}`,
      );
    }
    return 0;
  },
};
