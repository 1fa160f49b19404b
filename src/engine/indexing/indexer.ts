/**
 * Incremental indexing of one directory into one repository's slice of the index.
 *
 * Streams: files are discovered, compared with the file-hash store, and processed in batches; each batch is
 * chunked, embedded through the cache and committed to the chunk store in ONE commit, and only then are its
 * file hashes recorded. A crash at any point therefore leaves either the old or the new state of each file,
 * and the next run repairs whatever was not recorded.
 *
 * Batches overlap: while one batch is being embedded (in worker threads), the next is discovered and
 * chunked. Commits still happen one at a time, in order.
 */

import type { IgnoreNotice } from '../discovery/ignore-rules.ts';
import type { DiscoverOptions, DiscoveryEvent } from '../discovery/index.ts';
import type { SkipReason, SourceFile } from '../types.ts';
import { applyFileChanges, type BatchOutcome, type ChangeDeps } from './apply-file-changes.ts';

export type { FileChunker } from './apply-file-changes.ts';

export interface IndexDeps extends ChangeDeps {
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
  /** Ignore-file lines that were not applied (over a length or complexity limit), and the first of them. */
  readonly ignoreLinesNotApplied: number;
  readonly ignoreNotices: readonly IgnoreNotice[];
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
/** Two: one being embedded while the next is chunked. More only queues work and holds memory. */
const MAX_BATCHES_IN_FLIGHT = 2;

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

  // Up to MAX_BATCHES_IN_FLIGHT batches are being chunked/embedded at once; commits are chained in order.
  const inFlight: Promise<BatchOutcome>[] = [];
  let lastCommit: Promise<unknown> = Promise.resolve();
  const noteSkipped = (file: { path: string; reason: SkipReason; detail: string }): void => {
    counts.skipped++;
    skippedByReason[file.reason] = (skippedByReason[file.reason] ?? 0) + 1;
    if (skippedExamples.length < MAX_SKIPPED_EXAMPLES) skippedExamples.push({ ...file });
  };
  const settleOldest = async (): Promise<void> => {
    const outcome = await (inFlight.shift() as Promise<BatchOutcome>);
    for (const file of outcome.skipped) noteSkipped(file);
    counts.written += outcome.written;
    counts.embedded += outcome.embedded;
    counts.cached += outcome.fromCache;
    counts.processed += outcome.files;
  };
  const startBatch = (): void => {
    if (batch.length === 0) return;
    const next = applyFileChanges(deps, options.repo, { files: batch }, lastCommit);
    // A later failure is reported when this batch is settled; never as an unhandled rejection meanwhile.
    next.catch(() => {});
    lastCommit = next;
    inFlight.push(next);
    batch = [];
  };

  let pendingChunkEstimate = 0;
  let ignoreNotices: { readonly count: number; readonly first: readonly IgnoreNotice[] } = {
    count: 0,
    first: [],
  };
  for await (const event of deps.discover(options.root, options.discovery)) {
    options.signal?.throwIfAborted();
    if (event.kind === 'done') {
      ignoreNotices = { count: event.stats.ignoreLinesNotApplied, first: event.stats.ignoreNotices };
      continue;
    }
    if (event.kind === 'skipped') {
      counts.scanned++;
      noteSkipped(event.file);
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
      startBatch();
      if (inFlight.length >= MAX_BATCHES_IN_FLIGHT) {
        await settleOldest();
        yield progress();
      }
    }
  }
  startBatch();
  try {
    while (inFlight.length > 0) {
      await settleOldest();
      yield progress();
    }
  } finally {
    // On failure (or an abandoned generator), let the other batches finish before the caller closes stores.
    await Promise.allSettled(inFlight);
  }

  // Files indexed before that are gone now (deleted, newly ignored, or now skipped) lose their chunks.
  const deleted = [...previous.keys()].filter((path) => !seen.has(path));
  for (let i = 0; i < deleted.length; i += 512) {
    await applyFileChanges(deps, options.repo, { files: [], deletedPaths: deleted.slice(i, i + 512) });
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
      ignoreLinesNotApplied: ignoreNotices.count,
      ignoreNotices: ignoreNotices.first,
      chunksWritten: counts.written,
      chunksEmbedded: counts.embedded,
      chunksFromCache: counts.cached,
      chunksInRepo: await deps.store.countChunks(options.repo),
      seconds: Math.round((performance.now() - started) / 10) / 100,
    },
  };
}
