/**
 * Incremental indexing of one directory into one repository's slice of the index.
 *
 * Streams: files are discovered, compared with the file-hash store, and processed in batches; each batch is
 * chunked, embedded through the cache and committed to the chunk store in ONE commit, and only then are its
 * file hashes recorded. A crash at any point therefore leaves either the old or the new state of each file,
 * and the next run repairs whatever was not recorded.
 */
import type { DiscoverOptions, DiscoveryEvent } from '../discovery/index.ts';
import type { Language } from '../languages.ts';
import type {
  Chunk,
  ChunkStore,
  Embedder,
  EmbeddingCache,
  FileHashStore,
  FileRecord,
  SkipReason,
  SourceFile,
} from '../types.ts';
import { embedWithCache } from './embed-with-cache.ts';

/** The part of the chunker the indexer needs (see #engine/chunking). */
export interface FileChunker {
  chunk(file: { repo: string; path: string; language: Language; text: string }): Chunk[];
}

export interface IndexDeps {
  readonly chunker: FileChunker;
  readonly chunkerVersion: string;
  readonly embedder: Embedder;
  readonly cache: EmbeddingCache;
  readonly fileHashes: FileHashStore;
  readonly store: ChunkStore;
  /** Streams the files of the tree; `discoverFiles` from #engine/discovery in production. */
  readonly discover: (root: string, options?: DiscoverOptions) => AsyncIterable<DiscoveryEvent>;
}

export interface IndexOptions {
  readonly root: string;
  readonly repo: string;
  readonly discovery?: DiscoverOptions;
  /** Files per commit. @default 64 */
  readonly batchFiles?: number;
  /** Chunks per commit (a batch closes at whichever limit comes first). @default 1024 */
  readonly batchChunks?: number;
  /** Fold new rows into the indexes when done (skip in tests that check intermediate state). @default true */
  readonly optimize?: boolean;
  readonly signal?: AbortSignal;
}

export interface IndexSummary {
  readonly repo: string;
  readonly filesScanned: number;
  readonly filesUnchanged: number;
  readonly filesAdded: number;
  readonly filesChanged: number;
  readonly filesDeleted: number;
  readonly filesSkipped: number;
  readonly skippedByReason: Partial<Record<SkipReason, number>>;
  /** The first skipped files with their reasons (all of them are counted above). */
  readonly skippedExamples: readonly { path: string; reason: SkipReason; detail: string }[];
  readonly chunksWritten: number;
  readonly chunksEmbedded: number;
  readonly chunksFromCache: number;
  readonly chunksInRepo: number;
  readonly seconds: number;
}

export type IndexEvent =
  | {
      readonly type: 'progress';
      readonly filesScanned: number;
      readonly filesProcessed: number;
      readonly filesQueued: number;
      readonly chunksEmbedded: number;
      readonly chunksFromCache: number;
    }
  | { readonly type: 'done'; readonly summary: IndexSummary };

const MAX_SKIPPED_EXAMPLES = 50;

/**
 * Indexes `root` as repository `repo`, yielding progress events and finally a `done` event with the summary.
 *
 * @example
 * for await (const event of indexDirectory(deps, { root: '.', repo: 'my/repo' })) {
 *   if (event.type === 'done') console.log(event.summary);
 * }
 */
export async function* indexDirectory(deps: IndexDeps, options: IndexOptions): AsyncGenerator<IndexEvent> {
  const started = performance.now();
  const batchFiles = options.batchFiles ?? 64;
  const batchChunks = options.batchChunks ?? 1024;
  const previous = await deps.fileHashes.listFiles(options.repo);
  const seen = new Set<string>();
  const counts = {
    scanned: 0,
    unchanged: 0,
    added: 0,
    changed: 0,
    skipped: 0,
    written: 0,
    embedded: 0,
    cached: 0,
    processed: 0,
  };
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  const skippedExamples: { path: string; reason: SkipReason; detail: string }[] = [];

  let batch: SourceFile[] = [];
  const progress = (): IndexEvent => ({
    type: 'progress',
    filesScanned: counts.scanned,
    filesProcessed: counts.processed,
    filesQueued: counts.added + counts.changed,
    chunksEmbedded: counts.embedded,
    chunksFromCache: counts.cached,
  });

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const files = batch;
    batch = [];
    const outcome = await commitFiles(deps, options.repo, files);
    counts.written += outcome.written;
    counts.embedded += outcome.embedded;
    counts.cached += outcome.fromCache;
    counts.processed += files.length;
  };

  let pendingChunkEstimate = 0;
  for await (const event of deps.discover(options.root, options.discovery)) {
    options.signal?.throwIfAborted();
    if (event.kind === 'skipped') {
      counts.scanned++;
      counts.skipped++;
      skippedByReason[event.file.reason] = (skippedByReason[event.file.reason] ?? 0) + 1;
      if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) skippedExamples.push({ ...event.file });
      continue;
    }
    if (event.kind !== 'file') continue;
    counts.scanned++;
    const file = event.file;
    seen.add(file.path);
    const before = previous.get(file.path);
    if (before?.hash === file.hash) {
      counts.unchanged++;
      continue;
    }
    if (before) counts.changed++;
    else counts.added++;
    batch.push(file);
    // ~1 chunk per 40 lines is typical; a rough guess is enough to bound a batch's memory.
    pendingChunkEstimate += Math.ceil(file.text.length / 1600);
    if (batch.length >= batchFiles || pendingChunkEstimate >= batchChunks) {
      pendingChunkEstimate = 0;
      await flush();
      yield progress();
    }
  }
  await flush();

  // Files indexed before that are gone now (deleted, newly ignored, or now skipped) lose their chunks.
  const deleted = [...previous.keys()].filter((path) => !seen.has(path));
  for (let i = 0; i < deleted.length; i += 512) {
    const paths = deleted.slice(i, i + 512);
    await deps.store.replaceFiles(options.repo, paths, []);
    await deps.fileHashes.applyChanges(options.repo, [], paths);
  }
  if ((options.optimize ?? true) && counts.added + counts.changed + deleted.length > 0)
    await deps.store.optimize();

  yield progress();
  yield {
    type: 'done',
    summary: {
      repo: options.repo,
      filesScanned: counts.scanned,
      filesUnchanged: counts.unchanged,
      filesAdded: counts.added,
      filesChanged: counts.changed,
      filesDeleted: deleted.length,
      filesSkipped: counts.skipped,
      skippedByReason,
      skippedExamples,
      chunksWritten: counts.written,
      chunksEmbedded: counts.embedded,
      chunksFromCache: counts.cached,
      chunksInRepo: await deps.store.countChunks(options.repo),
      seconds: Math.round((performance.now() - started) / 10) / 100,
    },
  };
}

/** Chunks, embeds and commits one batch of files, then records their hashes. */
async function commitFiles(
  deps: IndexDeps,
  repo: string,
  files: readonly SourceFile[],
): Promise<{ written: number; embedded: number; fromCache: number }> {
  const chunks: Chunk[] = [];
  const records: FileRecord[] = [];
  const indexedAt = new Date().toISOString();
  for (const file of files) {
    const fileChunks = deps.chunker.chunk({
      repo,
      path: file.path,
      language: file.language,
      text: file.text,
    });
    chunks.push(...fileChunks);
    records.push({ path: file.path, hash: file.hash, chunkCount: fileChunks.length, indexedAt });
    // Parsing is synchronous: give the event loop a turn between files so a server in this process stays live.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const outcome = await embedWithCache(chunks, deps.embedder, deps.cache, deps.chunkerVersion);
  await deps.store.replaceFiles(
    repo,
    files.map((file) => file.path),
    outcome.chunks,
  );
  await deps.fileHashes.applyChanges(repo, records, []);
  return { written: outcome.chunks.length, embedded: outcome.embedded, fromCache: outcome.fromCache };
}
