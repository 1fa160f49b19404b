/** The index generation: a stable short name for (model, dimension, chunker, schema), and its DynamoDB keys. */
import { describe, expect, it } from 'vitest';
import { generationKey, parseGenerationKey, rebuildMarkerKey } from '#adapters/aws/generation-keys.ts';
import { SCHEMA_VERSION } from '#adapters/lancedb/chunk-schema.ts';
import { generationTableName, indexGeneration, isGeneration } from '#adapters/lancedb/index-generation.ts';

const BUILT_WITH = { modelId: 'codesearch-bag-v1-256@0123456789ab', dimension: 256, chunkerVersion: '3' };

describe('indexGeneration', () => {
  it('is stable: the same parts give the same 12 hex digits, across releases', () => {
    expect(indexGeneration(BUILT_WITH)).toBe(indexGeneration({ ...BUILT_WITH }));
    expect(isGeneration(indexGeneration(BUILT_WITH))).toBe(true);
    // Pinned: a change to the formula makes every deployment rebuild its index on the next deploy. It changed
    // once on purpose (December 2026: repository names stored in lower case, `d084852c3dc8` before).
    expect(indexGeneration(BUILT_WITH, '1')).toBe('94766757e3cc');
  });

  it('changes when any part changes', () => {
    const base = indexGeneration(BUILT_WITH);
    const variants = [
      indexGeneration({ ...BUILT_WITH, modelId: 'codesearch-bag-v1-256@ba9876543210' }),
      indexGeneration({ ...BUILT_WITH, dimension: 384 }),
      indexGeneration({ ...BUILT_WITH, chunkerVersion: '4' }),
      indexGeneration(BUILT_WITH, `${SCHEMA_VERSION}-next`),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it('does not let parts run into each other', () => {
    expect(indexGeneration({ ...BUILT_WITH, modelId: 'm1', dimension: 23 })).not.toBe(
      indexGeneration({ ...BUILT_WITH, modelId: 'm12', dimension: 3 }),
    );
  });

  it('names a table LanceDB accepts (letters, digits, underscore)', () => {
    expect(generationTableName(indexGeneration(BUILT_WITH))).toMatch(/^chunks_[0-9a-f]{12}$/);
  });
});

describe('generation keys in DynamoDB', () => {
  const generation = indexGeneration(BUILT_WITH);

  it('round-trips an index name, including branch names with odd characters', () => {
    for (const index of ['acme/api', 'Acme/Widgets@release', 'acme/api@feat#12']) {
      expect(parseGenerationKey(generationKey(generation, index))).toEqual({ generation, index });
    }
  });

  it('reads keys from before generations as bare index names', () => {
    expect(generationKey(undefined, 'acme/api')).toBe('acme/api');
    expect(parseGenerationKey('acme/api@feat#12')).toEqual({ index: 'acme/api@feat#12' });
  });

  it('keeps rebuild markers out of the index keys, in lower case', () => {
    expect(parseGenerationKey(rebuildMarkerKey(generation, 'Acme/Widgets'))).toBeUndefined();
    expect(rebuildMarkerKey(generation, 'Acme/Widgets')).toBe(rebuildMarkerKey(generation, 'acme/widgets'));
  });
});
