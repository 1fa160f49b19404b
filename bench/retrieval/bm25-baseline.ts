/**
 * The keyword baseline every mode is compared with: plain BM25 (k1 1.2, b 0.75) over fixed 40-line windows
 * that overlap by 10, with the same hit rule as the engine's scores — what a user gets from an
 * Elasticsearch-style keyword index over a repository. Tokens are identifiers and numbers, lower-cased;
 * `splitIdentifiers` also adds the parts of `snake_case` and `camelCase` words.
 *
 * It reads the source files of every language the engine chunks (by extension), nothing else.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Question } from './questions.ts';
import { type RankScores, scoreRanks } from './scores.ts';

const CODE = /\.(js|mjs|cjs|ts|tsx|jsx|py|go|rs|java|rb|c|h|cc|cpp|hpp|cs|php)$/;

/** Windows of 40 lines overlapping by 10, what an Elasticsearch-style index over the repository would hold. */
const WINDOW_LINES = 40;
const OVERLAP_LINES = 10;

interface Window {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly length: number;
  readonly tf: Map<string, number>;
}

export function bm25Tokens(text: string, splitIdentifiers = false): string[] {
  const out: string[] = [];
  for (const word of text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+/g) ?? []) {
    out.push(word.toLowerCase());
    if (splitIdentifiers) {
      const parts = word.split(/_|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);
      if (parts.length > 1) out.push(...parts.map((part) => part.toLowerCase()));
    }
  }
  return out;
}

/** BM25 over the windows of every code file under `corpus`; each question ranked over the whole corpus. */
export async function scoreBm25(
  corpus: string,
  questions: readonly Pick<Question, 'query' | 'path' | 'line'>[],
): Promise<RankScores & { windows: number; ranks: (number | undefined)[] }> {
  const windowLines = WINDOW_LINES;
  const step = WINDOW_LINES - OVERLAP_LINES;
  const windows: Window[] = [];
  for (const path of (await listFiles(corpus)).filter((file) => CODE.test(file)).sort()) {
    const lines = (await readFile(join(corpus, path), 'utf8')).split('\n');
    for (let start = 0; start < Math.max(1, lines.length); start += step) {
      const end = Math.min(lines.length, start + windowLines);
      const tokens = bm25Tokens(lines.slice(start, end).join('\n'));
      const tf = new Map<string, number>();
      for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
      windows.push({ path, start: start + 1, end, length: tokens.length, tf });
      if (end >= lines.length) break;
    }
  }
  const documentFrequency = new Map<string, number>();
  const postings = new Map<string, number[]>();
  windows.forEach((window, i) => {
    for (const token of window.tf.keys()) {
      documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
      const list = postings.get(token);
      if (list) list.push(i);
      else postings.set(token, [i]);
    }
  });
  const n = windows.length;
  const averageLength = windows.reduce((sum, window) => sum + window.length, 0) / n;
  const k1 = 1.2;
  const b = 0.75;
  const ranks = questions.map((question) => {
    const scores = new Map<number, number>();
    for (const token of new Set(bm25Tokens(question.query))) {
      const df = documentFrequency.get(token);
      if (df === undefined) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const i of postings.get(token) ?? []) {
        const window = windows[i] as Window;
        const tf = window.tf.get(token) ?? 0;
        const score = (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * window.length) / averageLength));
        scores.set(i, (scores.get(i) ?? 0) + score);
      }
    }
    // Highest score first; equal scores in the order the windows were first scored (as Python's Counter).
    const top = [...scores].sort((x, y) => y[1] - x[1]).slice(0, 10);
    const rank = top.findIndex(([i]) => {
      const window = windows[i] as Window;
      return window.path === question.path && window.start <= question.line && question.line <= window.end;
    });
    return rank === -1 ? undefined : rank + 1;
  });
  return { ...scoreRanks(ranks), windows: n, ranks };
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  await walk(root);
  return out;
}
