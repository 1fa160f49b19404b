/**
 * The last step of `npm run train:model`: the exported model scored by the dev benchmarks
 * (`npm run bench:retrieval`, bench/retrieval/README.md) — plain-language questions and doc → code over
 * whole repositories none of the training data comes from — in a child process, as a user would run it.
 * Report only: nothing here feeds back into training.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface ModeScores {
  readonly queries: number;
  readonly mrr10: Readonly<Record<'bm25' | 'hybrid' | 'vector' | 'keyword', number>>;
  readonly overBm25: Readonly<Record<'hybrid' | 'vector' | 'keyword', number>>;
}

export interface RetrievalReport {
  readonly all: ModeScores;
  readonly byLanguage: Readonly<Record<string, ModeScores>>;
  readonly byKind: Readonly<Record<string, ModeScores>>;
  readonly docToCode: {
    readonly all: ModeScores;
    readonly byLanguage: Readonly<Record<string, ModeScores>>;
    readonly byRepository: Readonly<Record<string, ModeScores>>;
    readonly hybridBelowBestMode: readonly string[];
  };
}

export async function runRetrievalBench(repoRoot: string, modelDir: string): Promise<RetrievalReport> {
  const { stdout } = await run(
    process.execPath,
    [join(repoRoot, 'bench/retrieval/run.ts'), '--model', modelDir],
    { cwd: repoRoot, maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout) as RetrievalReport;
}

const f3 = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));

/** The data card's table of a report: MRR@10 per group, each mode also as a multiple of BM25's. */
export function retrievalTable(groups: Readonly<Record<string, ModeScores>>): string {
  const rows = Object.entries(groups).map(
    ([name, g]) =>
      `| ${name} | ${g.queries} | ${f3(g.mrr10.bm25)} | ${f3(g.mrr10.hybrid)} (${g.overBm25.hybrid}×) | ${f3(g.mrr10.vector)} (${g.overBm25.vector}×) | ${f3(g.mrr10.keyword)} (${g.overBm25.keyword}×) |`,
  );
  return [
    '| | queries | BM25 | hybrid | vector | keyword |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** The section of DATA_CARD.md that reports the benchmarks. */
export function retrievalSection(report: RetrievalReport): string {
  return `## Dev benchmarks (\`npm run bench:retrieval\`)
Scored after export, on repositories none of the training data comes from (bench/retrieval/README.md): MRR@10
of every search mode and, in brackets, as a multiple of plain BM25 over 40-line windows on the same corpus.

Plain-language questions (written by reading the code), by language and by kind:

${retrievalTable({ all: report.all, ...report.byLanguage })}

${retrievalTable(report.byKind)}

Doc → code (each definition's doc comment the query, doc comments blanked from the indexed repository):

${retrievalTable({ all: report.docToCode.all, ...report.docToCode.byRepository })}

Hybrid below the better of vector and keyword on: ${report.docToCode.hybridBelowBestMode.join(', ') || 'no repository'}.
`;
}
