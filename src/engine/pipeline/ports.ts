/**
 * What push-driven indexing needs from the outside world, as interfaces: the code host (GitHub), the job
 * queue (SQS), the per-index state (DynamoDB) and a lookup of recorded file hashes. AWS and GitHub adapters
 * implement them; tests pass emulator-backed or in-memory ones. Nothing here imports a cloud SDK.
 */
import type { FileRecord } from '../types.ts';
import type { Job } from './jobs.ts';

/** One file of a git tree. `sha` is the git blob id, which doubles as the file's content hash. */
export interface TreeFile {
  readonly path: string;
  readonly sha: string;
  /** Bytes; known from the tree listing, so oversized files are skipped without a download. */
  readonly size: number;
  /** Symlinks and submodules are listed so that they can be skipped with a reason. */
  readonly kind: 'file' | 'symlink' | 'submodule';
}

/** A file read at a commit. `bytes` is absent when the host would not send a file that large. */
export interface HostedFile {
  readonly sha: string;
  readonly size: number;
  readonly kind: TreeFile['kind'];
  readonly bytes?: Uint8Array;
}

/** A repository as the code host names it. */
export interface HostedRepo {
  /** `owner/name` as the host spells it (names are case-insensitive; the host's spelling names the index). */
  readonly fullName: string;
  readonly defaultBranch: string;
}

/** Read-only access to repositories on the code host. Implementations retry and honour rate limits. */
export interface SourceHost {
  /** The repository's canonical name and default branch. */
  describeRepo(repo: string): Promise<HostedRepo>;
  /** The commit a branch points at now. */
  resolveCommit(repo: string, branch: string): Promise<string>;
  /** Every file of the commit's tree (recursively). */
  listTree(repo: string, commit: string): Promise<TreeFile[]>;
  /** One blob's bytes by id. */
  readBlob(repo: string, sha: string): Promise<Uint8Array>;
  /** One path at a commit, or undefined when it does not exist there. */
  readFile(repo: string, commit: string, path: string): Promise<HostedFile | undefined>;
}

/** Sends jobs; the queue delivers each at least once. */
export interface JobQueue {
  send(jobs: readonly Job[]): Promise<void>;
}

/** Point lookups in the file-hash table (a push touches a handful of paths of a large repository). */
export interface FileHashLookup {
  getFiles(repo: string, paths: readonly string[]): Promise<Map<string, FileRecord>>;
}

/** A job currently allowed to write an index (see IndexStateStore.beginWrite). */
export interface WriterLease {
  readonly id: string;
  readonly seq: number;
  /** Epoch ms after which the writer is presumed dead (its function has timed out). */
  readonly until: number;
}

export interface SyncProgress {
  readonly id: string;
  readonly seq: number;
  readonly commit: string;
  readonly batches: number;
  readonly done: number;
  /** All batches are on the queue: a redelivered planner need not plan again. */
  readonly queued: boolean;
}

/** Where one index stands. */
export interface IndexState {
  readonly index: string;
  readonly repo?: string;
  /** The branch the index follows. */
  readonly branch?: string;
  /** The commit that is searchable now, and its ordering key. */
  readonly commit?: string;
  readonly seq?: number;
  readonly indexedAt?: string;
  /** Files in the index as of the last full comparison. */
  readonly files?: number;
  /** The newest job accepted for this index; older jobs give way to it. */
  readonly target?: { readonly seq: number; readonly commit?: string };
  readonly writers: readonly WriterLease[];
  readonly sync?: SyncProgress;
  /** Recent permanent failures, newest first, for the people who own the repository. */
  readonly errors: readonly string[];
}

/**
 * Per-index state with the fencing that keeps "newest push wins" true under concurrency and redelivery.
 *
 * A job first `claim`s the index with its `seq`; a claim older than the current target is refused. Before each
 * commit a job takes a writer lease (`beginWrite`), which is refused once a newer job has claimed the index,
 * and a newer job waits for older leases to end before it reads the file-hash table. So an older job can never
 * commit after a newer job has planned its work. Every update is one conditional write.
 */
export interface IndexStateStore {
  get(index: string): Promise<IndexState | undefined>;
  /**
   * Accepts a job as the newest for `index` unless a newer one was accepted. Re-claiming with the same seq and
   * commit (a redelivery) is accepted; so is a claim with the same seq whose `before` is the current target
   * (two pushes within one second of `pushed_at`).
   */
  claim(
    index: string,
    claim: { repo: string; branch: string; seq: number; commit: string; before?: string },
  ): Promise<'accepted' | 'superseded'>;
  /** Registers a writer while `seq` is still the target; false when a newer job has claimed the index. */
  beginWrite(index: string, lease: WriterLease): Promise<boolean>;
  endWrite(index: string, writerId: string): Promise<void>;
  /** Records a planned sync of `batches` batches (0 is allowed), if `seq` is still the target. */
  startSync(
    index: string,
    sync: { id: string; seq: number; commit: string; batches: number; files: number },
  ): Promise<boolean>;
  /** Records that every batch of the sync is on the queue. */
  markSyncQueued(index: string, sync: { id: string; seq: number }): Promise<void>;
  /**
   * Marks one batch of a sync done (idempotent per batch number) and returns the progress, or undefined when
   * the sync is no longer current (superseded or re-planned).
   */
  finishBatch(
    index: string,
    sync: { id: string; seq: number; batch: number },
  ): Promise<SyncProgress | undefined>;
  /** Makes `commit` the searchable commit if `seq` is still the target and newer than what is published. */
  publish(index: string, published: { seq: number; commit: string }): Promise<boolean>;
  /** Remembers a permanent failure (the last few are kept). */
  recordError(index: string, message: string): Promise<void>;
}

/** Structured log lines; the Lambda passes Powertools' logger, tests a recorder. */
export interface PipelineLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const SILENT_LOG: PipelineLog = { info: () => {}, warn: () => {} };
