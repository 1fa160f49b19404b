/**
 * Builds small, hand-checkable model directories in a temp folder, shaped like third-party sentence-embedding
 * exports: a BERT-style tokenizer.json and a graph with `input_ids`, `attention_mask`, `token_type_ids` inputs
 * and a per-token `last_hidden_state` output.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  encodeModel,
  type GraphNode,
  type Initializer,
} from '../../../../scripts/model/onnx-graph.ts';

export const TINY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'hello',
  'world',
  'foo',
  'bar',
  'baz',
  'retry',
];
export const TINY_DIM = 3;

/** Token vectors: row i = [i, (i % 3) - 1, 0.5 · i²]. Distinct enough that pooling mistakes show. */
export const TINY_TOKEN_VECTORS: number[][] = TINY_VOCAB.map((_, i) => [i, (i % 3) - 1, 0.5 * i * i]);
/** Segment vectors, added to every token (all our inputs are segment 0). */
export const TINY_SEGMENT_VECTORS: number[][] = [
  [0.25, 0.5, -1],
  [9, 9, 9],
];

export const ids = (tokens: readonly string[]): number[] => tokens.map((t) => TINY_VOCAB.indexOf(t));

/** A tokenizer.json in the shape HuggingFace writes for bert-base-uncased style models. */
export function tinyTokenizerJson(): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i])),
    },
  };
}

const f32 = (rows: number[][]) => Float32Array.from(rows.flat());

export interface TinyGraphOptions {
  /**
   * Rows of the token table; fewer than the vocabulary makes the last tokens' ids out of range, so the
   * runtime fails on texts that contain them (a model/tokenizer mismatch, as seen in the wild).
   */
  readonly tableRows?: number;
  /** Leave out the token_type_ids input (many exports, e.g. DistilBERT-style, have none). */
  readonly withoutTokenTypes?: boolean;
  /** Declare an extra input the loader cannot feed. */
  readonly extraInput?: string;
  /**
   * End with a dynamically quantised dense layer, as `onnxruntime.quantization.quantize_dynamic` writes int8
   * transformer exports: DynamicQuantizeLinear on the activations, MatMulInteger with int8 weights
   * ({@link TINY_INT8_WEIGHTS} × {@link TINY_INT8_SCALE}), then the two scales multiplied back in.
   */
  readonly int8Projection?: boolean;
}

/** The int8 projection's weights ([TINY_DIM, TINY_DIM], row-major) and their scale. */
export const TINY_INT8_WEIGHTS = [
  [127, 0, 10],
  [0, 64, 0],
  [-20, 0, -127],
];
export const TINY_INT8_SCALE = 1 / 127;

/**
 * What DynamicQuantizeLinear + MatMulInteger compute for one sequence's hidden rows (uint8 activations with a
 * per-tensor scale and zero point over the whole tensor, as onnxruntime defines them).
 */
export function int8Projection(rows: readonly number[][]): number[][] {
  const values = rows.flat();
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  const scale = (max - min) / 255 || 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  // Round half to even, as the ONNX spec says.
  const roundEven = (x: number) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const q = (x: number) => Math.min(255, Math.max(0, roundEven(x / scale) + zeroPoint));
  return rows.map((row) =>
    Array.from(
      { length: TINY_DIM },
      (_, j) =>
        row.reduce((sum, x, i) => sum + (q(x) - zeroPoint) * (TINY_INT8_WEIGHTS[i]?.[j] ?? 0), 0) *
        scale *
        TINY_INT8_SCALE,
    ),
  );
}

/**
 * last_hidden_state[b, s] = (E[input_ids[b, s]] + T[token_type_ids[b, s]]) · attention_mask[b, s]
 */
export function tinyModelBytes(options: TinyGraphOptions = {}): Uint8Array {
  const rows = options.tableRows ?? TINY_VOCAB.length;
  const initializers: Initializer[] = [
    {
      name: 'E',
      dataType: DataType.FLOAT,
      dims: [rows, TINY_DIM],
      data: f32(TINY_TOKEN_VECTORS.slice(0, rows)),
    },
    { name: 'axis_2', dataType: DataType.INT64, dims: [1], data: BigInt64Array.of(2n) },
  ];
  if (!options.withoutTokenTypes) {
    initializers.push({
      name: 'T',
      dataType: DataType.FLOAT,
      dims: [2, TINY_DIM],
      data: f32(TINY_SEGMENT_VECTORS),
    });
  }
  const hidden = options.int8Projection ? 'hidden' : 'last_hidden_state';
  if (options.int8Projection) {
    initializers.push(
      {
        name: 'W_q',
        dataType: DataType.INT8,
        dims: [TINY_DIM, TINY_DIM],
        data: Int8Array.from(TINY_INT8_WEIGHTS.flat()),
      },
      { name: 'W_zero', dataType: DataType.INT8, dims: [], data: Int8Array.of(0) },
      { name: 'W_scale', dataType: DataType.FLOAT, dims: [], data: Float32Array.of(TINY_INT8_SCALE) },
    );
  }
  const nodes: GraphNode[] = [
    { opType: 'Gather', inputs: ['E', 'input_ids'], outputs: ['tok'] },
    { opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask_f'], attributes: { to: DataType.FLOAT } },
    { opType: 'Unsqueeze', inputs: ['mask_f', 'axis_2'], outputs: ['mask3'] },
  ];
  if (options.withoutTokenTypes) {
    nodes.push({ opType: 'Mul', inputs: ['tok', 'mask3'], outputs: [hidden] });
  } else {
    nodes.push(
      { opType: 'Gather', inputs: ['T', 'token_type_ids'], outputs: ['seg'] },
      { opType: 'Add', inputs: ['tok', 'seg'], outputs: ['sum'] },
      { opType: 'Mul', inputs: ['sum', 'mask3'], outputs: [hidden] },
    );
  }
  if (options.int8Projection) {
    nodes.push(
      { opType: 'DynamicQuantizeLinear', inputs: [hidden], outputs: ['h_q', 'h_scale', 'h_zero'] },
      { opType: 'MatMulInteger', inputs: ['h_q', 'W_q', 'h_zero', 'W_zero'], outputs: ['product_i32'] },
      { opType: 'Cast', inputs: ['product_i32'], outputs: ['product'], attributes: { to: DataType.FLOAT } },
      { opType: 'Mul', inputs: ['h_scale', 'W_scale'], outputs: ['output_scale'] },
      { opType: 'Mul', inputs: ['product', 'output_scale'], outputs: ['last_hidden_state'] },
    );
  }
  const inputs = [
    { name: 'input_ids', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
    { name: 'attention_mask', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
    ...(options.withoutTokenTypes
      ? []
      : [{ name: 'token_type_ids', dataType: DataType.INT64, dims: ['batch', 'sequence'] }]),
    ...(options.extraInput ? [{ name: options.extraInput, dataType: DataType.INT64, dims: ['batch'] }] : []),
  ] as const;
  if (options.extraInput) {
    // Use the extra input so onnxruntime keeps it: a second output nobody reads.
    nodes.push({ opType: 'Identity', inputs: [options.extraInput], outputs: ['extra_out'] });
  }
  return encodeModel({
    graphName: 'tiny_bert_like',
    inputs: [...inputs],
    outputs: [
      { name: 'last_hidden_state', dataType: DataType.FLOAT, dims: ['batch', 'sequence', TINY_DIM] },
      ...(options.extraInput ? [{ name: 'extra_out', dataType: DataType.INT64, dims: ['batch'] }] : []),
    ],
    initializers,
    nodes,
  });
}

export interface TinyModelDirOptions extends TinyGraphOptions {
  readonly config?: Record<string, unknown>;
  /** Write this instead of the JSON config (to test parse errors). */
  readonly rawConfig?: string;
  readonly omit?: readonly ('model.onnx' | 'tokenizer.json' | 'codesearch-model.json')[];
  readonly tokenizerConfig?: Record<string, unknown>;
  readonly modelBytes?: Uint8Array;
}

export const TINY_CONFIG = {
  id: 'tiny-bert-like',
  dimension: TINY_DIM,
  pooling: 'mean',
  normalize: false,
  maxTokens: 16,
  queryPrefix: '',
  documentPrefix: '',
};

/** Writes a model directory into a fresh temp folder and returns its path. */
export async function writeTinyModelDir(options: TinyModelDirOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'codesearch-tiny-model-'));
  await mkdir(dir, { recursive: true });
  const omit = new Set(options.omit ?? []);
  if (!omit.has('model.onnx'))
    await writeFile(join(dir, 'model.onnx'), options.modelBytes ?? tinyModelBytes(options));
  if (!omit.has('tokenizer.json')) {
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
  }
  if (!omit.has('codesearch-model.json')) {
    await writeFile(
      join(dir, 'codesearch-model.json'),
      options.rawConfig ?? JSON.stringify({ ...TINY_CONFIG, ...options.config }),
    );
  }
  if (options.tokenizerConfig) {
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(options.tokenizerConfig));
  }
  return dir;
}

/** Mean of the given rows (the reference for mean pooling). */
export function meanOf(rows: readonly number[][]): number[] {
  const out = new Array<number>(rows[0]?.length ?? 0).fill(0);
  for (const row of rows) {
    for (const [d, x] of row.entries()) out[d] = (out[d] ?? 0) + x / rows.length;
  }
  return out;
}

/** Hidden state the tiny graph produces for one token id in segment 0. */
export function hiddenOf(id: number): number[] {
  const e = TINY_TOKEN_VECTORS[id] ?? [];
  const t = TINY_SEGMENT_VECTORS[0] ?? [];
  return e.map((x, d) => x + (t[d] ?? 0));
}
