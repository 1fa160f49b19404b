/**
 * Chunking speed and chunk sizes on real files. Not a test (vitest only runs `*.test.ts`); run it with
 *
 *   node test/unit/chunking/bench-chunker.ts [dir-or-file…]
 *
 * Defaults to the fixtures and node_modules. Prints files/s, lines/s, MB/s, how files were chunked, and the
 * distribution of chunk sizes in estimated tokens and in lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { createChunker, estimateTokens } from '#engine/chunking/index.ts';
import { EXTENSION_LANGUAGE } from '#engine/languages.ts';

const MAX_FILE_BYTES = 1_000_000;
const roots = process.argv.slice(2);
if (roots.length === 0) roots.push('test/fixtures/chunking', 'node_modules');

function collect(path: string, out: string[]): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (stats?.isFile() && stats.size <= MAX_FILE_BYTES && EXTENSION_LANGUAGE[extname(path)]) {
    out.push(path);
  }
}

const paths: string[] = [];
for (const root of roots) collect(root, paths);
const files = paths.map((path) => ({
  path,
  language: EXTENSION_LANGUAGE[extname(path)] ?? 'text',
  text: readFileSync(path, 'utf8'),
}));

const started = performance.now();
const chunker = await createChunker();
const initMs = performance.now() - started;

// One warm-up pass so the timed pass measures steady state (JIT, WASM tiers), as in a long indexing run.
for (const file of files.slice(0, 50)) chunker.chunk({ repo: 'bench', ...file });
const warmStats = { ...chunker.stats };

const tokens: number[] = [];
const lineCounts: number[] = [];
let lines = 0;
let bytes = 0;
let slowest = { path: '', ms: 0, lines: 0 };
// Files of about 2,000 lines, the size the indexer's budget is set for.
const around2000: number[] = [];
const t0 = performance.now();
for (const file of files) {
  const fileStart = performance.now();
  const chunks = chunker.chunk({ repo: 'bench', ...file });
  const ms = performance.now() - fileStart;
  const fileLines = file.text.split('\n').length;
  if (ms > slowest.ms) slowest = { path: file.path, ms, lines: fileLines };
  if (fileLines >= 1500 && fileLines <= 2500) around2000.push(ms);
  lines += fileLines;
  bytes += file.text.length;
  for (const chunk of chunks) {
    tokens.push(estimateTokens(chunk.content));
    lineCounts.push(chunk.endLine - chunk.startLine + 1);
  }
}
const seconds = (performance.now() - t0) / 1000;
const stats = Object.fromEntries(
  Object.entries(chunker.stats).map(([key, value]) => [
    key,
    value - warmStats[key as keyof typeof warmStats],
  ]),
);
chunker.close();

const percentiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return `min ${sorted[0] ?? 0}, p10 ${at(0.1)}, p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${sorted.at(-1) ?? 0}, mean ${mean.toFixed(1)}`;
};
const histogram = (values: number[], edges: number[]) =>
  edges
    .map((edge, i) => {
      const low = i === 0 ? 0 : (edges[i - 1] as number) + 1;
      const count = values.filter((v) => v >= low && v <= edge).length;
      return `${low}-${edge}: ${((100 * count) / Math.max(1, values.length)).toFixed(1)}%`;
    })
    .join('  ');

console.log(`init (grammars): ${initMs.toFixed(0)} ms`);
console.log(
  `files ${files.length}, lines ${lines}, ${(bytes / 1e6).toFixed(1)} MB (UTF-16 units) in ${seconds.toFixed(2)} s`,
);
console.log(
  `${(files.length / seconds).toFixed(0)} files/s, ${(lines / seconds).toFixed(0)} lines/s, ${(bytes / 1e6 / seconds).toFixed(2)} MB/s`,
);
console.log(`slowest: ${slowest.path} (${slowest.lines} lines) ${slowest.ms.toFixed(1)} ms`);
console.log(
  `files of 1,500-2,500 lines: ${around2000.length}, ms each: ${percentiles(around2000.map((ms) => Math.round(ms * 10) / 10))}`,
);
console.log(`rss after: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
console.log('paths:', stats);
console.log(`chunks ${tokens.length}`);
console.log(`tokens per chunk: ${percentiles(tokens)}`);
console.log(`  ${histogram(tokens, [30, 60, 100, 200, 300, 400])}`);
console.log(`lines per chunk: ${percentiles(lineCounts)}`);
