/**
 * A deterministic stand-in for the ONNX model where the tests are about the pipeline, not about ranking:
 * identifier parts hashed into a small bag-of-words vector, so identical text gives identical vectors and
 * shared words give similar ones. It counts every text it embeds, which is what the tests assert on.
 */
import { createHash } from 'node:crypto';
import type { Embedder, EmbedderStats } from '#engine/types.ts';

export const HASH_EMBEDDER_DIMENSION = 64;

export function hashEmbedder(
  modelId = 'test-hash-embedder@1',
): Embedder & { readonly embeddedTexts: string[] } {
  const stats: EmbedderStats = { texts: 0, batches: 0 };
  const embeddedTexts: string[] = [];
  const embed = (text: string): Float32Array => {
    const vector = new Float32Array(HASH_EMBEDDER_DIMENSION);
    const words = text.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/).filter(Boolean);
    for (const word of words) {
      const bucket =
        createHash('sha1').update(word.toLowerCase()).digest().readUInt32BE(0) % HASH_EMBEDDER_DIMENSION;
      vector[bucket] = (vector[bucket] ?? 0) + 1;
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  };
  return {
    modelId,
    dimension: HASH_EMBEDDER_DIMENSION,
    stats,
    embeddedTexts,
    async embedDocuments(texts) {
      stats.texts += texts.length;
      stats.batches++;
      embeddedTexts.push(...texts);
      return texts.map(embed);
    },
    async embedQuery(text) {
      stats.texts++;
      stats.batches++;
      return embed(text);
    },
    async close() {},
  };
}
