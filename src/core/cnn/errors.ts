/**
 * A CNN option that cannot be honoured on this machine (a backend that does not load, a thread
 * count out of range): the caller turns it into an error about the user's options. A typed
 * class, so callers decide by kind and not by matching message text; it keeps its kind across
 * the worker-thread boundary (parallel.ts rebuilds it from `name`).
 */
export class CnnOptionError extends Error {
  override readonly name = "CnnOptionError";
}
