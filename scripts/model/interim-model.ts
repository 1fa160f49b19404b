/**
 * Computes the interim model's parts (vocabulary, IDF weights, token vectors) from the fixed corpus. Shared
 * by the build script, which writes the files, and the retrieval check, which compares variants.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { type CorpusFile, readCorpus, type SkippedCounts, splitIntoWindows } from './corpus.ts';
import { type DocumentedCode, extractDocumentedCode } from './doc-pairs.ts';
import { gaussian, mulberry32 } from './random.ts';
import {
  buildTokenizerJson,
  normalizeText,
  preTokenize,
  SPECIAL_TOKENS,
  wordPiece,
} from './tokenizer-spec.ts';
import { buildVocabulary } from './vocabulary.ts';

export const INTERIM_MODEL_SETTINGS = {
  modelId: 'codesearch-interim-tfidf-256',
  dimension: 256,
  vocabSize: 16_384,
  continuationBudget: 2_500,
  minCharCount: 50,
  minWordCount: 2,
  maxWordLength: 24,
  windowLines: 40,
  maxTokens: 512,
  seed: 20_261_121,
  /** [CLS] gets a tiny weight so that an empty text maps to a fixed unit vector instead of the zero vector. */
  clsWeight: 1e-3,
} as const;

const CLS_ID = SPECIAL_TOKENS.indexOf('[CLS]');
const UNK_ID = SPECIAL_TOKENS.indexOf('[UNK]');

/** Text → token ids (no specials) with the JS mirror of the tokenizer, memoised per word. */
export type TokenIdsOf = (text: string) => Int32Array;

export function createMirrorTokenizer(vocab: readonly string[]): TokenIdsOf {
  const ids = new Map(vocab.map((t, i) => [t, i]));
  const vocabSet = new Set(vocab);
  const cache = new Map<string, number[]>();
  const pieceIds = (word: string): number[] => {
    let cached = cache.get(word);
    if (!cached) {
      cached = wordPiece(word, vocabSet).map((p) => ids.get(p) ?? UNK_ID);
      cache.set(word, cached);
    }
    return cached;
  };
  return (text) => Int32Array.from(preTokenize(normalizeText(text)).flatMap(pieceIds));
}

/** Fails if the JS mirror and @huggingface/tokenizers disagree on any sampled text; returns how many it checked. */
export function checkMirror(tokenizerJson: object, texts: readonly string[], tokenIdsOf: TokenIdsOf): number {
  const tokenizer = new Tokenizer(tokenizerJson, {});
  let checked = 0;
  for (let i = 0; i < texts.length; i += 97) {
    const expected = [...tokenIdsOf(texts[i] ?? '')];
    const actual = tokenizer.encode(texts[i] ?? '', { add_special_tokens: false }).ids;
    if (expected.length !== actual.length || expected.some((id, k) => id !== actual[k])) {
      throw new Error(`tokenizer mirror disagrees with @huggingface/tokenizers on sample ${i}`);
    }
    checked++;
  }
  return checked;
}

/**
 * idf(t) = ln((N + 1) / (df(t) + 1)) over the windows: near 0 for tokens in every window (braces, `return`),
 * high for rare ones. Specials weigh 0, except [CLS] (see INTERIM_MODEL_SETTINGS.clsWeight).
 */
export function inverseDocumentFrequency(windowIds: readonly Int32Array[], vocabSize: number): Float32Array {
  const df = new Int32Array(vocabSize);
  const seen = new Int32Array(vocabSize).fill(-1);
  windowIds.forEach((ids, w) => {
    for (const id of ids) {
      if (seen[id] !== w) {
        seen[id] = w;
        df[id] = (df[id] ?? 0) + 1;
      }
    }
  });
  const n = windowIds.length;
  const weights = Float32Array.from(df, (d) => Math.log((n + 1) / (d + 1)));
  SPECIAL_TOKENS.forEach((_, id) => {
    weights[id] = 0;
  });
  weights[CLS_ID] = INTERIM_MODEL_SETTINGS.clsWeight;
  return weights;
}

/** One seeded Gaussian direction per token, scaled to unit length. Row-major [vocabSize, dimension]. */
export function randomTokenVectors(vocabSize: number, dimension: number, seed: number): Float32Array {
  const normal = gaussian(mulberry32(seed));
  const vectors = new Float32Array(vocabSize * dimension);
  for (let t = 0; t < vocabSize; t++) {
    const row = vectors.subarray(t * dimension, (t + 1) * dimension);
    let sq = 0;
    for (let d = 0; d < dimension; d++) {
      const x = normal();
      row[d] = x;
      sq += x * x;
    }
    const norm = Math.sqrt(sq);
    for (let d = 0; d < dimension; d++) row[d] = (row[d] ?? 0) / norm;
  }
  return vectors;
}

export interface InterimModelParts {
  readonly files: readonly CorpusFile[];
  readonly skipped: SkippedCounts;
  readonly windowTexts: readonly string[];
  readonly windowIds: readonly Int32Array[];
  readonly distinctWords: number;
  readonly wordOccurrences: number;
  readonly vocab: readonly string[];
  readonly tokenizerJson: object;
  readonly tokenIdsOf: TokenIdsOf;
  readonly mirrorChecked: number;
  readonly unkRate: number;
  readonly weights: Float32Array;
  readonly randomVectors: Float32Array;
  /** Doc comments and the code they document, from the corpus (for co-occurrence smoothing). */
  readonly documentedCode: readonly DocumentedCode[];
}

/** Reads the corpus and computes every part of the model except the final token vectors' smoothing. */
export function computeInterimModelParts(repoRoot: string): InterimModelParts {
  const settings = INTERIM_MODEL_SETTINGS;
  const { files, skipped } = readCorpus(repoRoot);
  const windowTexts = files.flatMap((f) => splitIntoWindows(f.text, settings.windowLines));
  const windowWords = windowTexts.map((text) => preTokenize(normalizeText(text)));

  const wordCounts = new Map<string, number>();
  for (const words of windowWords) for (const w of words) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const vocab = buildVocabulary(wordCounts, { ...settings, size: settings.vocabSize });
  const tokenizerJson = buildTokenizerJson(vocab);
  const tokenIdsOf = createMirrorTokenizer(vocab);
  const windowIds = windowTexts.map(tokenIdsOf);
  const mirrorChecked = checkMirror(tokenizerJson, windowTexts, tokenIdsOf);

  const totalTokens = windowIds.reduce((sum, ids) => sum + ids.length, 0);
  const unkTokens = windowIds.reduce((sum, ids) => sum + ids.filter((id) => id === UNK_ID).length, 0);
  return {
    files,
    skipped,
    windowTexts,
    windowIds,
    distinctWords: wordCounts.size,
    wordOccurrences: windowWords.reduce((sum, w) => sum + w.length, 0),
    vocab,
    tokenizerJson,
    tokenIdsOf,
    mirrorChecked,
    unkRate: unkTokens / Math.max(1, totalTokens),
    weights: inverseDocumentFrequency(windowIds, vocab.length),
    randomVectors: randomTokenVectors(vocab.length, settings.dimension, settings.seed),
    documentedCode: files.flatMap((f) => extractDocumentedCode(f.text)),
  };
}
