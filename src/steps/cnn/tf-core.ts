/**
 * The tfjs-using core of the CNN steps (cnn.train, cnn.predict), loaded on first use: a dynamic
 * import, so listing or planning pipelines (the CLI registry imports every step) never pays
 * TensorFlow.js's ~1 s start-up.
 */
export async function loadTfCore() {
  const [backend, io, parallel, predict, train] = await Promise.all([
    import("../../runtime/cnn/backend.js"),
    import("../../runtime/cnn/io.js"),
    import("../../runtime/cnn/parallel.js"),
    import("../../core/cnn/predict.js"),
    import("../../runtime/cnn/train.js"),
  ]);
  return { ...backend, ...io, ...parallel, ...predict, ...train };
}
