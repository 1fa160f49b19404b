/**
 * The local catalogue of indexed repositories: where each was indexed from (so `POST /repos/{repo}/reindex`
 * can run again), when, how the last run ended, and its problems. It lives in the same SQLite file as the
 * state store, on its own connection (WAL lets `serve` read while `index` writes); file counts come from the
 * state store's `file_hashes` table.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync as DatabaseSyncType } from 'node:sqlite';
import type { RepoCatalog, RepoRecord, RepoStatus } from '#engine/repo-catalog.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';
import { redactor } from '#engine/secret-redaction.ts';
import { loadSqlite } from './load-sqlite.ts';

export interface RepoRun {
  /** Absolute path of the indexed directory. */
  readonly root: string;
  readonly status: RepoStatus;
  readonly indexedAt?: string;
  readonly errors?: readonly string[];
  /**
   * The git HEAD commit the run indexed (null: the folder is not a git checkout). Absent keeps the recorded
   * one, as a run that only starts does.
   */
  readonly commit?: string | null;
}

const MAX_ERRORS = 20;

export class SqliteRepoCatalog implements RepoCatalog {
  readonly #db: DatabaseSyncType;

  private constructor(db: DatabaseSyncType) {
    this.#db = db;
  }

  static async open(file: string): Promise<SqliteRepoCatalog> {
    const { DatabaseSync } = await loadSqlite();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    db.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA journal_mode = WAL;
      CREATE TABLE IF NOT EXISTS repo_runs (
        repo TEXT PRIMARY KEY,
        root TEXT NOT NULL,
        status TEXT NOT NULL,
        indexed_at TEXT,
        commit_sha TEXT,
        errors TEXT NOT NULL DEFAULT '[]'
      ) WITHOUT ROWID;
    `);
    return new SqliteRepoCatalog(db);
  }

  /**
   * Records the start or end of an indexing run; `indexedAt` and `commit` keep their last values when a run
   * only starts (or fails).
   */
  recordRun(name: string, run: RepoRun): void {
    const repo = canonicalRepoName(name);
    this.#db
      .prepare(
        `INSERT INTO repo_runs (repo, root, status, indexed_at, commit_sha, errors) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo) DO UPDATE SET root = excluded.root, status = excluded.status,
           indexed_at = COALESCE(excluded.indexed_at, repo_runs.indexed_at),
           commit_sha = CASE WHEN ? THEN excluded.commit_sha ELSE repo_runs.commit_sha END,
           errors = excluded.errors`,
      )
      .run(
        repo,
        run.root,
        run.status,
        run.indexedAt ?? null,
        run.commit ?? null,
        JSON.stringify((run.errors ?? []).slice(0, MAX_ERRORS).map((error) => redactor.redact(error))),
        run.commit === undefined ? 0 : 1,
      );
  }

  rootOf(repo: string): string | undefined {
    const row = this.#db.prepare('SELECT root FROM repo_runs WHERE repo = ?').get(canonicalRepoName(repo)) as
      | { root: string }
      | undefined;
    return row?.root;
  }

  /** The status of the last recorded run, if any. */
  statusOf(repo: string): RepoStatus | undefined {
    const row = this.#db
      .prepare('SELECT status FROM repo_runs WHERE repo = ?')
      .get(canonicalRepoName(repo)) as { status: RepoStatus } | undefined;
    return row?.status;
  }

  async listRepos(): Promise<RepoRecord[]> {
    // The state store owns file_hashes; before its first open there are no files to count.
    const hasFiles = this.#db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'file_hashes'")
      .get();
    const files = hasFiles ? '(SELECT COUNT(*) FROM file_hashes f WHERE f.repo = r.repo)' : 'NULL';
    const rows = this.#db
      .prepare(
        `SELECT r.repo, r.status, r.indexed_at, r.commit_sha, r.errors, ${files} AS files
         FROM repo_runs r ORDER BY r.repo`,
      )
      .all() as {
      repo: string;
      status: RepoStatus;
      indexed_at: string | null;
      commit_sha: string | null;
      errors: string;
      files: number | null;
    }[];
    return rows.map((row) => ({
      repo: row.repo,
      commit: row.commit_sha,
      indexedAt: row.indexed_at,
      files: row.files,
      status: row.status,
      errors: JSON.parse(row.errors) as string[],
    }));
  }

  /** Forgets a repository's (or branch index's) runs: it was removed. */
  forget(repo: string): void {
    this.#db.prepare('DELETE FROM repo_runs WHERE repo = ?').run(canonicalRepoName(repo));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
