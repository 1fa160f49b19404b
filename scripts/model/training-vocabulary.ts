/**
 * A WordPiece vocabulary shared by every language of the training data, chosen from the words of the
 * training pairs themselves (queries and code), with IDF weights over the code sides to start the token
 * weights from. The interim model's vocabulary was chosen from JavaScript and TypeScript only.
 */
import {
  checkMirror,
  createMirrorTokenizer,
  inverseDocumentFrequency,
  type TokenIdsOf,
} from './interim-model.ts';
import { buildTokenizerJson, normalizeText, preTokenize, SPECIAL_TOKENS } from './tokenizer-spec.ts';
import { buildVocabulary } from './vocabulary.ts';

export interface TrainingVocabulary {
  readonly vocab: readonly string[];
  readonly tokenIdsOf: TokenIdsOf;
  /** Initial token weights: IDF over the code texts. */
  readonly weights: Float32Array;
  readonly distinctWords: number;
  /** Samples checked against @huggingface/tokenizers. */
  readonly mirrorChecked: number;
  readonly unkRate: number;
}

/**
 * @param code the code side of every pair (documents for IDF)
 * @param queries every query (their words count for the vocabulary, not for IDF)
 */
export function buildTrainingVocabulary(
  code: readonly string[],
  queries: readonly string[],
  size: number,
): TrainingVocabulary {
  const counts = new Map<string, number>();
  for (const text of [...code, ...queries])
    for (const word of preTokenize(normalizeText(text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  const vocab = buildVocabulary(counts, {
    size,
    continuationBudget: Math.round(size * 0.15),
    minCharCount: 50,
    minWordCount: 3,
    maxWordLength: 24,
  });
  const tokenIdsOf = createMirrorTokenizer(vocab);
  const ids = code.map(tokenIdsOf);
  const unk = SPECIAL_TOKENS.indexOf('[UNK]');
  let total = 0;
  let unknown = 0;
  for (const list of ids) {
    total += list.length;
    for (const id of list) if (id === unk) unknown++;
  }
  const sample = code.filter((_, i) => i % 50 === 0);
  return {
    vocab,
    tokenIdsOf,
    weights: inverseDocumentFrequency(ids, vocab.length),
    distinctWords: counts.size,
    mirrorChecked: checkMirror(buildTokenizerJson(vocab), sample, tokenIdsOf),
    unkRate: unknown / Math.max(1, total),
  };
}
