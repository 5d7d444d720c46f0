/**
 * The bad-input catalogue's harness: every case runs one user action (a parser, a validator,
 * a step on a temp file, or the CLI's `main` in process) and yields an Outcome: the exit code
 * the CLI gives for it (0 ok, 1 a step's input failed, 2 usage/validation) and the message.
 * Anything else thrown (TypeError, RangeError, a raw Node error) is a crash: the case fails.
 */
import { appendFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { UsageError } from "../../src/engine/errors.js";
import { StepInputError } from "../../src/engine/step.js";
import { FormatError } from "../../src/formats/errors.js";

export interface Outcome {
  exit: number;
  message: string;
  value?: unknown;
}

export async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    const value = await fn();
    return { exit: 0, message: "", value };
  } catch (e) {
    if (e instanceof UsageError) return { exit: e.exitCode, message: e.message };
    if (e instanceof FormatError || e instanceof StepInputError) return { exit: 1, message: e.message };
    throw e; // a crash: the test fails with the stack
  }
}

export interface Case {
  /** One kind of bad input (each row counts once in the catalogue). */
  kind: string;
  /** What somflow does, in words (docs/BAD-INPUTS.md lists the same). */
  does?: string;
  run: () => Promise<Outcome> | Outcome;
  exit: 0 | 1 | 2;
  /** Must name the file/line/key and say what to do (for exit != 0). */
  message?: RegExp;
  /** Extra checks on an accepted input: the result is the correct one. */
  check?: (o: Outcome) => void | Promise<void>;
}

/** With SOMFLOW_CATALOGUE_OUT set, every outcome is appended there (docs/BAD-INPUTS.md is written from it). */
function record(area: string, c: Case, o: Outcome): void {
  const out = process.env.SOMFLOW_CATALOGUE_OUT;
  if (!out) return;
  appendFileSync(out, `${JSON.stringify({ area, kind: c.kind, does: c.does ?? null, exit: o.exit, message: o.message })}\n`);
}

export async function assertCase(c: Case, area = ""): Promise<void> {
  const o = await c.run();
  record(area, c, o);
  expect(o.exit, `${c.kind}: exit code (message: ${o.message})`).toBe(c.exit);
  if (c.exit !== 0) {
    expect(c.message, `${c.kind}: a case with an error must say which message`).toBeDefined();
    expect(o.message).toMatch(c.message!);
    expect(o.message).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(o.message).not.toMatch(/undefined|\[object Object\]|function Object/);
  }
  if (c.check) await c.check(o);
}

/** Every file under `dir` whose name says it was left half-written (temp/partial). */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (/\.tmp$|\.tmp\.|\.partial|^\.[^.].*\.\d+\.tmp/.test(n)) out.push(p);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {
        /* raced away */
      }
    }
  };
  walk(dir);
  return out;
}
