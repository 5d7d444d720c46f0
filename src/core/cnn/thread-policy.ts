/**
 * How a cnn.train run spreads over threads. The numbers depend on threads per model (the
 * data-parallel gradient sum changes the last bits), so that count follows the data, never the
 * machine: 1 below 512 training spectra, else 2, unless asked. Ensemble members train
 * single-threaded either way (bit-identical side by side or in turn), so how many run at once
 * may follow the cores the step was given without changing a number.
 */
export interface ThreadPolicyInput {
  /** The `threads` option; 0 = by the data. */
  requested: number;
  trainRows: number;
  /** Ensemble members (1 = a single model). */
  members: number;
  /** Threads the step was given. */
  available: number;
}

export interface ThreadPolicy {
  /** Threads per model. */
  threads: number;
  /** Members training side by side, one worker each (an ensemble on ≥ 2 threads). */
  workers: number;
  concurrent: boolean;
  /**
   * One thread and a large model: train in a worker of its own, so it does not hold the
   * process's event loop and another step's CNN can run beside it (same numbers; a worker costs
   * ~1 s to start, so not for small data).
   */
  inWorker: boolean;
}

/** Side by side beats data-parallel for an ensemble (median +23 % samples/s on the reference net, bench/RESULTS.md). */
export function threadPolicy(input: ThreadPolicyInput): ThreadPolicy {
  const threads = input.requested > 0 ? input.requested : input.trainRows < 512 ? 1 : 2;
  const workers = input.members > 1 ? Math.min(input.members, threads > 1 ? threads : Math.max(1, input.available)) : 1;
  const concurrent = workers > 1;
  return { threads, workers, concurrent, inWorker: !concurrent && threads === 1 && input.trainRows >= 512 };
}
