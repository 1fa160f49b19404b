/**
 * The chunk table in LanceDB, on local disk (`/path/to/dir`) or object storage (`s3://bucket/prefix`): the
 * same code serves the laptop and Lambda. One row per chunk; `id` is the declared primary key so concurrent
 * merge-inserts never duplicate rows (two concurrent `mergeInsert` calls inserting the same new key left two
 * rows in LanceDB 0.39 without it; with the key declared, every run we tried ended with one).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import './quiet-logs.ts';
import * as lancedb from '@lancedb/lancedb';
import type { Schema } from 'apache-arrow';
import { IndexMismatchError } from '#engine/errors.ts';
import type { SearchFilter } from '#engine/search/filters.ts';
import { expandIdentifiers } from '#engine/search/terms.ts';
import type { ChunkStore, EmbeddedChunk, IndexMetadata, ScoredChunk, StoredChunk } from '#engine/types.ts';
import {
  CANONICAL_NAMES_META,
  chunkSchema,
  chunksToArrowTable,
  metadataOf,
  partVectorsOfCell,
  SCHEMA_VERSION,
} from './chunk-schema.ts';
import { BRANCH_INDEXES_SQL, fileSql, filterToSql, pathsInRepoSql, sqlRepo, sqlString } from './sql.ts';

export interface LanceChunkStoreOptions {
  /** A local directory or an object-store URI such as `s3://bucket/prefix`. */
  readonly uri: string;
  /** What this process embeds with; an existing table built otherwise is refused. */
  readonly metadata: IndexMetadata;
  /** @default "chunks" */
  readonly tableName?: string;
  /** Passed to LanceDB (endpoint, region, allow_http …). */
  readonly storageOptions?: Record<string, string>;
  /**
   * How stale a long-lived reader may be, in seconds: another process's commits become visible after this.
   * @default 1
   */
  readonly readConsistencySeconds?: number;
  /**
   * Build an ANN vector index once the table holds this many rows; below it an exact scan is fast enough
   * (about 12 ms at 20k rows on local disk).
   * @default 20000
   */
  readonly vectorIndexMinRows?: number;
  /**
   * Memory LanceDB may keep for index and file-metadata caches. Its defaults (6 GB + 1 GB) suit a database
   * server; ours shares a laptop or a Lambda. The HNSW and full-text indexes of 100k chunks need well under
   * the index default here.
   * @default { indexBytes: 512 MiB, metadataBytes: 128 MiB }
   */
  readonly cacheBytes?: { readonly indexBytes: number; readonly metadataBytes: number };
}

/** What `upkeep()` did. */
export interface UpkeepReport {
  readonly versionsBefore: number;
  readonly versionsAfter: number;
  readonly oldVersionsRemoved: number;
  readonly bytesRemoved: number;
  readonly indexes: readonly string[];
}

const RESULT_COLUMNS = ['id', 'repo', 'path', 'language', 'start_line', 'end_line', 'symbols', 'content'];
/** Search results carry the parts' vectors too: ranking compares them with the query. */
const SEARCH_COLUMNS = [...RESULT_COLUMNS, 'window_vectors', 'name_vector'];
const TERMS_INDEX = 'terms_idx';
/** Where Lance records the unenforced primary key, on the key's field. */
const PRIMARY_KEY_METADATA = 'lance-schema:unenforced-primary-key:position';
const VECTOR_INDEX = 'vector_idx';
/** Segments the vector index may have before `optimize()` rebuilds it as one, if the table has grown… */
export const MAX_VECTOR_INDEX_SEGMENTS = 4;
/** …by this factor since the last build, */
export const VECTOR_INDEX_REBUILD_GROWTH = 1.5;
/** …or whatever it grew, past this many. */
export const MAX_VECTOR_INDEX_SEGMENTS_EVER = 16;
/** Field metadata on `vector`: the rows the vector index was last built on. */
const VECTOR_INDEX_ROWS_META = 'codesearch.vector_index_rows';

/**
 * Opens (or creates) the chunk table and checks it was built with the same model, dimension and chunker.
 *
 * @example
 * const store = await openLanceChunkStore({ uri: '.codesearch/lancedb', metadata: { modelId, dimension, chunkerVersion } });
 * await store.replaceFiles('my/repo', ['src/a.ts'], embeddedChunks);
 */
export async function openLanceChunkStore(options: LanceChunkStoreOptions): Promise<LanceChunkStore> {
  const cache = options.cacheBytes ?? { indexBytes: 512 * 2 ** 20, metadataBytes: 128 * 2 ** 20 };
  const connection = await lancedb.connect(
    options.uri,
    { storageOptions: options.storageOptions, readConsistencyInterval: options.readConsistencySeconds ?? 1 },
    new lancedb.Session(BigInt(cache.indexBytes), BigInt(cache.metadataBytes)),
  );
  const name = options.tableName ?? 'chunks';
  const { table, existing } = await openOrCreateTable(connection, name, options.metadata);
  if (existing) {
    const schema = await table.schema();
    checkMetadata(options.uri, metadataOf(schema), options.metadata);
    await ensurePrimaryKey(table, schema, { waitForCreator: true });
  }
  return new LanceChunkStore(connection, table, options);
}

/** Drops the chunk table if it exists (a rebuild after switching models). */
export async function dropLanceTable(
  uri: string,
  tableName = 'chunks',
  storageOptions?: Record<string, string>,
): Promise<void> {
  const connection = await lancedb.connect(uri, { storageOptions });
  try {
    if ((await connection.tableNames()).includes(tableName)) await connection.dropTable(tableName);
  } finally {
    connection.close();
  }
}

/**
 * How often to look again at a table that is listed but has no version yet. LanceDB writes a new table's
 * transaction file before its first manifest, so for one object-store round trip the table shows up in
 * `tableNames()` while `openTable()` answers "not found" — a window concurrent cold starts on a fresh
 * bucket do hit. A creation that crashed in that window leaves the same state for good; creating over it
 * works, so after the waits this process creates the table itself.
 */
const OPEN_ATTEMPTS = 8;
const FIRST_WAIT_MS = 50;
const LONGEST_WAIT_MS = 1000;

/** Waits before the `n`th retry (from 0): 50 ms, doubling, at most a second. */
function backOff(n: number): Promise<void> {
  return sleep(Math.min(FIRST_WAIT_MS * 2 ** n, LONGEST_WAIT_MS));
}

async function openOrCreateTable(
  connection: lancedb.Connection,
  name: string,
  metadata: IndexMetadata,
): Promise<{ table: lancedb.Table; existing: boolean }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
    if (attempt > 0) await backOff(attempt - 1);
    const listed = (await connection.tableNames()).includes(name);
    if (listed) {
      try {
        return { table: await connection.openTable(name), existing: true };
      } catch (error) {
        if (!isTableNotFound(error)) throw error;
        lastError = error;
        // Another process is between its transaction file and its first manifest: give it time first.
        if (attempt < OPEN_ATTEMPTS / 2) continue;
      }
    }
    try {
      return { table: await createChunkTable(connection, name, metadata), existing: false };
    } catch (error) {
      // Another process created it first (or is creating it): the next attempt opens theirs.
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Declares `id` the primary key unless the table already has it. A creator that stopped between creating the
 * table and declaring its key leaves a table that merge-inserts would fill with duplicates, so whoever opens
 * it next declares the key. Two declarations at once conflict in Lance's commit (one fails, "incompatible
 * transaction"), so an opener first gives a live creator time to finish, and every failure is followed by a
 * fresh look at the table: the key being there is all that matters, whoever set it.
 */
async function ensurePrimaryKey(
  table: lancedb.Table,
  schema: Schema,
  options: { waitForCreator: boolean },
): Promise<void> {
  let current = schema;
  let lastError: unknown;
  for (let attempt = 0; attempt < KEY_ATTEMPTS; attempt++) {
    if (hasPrimaryKey(current)) return;
    if (!options.waitForCreator || attempt >= 2) {
      try {
        await table.setUnenforcedPrimaryKey('id');
        return;
      } catch (error) {
        lastError = error;
      }
    }
    await backOff(attempt);
    await table.checkoutLatest();
    current = await table.schema();
  }
  if (hasPrimaryKey(current)) return;
  throw lastError ?? new Error('the chunk table has no primary key and none could be declared');
}

const KEY_ATTEMPTS = 6;

function hasPrimaryKey(schema: Schema): boolean {
  return schema.fields.find((field) => field.name === 'id')?.metadata.has(PRIMARY_KEY_METADATA) ?? false;
}

/** LanceDB's error for a table with no committed version (its message is the only thing to go by). */
function isTableNotFound(error: unknown): boolean {
  return error instanceof Error && /was not found/.test(error.message);
}

/**
 * Row ids that survive compaction. Every optimize() compacts the fragments that incremental commits leave,
 * and with row ids that are addresses each compaction must also remap every index (the vector index's
 * graph most of all) onto the moved rows: at 22k chunks an optimize after one 500-file repository took
 * 3.0 s with address ids and 0.7 s with stable ones, and growing a table to 60k chunks spent 41 s in
 * optimize() against 25 s (`npm run bench` records the whole growth). Set when a table is created: it
 * cannot be turned on later, so tables made before keep working as they were.
 */
const STABLE_ROW_IDS = { new_table_enable_stable_row_ids: 'true' };

async function createChunkTable(
  connection: lancedb.Connection,
  name: string,
  metadata: IndexMetadata,
): Promise<lancedb.Table> {
  const schema = chunkSchema(metadata);
  const table = await connection.createEmptyTable(name, schema, {
    mode: 'create',
    storageOptions: STABLE_ROW_IDS,
  });
  await ensurePrimaryKey(table, schema, { waitForCreator: false });
  // Built on the empty table so keyword search works from the first write; later rows are found unindexed
  // until optimize() folds them in.
  await table.createIndex('terms', {
    config: lancedb.Index.fts({ withPosition: false }),
    name: TERMS_INDEX,
  });
  return table;
}

function checkMetadata(uri: string, found: ReturnType<typeof metadataOf>, expected: IndexMetadata): void {
  const problems: string[] = [];
  if (found.modelId !== expected.modelId)
    problems.push(`model "${found.modelId ?? 'unknown'}" (this run uses "${expected.modelId}")`);
  if (found.dimension !== expected.dimension)
    problems.push(`dimension ${found.dimension ?? 'unknown'} (this run uses ${expected.dimension})`);
  if (found.chunkerVersion !== expected.chunkerVersion) {
    problems.push(
      `chunker "${found.chunkerVersion ?? 'unknown'}" (this run uses "${expected.chunkerVersion}")`,
    );
  }
  if (found.schemaVersion !== SCHEMA_VERSION)
    problems.push(`schema version ${found.schemaVersion ?? 'unknown'} (expected ${SCHEMA_VERSION})`);
  if (problems.length > 0) {
    throw new IndexMismatchError(
      `The index at ${uri} was built with ${problems.join(', ')}. Vectors from different models cannot be mixed: ` +
        're-index from scratch (codesearch index --rebuild) or point CODESEARCH_HOME at another data directory.',
    );
  }
}

export class LanceChunkStore implements ChunkStore {
  readonly metadata: IndexMetadata;
  readonly #connection: lancedb.Connection;
  readonly #table: lancedb.Table;
  readonly #vectorIndexMinRows: number;
  /** Our own schema object: the one LanceDB returns comes from its CommonJS copy of apache-arrow, whose
   * classes the ESM copy we build batches with does not recognise. Same fields, checked on open. */
  readonly #schema: Schema;
  readonly #tableName: string;
  /** Whether branch indexes were in the table at `version` (see `#hasBranchIndexes`). */
  #branchIndexes: { version: number; present: boolean } | undefined;

  constructor(connection: lancedb.Connection, table: lancedb.Table, options: LanceChunkStoreOptions) {
    this.#connection = connection;
    this.#table = table;
    this.metadata = options.metadata;
    this.#vectorIndexMinRows = options.vectorIndexMinRows ?? 20_000;
    this.#schema = chunkSchema(options.metadata);
    // Read once, now: LanceDB's name getter borrows the native table, and throws if another call on it is
    // still running (as a count beside dataVersion() in /health would be).
    this.#tableName = table.name;
  }

  async replaceFiles(
    repo: string,
    paths: readonly string[],
    chunks: readonly EmbeddedChunk[],
  ): Promise<void> {
    if (paths.length === 0) return;
    const scope = pathsInRepoSql(repo, paths);
    if (chunks.length === 0) {
      await this.#table.delete(scope);
      return;
    }
    const data = await chunksToArrowTable(this.#schema, chunks);
    // Unchanged chunks keep their id (it hashes content and position), so matched rows need no rewrite.
    await this.#table
      .mergeInsert('id')
      .whenNotMatchedInsertAll()
      .whenNotMatchedBySourceDelete({ where: scope })
      .execute(data);
  }

  /** Whether the table is marked as holding repository names in their canonical (lower-case) spelling only. */
  async repoNamesAreCanonical(): Promise<boolean> {
    const repo = (await this.#table.schema()).fields.find((field) => field.name === 'repo');
    return repo?.metadata.get(CANONICAL_NAMES_META.key) === CANONICAL_NAMES_META.value;
  }

  /**
   * Rewrites every repository name to its canonical spelling, drops the rows of `forget` (names two spellings
   * of which were indexed: their rows cannot be told apart), then marks the table: for a table written
   * before names were canonical (see `canonicalRepoName`). Names here have no branch part (only AWS indexes
   * branches, and each generation starts canonical), so the whole name is lowered. Safe to repeat: a run
   * cut short leaves the table unmarked, and the next open finishes it. Answers the rows rewritten.
   */
  async canonicaliseRepoNames(forget: readonly string[] = []): Promise<number> {
    const { rowsUpdated } = await this.#table.update({
      where: 'repo <> lower(repo)',
      valuesSql: { repo: 'lower(repo)' },
    });
    for (const name of forget) await this.deleteRepo(name);
    await this.#table.updateFieldMetadata([
      { path: 'repo', metadata: { [CANONICAL_NAMES_META.key]: CANONICAL_NAMES_META.value } },
    ]);
    return rowsUpdated;
  }

  async deleteRepo(repo: string): Promise<void> {
    await this.#table.delete(`repo = ${sqlRepo(repo)}`);
  }

  async vectorSearch(vector: Float32Array, filter: SearchFilter, limit: number): Promise<ScoredChunk[]> {
    let query = this.#table
      .vectorSearch(vector)
      .distanceType('cosine')
      .limit(limit)
      .select([...SEARCH_COLUMNS, '_distance']);
    const where = await this.#whereOf(filter);
    if (where) query = query.where(where);
    const rows = await query.toArray();
    const dimension = this.metadata.dimension;
    return rows.map((row) => ({ chunk: toStoredChunk(row, dimension), score: 1 - Number(row._distance) }));
  }

  async keywordSearch(text: string, filter: SearchFilter, limit: number): Promise<ScoredChunk[]> {
    const terms = expandIdentifiers(text);
    if (terms.length === 0) return [];
    let query = this.#table
      .search(new lancedb.MatchQuery(terms, 'terms'), 'fts')
      .limit(limit)
      .select([...SEARCH_COLUMNS, '_score']);
    const where = await this.#whereOf(filter);
    if (where) query = query.where(where);
    const rows = await query.toArray();
    const dimension = this.metadata.dimension;
    return rows.map((row) => ({ chunk: toStoredChunk(row, dimension), score: Number(row._score) }));
  }

  /** The filter's WHERE clause, leaving out branch indexes only where the table has some. */
  async #whereOf(filter: SearchFilter): Promise<string | undefined> {
    const asksForAll = (filter.repos?.length ?? 0) === 0 && filter.branch === undefined;
    return filterToSql(filter, { branchIndexes: asksForAll ? await this.#hasBranchIndexes() : true });
  }

  /**
   * Whether any branch index (`owner/name@branch`) is in the table, checked again whenever the table's
   * version changes (writers may be other processes): one count, where a clause on every search of every
   * default branch would cost each vector search its unfiltered path.
   */
  async #hasBranchIndexes(): Promise<boolean> {
    const version = await this.#table.version();
    if (this.#branchIndexes?.version !== version)
      this.#branchIndexes = { version, present: (await this.#table.countRows(BRANCH_INDEXES_SQL)) > 0 };
    return this.#branchIndexes.present;
  }

  countChunks(repo?: string): Promise<number> {
    return this.#table.countRows(repo === undefined ? undefined : `repo = ${sqlRepo(repo)}`);
  }

  async optimize(): Promise<void> {
    const indexes = new Set((await this.#table.listIndices()).map((index) => index.name));
    const rows = await this.#table.countRows();
    if (!indexes.has(TERMS_INDEX)) {
      await this.#table.createIndex('terms', {
        config: lancedb.Index.fts({ withPosition: false }),
        name: TERMS_INDEX,
      });
    }
    for (const [column, config] of [
      ['id', lancedb.Index.btree()],
      ['repo', lancedb.Index.bitmap()],
      ['language', lancedb.Index.bitmap()],
      ['path', lancedb.Index.btree()],
    ] as const) {
      if (rows > 0 && !indexes.has(`${column}_idx`))
        await this.#table.createIndex(column, { config, name: `${column}_idx` });
    }
    if (rows >= this.#vectorIndexMinRows && !indexes.has(VECTOR_INDEX))
      await this.#buildVectorIndex(rows, false);
    // Compacts small fragments from incremental commits and folds new rows into every index.
    await this.#table.optimize();
    // Folding new rows in adds a segment to the vector index each time, and a query searches every segment's
    // partitions: at 100k chunks and 17 segments a vector query took 9.8 ms, against 4.6 ms after one
    // rebuild (which took 15 s there). So the index is rebuilt as one segment once segments pile up — when
    // the table has grown by half since the last build (rebuilds then cost, in all, a few times one build of
    // the final table: linear work), or at most every 16 segments (each costing one build).
    const vector = (await this.#table.listIndices()).find((index) => index.name === VECTOR_INDEX);
    const segments = vector?.numSegments ?? 1;
    if (vector && segments > MAX_VECTOR_INDEX_SEGMENTS) {
      const builtOn = await this.#vectorIndexBuiltOn();
      const grown = rows >= builtOn * VECTOR_INDEX_REBUILD_GROWTH;
      if (grown || segments > MAX_VECTOR_INDEX_SEGMENTS_EVER) await this.#buildVectorIndex(rows, true);
    }
  }

  /** Builds (or replaces) the vector index over the whole table, recording how many rows it was built on. */
  async #buildVectorIndex(rows: number, replace: boolean): Promise<void> {
    await this.#table.createIndex('vector', {
      config: lancedb.Index.hnswSq({ distanceType: 'cosine' }),
      name: VECTOR_INDEX,
      replace,
    });
    await this.#table.updateFieldMetadata([
      { path: 'vector', metadata: { [VECTOR_INDEX_ROWS_META]: String(rows) } },
    ]);
  }

  /** Rows the vector index was last built on (0 when no build recorded it). */
  async #vectorIndexBuiltOn(): Promise<number> {
    const field = (await this.#table.schema()).fields.find((f) => f.name === 'vector');
    const recorded = Number(field?.metadata.get(VECTOR_INDEX_ROWS_META) ?? 0);
    return Number.isFinite(recorded) ? recorded : 0;
  }

  /**
   * Scheduled upkeep of a table that many writers change in small commits (the push-driven workers): builds or
   * refreshes the indexes and compacts fragments (`optimize()`), then removes versions older than
   * `retainVersionsMs`. The retention is how far back `checkout()`/`restore()` can still go; files of
   * in-flight commits are never removed (LanceDB keeps unverified files for 7 days).
   */
  async upkeep(options: { retainVersionsMs: number; now?: Date }): Promise<UpkeepReport> {
    const versionsBefore = (await this.#table.listVersions()).length;
    await this.optimize();
    const now = options.now ?? new Date();
    const stats = await this.#table.optimize({
      cleanupOlderThan: new Date(now.getTime() - options.retainVersionsMs),
    });
    return {
      versionsBefore,
      versionsAfter: (await this.#table.listVersions()).length,
      oldVersionsRemoved: stats.prune.oldVersionsRemoved,
      bytesRemoved: stats.prune.bytesRemoved,
      indexes: (await this.#table.listIndices()).map((index) => index.name).sort(),
    };
  }

  async listChunks(filter: SearchFilter, limit: number): Promise<StoredChunk[]> {
    let query = this.#table.query().select(RESULT_COLUMNS).limit(limit);
    const where = await this.#whereOf(filter);
    if (where) query = query.where(where);
    return (await query.toArray()).map((row) => toStoredChunk(row));
  }

  async fileChunks(repo: string, path: string): Promise<StoredChunk[]> {
    // A file is at most 1 MB, so its chunks are a few hundred at most; the cap only bounds a corrupt index.
    const rows = await this.#table
      .query()
      .where(fileSql(repo, path))
      .select(RESULT_COLUMNS)
      .limit(10_000)
      .toArray();
    return rows
      .map((row) => toStoredChunk(row))
      .sort((a, b) => a.startLine - b.startLine || a.endLine - b.endLine);
  }

  async chunkVector(id: string): Promise<Float32Array | undefined> {
    const rows = await this.#table
      .query()
      .where(`id = ${sqlString(id)}`)
      .select(['vector'])
      .limit(1)
      .toArray();
    const vector = rows[0]?.vector as { toArray(): Float32Array } | undefined;
    return vector ? Float32Array.from(vector.toArray()) : undefined;
  }

  async repoChunkCounts(): Promise<Map<string, number>> {
    // One narrow column scan; callers cache the answer by dataVersion().
    const counts = new Map<string, number>();
    const column = (await this.#table.query().select(['repo']).toArrow()).getChild('repo');
    for (let i = 0; i < (column?.length ?? 0); i++) {
      const repo = String(column?.get(i));
      counts.set(repo, (counts.get(repo) ?? 0) + 1);
    }
    return counts;
  }

  async dataVersion(): Promise<string> {
    // Named by table as well: a new generation's table counts its versions from 1 again, and a result cached
    // from the old table at the same version number must not be served from the new one.
    return `${this.#tableName}@${await this.#table.version()}`;
  }

  async close(): Promise<void> {
    this.#table.close();
    this.#connection.close();
  }
}

/** A row as a chunk; with `dimension`, its parts' vectors too (when the row has any). */
function toStoredChunk(row: Record<string, unknown>, dimension?: number): StoredChunk {
  const symbols = row.symbols as { toArray(): string[] } | string[] | null;
  const windows = dimension ? partVectorsOfCell(row.window_vectors, dimension) : [];
  const [name] = dimension ? partVectorsOfCell(row.name_vector, dimension) : [];
  return {
    id: String(row.id),
    repo: String(row.repo),
    path: String(row.path),
    language: String(row.language),
    startLine: Number(row.start_line),
    endLine: Number(row.end_line),
    symbols: Array.isArray(symbols) ? symbols : (symbols?.toArray() ?? []),
    content: String(row.content),
    ...(windows.length > 0 ? { parts: { windows, ...(name ? { name } : {}) } } : {}),
  };
}
