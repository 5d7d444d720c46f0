/**
 * Content checks of cached artifacts before a step that runs reads them, once per artifact
 * per run. A corrupt artifact is moved out of `artifacts/` at once (so no later lookup, by
 * this run or another, takes it for a cache hit) and then deleted; the caller recomputes the
 * step that made it.
 */
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { StoreLayout } from "./layout.js";
import { verifyArtifact, type Verdict } from "./artifacts.js";
import { ownerTag } from "./owner.js";

/** Moves a corrupt artifact aside (atomic) and deletes it; a no-op if someone else already did. */
export async function quarantineArtifact(l: StoreLayout, hash: string): Promise<void> {
  const aside = join(l.tmp, `${ownerTag()}_corrupt-${hash.slice(0, 16)}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await rename(l.artifact(hash), aside);
  } catch {
    return;
  }
  await rm(aside, { recursive: true, force: true });
}

export class InputVerifier {
  private readonly verdicts = new Map<string, Promise<Verdict>>();

  constructor(private readonly l: StoreLayout) {}

  /** The artifact's verdict (computed once per run); a corrupt one is quarantined. */
  check(hash: string): Promise<Verdict> {
    let v = this.verdicts.get(hash);
    if (!v) {
      v = verifyArtifact(this.l.artifact(hash), hash).then(async (verdict) => {
        if (!verdict.ok) await quarantineArtifact(this.l, hash);
        return verdict;
      });
      this.verdicts.set(hash, v);
    }
    return v;
  }

  /** After a corrupt artifact was recomputed: its fresh copy is trusted (just sealed). */
  forget(hash: string): void {
    this.verdicts.delete(hash);
  }
}
