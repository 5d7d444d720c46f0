/**
 * A pipeline file's bytes as text — the one decoding both a full load (pipeline.ts) and a
 * pipeline memo (pipeline-memo.ts) use, so the text hash a memo checks is the full load's:
 * strict UTF-8 (throws a TypeError on invalid bytes), a leading BOM dropped.
 */
export const pipelineText = (bytes: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(bytes);
