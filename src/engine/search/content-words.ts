/**
 * The words a query, a path or a list of definition names is about, for the hybrid ranker's overlap features:
 * identifiers split into their parts (`retryFailedUpload` → retry, failed, upload), lower-cased, without
 * one-letter words and common English function words, and reduced by a few plural and tense suffixes so
 * that "uploads", "uploaded" and "uploading" meet "upload". Deliberately crude: the ranker only asks how much
 * of a query a chunk's names and path cover, and learns how much that matters.
 */
import { splitIdentifier } from './terms.ts';

const WORD = /[A-Za-z][A-Za-z0-9]*|[0-9]+/g;

/** Words that say nothing about which code is meant. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can do does for from has have if in into is it its may must no not of ' +
    'on or should so such that the their then there these this those to was were when where whether which ' +
    'will with would'
  ).split(' '),
);

/**
 * `uploads`, `uploaded`, `uploading` → `upload`; `parses`, `parsed`, `parsing`, `parse` → `pars`; `retries`,
 * `retried` → `retry`. A few suffix rules (plural or third person, past, gerund, then a silent final e), each
 * applied only when three letters remain: crude, but the same word in two forms comes out the same.
 */
export function stemWord(word: string): string {
  const keep = (stem: string) => stem.length >= 3;
  let w = word;
  if (/(?:ies|ied)$/.test(w) && keep(w.slice(0, -3))) return `${w.slice(0, -3)}y`;
  if (w.endsWith('s') && !w.endsWith('ss') && keep(w.slice(0, -1))) w = w.slice(0, -1);
  if (w.endsWith('ing') && keep(w.slice(0, -3))) w = w.slice(0, -3);
  else if (w.endsWith('ed') && keep(w.slice(0, -2))) w = w.slice(0, -2);
  if (w.endsWith('e') && keep(w.slice(0, -1))) w = w.slice(0, -1);
  return w;
}

/**
 * The distinct content words of `text`.
 * @example contentWords('Retries failed uploads') // Set { 'retry', 'fail', 'upload' }
 */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const match of text.matchAll(WORD)) {
    for (const part of splitIdentifier(match[0])) {
      if (part.length < 2 || STOP_WORDS.has(part)) continue;
      words.add(stemWord(part));
    }
  }
  return words;
}

/** The share of `query`'s words that `other` holds (0 for a query without content words). */
export function coverage(query: ReadonlySet<string>, other: ReadonlySet<string>): number {
  if (query.size === 0) return 0;
  let found = 0;
  for (const word of query) if (other.has(word)) found++;
  return found / query.size;
}
