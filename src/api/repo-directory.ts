/**
 * The repositories behind the API: the catalogue's records (commit, indexing status, file counts) merged with
 * the chunk store's counts, so a repository indexed by any means shows up. `list()` reads the catalogue at most
 * every few seconds; `commits()` reads it afresh, once per request (not once per result), so that results
 * carry the commit that is searchable now rather than one from a few seconds ago.
 */

import type { RepoCatalog, RepoRecord } from '#engine/repo-catalog.ts';
import { splitIndexName } from '#engine/search/filters.ts';
import type { ChunkStore } from '#engine/types.ts';
import type { RepoInfo } from './schemas.ts';
import type { CommitOf } from './views.ts';

export interface RepoDirectory {
  list(): Promise<RepoInfo[]>;
  /** A lookup of each repository's searchable commit (null when unknown), read now: call it once per request. */
  commits(): Promise<CommitOf>;
}

export function createRepoDirectory(
  store: ChunkStore,
  catalog: RepoCatalog | undefined,
  options: { ttlMs?: number; now?: () => number } = {},
): RepoDirectory {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; records: Promise<RepoRecord[]> } | undefined;
  const records = (fresh = false): Promise<RepoRecord[]> => {
    if (!catalog) return Promise.resolve([]);
    if (fresh || !cached || now() - cached.at >= ttlMs) {
      const entry = { at: now(), records: catalog.listRepos() };
      entry.records.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.records;
  };
  // Counting chunks scans the repo column: do it once per version of the data, not once per request.
  let counted: { version: string; counts: Promise<Map<string, number>> } | undefined;
  const chunkCounts = async (): Promise<Map<string, number>> => {
    const version = await store.dataVersion();
    if (counted?.version !== version) counted = { version, counts: store.repoChunkCounts() };
    const entry = counted;
    return entry.counts.catch((error: unknown) => {
      if (counted === entry) counted = undefined;
      throw error;
    });
  };
  return {
    async list() {
      const [known, counts] = await Promise.all([records(), chunkCounts()]);
      const byRepo = new Map<string, RepoInfo>();
      for (const record of known)
        byRepo.set(record.repo, { ...record, branch: null, errors: [...record.errors], chunks: 0 });
      for (const [repo, chunks] of counts) {
        const record = byRepo.get(repo);
        byRepo.set(
          repo,
          record
            ? { ...record, chunks }
            : {
                repo,
                branch: null,
                commit: null,
                indexedAt: null,
                files: null,
                chunks,
                status: 'ready',
                errors: [],
              },
        );
      }
      // Keyed by index name; shown as repository and branch, each repository's default branch first.
      return [...byRepo.values()]
        .map((info) => ({ ...info, ...splitIndexName(info.repo) }))
        .sort((a, b) => a.repo.localeCompare(b.repo) || (a.branch ?? '').localeCompare(b.branch ?? ''));
    },
    async commits() {
      const byRepo = new Map((await records(true)).map((record) => [record.repo, record.commit]));
      return (repo) => byRepo.get(repo) ?? null;
    },
  };
}
