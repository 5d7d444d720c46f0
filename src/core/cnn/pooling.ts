/**
 * Pooling along the length of [N, L, C] with gradients built from fast native ops.
 *
 * Max-pooling (stride = size, valid): the stock MaxPoolGrad on wasm is a naive loop (a
 * quarter of each training step in the FIELD-NOTES profile). Forward is the native (XNNPACK)
 * maxPool; the gradient routes dy, broadcast over each window, to where x equals the window
 * max: ~3 ms vs ~16 ms for the stock gradient on [64, 504, 16] (best of 8, busy machine).
 * An exact tie sends dy to every tied element (the stock kernel picks one); ties in real
 * inputs occur between ReLU zeros, whose gradient the ReLU mask zeroes anyway.
 */
import * as tf from "@tensorflow/tfjs";

type T3 = tf.Tensor3D;

function poolOp(size: number) {
  return tf.customGrad(((x: T3, save: tf.GradSaveFunc) => {
    const [n, l, c] = x.shape; // l divisible by size (caller trims)
    const x4 = x.reshape([n, 1, l, c]) as tf.Tensor4D;
    const y = tf.maxPool(x4, [1, size], [1, size], "valid");
    save([x4, y]);
    return {
      value: y.reshape([n, l / size, c]) as T3,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
        // Windows as an axis of their own, [N, L/size, size, C], so y and dy broadcast over it:
        // step(y − x) is 1 off the max, 0 at it; dx = dy·(1 − step(y − x)). Sub/Step/Mul are
        // fast on wasm (Equal + Select measured ~3× slower); broadcasting beat upsampling dy
        // and y by resizeNearestNeighbor (2.8–4.0 vs 3.7–4.5 ms on [64, 246–504, 16–32]).
        const win = [n, l / size, size, c];
        const col = [n, l / size, 1, c];
        const atMax = tf.sub(1, tf.step(tf.sub(ys.reshape(col), xs.reshape(win))));
        return tf.mul(atMax, dy.reshape(col)).reshape([n, l, c]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: T3) => T3;
}

const ops = new Map<number, (x: T3) => T3>();

/** Max-pool of `size` along axis 1 (1 = identity). */
export function maxPool1d(x: T3, size: number): T3 {
  if (size <= 1) return x;
  const [n, l, c] = x.shape;
  const lOut = Math.floor(l / size);
  if (lOut < 1) throw new RangeError(`max-pool ${size} is longer than its input (${l} points): reduce pool or kernel sizes`);
  let op = ops.get(size);
  if (!op) {
    op = poolOp(size);
    ops.set(size, op);
  }
  const trimmed = l === size * lOut ? x : x.slice([0, 0, 0], [n, size * lOut, c]);
  return op(trimmed);
}

/**
 * Global average pool [N, L, C] → [N, C]. Forward is XNNPACK's average pooling (0.18 ms on
 * [64, 119, 64] vs 0.7–1.3 ms for Mean, which transposes first); the gradient is dy / L
 * broadcast over L by adding zeros (0.55 ms; the stock Mean gradient multiplies by tf.ones,
 * whose fill alone took ~3 ms, 5.4 ms in all).
 */
const globalAvg = tf.customGrad(((x: T3) => {
  const [n, l, c] = x.shape;
  return {
    value: tf.avgPool(x.reshape([n, 1, l, c]) as tf.Tensor4D, [1, l], 1, "valid").reshape([n, c]) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor) => tf.add(tf.div(dy, l).reshape([n, 1, c]), tf.zeros([n, l, c])),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: T3) => tf.Tensor2D;

/** Mean over the length axis of [N, L, C]. */
export function globalAvgPool1d(x: T3): tf.Tensor2D {
  return globalAvg(x);
}
