/**
 * `codesearch remove --repo R [--branch B]`: takes a repository out of the local index — its chunks, file
 * hashes and catalogue entry, for its default branch and every branch index (or only the named branch's) —
 * so that nothing of it is searchable any more, nor re-indexed by `POST /repos/{repo}/reindex`. The
 * embedding cache stays: it is keyed by content and model, and speeds up indexing the same code again.
 */
import { join } from 'node:path';
import { acquireIndexLock } from '#adapters/local/index-lock.ts';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { NotFoundError } from '#engine/errors.ts';
import { indexNameOf, splitIndexName, validateBranchName, validateRepoName } from '#engine/search/filters.ts';
import { openLocalServices, resolveHome } from '../runtime/local-services.ts';

export interface RemoveCommandOptions {
  readonly home?: string;
  readonly model?: string;
  readonly repo: string;
  readonly branch?: string;
  readonly json?: boolean;
}

export interface RemoveSummary {
  readonly repo: string;
  /** The indexes removed: the repository's own and its branches', by index name. */
  readonly indexes: readonly string[];
  readonly chunks: number;
  readonly files: number;
}

export async function runRemoveCommand(options: RemoveCommandOptions): Promise<RemoveSummary> {
  const repo = validateRepoName(options.repo, '--repo');
  const branch = options.branch === undefined ? undefined : validateBranchName(options.branch, '--branch');
  const home = resolveHome(options.home);
  // Removing writes the same table and state file as indexing: one writer at a time.
  const lock = await acquireIndexLock(home, repo, {
    onWait: () =>
      process.stderr.write(`Another codesearch run is writing ${home}; waiting for it to finish…\n`),
  });
  try {
    const services = await openLocalServices({ home, modelDir: options.model, holdsIndexLock: true });
    const catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
    try {
      const counts = await services.store.repoChunkCounts();
      const known = new Set([
        ...counts.keys(),
        ...(await catalog.listRepos()).map((record) => record.repo),
        ...(await services.state.listRepos()).map((record) => record.repo),
      ]);
      const target = branch === undefined ? undefined : indexNameOf(repo, branch);
      const indexes = [...known]
        .filter((name) => (target === undefined ? splitIndexName(name).repo === repo : name === target))
        .sort();
      if (indexes.length === 0)
        throw new NotFoundError(`${target ?? repo} is not in the index at ${services.home}`);
      let files = 0;
      for (const index of indexes) {
        files += (await services.state.listFiles(index)).size;
        // Chunks first: a run stopped half-way leaves file hashes, and the next index run re-embeds nothing.
        await services.store.deleteRepo(index);
        await services.state.clearRepo(index);
        catalog.forget(index);
      }
      await services.store.optimize();
      const summary = {
        repo,
        indexes,
        chunks: indexes.reduce((sum, index) => sum + (counts.get(index) ?? 0), 0),
        files,
      };
      process.stdout.write(
        options.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `Removed ${indexes.join(', ')} from ${services.home}: ${summary.chunks} chunks, ${files} files\n`,
      );
      return summary;
    } finally {
      catalog.close();
      await services.close();
    }
  } finally {
    await lock.release();
  }
}
