/**
 * One atomic step of incremental indexing: a set of changed files and deleted paths of one repository become
 * ONE commit to the chunk store (new chunks in, the files' old chunks and the deleted files' chunks out), and
 * only after that commit are the file hashes recorded. Used by the directory indexer for each batch and by the
 * push-driven workers for each batch of blobs; a crash anywhere leaves each file old or new, never half, and
 * the next run (or redelivery) repairs whatever was not recorded.
 */
import { ChunkingFailedError } from '../chunking/worker-chunker.ts';
import type { Language } from '../languages.ts';
import type {
  Chunk,
  ChunkStore,
  Embedder,
  EmbeddingCache,
  FileHashStore,
  FileRecord,
  SkippedFile,
  SourceFile,
} from '../types.ts';
import { embedWithCache } from './embed-with-cache.ts';

/** The part of the chunker indexing needs (see #engine/chunking): in-process or behind a worker. */
export interface FileChunker {
  chunk(file: { repo: string; path: string; language: Language; text: string }): Chunk[] | Promise<Chunk[]>;
}

export interface ChangeDeps {
  readonly chunker: FileChunker;
  readonly chunkerVersion: string;
  readonly embedder: Embedder;
  readonly cache: EmbeddingCache;
  readonly fileHashes: FileHashStore;
  readonly store: ChunkStore;
}

export interface FileChanges {
  /** Added or modified files, with their full text. */
  readonly files: readonly SourceFile[];
  /** Paths that no longer exist (or are no longer indexed). */
  readonly deletedPaths?: readonly string[];
}

export interface BatchOutcome {
  readonly files: number;
  readonly deleted: number;
  readonly written: number;
  readonly embedded: number;
  readonly fromCache: number;
  /**
   * Files that could not be chunked (`chunking-failed`): they lose their chunks and their file hash, so the
   * next run tries them again; the rest of the batch is committed as usual.
   */
  readonly skipped: readonly SkippedFile[];
}

/**
 * Chunks and embeds `changes.files`, then — once `after` has settled, so that commits happen in order —
 * commits them together with `changes.deletedPaths` and records the new file hashes.
 *
 * @example
 * await applyFileChanges(deps, 'acme/api', { files: [changedFile], deletedPaths: ['src/old.ts'] });
 */
export async function applyFileChanges(
  deps: ChangeDeps,
  repo: string,
  changes: FileChanges,
  after: Promise<unknown> = Promise.resolve(),
): Promise<BatchOutcome> {
  const deletedPaths = changes.deletedPaths ?? [];
  const chunks: Chunk[] = [];
  const records: FileRecord[] = [];
  const skipped: SkippedFile[] = [];
  const indexedAt = new Date().toISOString();
  for (const file of changes.files) {
    let fileChunks: Chunk[];
    try {
      fileChunks = await deps.chunker.chunk({
        repo,
        path: file.path,
        language: file.language,
        text: file.text,
      });
    } catch (error) {
      // One file that cannot be chunked never fails its batch: that would stall the repository for good.
      if (!(error instanceof ChunkingFailedError)) throw error;
      skipped.push({ path: file.path, reason: 'chunking-failed', detail: error.message });
      continue;
    }
    chunks.push(...fileChunks);
    records.push({ path: file.path, hash: file.hash, chunkCount: fileChunks.length, indexedAt });
    // An in-process chunker parses synchronously: give the event loop a turn between files.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const outcome = await embedWithCache(chunks, deps.embedder, deps.cache, deps.chunkerVersion);
  await after.catch(() => {}); // an earlier batch reports its own failure
  await deps.store.replaceFiles(
    repo,
    [...changes.files.map((file) => file.path), ...deletedPaths],
    outcome.chunks,
  );
  await deps.fileHashes.applyChanges(repo, records, [...deletedPaths, ...skipped.map((file) => file.path)]);
  return {
    files: changes.files.length - skipped.length,
    deleted: deletedPaths.length,
    written: outcome.chunks.length,
    embedded: outcome.embedded,
    fromCache: outcome.fromCache,
    skipped,
  };
}
