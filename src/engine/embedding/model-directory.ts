/**
 * Reads and checks a model directory on the main thread: which files exist, the zod-validated
 * `codesearch-model.json`, and the content hash that makes up the model id. The ONNX session and the tokenizer
 * are opened later, inside the workers.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ModelLoadError } from '../errors.ts';
import { RANKER_FEATURES, VECTOR_RANKER_FEATURES } from '../search/ranker-features.ts';

export const MODEL_FILE = 'model.onnx';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const MODEL_CONFIG_FILE = 'codesearch-model.json';

/** A linear ranker: features, their standardisation and weights (search/hybrid-ranker.ts). */
const RankerSchema = z
  .strictObject({
    features: z.array(z.enum(RANKER_FEATURES)).min(1),
    center: z.array(z.number()),
    scale: z.array(z.number().positive()),
    weights: z.array(z.number()),
  })
  .refine(
    (r) =>
      r.center.length === r.features.length &&
      r.scale.length === r.features.length &&
      r.weights.length === r.features.length,
    'features, center, scale and weights must have one entry per feature',
  )
  .refine((r) => new Set(r.features).size === r.features.length, 'a feature is listed twice');

/** The schema of `codesearch-model.json`. Unknown keys are rejected so that a misspelt field cannot be ignored. */
export const ModelConfigSchema = z
  .strictObject({
    /** Human-readable name; the model id adds a content hash to it. */
    id: z.string().min(1),
    /** Length of the vectors the graph produces. */
    dimension: z.int().positive(),
    /** How a 3-D [batch, seq, dim] output becomes one vector; "none" = the graph already outputs [batch, dim]. */
    pooling: z.enum(['mean', 'cls', 'max', 'none']),
    /** L2-normalise the pooled vectors. */
    normalize: z.boolean(),
    /** Longest token sequence fed to the model, special tokens included; longer texts are truncated. */
    maxTokens: z.int().min(2),
    /** Prepended to queries (e.g. "query: " for E5-style models). */
    queryPrefix: z.string().default(''),
    /** Prepended to documents (code chunks). */
    documentPrefix: z.string().default(''),
    /** Graph output to read; by default `sentence_embedding` / `last_hidden_state` if present, else the first. */
    outputName: z.string().min(1).optional(),
    /** Free text for people reading the file. */
    description: z.string().optional(),
    /**
     * How hybrid search fuses this model's ranking with BM25 (weighted Reciprocal Rank Fusion). Does not change
     * vectors, so it is not part of the model id. Absent: equal weights, k = 60.
     */
    hybrid: z
      .strictObject({
        k: z.number().positive().default(60),
        vectorWeight: z.number().nonnegative().default(1),
        keywordWeight: z.number().nonnegative().default(1),
        /**
         * A learned ranker that orders hybrid search's best candidates instead of rank fusion (see
         * search/hybrid-ranker.ts); needs `windowRescoring`. k and the weights then order only the candidates
         * beyond the ranked ones.
         */
        ranker: RankerSchema.optional(),
      })
      .refine((h) => h.vectorWeight + h.keywordWeight > 0, 'vectorWeight and keywordWeight cannot both be 0')
      .optional(),
    /**
     * Index every chunk as its windows of lines and its names, and re-score the candidates by their best
     * window (see search/window-rescoring.ts and indexing/embed-with-cache.ts). Costs about one more
     * embedding of each chunk's text at index time, so only cheap models should ask for it. How windows are
     * cut changes the stored vectors, so it is part of the model id; `depth` (a search-time choice) is not.
     */
    windowRescoring: z
      .strictObject({
        windowLines: z.number().int().min(1).max(200),
        contextLines: z.number().int().min(0).max(50).default(0),
        depth: z.number().int().min(1).max(200).default(33),
      })
      .optional(),
    /**
     * A learned ranker that orders vector search's best candidates (see search/hybrid-ranker.ts), on the
     * model's evidence and the chunks' roles only; needs `windowRescoring`.
     */
    vectorRanker: RankerSchema.refine(
      (r) => r.features.every((f) => VECTOR_RANKER_FEATURES.includes(f)),
      `a vector ranker uses only ${VECTOR_RANKER_FEATURES.join(', ')}`,
    ).optional(),
  })
  .refine((config) => !config.hybrid?.ranker || config.windowRescoring, {
    message: 'hybrid.ranker needs windowRescoring (its window features come from it)',
    path: ['hybrid', 'ranker'],
  })
  .refine((config) => !config.vectorRanker || config.windowRescoring, {
    message: 'vectorRanker needs windowRescoring (its window features come from it)',
    path: ['vectorRanker'],
  });

export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** Everything the embedder needs to know about a model directory before it starts workers. */
export interface ModelDirectory {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly modelPath: string;
  readonly tokenizerPath: string;
  /** Absent when the directory has no `tokenizer_config.json`. */
  readonly tokenizerConfigPath: string | undefined;
  /** `${config.id}@${12 hex digits}`: changes whenever weights, tokenizer or vector-affecting settings change. */
  readonly modelId: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}

/** Parses and validates the text of a `codesearch-model.json`; `source` names the file in error messages. */
export function parseModelConfig(text: string, source: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ModelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelLoadError(`${source} is invalid: ${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * The model id's hash covers the graph, the tokenizer files and the config fields that change vectors
 * (prefixes, pooling, truncation…): an index built with any other combination must not be mixed with this one.
 * Each part is length-prefixed so that bytes cannot move from one part to the next without changing the hash.
 */
function contentHash(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(part.byteLength));
    hash.update(length);
    hash.update(part);
  }
  return hash.digest('hex').slice(0, 12);
}

function vectorAffectingSettings(config: ModelConfig): Uint8Array {
  const { dimension, pooling, normalize, maxTokens, queryPrefix, documentPrefix, outputName } = config;
  const windows = config.windowRescoring;
  const canonical = JSON.stringify({
    dimension,
    pooling,
    normalize,
    maxTokens,
    queryPrefix,
    documentPrefix,
    outputName: outputName ?? null,
    // Only when set, so the ids of models without window re-scoring stay what they were.
    ...(windows ? { windows: { lines: windows.windowLines, context: windows.contextLines } } : {}),
  });
  return Buffer.from(canonical, 'utf8');
}

/**
 * Checks that `dir` holds a usable model (files present, config valid) and computes its model id.
 * @throws ModelLoadError naming the missing file or the invalid config field.
 */
export async function readModelDirectory(modelDir: string): Promise<ModelDirectory> {
  // Absolute, because workers receive these paths and must not depend on the caller's working directory.
  const dir = resolve(modelDir);
  const modelPath = join(dir, MODEL_FILE);
  const tokenizerPath = join(dir, TOKENIZER_FILE);
  const configPath = join(dir, MODEL_CONFIG_FILE);
  const tokenizerConfigCandidate = join(dir, TOKENIZER_CONFIG_FILE);

  const missing: string[] = [];
  for (const path of [configPath, modelPath, tokenizerPath]) {
    if (!(await isFile(path))) missing.push(path);
  }
  if (missing.length > 0) {
    throw new ModelLoadError(
      `Model directory ${dir} is incomplete: missing ${missing.join(', ')} ` +
        `(a model directory needs ${MODEL_FILE}, ${TOKENIZER_FILE} and ${MODEL_CONFIG_FILE})`,
    );
  }

  const config = parseModelConfig(await readFile(configPath, 'utf8'), configPath);
  const tokenizerConfigPath = (await isFile(tokenizerConfigCandidate)) ? tokenizerConfigCandidate : undefined;
  const parts: Uint8Array[] = [await readFile(modelPath), await readFile(tokenizerPath)];
  parts.push(tokenizerConfigPath ? await readFile(tokenizerConfigPath) : new Uint8Array(0));
  parts.push(vectorAffectingSettings(config));

  return {
    dir,
    config,
    modelPath,
    tokenizerPath,
    tokenizerConfigPath,
    modelId: `${config.id}@${contentHash(parts)}`,
  };
}
