/**
 * Ports for what sits beside the index: a catalogue of indexed repositories, a way to start re-indexing one,
 * the registry of repositories a deployment accepts, and caches of query results. The engine declares them
 * so that adapters (SQLite locally; DynamoDB, SQS and the pipeline's tables on AWS) implement them without
 * depending on the HTTP API, which only consumes them.
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

export interface RepoRegistration {
  /** Branches indexed besides the default branch. */
  readonly branches: readonly string[];
}

/** The repositories a deployment accepts pushes from (besides whole allowed owners). */
export interface RepoRegistry {
  lookup(repo: string): Promise<RepoRegistration | undefined>;
}

/**
 * Enrolment of repositories by the code host itself (a GitHub App's installation events): a repository the
 * App is installed on is registered, one it leaves is unregistered. A registration an operator made (with
 * its branches) is kept as it is.
 */
export interface RepoEnrolment {
  register(repo: string): Promise<void>;
  /** Registers `repo` with exactly these branches, replacing whatever was registered (an operator's call). */
  put(repo: string, branches: readonly string[]): Promise<void>;
  unregister(repo: string): Promise<void>;
}

/** What the admin routes `PUT` and `DELETE /repos/{repo}` do, wherever the index lives. */
export interface RepoAdmin {
  /** Registers `repo` with `branches` (replacing an earlier registration's) and starts its first index. */
  register(repo: string, branches: readonly string[]): Promise<void>;
  /**
   * Unregisters `repo` and removes every index it has (its default branch's and each branch's); answers the
   * indexes removed or being removed. Throws NotFoundError for a repository it does not know.
   */
  remove(repo: string): Promise<readonly string[]>;
}

/**
 * A cache of query results. The interface is async so that a cache may live outside the process (DynamoDB
 * on Lambda, where each container has its own memory). A cache must never fail a request: implementations
 * turn their own faults into misses.
 */
export interface ResultCache {
  /** The cached value, or undefined on a miss (absent, expired, or the cache could not be read). */
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}
