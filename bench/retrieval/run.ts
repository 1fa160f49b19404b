// `npm run bench:retrieval`: the natural-language dev benchmark (bench/retrieval/README.md). Fetches the pinned
// repositories (once), checks every question's answer against the code, indexes the repositories whole with
// the real engine and the bundled model, and scores every search mode and the BM25 baseline, per repository,
// per language and per kind of question. Then the doc → code benchmark (doc-to-code.ts) on the same
// repositories and the `docOnly` ones, doc comments blanked. Prints one JSON document.
//   --model DIR   another model folder   --keep   keep the index (bench/.data/retrieval/home)
//   --details FILE   also write every question's ranks and each mode's first three results (JSON lines)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSearch } from '#api/search-api.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import type { SearchMode } from '#engine/search/search.ts';
import { openLocalServices } from '../../src/runtime/local-services.ts';
import { answerProblems } from './answers.ts';
import { scoreBm25 } from './bm25-baseline.ts';
import { ensureCorpus, readAllSources } from './corpora.ts';
import { buildDocBenchmark, type DocQuery } from './doc-to-code.ts';
import { QUESTION_KINDS, type Question, readQuestions } from './questions.ts';
import { type RankScores, rankOfAnswer, scoreRanks } from './scores.ts';

const HERE = import.meta.dirname;
const DATA = resolve(HERE, '../.data/retrieval');
const MODES: readonly SearchMode[] = ['hybrid', 'vector', 'keyword'];
const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};

interface Scored {
  readonly repo: string;
  readonly language: string;
  readonly question: Question;
  /** Rank of the answer per mode (undefined: not in the first ten), and BM25's. */
  readonly ranks: Readonly<Record<SearchMode | 'bm25', number | undefined>>;
  /** Each mode's first three results, `path:startLine-endLine`, for reading what beat the answer. */
  readonly top: Readonly<Record<SearchMode, readonly string[]>>;
}

const { repositories, docOnly } = await readAllSources(join(HERE, 'sources.json'));
const corpora = new Map<string, string>();
const questions = new Map<string, Question[]>();
for (const repo of repositories) {
  const corpus = await ensureCorpus(repo, DATA);
  corpora.set(repo.name, corpus);
  const file = join(HERE, 'questions', `${repo.name}.jsonl`);
  const asked = await readQuestions(file);
  const problems = await answerProblems(corpus, file, asked);
  if (problems.length > 0) throw new Error(`answers that do not check out:\n${problems.join('\n')}`);
  questions.set(repo.name, asked);
}

const home = process.argv.includes('--keep')
  ? join(DATA, 'home')
  : await mkdtemp(join(tmpdir(), 'codesearch-nl-'));
const services = await openLocalServices({ home, modelDir: argument('--model') });
const scored: Scored[] = [];
try {
  const indexing: Record<string, unknown> = {};
  for (const repo of repositories) {
    for await (const event of indexDirectory(services.indexDeps, {
      root: corpora.get(repo.name) as string,
      repo: repo.name,
    }))
      if (event.type === 'done')
        indexing[repo.name] = { files: event.summary.filesScanned, chunks: event.summary.chunksInRepo };
  }
  /** Each query's rank in BM25 over `corpus` and in every mode over the indexed repository `indexed`. */
  const scoreQueries = async (
    repo: { name: string; language: string },
    corpus: string,
    indexed: string,
    asked: readonly Question[],
  ): Promise<Scored[]> => {
    const { ranks: bm25 } = await scoreBm25(corpus, asked);
    const out: Scored[] = [];
    for (const [i, question] of asked.entries()) {
      const ranks: Record<string, number | undefined> = { bm25: bm25[i] };
      const top = {} as Record<SearchMode, string[]>;
      for (const mode of MODES) {
        const { results } = await runSearch(services, {
          query: question.query,
          repo: indexed,
          mode,
          limit: 10,
        });
        ranks[mode] = rankOfAnswer(results, question);
        top[mode] = results.slice(0, 3).map((r) => `${r.path}:${r.startLine}-${r.endLine}`);
      }
      out.push({ repo: repo.name, language: repo.language, question, ranks: ranks as Scored['ranks'], top });
    }
    return out;
  };
  for (const repo of repositories) {
    const corpus = corpora.get(repo.name) as string;
    scored.push(...(await scoreQueries(repo, corpus, repo.name, questions.get(repo.name) ?? [])));
  }
  // Doc → code: every repository again, its doc comments blanked, each definition's doc comment the query.
  const docScored: Scored[] = [];
  for (const repo of [...repositories, ...docOnly]) {
    const corpus = corpora.get(repo.name) ?? (await ensureCorpus(repo, DATA));
    const blanked = join(DATA, 'doc', repo.name);
    const asked: DocQuery[] = await buildDocBenchmark(corpus, blanked);
    const name = `doc-${repo.name}`;
    for await (const event of indexDirectory(services.indexDeps, { root: blanked, repo: name }))
      if (event.type === 'done')
        indexing[name] = {
          files: event.summary.filesScanned,
          chunks: event.summary.chunksInRepo,
          queries: asked.length,
        };
    const docQuestions = asked.map((doc): Question => ({ ...doc, symbol: '', kind: 'describe' }));
    docScored.push(...(await scoreQueries(repo, blanked, name, docQuestions)));
  }
  process.stdout.write(`${JSON.stringify(report(scored, docScored, indexing), null, 2)}\n`);
  const details = argument('--details');
  if (details)
    await writeFile(details, [...scored, ...docScored].map((item) => `${JSON.stringify(item)}\n`).join(''));
} finally {
  await services.close();
  if (!process.argv.includes('--keep')) await rm(home, { recursive: true, force: true });
}

function report(
  all: readonly Scored[],
  docs: readonly Scored[],
  indexing: Record<string, unknown>,
): Record<string, unknown> {
  const group = (items: readonly Scored[]) => {
    const scores = Object.fromEntries(
      (['bm25', ...MODES] as const).map((mode) => [mode, scoreRanks(items.map((item) => item.ranks[mode]))]),
    ) as Record<SearchMode | 'bm25', RankScores>;
    const ratio = (mode: SearchMode): number =>
      scores.bm25.mrr10 === 0 ? 0 : Math.round((scores[mode].mrr10 / scores.bm25.mrr10) * 100) / 100;
    return {
      queries: items.length,
      mrr10: Object.fromEntries(Object.entries(scores).map(([mode, s]) => [mode, s.mrr10])),
      recall10: Object.fromEntries(Object.entries(scores).map(([mode, s]) => [mode, s.recall10])),
      overBm25: { hybrid: ratio('hybrid'), vector: ratio('vector'), keyword: ratio('keyword') },
    };
  };
  const by = (items: readonly Scored[], key: (item: Scored) => string) =>
    Object.fromEntries(
      [...new Set(items.map(key))]
        .sort()
        .map((value) => [value, group(items.filter((item) => key(item) === value))]),
    );
  const docRepositories = by(docs, (item) => item.repo) as Record<string, ReturnType<typeof group>>;
  return {
    benchmark: 'natural-language questions and doc → code (bench/retrieval)',
    model: services.embedder.modelId,
    indexing,
    all: group(all),
    byLanguage: by(all, (item) => item.language),
    byKind: Object.fromEntries(
      QUESTION_KINDS.map((kind) => [kind, group(all.filter((item) => item.question.kind === kind))]),
    ),
    byRepository: by(all, (item) => item.repo),
    docToCode: {
      all: group(docs),
      byLanguage: by(docs, (item) => item.language),
      byRepository: docRepositories,
      // The bar: hybrid at least as good as the better single mode on every repository.
      hybridBelowBestMode: Object.entries(docRepositories)
        .filter(([, g]) => (g.mrr10.hybrid ?? 0) < Math.max(g.mrr10.vector ?? 0, g.mrr10.keyword ?? 0))
        .map(([name]) => name),
    },
  };
}
