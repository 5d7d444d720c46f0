/** `somflow verify`: every artifact against its seal, and the store's records and leftovers. */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/shared-data.js";
import { cli, FIXTURE_STEPS } from "../../cli/helpers.js";
import { verifyStore } from "../../../src/engine/store/verify.js";
import { copyStore, flipBytes, tmpStore } from "./small-pipeline.js";
import { deadPid } from "./fs-faults.js";
import { thisHost } from "../../../src/engine/store/owner.js";

const CHAIN = resolve(REPO_ROOT, "test/engine/fixtures/chain.yaml");
let pristine: string;

beforeAll(async () => {
  pristine = await tmpStore();
  expect((await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", pristine])).code).toBe(0);
}, 60_000);

describe("somflow verify", () => {
  it("a clean store: exit 0, every artifact intact", async () => {
    const r = await cli(["verify", "--store", pristine, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, artifacts: { checked: 4, ok: 4, legacy: 0 }, problems: [] });
  }, 30_000);

  it("corruption and leftovers: each named with what to do; exit 1; --fix removes what a run rebuilds", async () => {
    const store = await copyStore(pristine);
    const arts = await readdir(join(store, "artifacts"));
    const bad = arts.sort()[0]!;
    const sealed = (await readdir(join(store, "artifacts", bad))).find((f) => f !== "_artifact.json")!;
    await flipBytes(join(store, "artifacts", bad, sealed));
    const keys = (await readdir(join(store, "keys"))).sort();
    await writeFile(join(store, "keys", keys[0]!), '{"key": "tru');
    await writeFile(join(store, "keys", `${"f".repeat(64)}.json`), JSON.stringify({ key: "f", artifact: "0".repeat(64) }));
    await mkdir(join(store, "tmp", `${thisHost()}_${deadPid()}_abc123`));

    const r = await verifyStore(store);
    const byKind = Object.fromEntries(r.problems.map((p) => [`${p.kind}:${p.severity}`, p]));
    expect(byKind["artifact:corrupt"]!.message).toContain(`artifacts/${bad}`);
    expect(byKind["artifact:corrupt"]!.message).toContain(`content differs from its seal: ${sealed}`);
    expect(byKind["artifact:corrupt"]!.action).toContain("the next run that needs this step recomputes it");
    expect(byKind["key:corrupt"]!.path).toBe(join(store, "keys", keys[0]!));
    expect(byKind["key:leftover"]!.action).toContain("somflow gc");
    expect(byKind["temp:leftover"]!.message).toMatch(/is gone/);

    const cliRun = await cli(["verify", "--store", store]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stderr).toContain(`corrupt: artifacts/${bad}`);
    const fixed = await cli(["verify", "--store", store, "--fix"]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await cli(["verify", "--store", store])).code).toBe(0);
    const again = await cli(["run", CHAIN, "--steps", FIXTURE_STEPS, "--store", store, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).steps.some((s: { status: string }) => s.status === "ran")).toBe(true);
    expect((await readdir(join(store, "artifacts"))).sort()).toEqual(arts.sort());
  }, 60_000);

  it("no store at the path: exit 2", async () => {
    const r = await cli(["verify", "--store", join(pristine, "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no store at");
  }, 30_000);
});
