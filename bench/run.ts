// `npm run bench`: measures the engine on this machine and prints one JSON document.
//   embedding      chunks/s of the default model (tokenisation included), worker and thread counts
//   index1k        a 1,000-file tree from our dependency tree: files/s, peak RSS, longest event-loop pause;
//                  then re-indexing it unchanged: seconds and model calls
//   scale          chunk tables of ≥10k and ≥100k rows: warm hybrid/vector/keyword latency p50/p95, and the
//                  peak RSS while indexing up to each size (streaming keeps it flat)
// Options: --quick (smaller sizes, for a smoke run), --keep (keep bench/.data).
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runSearch } from '#api/search-api.ts';
import { type IndexSummary, indexDirectory } from '#engine/indexing/indexer.ts';
import type { SearchMode } from '#engine/search/search.ts';
import { type LocalServices, openLocalServices } from '../src/runtime/local-services.ts';
import { percentile, trackEventLoopPauses, trackPeakRss } from './measure.ts';
import { copyTree, listSourceFiles } from './trees.ts';

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

async function benchEmbedding(services: LocalServices, files: readonly string[]) {
  const { readFile } = await import('node:fs/promises');
  const texts: string[] = [];
  for (const file of files) {
    if (texts.length >= (quick ? 1000 : 5000)) break;
    const text = await readFile(file, 'utf8');
    for (const chunk of services.chunker.chunk({ repo: 'bench', path: file, language: 'javascript', text })) {
      texts.push(`${chunk.path}\n${chunk.content}`);
    }
  }
  await services.embedder.embedDocuments(texts.slice(0, 64)); // warm the workers
  const started = performance.now();
  await services.embedder.embedDocuments(texts);
  const seconds = (performance.now() - started) / 1000;
  return { chunks: texts.length, chunksPerSecond: Math.round(texts.length / seconds) };
}

async function benchIndex1k(allFiles: readonly string[]) {
  const tree = join(DATA, 'tree-1k');
  await rm(tree, { recursive: true, force: true });
  await copyTree(allFiles.slice(0, 1000), NODE_MODULES, tree);
  const services = await openLocalServices({ home: join(DATA, 'home-1k'), rebuild: true });
  try {
    const rss = trackPeakRss();
    const pauses = trackEventLoopPauses();
    const started = performance.now();
    const first = await indexRepo(services, tree, 'bench/tree-1k');
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = rss.stop();
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
      peakRssMb,
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

/** Indexes copies of the dependency tree as separate repositories until the table holds `target` chunks. */
async function growTo(services: LocalServices, target: number, tree: string, state: { copies: number }) {
  const rss = trackPeakRss();
  const pauses = trackEventLoopPauses();
  const started = performance.now();
  let chunks = await services.store.countChunks();
  while (chunks < target) {
    const summary = await indexRepo(services, tree, `bench/copy-${state.copies++}`);
    chunks = await services.store.countChunks();
    if (summary.chunksWritten === 0) throw new Error('benchmark tree produced no chunks');
  }
  await services.store.optimize();
  return {
    chunks,
    indexSeconds: Math.round((performance.now() - started) / 10) / 100,
    peakRssMb: rss.stop(),
    maxEventLoopPauseMs: pauses.stop(),
  };
}

async function benchScale(allFiles: readonly string[]) {
  const tree = join(DATA, 'tree-all');
  await rm(tree, { recursive: true, force: true });
  await copyTree(allFiles, NODE_MODULES, tree);
  const services = await openLocalServices({ home: join(DATA, 'home-scale'), rebuild: true });
  const state = { copies: 0 };
  const out: Record<string, unknown> = {};
  try {
    for (const target of quick ? [2_000, 10_000] : [10_000, 100_000]) {
      const grown = await growTo(services, target, tree, state);
      out[`${Math.round(target / 1000)}k`] = {
        ...grown,
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

await mkdir(DATA, { recursive: true });
const allFiles = await listSourceFiles(NODE_MODULES);
const services = await openLocalServices({ home: join(DATA, 'home-embed'), rebuild: true });
const embedding = { ...(await benchEmbedding(services, allFiles)), model: services.embedder.modelId };
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
