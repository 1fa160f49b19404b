/**
 * A tiny ONNX graph writer on top of the protobufjs schema in `onnx-proto`. It only covers what our own
 * models and test fixtures need: dense initializers, plain nodes with int/ints/float attributes, and
 * inputs/outputs with symbolic dimensions such as `batch` and `seq`.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX `TensorProto.DataType` codes for the element types we write. */
export const DataType = {
  FLOAT: 1,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A dense constant tensor stored in the graph as raw little-endian bytes. */
export interface Initializer {
  readonly name: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly number[];
  /** Element data; for FLOAT16 the IEEE half-precision bit patterns. */
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint16Array | Int8Array;
}

export type AttributeValue =
  | number
  | readonly number[]
  | { readonly float: number }
  | { readonly string: string };

export interface GraphNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output; string dims are symbolic (`"batch"`), numbers are fixed. */
export interface ValueInfo {
  readonly name: string;
  readonly dataType: DataTypeCode;
  readonly dims: readonly (number | string)[];
}

export interface ModelSpec {
  readonly graphName: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly GraphNode[];
  /** Default opset 17 (IR version 8, the newest this schema knows). */
  readonly opset?: number;
  readonly docString?: string;
  readonly producerName?: string;
}

function rawBytes(data: Initializer['data']): Uint8Array {
  // Typed arrays are little-endian on every platform onnxruntime ships for, which is what ONNX raw_data wants.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.dataType,
        shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('string' in value)
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: AttributeType.INTS, ints: [...value] };
}

/** Serialises a model to ONNX protobuf bytes, ready to write as `model.onnx` or pass to an InferenceSession. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producerName ?? 'codesearch',
    docString: spec.docString ?? '',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.graphName,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: spec.initializers.map((t) => ({
        name: t.name,
        dataType: t.dataType,
        dims: [...t.dims],
        rawData: rawBytes(t.data),
      })),
      node: spec.nodes.map((n, i) => ({
        name: `${n.opType}_${i}`,
        opType: n.opType,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Converts float32 values to IEEE 754 half-precision bit patterns, rounding to nearest even. Node 22 has no
 * Float16Array without a flag, so this is done by hand.
 */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i] ?? 0;
    const x = u32[0] ?? 0;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // overflow → Inf
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // underflow → ±0
        continue;
      }
      // Subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even.
      mant |= 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      const rest = mant & ((1 << shift) - 1);
      let m = mant >>> shift;
      if (rest > half || (rest === half && m & 1)) m++;
      out[i] = sign | m;
      continue;
    }
    let m = mant >>> 13;
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
      m++;
      if (m === 0x400) {
        m = 0;
        e++;
        if (e >= 0x1f) {
          out[i] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[i] = sign | (e << 10) | m;
  }
  return out;
}

/**
 * The pooling tail both bag-of-tokens graphs end with: the `weights`-weighted mean of `vectors` over the
 * sequence, as one batched MatMul. Needs the initializers `axis_1` (int64 [1]) and `epsilon` (a small float).
 */
export function weightedMeanNodes(output: string): GraphNode[] {
  return [
    // [batch, 1, seq] × [batch, seq, dim] → [batch, 1, dim]: the weighted sum as one batched MatMul.
    { opType: 'Unsqueeze', inputs: ['weights', 'axis_1'], outputs: ['weights_row'] },
    { opType: 'MatMul', inputs: ['weights_row', 'vectors'], outputs: ['weighted_sum_3d'] },
    { opType: 'Squeeze', inputs: ['weighted_sum_3d', 'axis_1'], outputs: ['weighted_sum'] },
    {
      opType: 'ReduceSum',
      inputs: ['weights', 'axis_1'],
      outputs: ['total_weight'],
      attributes: { keepdims: 1 },
    },
    { opType: 'Max', inputs: ['total_weight', 'epsilon'], outputs: ['denominator'] },
    { opType: 'Div', inputs: ['weighted_sum', 'denominator'], outputs: [output] },
  ];
}
