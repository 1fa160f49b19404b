/**
 * Embedding throughput of a model directory on realistic code chunks: 40-line pieces of the JS/TS files
 * that ship in node_modules (TypeScript's lib .d.ts files, vite, vitest, @types/node…).
 *
 *   node_modules/.bin/node scripts/bench-embedding.ts [--chunks 5000] [--workers N] [--threads N]
 *                                                    [--batch 32] [--model DIR] [--json]
 *
 * Prints chunks/s for one cold pass (worker start-up excluded) and the longest main-thread pause seen
 * while embedding, which should stay near the timer resolution because inference runs in workers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR, usableCpuCount } from '../src/engine/embedding/index.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Directories read in this order until enough chunks are collected. */
const CHUNK_SOURCES = [
  'node_modules/@typescript/typescript-linux-x64/lib',
  'node_modules/vite/dist',
  'node_modules/vitest/dist',
  'node_modules/@types/node',
  'node_modules/rolldown/dist',
];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...listFiles(full));
    else if (entry.isFile() && /\.(?:[cm]?js|[cm]?ts)$/.test(entry.name) && statSync(full).size < 5_000_000) {
      out.push(full);
    }
  }
  return out;
}

/** Non-overlapping 40-line chunks, skipping near-empty ones, until `count` are collected. */
export function collectChunks(count: number, lines = 40): string[] {
  const chunks: string[] = [];
  for (const source of CHUNK_SOURCES) {
    for (const file of listFiles(join(repoRoot, source))) {
      const all = readFileSync(file, 'utf8').split('\n');
      for (let i = 0; i < all.length; i += lines) {
        const chunk = all.slice(i, i + lines).join('\n');
        if (chunk.trim().length >= 200) chunks.push(chunk);
        if (chunks.length >= count) return chunks;
      }
    }
  }
  return chunks;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chunks: { type: 'string', default: '5000' },
      workers: { type: 'string' },
      threads: { type: 'string' },
      batch: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL_DIR },
      json: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.chunks);
  const chunks = collectChunks(count);
  const chars = chunks.reduce((sum, c) => sum + c.length, 0);

  const loadStarted = performance.now();
  const embedder = await createOnnxEmbedder({
    modelDir: values.model,
    workers: values.workers === undefined ? undefined : Number(values.workers),
    threadsPerWorker: values.threads === undefined ? undefined : Number(values.threads),
    batchSize: values.batch === undefined ? undefined : Number(values.batch),
  });
  const loadMs = performance.now() - loadStarted;

  let last = performance.now();
  let maxPauseMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxPauseMs = Math.max(maxPauseMs, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    await embedder.embedDocuments(chunks);
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - started) / 1000;

  const queryStarted = performance.now();
  for (let i = 0; i < 20; i++) await embedder.embedQuery(`retry failed upload with backoff ${i}`);
  const queryMs = (performance.now() - queryStarted) / 20;
  await embedder.close();

  const result = {
    model: embedder.modelId,
    usableCpus: usableCpuCount(),
    workers: embedder.workers,
    threadsPerWorker: embedder.threadsPerWorker,
    batchSize: embedder.batchSize,
    maxTokens: embedder.maxTokens,
    chunks: chunks.length,
    averageChunkChars: Math.round(chars / chunks.length),
    seconds: Number(seconds.toFixed(2)),
    chunksPerSecond: Math.round(chunks.length / seconds),
    batches: embedder.stats.batches,
    loadMs: Math.round(loadMs),
    queryMs: Number(queryMs.toFixed(2)),
    maxMainThreadPauseMs: Number(maxPauseMs.toFixed(1)),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `${result.model}: ${result.chunks} chunks (avg ${result.averageChunkChars} chars) in ${result.seconds} s = ` +
        `${result.chunksPerSecond} chunks/s with ${result.workers} worker(s) × ${result.threadsPerWorker} thread(s), ` +
        `batch ${result.batchSize} (usable CPUs ${result.usableCpus}); load ${result.loadMs} ms, ` +
        `query ${result.queryMs} ms, longest main-thread pause ${result.maxMainThreadPauseMs} ms\n`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
