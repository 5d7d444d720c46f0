/**
 * The thin I/O layer of the ingest steps: streams a file (gunzipping `.gz`) into a pure
 * reader, and turns format errors into the StepInputError the engine shows without a stack.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { createGunzip } from "node:zlib";
import { StepInputError, type StepContext } from "../../engine/step.js";
import { FormatError } from "../../formats/errors.js";

/** Absolute path, or a clear error naming the option when the file is missing. */
export async function requireFile(path: string, option: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const abs = resolve(path);
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new StepInputError(`${option}: ${abs} is not a file`);
    return { path: abs, size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    if (e instanceof StepInputError) throw e;
    throw new StepInputError(`${option}: cannot read ${abs} (${(e as NodeJS.ErrnoException).code ?? e}); check the path`);
  }
}

/** Pushes the file's bytes, gunzipped when it ends in .gz, into `push`. */
export async function streamFile(path: string, push: (chunk: Uint8Array) => void, signal?: AbortSignal): Promise<void> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const gz = /\.gz$/i.test(path);
  const stream = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (gz) raw.on("error", (e) => stream.destroy(e));
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      bytes += (chunk as Buffer).length;
      push(chunk as Buffer);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (gz && (code === "Z_BUF_ERROR" || code === "Z_DATA_ERROR" || /unexpected end/i.test(String(e)))) {
      throw new FormatError(
        path,
        code === "Z_DATA_ERROR"
          ? `not valid gzip data after ${bytes} decompressed bytes (${(e as Error).message}); re-download or gunzip -t the file`
          : `gzip stream ends early after ${bytes} decompressed bytes: the file is cut short (incomplete download?); re-download it`,
      );
    }
    throw e;
  } finally {
    raw.destroy();
  }
}

/** Runs `fn`, rethrowing format errors as StepInputError (the engine prints them plainly). */
export async function asStepInput<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FormatError) throw new StepInputError(e.message);
    throw e;
  }
}

/** A streaming reader of one format: fed chunks, then asked for the result. */
export interface ChunkReader<T> {
  push(chunk: Uint8Array): void;
  finish(): T;
}

/**
 * The option `path` streamed through a format reader (gzip handled by streamFile); format
 * errors become StepInputErrors naming file, line and column.
 */
export async function readStreamed<T>(ctx: StepContext, path: string, makeReader: (file: string) => ChunkReader<T>): Promise<T> {
  const file = await requireFile(path, "path");
  ctx.record({ input_bytes: file.size, input_mtime_ms: file.mtimeMs });
  return asStepInput(async () => {
    const reader = makeReader(file.path);
    await streamFile(file.path, (chunk) => reader.push(chunk), ctx.signal);
    return reader.finish();
  });
}
