/**
 * Turns a graph output into one vector per text. Sequences are right-padded, so row b's real tokens are
 * positions 0…lengths[b]-1 — the same positions the attention mask marks with 1.
 */

export type Pooling = 'mean' | 'cls' | 'max' | 'none';

/** A dense float32 output tensor as onnxruntime returns it. */
export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * Pools a [batch, seq, dim] output per `pooling` using the real lengths, or takes a [batch, dim] output as is,
 * and L2-normalises when asked. Each vector gets its own ArrayBuffer so it can be transferred or kept alone.
 * @throws Error when the output's shape does not fit the batch or the pooling mode.
 */
export function poolOutput(
  output: OutputTensor,
  lengths: Int32Array,
  pooling: Pooling,
  normalize: boolean,
): Float32Array[] {
  const batch = lengths.length;
  const { data, dims } = output;
  if (dims[0] !== batch) throw new Error(`output batch size ${dims[0]} does not match ${batch} inputs`);

  let vectors: Float32Array[];
  if (dims.length === 2) {
    const dim = dims[1] ?? 0;
    vectors = Array.from({ length: batch }, (_, b) => data.slice(b * dim, (b + 1) * dim));
  } else if (dims.length === 3) {
    if (pooling === 'none') {
      throw new Error(`output has shape [${dims.join(', ')}] (per token) but the config says pooling "none"`);
    }
    const seq = dims[1] ?? 0;
    const dim = dims[2] ?? 0;
    vectors = Array.from({ length: batch }, (_, b) =>
      poolRow(data, b * seq * dim, Math.min(lengths[b] ?? 0, seq), dim, pooling),
    );
  } else {
    throw new Error(`output has shape [${dims.join(', ')}]; expected [batch, dim] or [batch, seq, dim]`);
  }
  if (normalize) for (const v of vectors) l2Normalize(v);
  return vectors;
}

function poolRow(
  data: Float32Array,
  start: number,
  length: number,
  dim: number,
  pooling: Pooling,
): Float32Array {
  const out = new Float32Array(dim);
  if (length === 0) return out;
  if (pooling === 'cls') {
    out.set(data.subarray(start, start + dim));
    return out;
  }
  if (pooling === 'max') {
    out.fill(Number.NEGATIVE_INFINITY);
    for (let s = 0; s < length; s++) {
      const row = start + s * dim;
      for (let d = 0; d < dim; d++) out[d] = Math.max(out[d] ?? 0, data[row + d] ?? 0);
    }
    return out;
  }
  // mean: accumulate in float64 so long sequences do not lose precision.
  const sum = new Float64Array(dim);
  for (let s = 0; s < length; s++) {
    const row = start + s * dim;
    for (let d = 0; d < dim; d++) sum[d] = (sum[d] ?? 0) + (data[row + d] ?? 0);
  }
  for (let d = 0; d < dim; d++) out[d] = (sum[d] ?? 0) / length;
  return out;
}

/** Scales `v` in place to unit length; an all-zero vector stays zero rather than becoming NaN. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] ?? 0) ** 2;
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}
