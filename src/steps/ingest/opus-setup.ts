/**
 * What `ingest.opus` hands to the library builder (src/formats/opus-library.ts): the bytes of
 * the folder's OPUS files (those matching file_pattern, in name order) and the builder's
 * options, with the lab table read and decoded.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { StepInputError } from "../../engine/step.js";
import type { OpusFile, OpusLibraryOptions } from "../../formats/opus-library.js";
import { decodeTextFile } from "../../formats/text.js";
import type { OpusOptions } from "./opus-options.js";

/** The files of `dir` (absolute) whose names match `filePattern`, sorted; a clear error when none do. */
export async function readOpusFolder(dir: string, filePattern: string): Promise<OpusFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch (e) {
    throw new StepInputError(`dir: cannot list ${dir} (${(e as NodeJS.ErrnoException).code ?? e}); check the path`);
  }
  const pattern = new RegExp(filePattern);
  const picked = names.filter((n) => pattern.test(n)).sort();
  if (picked.length === 0) {
    throw new StepInputError(`dir: no file in ${dir} matches file_pattern ${pattern} (${names.length} files there)`);
  }
  const files: OpusFile[] = [];
  for (const name of picked) files.push({ name: join(dir, name), bytes: await readFile(join(dir, name)) });
  return files;
}

/**
 * The builder's options; `lab` is the lab table already found (requireFile). Decoding it can
 * fail with a FormatError, so call this inside asStepInput, like the builder.
 */
export async function opusLibraryOptions(o: OpusOptions, dir: string, lab: { path: string } | null): Promise<OpusLibraryOptions> {
  return {
    idPattern: new RegExp(o.id_pattern),
    source: o.source ?? basename(dir),
    instrument: o.instrument,
    block: o.block,
    replicateMaxRmsd: o.replicate_max_rmsd,
    lab: lab
      ? {
          file: lab.path,
          text: decodeTextFile(lab.path, await readFile(lab.path), o.lab_encoding),
          idColumn: o.lab_id_column,
          targets: o.lab_targets,
          columns: o.lab_columns,
        }
      : undefined,
  };
}
