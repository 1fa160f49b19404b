/**
 * The embedded local store for everything that is not a vector index: file hashes per (repo, path) and the
 * embedding cache. One SQLite file (Node's built-in `node:sqlite`, no native addon to install), written in
 * transactions, so a crash never leaves half an update. The AWS deployment swaps in DynamoDB tables behind the
 * same interfaces.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync as DatabaseSyncType } from 'node:sqlite';
import type { EmbeddingCache, FileHashStore, FileRecord } from '#engine/types.ts';
import { loadSqlite } from './load-sqlite.ts';

export class SqliteStateStore implements FileHashStore, EmbeddingCache {
  readonly #db: DatabaseSyncType;

  private constructor(db: DatabaseSyncType) {
    this.#db = db;
  }

  /** Opens (creating if needed) the store at `file`; `:memory:` is accepted for throwaway use. */
  static async open(file: string): Promise<SqliteStateStore> {
    const { DatabaseSync } = await loadSqlite();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    // WAL lets a `serve` process read while an `index` process writes; NORMAL sync is durable at checkpoints
    // and loses at most the last transaction on power loss, which re-indexing repairs.
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS file_hashes (
        repo TEXT NOT NULL,
        path TEXT NOT NULL,
        hash TEXT NOT NULL,
        chunk_count INTEGER NOT NULL,
        indexed_at TEXT NOT NULL,
        PRIMARY KEY (repo, path)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS embedding_cache (
        key TEXT PRIMARY KEY,
        vector BLOB NOT NULL
      ) WITHOUT ROWID;
    `);
    return new SqliteStateStore(db);
  }

  async listFiles(repo: string): Promise<Map<string, FileRecord>> {
    const rows = this.#db
      .prepare('SELECT path, hash, chunk_count, indexed_at FROM file_hashes WHERE repo = ?')
      .all(repo) as { path: string; hash: string; chunk_count: number; indexed_at: string }[];
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
    this.#transaction(() => {
      for (const record of upserts)
        upsert.run(repo, record.path, record.hash, record.chunkCount, record.indexedAt);
      for (const path of deletedPaths) remove.run(repo, path);
    });
  }

  /** Forgets every file of a repository (before a rebuild). */
  async clearRepo(repo: string): Promise<void> {
    this.#db.prepare('DELETE FROM file_hashes WHERE repo = ?').run(repo);
  }

  /** Forgets every file of every repository; the embedding cache stays (it is keyed by model). */
  async clearAllFiles(): Promise<void> {
    this.#db.exec('DELETE FROM file_hashes');
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
    const lookup = this.#db.prepare('SELECT vector FROM embedding_cache WHERE key = ?');
    for (let i = 0; i < keys.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      for (const key of keys.slice(i, i + SLICE)) {
        const row = lookup.get(key) as { vector: Uint8Array } | undefined;
        if (row) found.set(key, bytesToVector(row.vector));
      }
    }
    return found;
  }

  /** Cache entries are independent, so each slice is its own transaction. */
  async putMany(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const insert = this.#db.prepare('INSERT OR REPLACE INTO embedding_cache (key, vector) VALUES (?, ?)');
    for (let i = 0; i < entries.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      this.#transaction(() => {
        for (const [key, vector] of entries.slice(i, i + SLICE)) {
          insert.run(key, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
        }
      });
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

/**
 * Rows per synchronous stretch: SQLite calls block the thread, so long lists are worked through in slices
 * with a turn of the event loop between them (a server in the same process stays responsive).
 */
const SLICE = 128;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Copies into an aligned buffer: SQLite's blob may start at any byte offset. */
function bytesToVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
