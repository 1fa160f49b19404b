import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerProblems } from '../../../bench/retrieval/answers.ts';
import { bm25Tokens, scoreBm25 } from '../../../bench/retrieval/bm25-baseline.ts';
import { readSources } from '../../../bench/retrieval/corpora.ts';
import { QUESTION_KINDS, type Question, readQuestions } from '../../../bench/retrieval/questions.ts';
import { rankOfAnswer, scoreRanks } from '../../../bench/retrieval/scores.ts';
import { useTempDirs } from '../../helpers/temp-dir.ts';

const BENCH = resolve(import.meta.dirname, '../../../bench/retrieval');
const tempDir = useTempDirs();

const question = (query: string, path: string, line: number, symbol = 'x'): Question => ({
  query,
  path,
  line,
  symbol,
  kind: 'behaviour',
});

describe('retrieval benchmark scores', () => {
  it('scores MRR@10 and recall from ranks, ignoring ranks past ten', () => {
    expect(scoreRanks([1, 2, undefined, 11])).toEqual({
      queries: 4,
      mrr10: 0.375,
      recall1: 0.25,
      recall10: 0.5,
    });
    expect(scoreRanks([])).toEqual({ queries: 0, mrr10: 0, recall1: 0, recall10: 0 });
  });

  it('counts a hit only for a result of the answer file whose lines hold the answer line', () => {
    const results = [
      { path: 'b.py', startLine: 1, endLine: 50 },
      { path: 'a.py', startLine: 1, endLine: 9 },
      { path: 'a.py', startLine: 10, endLine: 20 },
    ];
    expect(rankOfAnswer(results, { path: 'a.py', line: 10 })).toBe(3);
    expect(rankOfAnswer(results, { path: 'a.py', line: 21 })).toBeUndefined();
  });
});

describe('BM25 baseline', () => {
  it('tokenises identifiers and numbers, lower-cased, optionally with their snake and camel parts', () => {
    expect(bm25Tokens('parseShortArg(x_1, 42)')).toEqual(['parseshortarg', 'x_1', '42']);
    expect(bm25Tokens('parseShortArg snake_case', true)).toEqual([
      'parseshortarg',
      'parse',
      'short',
      'arg',
      'snake_case',
      'snake',
      'case',
    ]);
  });

  it('ranks the window with the rare query words first, over overlapping windows of code files only', async () => {
    const corpus = await tempDir();
    const filler = Array.from({ length: 60 }, (_, i) => `common_word = ${i}`);
    const lines = [...filler];
    lines[44] = 'def retry_upload(): backoff jitter';
    await writeFile(join(corpus, 'a.py'), lines.join('\n'));
    await writeFile(join(corpus, 'b.py'), filler.join('\n'));
    // Not code: never a window, whatever it says.
    await writeFile(join(corpus, 'notes.txt'), 'retry_upload backoff jitter '.repeat(20));
    const scored = await scoreBm25(corpus, [
      question('retry_upload backoff jitter', 'a.py', 45),
      question('retry_upload backoff jitter', 'b.py', 1),
      question('nothing matches this', 'a.py', 1),
    ]);
    // 60 lines in windows of 40 stepping 30: lines 1-40 and 31-60 per file.
    expect(scored.windows).toBe(4);
    expect(scored.ranks).toEqual([1, undefined, undefined]);
    expect(scored.mrr10).toBeCloseTo(1 / 3, 4);
  });
});

describe('benchmark questions', () => {
  it('refuses a question line that is not a question, naming the file and line', async () => {
    const file = join(await tempDir(), 'q.jsonl');
    await writeFile(file, `${JSON.stringify(question('where is x?', 'a.py', 3))}\n{"query":"no path"}\n`);
    await expect(readQuestions(file)).rejects.toThrow(/q\.jsonl:2: /);
    await writeFile(file, 'not json\n');
    await expect(readQuestions(file)).rejects.toThrow(/q\.jsonl:1: not JSON/);
  });

  it('every committed question file parses, has a pinned source and uses every kind', async () => {
    const sources = await readSources(join(BENCH, 'sources.json'));
    const files = (await readdir(join(BENCH, 'questions'))).filter((name) => name.endsWith('.jsonl')).sort();
    expect(files).toEqual(sources.map((source) => `${source.name}.jsonl`).sort());
    for (const file of files) {
      const asked = await readQuestions(join(BENCH, 'questions', file));
      expect(asked.length, file).toBeGreaterThanOrEqual(30);
      expect(new Set(asked.map((q) => q.kind)), file).toEqual(new Set(QUESTION_KINDS));
      expect(new Set(asked.map((q) => q.query)).size, `${file} repeats a query`).toBe(asked.length);
    }
  });

  it('accepts an answer at the definition line and names where a misplaced one really is', async () => {
    const corpus = await tempDir();
    await mkdir(join(corpus, 'pkg'));
    const source = ['import os', '', 'def load(path):', '    return os.path', '', 'TABLE = build()', ''].join(
      '\n',
    );
    await writeFile(join(corpus, 'pkg/m.py'), source);
    const problems = await answerProblems(corpus, 'q.jsonl', [
      question('q1', 'pkg/m.py', 3, 'load'),
      question('q2', 'pkg/m.py', 6, 'TABLE'),
      question('q3', 'pkg/m.py', 4, 'load'),
      question('q4', 'pkg/missing.py', 1, 'load'),
    ]);
    expect(problems).toEqual([
      'q.jsonl:3: pkg/m.py:4 is not where load is defined (it is at line 3)',
      'q.jsonl:4: no file pkg/missing.py',
    ]);
  });
});
