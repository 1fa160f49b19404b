/**
 * The trained model's ONNX graph: the forward pass of `bag-encoder.ts`, for a batch of right-padded
 * sequences.
 *
 *   input_ids, attention_mask                       [batch, seq] int64
 *   side   = 1 if input_ids[:, 1] is the query marker, else 0             [batch, 1]
 *   prev   = input_ids shifted right (first = [PAD]); next = shifted left (last = [PAD])
 *   count  = how often each position's token occurs in its row (mask scatter-added by token, read back)
 *   tf     = (1 + ln count) / count        (or 1 for linear term frequency)
 *   w      = tf · W[side·V + id] · P[side·V + prev] · N[side·V + next] · mask   [batch, seq]
 *   vector = (w ⊗ E[id] summed over seq) / max(Σ w, ε)                          [batch, dim]
 *
 * Both sides' weight tables are stored end to end ([code; query], 2V entries), so one Gather with an offset
 * index picks the right side without computing both; the same for the embedding table when the sides have
 * their own. Embeddings are int8 with one float scale per row (or float16), converted after the Gather so only
 * the looked-up rows are touched. The loader L2-normalises (`normalize: true`).
 */
import type { BagModel, TermFrequency } from './bag-encoder.ts';
import {
  DataType,
  encodeModel,
  type GraphNode,
  type Initializer,
  toFloat16Bits,
  weightedMeanNodes,
} from './onnx-graph.ts';

export const OUTPUT_NAME = 'sentence_embedding';

export type EmbeddingStorage = 'int8' | 'float16';

export interface BagGraphOptions {
  readonly model: BagModel;
  /** Token id that marks a query when it follows [CLS]. */
  readonly queryMarker: number;
  readonly termFrequency: TermFrequency;
  readonly storage: EmbeddingStorage;
  readonly docString: string;
}

/** Per-row symmetric int8 quantisation: row ≈ scale · q with q in [-127, 127]. */
export function quantizeRows(
  table: Float32Array,
  dimension: number,
): { values: Int8Array; scales: Float32Array } {
  const rows = table.length / dimension;
  const values = new Int8Array(table.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let d = 0; d < dimension; d++) max = Math.max(max, Math.abs(table[r * dimension + d] as number));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let d = 0; d < dimension; d++) {
      values[r * dimension + d] = Math.max(
        -127,
        Math.min(127, Math.round((table[r * dimension + d] as number) / scale)),
      );
    }
  }
  return { values, scales };
}

/** The values the graph will actually use for `table` (after int8 or float16 storage). */
export function storedTable(table: Float32Array, dimension: number, storage: EmbeddingStorage): Float32Array {
  if (storage === 'int8') {
    const { values, scales } = quantizeRows(table, dimension);
    return Float32Array.from(values, (q, i) => q * (scales[Math.floor(i / dimension)] as number));
  }
  const bits = toFloat16Bits(table);
  const out = new Float32Array(bits.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i] as number;
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = (sign ? -1 : 1) * mant * 2 ** -24;
    else if (exp === 0x1f) out[i] = mant ? Number.NaN : (sign ? -1 : 1) * Number.POSITIVE_INFINITY;
    else {
      u32[0] = sign | ((exp - 15 + 127) << 23) | (mant << 13);
      out[i] = f32[0] as number;
    }
  }
  return out;
}

/**
 * The model with its embedding tables replaced by what the graph stores, so that the trainer's forward pass
 * and the ONNX graph compute the same vectors (up to float rounding).
 */
export function asStored(model: BagModel, storage: EmbeddingStorage): BagModel {
  const code = storedTable(model.code.embeddings, model.dimension, storage);
  const query =
    model.query.embeddings === model.code.embeddings
      ? code
      : storedTable(model.query.embeddings, model.dimension, storage);
  return {
    ...model,
    code: { ...model.code, embeddings: code },
    query: { ...model.query, embeddings: query },
  };
}

const exp = (values: Float32Array) => Float32Array.from(values, (x) => Math.exp(x));

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Encodes the model as ONNX bytes (opset 17). */
export function encodeBagGraph(options: BagGraphOptions): Uint8Array {
  const { model, storage } = options;
  const V = model.vocabSize;
  const D = model.dimension;
  const separate = model.query.embeddings !== model.code.embeddings;
  const context = model.code.prevLogWeights !== undefined;
  const i64 = (...values: number[]) => BigInt64Array.from(values.map((v) => BigInt(v)));

  const initializers: Initializer[] = [
    {
      name: 'token_weights',
      dataType: DataType.FLOAT,
      dims: [2 * V],
      data: concat(exp(model.code.logWeights), exp(model.query.logWeights)),
    },
    { name: 'query_marker', dataType: DataType.INT64, dims: [], data: i64(options.queryMarker) },
    { name: 'vocab_size', dataType: DataType.INT64, dims: [], data: i64(V) },
    { name: 'vocab_size_1', dataType: DataType.INT64, dims: [1], data: i64(V) },
    { name: 'one_index', dataType: DataType.INT64, dims: [], data: i64(1) },
    { name: 'axis_1', dataType: DataType.INT64, dims: [1], data: i64(1) },
    { name: 'axis_2', dataType: DataType.INT64, dims: [1], data: i64(2) },
    { name: 'zero_1', dataType: DataType.INT64, dims: [1], data: i64(0) },
    { name: 'one_1', dataType: DataType.INT64, dims: [1], data: i64(1) },
    { name: 'minus_one_1', dataType: DataType.INT64, dims: [1], data: i64(-1) },
    { name: 'int_max_1', dataType: DataType.INT64, dims: [1], data: i64(2 ** 31 - 1) },
    { name: 'zero_i64', dataType: DataType.INT64, dims: [], data: i64(0) },
    { name: 'one_f', dataType: DataType.FLOAT, dims: [], data: Float32Array.of(1) },
    { name: 'epsilon', dataType: DataType.FLOAT, dims: [], data: Float32Array.of(1e-9) },
  ];
  const embeddingTable = separate
    ? concat(model.code.embeddings, model.query.embeddings)
    : model.code.embeddings;
  const tableRows = separate ? 2 * V : V;
  if (storage === 'int8') {
    const { values, scales } = quantizeRows(embeddingTable, D);
    initializers.push(
      { name: 'embeddings_i8', dataType: DataType.INT8, dims: [tableRows, D], data: values },
      { name: 'embedding_scales', dataType: DataType.FLOAT, dims: [tableRows], data: scales },
    );
  } else {
    initializers.push({
      name: 'embeddings_f16',
      dataType: DataType.FLOAT16,
      dims: [tableRows, D],
      data: toFloat16Bits(embeddingTable),
    });
  }
  if (context) {
    initializers.push(
      {
        name: 'prev_weights',
        dataType: DataType.FLOAT,
        dims: [2 * V],
        data: concat(
          exp(model.code.prevLogWeights as Float32Array),
          exp(model.query.prevLogWeights as Float32Array),
        ),
      },
      {
        name: 'next_weights',
        dataType: DataType.FLOAT,
        dims: [2 * V],
        data: concat(
          exp(model.code.nextLogWeights as Float32Array),
          exp(model.query.nextLogWeights as Float32Array),
        ),
      },
    );
  }

  const nodes: GraphNode[] = [
    // Which side: the token after [CLS] is the query marker.
    {
      opType: 'Gather',
      inputs: ['input_ids', 'one_index'],
      outputs: ['second_token'],
      attributes: { axis: 1 },
    },
    { opType: 'Equal', inputs: ['second_token', 'query_marker'], outputs: ['is_query'] },
    { opType: 'Cast', inputs: ['is_query'], outputs: ['is_query_i64'], attributes: { to: DataType.INT64 } },
    { opType: 'Mul', inputs: ['is_query_i64', 'vocab_size'], outputs: ['side_offset_flat'] },
    { opType: 'Unsqueeze', inputs: ['side_offset_flat', 'axis_1'], outputs: ['side_offset'] }, // [batch, 1]
    { opType: 'Add', inputs: ['input_ids', 'side_offset'], outputs: ['side_ids'] },
    { opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], attributes: { to: DataType.FLOAT } },
    // Token weights.
    { opType: 'Gather', inputs: ['token_weights', 'side_ids'], outputs: ['token_w'] },
  ];
  let weightProduct = 'token_w';
  if (context) {
    nodes.push(
      // [PAD] column: input_ids[:, :1] · 0
      { opType: 'Slice', inputs: ['input_ids', 'zero_1', 'one_1', 'axis_1'], outputs: ['first_col'] },
      { opType: 'Mul', inputs: ['first_col', 'zero_i64'], outputs: ['edge_col'] },
      {
        opType: 'Slice',
        inputs: ['input_ids', 'zero_1', 'minus_one_1', 'axis_1'],
        outputs: ['all_but_last'],
      },
      { opType: 'Slice', inputs: ['input_ids', 'one_1', 'int_max_1', 'axis_1'], outputs: ['all_but_first'] },
      {
        opType: 'Concat',
        inputs: ['edge_col', 'all_but_last'],
        outputs: ['prev_ids'],
        attributes: { axis: 1 },
      },
      {
        opType: 'Concat',
        inputs: ['all_but_first', 'edge_col'],
        outputs: ['next_ids'],
        attributes: { axis: 1 },
      },
      { opType: 'Add', inputs: ['prev_ids', 'side_offset'], outputs: ['side_prev'] },
      { opType: 'Add', inputs: ['next_ids', 'side_offset'], outputs: ['side_next'] },
      { opType: 'Gather', inputs: ['prev_weights', 'side_prev'], outputs: ['prev_w'] },
      { opType: 'Gather', inputs: ['next_weights', 'side_next'], outputs: ['next_w'] },
      { opType: 'Mul', inputs: ['token_w', 'prev_w'], outputs: ['token_prev_w'] },
      { opType: 'Mul', inputs: ['token_prev_w', 'next_w'], outputs: ['context_w'] },
    );
    weightProduct = 'context_w';
  }
  if (options.termFrequency === 'log') {
    nodes.push(
      // count[b, i] = how many real positions of row b hold input_ids[b, i]: scatter-add the mask into a
      // [batch, vocab] table, then read it back at each position (linear in batch × (vocab + seq)).
      { opType: 'Shape', inputs: ['input_ids'], outputs: ['ids_shape'] },
      { opType: 'Slice', inputs: ['ids_shape', 'zero_1', 'one_1', 'zero_1'], outputs: ['batch_dim'] },
      {
        opType: 'Concat',
        inputs: ['batch_dim', 'vocab_size_1'],
        outputs: ['counts_shape'],
        attributes: { axis: 0 },
      },
      // ConstantOfShape without a value attribute fills float32 zeros.
      { opType: 'ConstantOfShape', inputs: ['counts_shape'], outputs: ['zero_counts'] },
      {
        opType: 'ScatterElements',
        inputs: ['zero_counts', 'input_ids', 'mask'],
        outputs: ['counts_by_token'],
        attributes: { axis: 1, reduction: { string: 'add' } },
      },
      {
        opType: 'GatherElements',
        inputs: ['counts_by_token', 'input_ids'],
        outputs: ['count_raw'],
        attributes: { axis: 1 },
      },
      // Padding positions can count 0; clamp so ln stays finite (they are masked out below anyway).
      { opType: 'Max', inputs: ['count_raw', 'one_f'], outputs: ['count'] },
      { opType: 'Log', inputs: ['count'], outputs: ['log_count'] },
      { opType: 'Add', inputs: ['log_count', 'one_f'], outputs: ['damped'] },
      { opType: 'Div', inputs: ['damped', 'count'], outputs: ['tf'] },
      { opType: 'Mul', inputs: [weightProduct, 'tf'], outputs: ['tf_w'] },
    );
    weightProduct = 'tf_w';
  }
  nodes.push({ opType: 'Mul', inputs: [weightProduct, 'mask'], outputs: ['weights'] });
  // Embedding rows, dequantised after the Gather.
  const rowIds = separate ? 'side_ids' : 'input_ids';
  if (storage === 'int8') {
    nodes.push(
      { opType: 'Gather', inputs: ['embeddings_i8', rowIds], outputs: ['rows_i8'] },
      { opType: 'Cast', inputs: ['rows_i8'], outputs: ['rows_q'], attributes: { to: DataType.FLOAT } },
      { opType: 'Gather', inputs: ['embedding_scales', rowIds], outputs: ['row_scales'] },
      { opType: 'Unsqueeze', inputs: ['row_scales', 'axis_2'], outputs: ['row_scales_3d'] },
      { opType: 'Mul', inputs: ['rows_q', 'row_scales_3d'], outputs: ['vectors'] },
    );
  } else {
    nodes.push(
      { opType: 'Gather', inputs: ['embeddings_f16', rowIds], outputs: ['rows_f16'] },
      { opType: 'Cast', inputs: ['rows_f16'], outputs: ['vectors'], attributes: { to: DataType.FLOAT } },
    );
  }
  nodes.push(...weightedMeanNodes(OUTPUT_NAME));
  return encodeModel({
    graphName: 'weighted_bag_of_tokens',
    docString: options.docString,
    inputs: [
      { name: 'input_ids', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
    ],
    outputs: [{ name: OUTPUT_NAME, dataType: DataType.FLOAT, dims: ['batch', D] }],
    initializers,
    nodes,
  });
}
