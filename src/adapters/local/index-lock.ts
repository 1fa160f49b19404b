/**
 * One writer at a time per data directory. Every repository indexed locally shares one LanceDB table and one
 * SQLite state file, so two `codesearch index` runs at once (of one repository or of two) would race: one
 * would fail with LanceDB's "Retryable commit conflict" or SQLite's "database is locked". Instead the second
 * run waits for the first and then goes ahead, which also makes it cheap (the first run left little to do).
 *
 * The lock is an exclusive transaction on a small SQLite file: the operating system's file lock underneath
 * is released when its process ends however it ends (killed, crashed), so a dead holder can never leave the
 * lock behind and no staleness guess is needed. Who holds it is written beside it, for the waiting message.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync as DatabaseSyncType } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSqlite } from './load-sqlite.ts';

export const INDEX_LOCK_FILE = 'index-lock.sqlite';
const HOLDER_FILE = 'index-lock.json';

export interface LockHolder {
  readonly pid: number;
  readonly repo: string;
  readonly since: string;
}

export interface IndexLock {
  /** Ends the transaction and closes the file: the next waiter goes ahead. Safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Called once, when another process holds the lock and this one starts waiting (holder if known). */
  readonly onWait?: (holder: LockHolder | undefined) => void;
  /** @default 250 */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Takes the index lock of data directory `home` for `repo`, waiting while another process holds it.
 *
 * @example
 * const lock = await acquireIndexLock(home, 'acme/api', { onWait: (h) => console.error(`waiting for ${h?.pid}`) });
 * try { await index(); } finally { await lock.release(); }
 */
export async function acquireIndexLock(
  home: string,
  repo: string,
  options: AcquireOptions = {},
): Promise<IndexLock> {
  mkdirSync(home, { recursive: true });
  const { DatabaseSync } = await loadSqlite();
  const db = new DatabaseSync(join(home, INDEX_LOCK_FILE));
  try {
    // No waiting inside SQLite: a busy lock returns at once, and this loop waits without blocking the thread.
    db.exec('PRAGMA busy_timeout = 0');
    let waited = false;
    while (!tryBegin(db)) {
      if (!waited) options.onWait?.(readHolder(home));
      waited = true;
      await sleep(options.pollMs ?? 250, undefined, { signal: options.signal });
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, repo, since: new Date().toISOString() };
  writeFileSync(join(home, HOLDER_FILE), JSON.stringify(holder), { mode: 0o600 });
  return heldLock(db, home);
}

function tryBegin(db: DatabaseSyncType): boolean {
  try {
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (error) {
    if (/database is locked|SQLITE_BUSY/i.test((error as Error).message)) return false;
    throw error;
  }
}

function readHolder(home: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(home, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return undefined;
    return { pid: parsed.pid, repo: String(parsed.repo ?? ''), since: String(parsed.since ?? '') };
  } catch {
    return undefined;
  }
}

function heldLock(db: DatabaseSyncType, home: string): IndexLock {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    rmSync(join(home, HOLDER_FILE), { force: true });
    try {
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  };
  return { release };
}
