/**
 * Trainable 1-D convolution for backends without Conv2DBackpropFilter (wasm): forward and
 * both gradients are plain native `conv2d` calls, the fastest route measured on wasm
 * (FIELD-NOTES: 734 samples/s vs 212 with conv2dTranspose + im2col).
 *
 * Shapes (channels last, valid padding, stride 1): x [N, L, C], w [K, C, F] → y [N, L', F],
 * L' = L − K + 1.
 *   dx = conv2d(pad(dy, K−1 both sides), reverse_K(w) with in/out swapped) → [N, L, C]
 *   dw[k,c,f] = Σ_n Σ_t x[n,t+k,c]·dy[n,t,f] = conv2d(x as [1,C,L,N], dy as [1,L',N,F])
 *               (the batch acts as the channel being summed) → [1,C,K,F] → [K,C,F]; C as
 *               the image height, not the conv's batch, makes it one GEMM of C·K rows that
 *               reads the packed dy once (measured 26–30 % faster on [64,123,32], k 5, 64 filters)
 * `conv1dBiasRelu` fuses bias and ReLU into the forward conv (XNNPACK fused kernel: measured
 * 15 ms vs 28 ms for conv + add + relu on a [64,504,16] input) and applies the ReLU mask in
 * its gradient.
 */
import * as tf from "@tensorflow/tfjs";

type T3 = tf.Tensor3D;

function checkKernel(x: T3, w: T3): void {
  if (w.shape[0] > x.shape[1]) {
    throw new RangeError(
      `conv1d kernel ${w.shape[0]} is longer than its input (${x.shape[1]} points): use a smaller kernel or fewer pooling steps`,
    );
  }
}

/**
 * Σ over rows of a [rows, F] tensor as an average pool over all rows × rows: XNNPACK's
 * average pooling reads the rows once (0.16 ms on [15744, 32]), where Sum over axis 0
 * transposes first (0.86 ms), three times in each training step of the reference net.
 */
function sumRows(t: tf.Tensor2D): tf.Tensor1D {
  const [rows, f] = t.shape;
  return tf.mul(tf.avgPool(t.reshape([1, 1, rows, f]) as tf.Tensor4D, [1, rows], 1, "valid").reshape([f]), rows) as tf.Tensor1D;
}

/**
 * The input-gradient filter [1, K, F, C]: w [K, C, F] reversed along K with in/out swapped.
 * Built in JS from the (small) weights: wasm's Reverse is a naive loop (0.6 ms on [5,32,64]).
 */
function flippedFilter(ws: T3): tf.Tensor4D {
  const [k, c, f] = ws.shape;
  const w = ws.dataSync() as Float32Array;
  const out = new Float32Array(w.length);
  for (let i = 0; i < k; i++)
    for (let ci = 0; ci < c; ci++) for (let fi = 0; fi < f; fi++) out[((k - 1 - i) * f + fi) * c + ci] = w[(i * c + ci) * f + fi]!;
  return tf.tensor4d(out, [1, k, f, c]);
}

/** dx and dw of a valid conv1d from dy [N, L', F] (see the file comment). */
function convGrads(xs: T3, ws: T3, dy: tf.Tensor, inputGrad: boolean): [tf.Tensor, tf.Tensor] {
  const [n, l, c] = xs.shape;
  const [k, , f] = ws.shape;
  const lOut = l - k + 1;
  let dx: tf.Tensor;
  if (inputGrad) {
    // Full correlation: the conv's own zero padding of K−1 each side (no PadV2 copy of dy).
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [0, 0],
      [k - 1, k - 1],
      [0, 0],
    ];
    dx = tf.conv2d(dy.reshape([n, 1, lOut, f]) as tf.Tensor4D, flippedFilter(ws), 1, pad).reshape([n, l, c]);
  } else {
    // The network input needs no gradient: skip the conv.
    dx = tf.zeros([n, l, c]);
  }
  const xT = xs.transpose([2, 1, 0]).reshape([1, c, l, n]) as tf.Tensor4D;
  const dyT = dy.reshape([n, lOut, f]).transpose([1, 0, 2]).reshape([1, lOut, n, f]) as tf.Tensor4D;
  const dw = tf.conv2d(xT, dyT, 1, "valid").reshape([c, k, f]).transpose([1, 0, 2]);
  return [dx, dw];
}

const conv1dOp = tf.customGrad(((x: T3, w: T3, save: tf.GradSaveFunc) => {
  const [n, l, c] = x.shape;
  const [k, , f] = w.shape;
  const y = tf.conv2d(x.reshape([n, 1, l, c]) as tf.Tensor4D, w.reshape([1, k, c, f]) as tf.Tensor4D, 1, "valid");
  save([x, w]);
  return {
    value: y.reshape([n, l - k + 1, f]) as T3,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => convGrads(saved[0] as T3, saved[1] as T3, dy, true),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: T3, w: T3) => T3;

function biasReluOp(inputGrad: boolean) {
  return tf.customGrad(((x: T3, w: T3, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [n, l, c] = x.shape;
    const [k, , f] = w.shape;
    // The FusedConv2D kernel itself: tf.fused.conv2d falls back to conv + add + relu whenever a
    // gradient is being recorded (its own gradient needs the parts); this op has its own.
    const fusedInputs = { x: x.reshape([n, 1, l, c]), filter: w.reshape([1, k, c, f]), bias: b };
    const attrs = { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [1, 1], activation: "relu" };
    const y = (tf.engine().runKernel("FusedConv2D", fusedInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D).reshape([
      n,
      l - k + 1,
      f,
    ]) as T3;
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [T3, T3, T3];
        const dz = tf.mul(dy, tf.step(ys)); // ReLU'(z) from its output: y > 0
        const [dx, dw] = convGrads(xs, ws, dz, inputGrad);
        // Bias gradient: Σ over rows of dz [rows, F]. (ones·dz as a GEMM looked fast in
        // isolation only while XNNPACK reused its packed copy of the same dz: 2–3 ms a layer.)
        const db = sumRows(dz.reshape([dz.shape[0]! * dz.shape[1]!, dz.shape[2]!]) as tf.Tensor2D);
        return [dx, dw, db];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: T3, w: T3, b: tf.Tensor1D) => T3;
}

const biasReluWithInputGrad = biasReluOp(true);
const biasReluNoInputGrad = biasReluOp(false);

/** Valid, stride-1 conv1d, x [N, L, C] · w [K, C, F] → [N, L−K+1, F], differentiable on every backend. */
export function conv1dTrainable(x: T3, w: T3): T3 {
  checkKernel(x, w);
  return conv1dOp(x, w);
}

/**
 * relu(conv1d(x, w) + b) in one fused kernel. `inputGrad: false` for the first layer (its
 * input is data): returns a zero input gradient instead of computing it.
 */
export function conv1dBiasRelu(x: T3, w: T3, b: tf.Tensor1D, inputGrad = true): T3 {
  checkKernel(x, w);
  return (inputGrad ? biasReluWithInputGrad : biasReluNoInputGrad)(x, w, b);
}
