/**
 * What the API needs from the rest of the system beyond the engine's stores, as interfaces: a catalogue of
 * indexed repositories and a way to start re-indexing one. Local adapters implement them over SQLite and the
 * indexer; the AWS deployment implements them over its own tables and job queue.
 */

export type RepoStatus = 'ready' | 'indexing' | 'failed';

export interface RepoRecord {
  readonly repo: string;
  /** The commit whose contents are searchable; null until the indexing pipeline records one. */
  readonly commit: string | null;
  readonly indexedAt: string | null;
  readonly files: number | null;
  readonly status: RepoStatus;
  /** Problems of the last indexing run, for the people who own the repository. */
  readonly errors: readonly string[];
}

export interface RepoCatalog {
  listRepos(): Promise<RepoRecord[]>;
}

export interface Reindexer {
  /**
   * Starts re-indexing `repo` and returns once it is under way. Throws NotFoundError for a repository it does
   * not know and ConflictError when it cannot (no source location recorded, or a run already in progress).
   */
  reindex(repo: string): Promise<void>;
}
