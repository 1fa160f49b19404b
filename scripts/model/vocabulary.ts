/**
 * Chooses a WordPiece vocabulary from word frequencies. Not the full WordPiece training algorithm — a
 * frequency heuristic that suits identifiers: after camelCase/snake_case splitting most code words are
 * ordinary words, so the frequent ones become whole tokens, and rarer compounds ("readdir", "typeof")
 * decompose into a known word plus "##" continuations chosen by how often greedy tokenisation needs them.
 */
import { CONTINUATION_PREFIX, SPECIAL_TOKENS, wordPiece } from './tokenizer-spec.ts';

export interface VocabularyOptions {
  /** Total size, specials included. */
  readonly size: number;
  /** Entries reserved for "##" continuation pieces beyond single characters. */
  readonly continuationBudget: number;
  /** A character needs this many occurrences (across word occurrences) to get its own token. */
  readonly minCharCount: number;
  /** A word needs this many occurrences to be a whole-word token. */
  readonly minWordCount: number;
  /** Longest whole-word token, in characters. */
  readonly maxWordLength: number;
}

/** Common English suffixes, offered as continuation candidates next to whole words. */
const SUFFIXES = [
  's',
  'es',
  'ed',
  'er',
  'ers',
  'ing',
  'ings',
  'ly',
  'able',
  'ment',
  'ness',
  'tion',
  'ize',
  'ify',
];

const isPunctuation = (c: string) => /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u.test(c);
const byCountThenText = (a: [string, number], b: [string, number]) =>
  b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Builds the vocabulary; deterministic for a given `wordCounts` (ties broken by code-unit order). */
export function buildVocabulary(
  wordCounts: ReadonlyMap<string, number>,
  options: VocabularyOptions,
): string[] {
  const vocab: string[] = [...SPECIAL_TOKENS];
  const inVocab = new Set<string>(vocab);
  const add = (token: string) => {
    if (!inVocab.has(token)) {
      inVocab.add(token);
      vocab.push(token);
    }
  };

  // 1. Characters: every ASCII letter/digit/symbol, plus frequent non-ASCII ones, so that almost any word
  //    can be spelled out rather than becoming [UNK].
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    for (const c of word) charCounts.set(c, (charCounts.get(c) ?? 0) + count);
  }
  for (let code = 0x21; code < 0x7f; code++) {
    const c = String.fromCharCode(code);
    if (c.toLowerCase() === c) charCounts.set(c, Math.max(charCounts.get(c) ?? 0, options.minCharCount));
  }
  const chars = [...charCounts]
    .filter(([c, n]) => n >= options.minCharCount && !/\s/u.test(c))
    .map(([c]) => c)
    .sort();
  for (const c of chars) add(c);
  for (const c of chars) if (!isPunctuation(c)) add(CONTINUATION_PREFIX + c);

  // 2. Whole words, most frequent first.
  const wordBudget = options.size - vocab.length - options.continuationBudget;
  const words = [...wordCounts]
    .filter(
      ([w, n]) => n >= options.minWordCount && [...w].length >= 2 && [...w].length <= options.maxWordLength,
    )
    .sort(byCountThenText)
    .slice(0, wordBudget)
    .map(([w]) => w);
  for (const w of words) add(w);

  // 3. Continuations: tokenise the remaining words greedily with every word/suffix allowed as a "##" piece and
  //    keep the pieces that were used most.
  const candidates = new Set(inVocab);
  for (const w of [...words, ...SUFFIXES]) candidates.add(CONTINUATION_PREFIX + w);
  const pieceCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    if (inVocab.has(word)) continue;
    for (const piece of wordPiece(word, candidates)) {
      if (piece.startsWith(CONTINUATION_PREFIX) && !inVocab.has(piece)) {
        pieceCounts.set(piece, (pieceCounts.get(piece) ?? 0) + count);
      }
    }
  }
  const pieces = [...pieceCounts].sort(byCountThenText).slice(0, options.size - vocab.length);
  for (const [piece] of pieces) add(piece);

  // Fill any remaining room with the next most frequent words.
  if (vocab.length < options.size) {
    for (const [w, n] of [...wordCounts].sort(byCountThenText)) {
      if (vocab.length >= options.size) break;
      if (n >= options.minWordCount && [...w].length <= options.maxWordLength) add(w);
    }
  }
  return vocab;
}
