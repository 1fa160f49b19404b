// `npm run bench`: measures the engine on this machine and prints one JSON document.
//   embedding      chunks/s of the default model (tokenisation included), worker and thread counts
//   index1k        a 1,000-file tree from our dependency tree: files/s, peak RSS and JS heap, longest event-loop pause;
//                  then re-indexing it unchanged: seconds and model calls
//   scale          chunk tables of ≥10k and ≥100k rows: query latency p50/p95 of fresh queries (the headline:
//                  270 plain-language questions, each asked once, in a process that has served others), of
//                  repeated queries, and the
//                  peak RSS and JS heap while indexing up to each size (streaming keeps the heap flat)
// Corpus: every indexable source file in node_modules (our own dependency tree), copied into bench/.data.
// The scale tables index it in shards of 500 files, each as its own repository, until the table is large
// enough; repeated shards (second round) hit the embedding cache, which is realistic for forks and branches.
// Options: --quick (smaller sizes, for a smoke run), --keep (keep bench/.data).
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runSearch } from '#api/search-api.ts';
import { type IndexSummary, indexDirectory } from '#engine/indexing/indexer.ts';
import type { SearchMode } from '#engine/search/search.ts';
import type { SourceFile } from '#engine/types.ts';
import { type LocalServices, openLocalServices } from '../src/runtime/local-services.ts';
import { percentile, trackEventLoopPauses, trackPeakMemory } from './measure.ts';
import { readQuestions } from './retrieval/questions.ts';
import { indexableFiles, writeTree } from './trees.ts';

const quick = process.argv.includes('--quick');
const DATA = resolve(import.meta.dirname, '.data');
const NODE_MODULES = resolve(import.meta.dirname, '../node_modules');

const QUERIES = [
  'parse command line arguments',
  'retry a request after a failure',
  'convert a string to camel case',
  'read a file and return its contents',
  'compute a hash of the input',
  'validate an object against a schema',
  'encode a message to binary',
  'merge two sorted arrays',
  'format a number with thousands separators',
  'walk a directory recursively',
  'throw an error when the argument is invalid',
  'create a new instance of the class',
  'escape special characters in a regular expression',
  'cache the result of a function call',
  'compare two version strings',
  'decode base64 text',
  'serialize to JSON',
  'emit an event to listeners',
  'resolve a module path',
  'check whether a value is a plain object',
];

async function indexRepo(services: LocalServices, root: string, repo: string): Promise<IndexSummary> {
  for await (const event of indexDirectory(services.indexDeps, { root, repo })) {
    if (event.type === 'done') return event.summary;
  }
  throw new Error('indexing ended without a summary');
}

/** Latency of the same 20 queries asked round after round: LanceDB has read every page they touch before. */
async function latency(services: LocalServices, mode: SearchMode, rounds: number) {
  for (const query of QUERIES) await runSearch(services, { query, mode, limit: 10 }); // warm caches
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const query of QUERIES) {
      const started = performance.now();
      await runSearch(services, { query, mode, limit: 10 });
      times.push(performance.now() - started);
    }
  }
  return { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), queries: times.length };
}

/**
 * Latency of queries never asked before: every question of the plain-language benchmark
 * (`bench/retrieval/questions/`), each once, after the repeated queries warmed the process — as a search
 * function that has served other users meets a new question: its embedding and its candidates are its own,
 * and LanceDB's page caches hold what earlier queries read.
 */
async function freshLatency(services: LocalServices, mode: SearchMode, queries: readonly string[]) {
  for (const query of QUERIES) await runSearch(services, { query, mode, limit: 10 }); // warm the process
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await runSearch(services, { query, mode, limit: 10 });
    times.push(performance.now() - started);
  }
  return { p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), queries: times.length };
}

/** The plain-language benchmark's questions, distinct, split in two: one half per mode measured fresh. */
async function freshQueries(): Promise<[string[], string[]]> {
  const dir = resolve(import.meta.dirname, 'retrieval/questions');
  const all = new Set<string>();
  for (const file of (await readdir(dir)).sort()) {
    for (const q of await readQuestions(join(dir, file))) all.add(q.query);
  }
  const queries = [...all];
  return [queries.filter((_, i) => i % 2 === 0), queries.filter((_, i) => i % 2 === 1)];
}

async function benchEmbedding(services: LocalServices, files: readonly SourceFile[]) {
  const texts: string[] = [];
  for (const file of files) {
    if (texts.length >= (quick ? 1000 : 5000)) break;
    const input = { repo: 'bench', path: file.path, language: file.language, text: file.text };
    for (const chunk of await services.chunker.chunk(input)) {
      texts.push(`${chunk.path}\n${chunk.content}`);
    }
  }
  await services.embedder.embedDocuments(texts.slice(0, 64)); // warm the workers
  const started = performance.now();
  await services.embedder.embedDocuments(texts);
  const seconds = (performance.now() - started) / 1000;
  return { chunks: texts.length, chunksPerSecond: Math.round(texts.length / seconds) };
}

async function benchIndex1k(allFiles: readonly SourceFile[]) {
  const tree = join(DATA, 'tree-1k');
  await rm(tree, { recursive: true, force: true });
  // Every 6th file, so the tree spans many packages rather than the first few alphabetically.
  await writeTree(allFiles.filter((_, i) => i % 6 === 0).slice(0, 1000), tree);
  const services = await openLocalServices({ home: join(DATA, 'home-1k'), rebuild: true });
  try {
    const memory = trackPeakMemory();
    const pauses = trackEventLoopPauses();
    const started = performance.now();
    const first = await indexRepo(services, tree, 'bench/tree-1k');
    const seconds = (performance.now() - started) / 1000;
    const peak = memory.stop();
    const maxEventLoopPauseMs = pauses.stop();
    const callsBefore = services.embedder.stats.batches;
    const again = performance.now();
    const second = await indexRepo(services, tree, 'bench/tree-1k');
    return {
      files: first.filesScanned,
      chunks: first.chunksInRepo,
      seconds: Math.round(seconds * 100) / 100,
      filesPerSecond: Math.round(first.filesScanned / seconds),
      chunksEmbedded: first.chunksEmbedded,
      ...peak,
      maxEventLoopPauseMs,
      reindexUnchanged: {
        seconds: Math.round((performance.now() - again) / 10) / 100,
        modelCalls: services.embedder.stats.batches - callsBefore,
        filesUnchanged: second.filesUnchanged,
      },
    };
  } finally {
    await services.close();
  }
}

/** Indexes shards (each its own repository) until the table holds `target` chunks. */
async function growTo(
  services: LocalServices,
  target: number,
  shards: readonly string[],
  state: { next: number },
) {
  const memory = trackPeakMemory();
  const pauses = trackEventLoopPauses();
  const started = performance.now();
  let chunks = await services.store.countChunks();
  while (chunks < target) {
    const round = Math.floor(state.next / shards.length);
    const shard = shards[state.next % shards.length] as string;
    state.next++;
    await indexRepo(services, shard, `bench/${round}-${shard.split('/').pop()}`);
    chunks = await services.store.countChunks();
  }
  await services.store.optimize();
  return {
    chunks,
    indexSeconds: Math.round((performance.now() - started) / 10) / 100,
    ...memory.stop(),
    maxEventLoopPauseMs: pauses.stop(),
  };
}

async function benchScale(allFiles: readonly SourceFile[]) {
  const shards: string[] = [];
  for (let i = 0; i * SHARD_FILES < allFiles.length; i++) {
    const dir = join(DATA, 'shards', `shard-${String(i).padStart(2, '0')}`);
    await rm(dir, { recursive: true, force: true });
    await writeTree(allFiles.slice(i * SHARD_FILES, (i + 1) * SHARD_FILES), dir);
    shards.push(dir);
  }
  const services = await openLocalServices({ home: join(DATA, 'home-scale'), rebuild: true });
  const state = { next: 0 };
  const out: Record<string, unknown> = {};
  const [freshHybrid, freshVector] = await freshQueries();
  // Each size meets questions no earlier size asked: the halves of the question set, cut again per size.
  const sizes = quick ? [2_000, 10_000] : [10_000, 100_000];
  try {
    for (const [s, target] of sizes.entries()) {
      const grown = await growTo(services, target, shards, state);
      const own = (queries: readonly string[]) => queries.filter((_, i) => i % sizes.length === s);
      out[`${Math.round(target / 1000)}k`] = {
        ...grown,
        hybridFresh: await freshLatency(services, 'hybrid', own(freshHybrid)),
        vectorFresh: await freshLatency(services, 'vector', own(freshVector)),
        hybrid: await latency(services, 'hybrid', quick ? 2 : 5),
        vector: await latency(services, 'vector', quick ? 2 : 5),
        keyword: await latency(services, 'keyword', quick ? 2 : 5),
      };
    }
    return out;
  } finally {
    await services.close();
  }
}

const SHARD_FILES = 500;

await mkdir(DATA, { recursive: true });
const allFiles = await indexableFiles(NODE_MODULES);
const services = await openLocalServices({ home: join(DATA, 'home-embed'), rebuild: true });
const embedding = {
  ...(await benchEmbedding(services, allFiles)),
  model: services.embedder.modelId,
  corpusFiles: allFiles.length,
};
await services.close();
const index1k = await benchIndex1k(allFiles);
const scale = await benchScale(allFiles);
if (!process.argv.includes('--keep')) await rm(DATA, { recursive: true, force: true });

const { cpus, totalmem } = await import('node:os');
console.log(
  JSON.stringify(
    {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGb: Math.round(totalmem() / 1e9),
        node: process.version,
      },
      embedding,
      index1k,
      scale,
    },
    null,
    2,
  ),
);
