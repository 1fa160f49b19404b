/**
 * An index generation: everything that makes two chunk tables incompatible — the model id (a hash of weights,
 * tokenizer and vector-affecting settings), the vector dimension, the chunker version and the chunk table's
 * schema version — hashed into a short stable name. On AWS each generation has its own chunk table and its own
 * pipeline state, so deploying a new model starts a fresh index beside the old one instead of refusing the old
 * one (locally the CLI keeps one table and asks for `--rebuild`).
 */
import { createHash } from 'node:crypto';
import type { IndexMetadata } from '#engine/types.ts';
import { SCHEMA_VERSION } from './chunk-schema.ts';

/**
 * How rows and state are keyed, beyond the schema: since December 2026 repository names are stored in their
 * canonical lower-case spelling (`canonicalRepoName`). A generation written before kept GitHub's spelling;
 * this makes the first deploy with canonical names a new generation, which upkeep rebuilds under them (the
 * embedding cache keeps that from re-embedding anything).
 */
const KEYING = 'names:lower-case';

/** Hex digits of the hash kept: 48 bits, plenty for the handful of generations one deployment ever sees. */
const GENERATION_LENGTH = 12;
const GENERATION_PATTERN = /^[0-9a-f]{12}$/;

/**
 * @example
 * indexGeneration({ modelId: 'codesearch-bag-v1-256@0123456789ab', dimension: 256, chunkerVersion: '3' }) // '5f0c…' (12 hex digits)
 */
export function indexGeneration(metadata: IndexMetadata, schemaVersion: string = SCHEMA_VERSION): string {
  const parts = [
    metadata.modelId,
    String(metadata.dimension),
    metadata.chunkerVersion,
    schemaVersion,
    KEYING,
  ];
  // JSON keeps the parts apart: no two different tuples serialise to the same text.
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, GENERATION_LENGTH);
}

/** Table names may hold letters, digits, `_`, `-` and `.` (LanceDB's rule); a hex suffix always fits. */
export function generationTableName(generation: string): string {
  return `chunks_${generation}`;
}

/** Recognises a generation as `indexGeneration` writes it (keys in DynamoDB are parsed with it). */
export function isGeneration(text: string): boolean {
  return GENERATION_PATTERN.test(text);
}
