/**
 * The embedded local store for everything that is not a vector index: file hashes per (repo, path) and the
 * embedding cache, in SQLite (Node's built-in `node:sqlite`, no native addon to install), written in
 * transactions, so a crash never leaves half an update. The AWS deployment swaps in DynamoDB tables behind the
 * same interfaces.
 *
 * Two files: the file hashes (`state.sqlite`, synced at checkpoints) and the embedding cache
 * (`state-embeddings.sqlite`, never synced: it is only a cache, so a power cut may cost entries, and a
 * checkpoint's fsync on the indexing thread would stall the event loop for tens of milliseconds).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync as DatabaseSyncType } from 'node:sqlite';
import { canonicalRepoName } from '#engine/search/filters.ts';
import type { EmbeddingCache, FileHashStore, FileRecord } from '#engine/types.ts';
import { loadSqlite } from './load-sqlite.ts';

export class SqliteStateStore implements FileHashStore, EmbeddingCache {
  readonly #db: DatabaseSyncType;
  readonly #cacheDb: DatabaseSyncType;

  private constructor(db: DatabaseSyncType, cacheDb: DatabaseSyncType) {
    this.#db = db;
    this.#cacheDb = cacheDb;
  }

  /** Opens (creating if needed) the store at `file`; `:memory:` is accepted for throwaway use. */
  static async open(file: string): Promise<SqliteStateStore> {
    const { DatabaseSync } = await loadSqlite();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    // WAL lets a `serve` process read while an `index` process writes; NORMAL sync is durable at checkpoints
    // and loses at most the last transaction on power loss, which re-indexing repairs. The busy timeout comes
    // first: switching to WAL takes a lock too, and without it another process's write fails it at once.
    db.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS file_hashes (
        repo TEXT NOT NULL,
        path TEXT NOT NULL,
        hash TEXT NOT NULL,
        chunk_count INTEGER NOT NULL,
        indexed_at TEXT NOT NULL,
        PRIMARY KEY (repo, path)
      ) WITHOUT ROWID;
      -- The embedding cache used to live here; it moved to its own file.
      DROP TABLE IF EXISTS embedding_cache;
    `);
    const cacheDb = new DatabaseSync(
      file === ':memory:' ? file : file.replace(/(\.sqlite)?$/, '-embeddings.sqlite'),
    );
    cacheDb.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = OFF;
      -- A rowid table: its 1 KB rows would make a WITHOUT ROWID b-tree slow to insert into (SQLite's advice).
      CREATE TABLE IF NOT EXISTS embedding_vectors (
        key TEXT NOT NULL UNIQUE,
        vector BLOB NOT NULL
      );
    `);
    return new SqliteStateStore(db, cacheDb);
  }

  async listFiles(repo: string): Promise<Map<string, FileRecord>> {
    const rows = this.#db
      .prepare('SELECT path, hash, chunk_count, indexed_at FROM file_hashes WHERE repo = ?')
      .all(canonicalRepoName(repo)) as {
      path: string;
      hash: string;
      chunk_count: number;
      indexed_at: string;
    }[];
    return new Map(
      rows.map((row) => [
        row.path,
        { path: row.path, hash: row.hash, chunkCount: row.chunk_count, indexedAt: row.indexed_at },
      ]),
    );
  }

  async applyChanges(
    repo: string,
    upserts: readonly FileRecord[],
    deletedPaths: readonly string[],
  ): Promise<void> {
    const upsert = this.#db.prepare(
      `INSERT INTO file_hashes (repo, path, hash, chunk_count, indexed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (repo, path) DO UPDATE SET hash = excluded.hash, chunk_count = excluded.chunk_count, indexed_at = excluded.indexed_at`,
    );
    const remove = this.#db.prepare('DELETE FROM file_hashes WHERE repo = ? AND path = ?');
    const name = canonicalRepoName(repo);
    transaction(this.#db, () => {
      for (const record of upserts)
        upsert.run(name, record.path, record.hash, record.chunkCount, record.indexedAt);
      for (const path of deletedPaths) remove.run(name, path);
    });
  }

  /** Forgets every file of a repository (before a rebuild). */
  async clearRepo(repo: string): Promise<void> {
    this.#db.prepare('DELETE FROM file_hashes WHERE repo = ?').run(canonicalRepoName(repo));
  }

  /** Forgets every file of every repository; the embedding cache stays (it is keyed by model). */
  async clearAllFiles(): Promise<void> {
    this.#db.exec('DELETE FROM file_hashes');
  }

  /**
   * Rewrites repository names to their canonical (lower-case) spelling, in the file hashes and in the
   * catalogue of runs that shares this file (`SqliteRepoCatalog`): the SQLite half of migrating an index
   * written before names were canonical. Where two spellings of one name were both indexed (`App` and `app`),
   * their files cannot be told apart any more: that name's file hashes are dropped, so that the next run
   * indexes it afresh, and the name is returned for the chunk store to drop its rows too.
   */
  canonicaliseRepoNames(): string[] {
    const hasRuns = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'repo_runs'")
      .get();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const colliding = (
        this.#db
          .prepare(
            'SELECT lower(repo) AS name FROM file_hashes GROUP BY lower(repo) HAVING COUNT(DISTINCT repo) > 1',
          )
          .all() as { name: string }[]
      ).map((row) => row.name);
      const forget = this.#db.prepare('DELETE FROM file_hashes WHERE lower(repo) = ?');
      for (const name of colliding) forget.run(name);
      this.#db.exec('UPDATE file_hashes SET repo = lower(repo) WHERE repo <> lower(repo)');
      // The catalogue keeps one record per name (the one being rewritten wins a clash): it only says where
      // the repository was indexed from.
      if (hasRuns)
        this.#db.exec('UPDATE OR REPLACE repo_runs SET repo = lower(repo) WHERE repo <> lower(repo)');
      this.#db.exec('COMMIT');
      return colliding;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async listRepos(): Promise<{ repo: string; files: number }[]> {
    return this.#db
      .prepare('SELECT repo, COUNT(*) AS files FROM file_hashes GROUP BY repo ORDER BY repo')
      .all() as {
      repo: string;
      files: number;
    }[];
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    const lookup = this.#cacheDb.prepare('SELECT vector FROM embedding_vectors WHERE key = ?');
    for (let i = 0; i < keys.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      for (const key of keys.slice(i, i + SLICE)) {
        const row = lookup.get(key) as { vector: Uint8Array } | undefined;
        // A blob that is not whole floats is damaged: not found, so it is embedded again.
        if (row && row.vector.byteLength % 4 === 0) found.set(key, bytesToVector(row.vector));
      }
    }
    return found;
  }

  /** Cache entries are independent, so each slice is its own transaction. */
  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const insert = this.#cacheDb.prepare(
      'INSERT OR REPLACE INTO embedding_vectors (key, vector) VALUES (?, ?)',
    );
    for (let i = 0; i < entries.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      transaction(this.#cacheDb, () => {
        for (const [key, vector] of entries.slice(i, i + SLICE)) {
          insert.run(key, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
        }
      });
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
    if (this.#cacheDb.isOpen) this.#cacheDb.close();
  }
}

function transaction(db: DatabaseSyncType, work: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Rows per synchronous stretch: SQLite calls block the thread, so long lists are worked through in slices
 * with a turn of the event loop between them (a server in the same process stays responsive).
 */
const SLICE = 32;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Copies into an aligned buffer: SQLite's blob may start at any byte offset. */
function bytesToVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
