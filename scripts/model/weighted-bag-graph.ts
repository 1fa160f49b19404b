/**
 * The interim model's ONNX graph: a weighted mean of per-token vectors.
 *
 *   input_ids, attention_mask [batch, seq] (int64)
 *   v = Cast(Gather(token_vectors_f16, input_ids))        [batch, seq, dim]
 *   w = Gather(token_weights, input_ids) · attention_mask [batch, seq]
 *   sentence_embedding = (w ⊗ v summed over seq) / max(Σ w, ε)   [batch, dim]
 *
 * Vectors are stored as float16 (half the size) and cast after the gather, so only the looked-up rows are
 * converted, never the whole table.
 */
import { DataType, encodeModel, toFloat16Bits, weightedMeanNodes } from './onnx-graph.ts';

export interface WeightedBagModel {
  readonly vocabSize: number;
  readonly dimension: number;
  /** Row-major [vocabSize, dimension]. */
  readonly tokenVectors: Float32Array;
  /** One weight per token id (0 for tokens that must not contribute). */
  readonly tokenWeights: Float32Array;
  readonly docString: string;
}

export const OUTPUT_NAME = 'sentence_embedding';

/** Encodes the model as ONNX bytes (opset 17). */
export function encodeWeightedBagModel(model: WeightedBagModel): Uint8Array {
  const { vocabSize, dimension } = model;
  if (model.tokenVectors.length !== vocabSize * dimension) throw new Error('tokenVectors has the wrong size');
  if (model.tokenWeights.length !== vocabSize) throw new Error('tokenWeights has the wrong size');
  return encodeModel({
    graphName: 'weighted_bag_of_tokens',
    docString: model.docString,
    inputs: [
      { name: 'input_ids', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
      { name: 'attention_mask', dataType: DataType.INT64, dims: ['batch', 'sequence'] },
    ],
    outputs: [{ name: OUTPUT_NAME, dataType: DataType.FLOAT, dims: ['batch', dimension] }],
    initializers: [
      {
        name: 'token_vectors_f16',
        dataType: DataType.FLOAT16,
        dims: [vocabSize, dimension],
        data: toFloat16Bits(model.tokenVectors),
      },
      { name: 'token_weights', dataType: DataType.FLOAT, dims: [vocabSize], data: model.tokenWeights },
      { name: 'axis_1', dataType: DataType.INT64, dims: [1], data: BigInt64Array.of(1n) },
      { name: 'epsilon', dataType: DataType.FLOAT, dims: [], data: Float32Array.of(1e-9) },
    ],
    nodes: [
      { opType: 'Gather', inputs: ['token_vectors_f16', 'input_ids'], outputs: ['vectors_f16'] },
      { opType: 'Cast', inputs: ['vectors_f16'], outputs: ['vectors'], attributes: { to: DataType.FLOAT } },
      { opType: 'Gather', inputs: ['token_weights', 'input_ids'], outputs: ['weights_raw'] },
      { opType: 'Cast', inputs: ['attention_mask'], outputs: ['mask'], attributes: { to: DataType.FLOAT } },
      { opType: 'Mul', inputs: ['weights_raw', 'mask'], outputs: ['weights'] },
      ...weightedMeanNodes(OUTPUT_NAME),
    ],
  });
}
