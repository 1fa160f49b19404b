/**
 * The composition root for running on one machine (CLI, local server, tests, benchmarks): the ONNX embedder,
 * LanceDB on local disk and the SQLite state store, all under one data directory.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  dropLanceTable,
  type LanceChunkStore,
  openLanceChunkStore,
} from '#adapters/lancedb/lance-chunk-store.ts';
import { acquireIndexLock } from '#adapters/local/index-lock.ts';
import { SqliteStateStore } from '#adapters/local/sqlite-state-store.ts';
import { type AsyncChunker, createWorkerChunker } from '#engine/chunking/index.ts';
import { discoverFiles } from '#engine/discovery/index.ts';
import { createOnnxEmbedder, DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import { ConfigError } from '#engine/errors.ts';
import type { IndexDeps } from '#engine/indexing/indexer.ts';
import type { Embedder } from '#engine/types.ts';

export interface LocalServicesOptions {
  /** Data directory. @default $CODESEARCH_HOME, else ./.codesearch */
  readonly home?: string;
  /** Model directory. @default $CODESEARCH_MODEL, else the model shipped in models/default */
  readonly modelDir?: string;
  /** Drop the chunk table and forget file hashes first (e.g. after switching models). */
  readonly rebuild?: boolean;
  /** Passed to the chunk store (tests and benchmarks lower it). */
  readonly vectorIndexMinRows?: number;
  readonly embedderWorkers?: number;
  /** The caller holds the data directory's index lock already (`codesearch index`). @default false */
  readonly holdsIndexLock?: boolean;
}

export interface LocalServices {
  readonly home: string;
  /** The model folder in use (absolute). */
  readonly modelDir: string;
  readonly embedder: Embedder;
  readonly store: LanceChunkStore;
  readonly state: SqliteStateStore;
  /** Chunks in a worker thread, so indexing never stalls the event loop on a large file. */
  readonly chunker: AsyncChunker;
  readonly indexDeps: IndexDeps;
  close(): Promise<void>;
}

export function resolveHome(home?: string): string {
  return resolve(home ?? process.env.CODESEARCH_HOME ?? '.codesearch');
}

export async function openLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  const home = resolveHome(options.home);
  const modelDir = resolve(options.modelDir ?? process.env.CODESEARCH_MODEL ?? DEFAULT_MODEL_DIR);
  if (!existsSync(modelDir)) throw new ConfigError(`Model directory ${modelDir} does not exist`);
  const lancedbDir = resolve(home, 'lancedb');
  const embedder = await createOnnxEmbedder({ modelDir, workers: options.embedderWorkers });
  const opened: { close(): unknown }[] = [embedder];
  try {
    const state = await SqliteStateStore.open(resolve(home, 'state.sqlite'));
    opened.push(state);
    if (options.rebuild) {
      await dropLanceTable(lancedbDir);
      await state.clearAllFiles();
    }
    const chunker = await createWorkerChunker();
    opened.push(chunker);
    const store = await openLanceChunkStore({
      uri: lancedbDir,
      metadata: { modelId: embedder.modelId, dimension: embedder.dimension, chunkerVersion: chunker.version },
      vectorIndexMinRows: options.vectorIndexMinRows,
    });
    opened.push(store);
    // An index from before repository names were canonical: rewrite them once, as the one writer (the table
    // is marked last, so an interrupted migration runs again on the next open).
    if (!(await store.repoNamesAreCanonical())) {
      const lock = options.holdsIndexLock ? undefined : await acquireIndexLock(home, '(repository names)');
      try {
        if (!(await store.repoNamesAreCanonical()))
          await store.canonicaliseRepoNames(state.canonicaliseRepoNames());
      } finally {
        await lock?.release();
      }
    }
    const indexDeps: IndexDeps = {
      chunker,
      chunkerVersion: chunker.version,
      embedder,
      cache: state,
      fileHashes: state,
      store,
      discover: discoverFiles,
    };
    return {
      home,
      modelDir,
      embedder,
      store,
      state,
      chunker,
      indexDeps,
      close: async () => {
        for (const resource of opened.reverse()) await resource.close();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close();
    throw error;
  }
}
