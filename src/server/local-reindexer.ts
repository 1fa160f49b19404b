/**
 * Re-indexing for `codesearch serve`: runs the indexer in this process over the directory the repository was
 * last indexed from, in the background (the API answers 202 at once), recording progress in the catalogue
 * so `GET /repos` shows `indexing`, then `ready` or `failed`.
 */
import { stat } from 'node:fs/promises';
import { gitHeadCommit } from '#adapters/local/git-head.ts';
import type { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { ConflictError } from '#api/errors.ts';
import type { Reindexer } from '#api/ports.ts';
import { NotFoundError } from '#engine/errors.ts';
import { type IndexDeps, type IndexSummary, indexDirectory } from '#engine/indexing/indexer.ts';

export interface LocalReindexer extends Reindexer {
  /** Resolves when every run started so far has finished (tests and shutdown wait on it). */
  idle(): Promise<void>;
}

export function localReindexer(
  indexDeps: IndexDeps,
  catalog: SqliteRepoCatalog,
  onError: (repo: string, error: unknown) => void = () => {},
): LocalReindexer {
  const busy = new Set<string>();
  const runs = new Set<Promise<void>>();

  /** The directory `repo` was last indexed from; 404 for an unknown repository, 409 when there is none. */
  async function sourceRoot(repo: string): Promise<string> {
    const root = catalog.rootOf(repo);
    if (!root) {
      const known =
        (await catalog.listRepos()).some((r) => r.repo === repo) ||
        (await indexDeps.store.countChunks(repo)) > 0;
      if (!known) throw new NotFoundError(`Repository ${repo} is not in the index`);
      throw new ConflictError(
        `No source directory is recorded for ${repo}; index it once with: codesearch index <dir> --repo ${repo}`,
      );
    }
    if (!(await stat(root).catch(() => undefined))?.isDirectory()) {
      throw new ConflictError(`${repo} was indexed from ${root}, which is no longer a directory`);
    }
    return root;
  }

  return {
    async reindex(repo) {
      if (busy.has(repo)) throw new ConflictError(`${repo} is already being re-indexed`);
      busy.add(repo); // before the first await, so two requests at once cannot both start a run
      let root: string;
      try {
        root = await sourceRoot(repo);
      } catch (error) {
        busy.delete(repo);
        throw error;
      }
      catalog.recordRun(repo, { root, status: 'indexing' });
      const run: Promise<void> = gitHeadCommit(root)
        .then(async (commit) => {
          const summary = await runIndex(indexDeps, repo, root);
          catalog.recordRun(repo, { root, ...finishedRun(summary), commit });
        })
        .catch((error: unknown) => {
          onError(repo, error);
          const message = error instanceof Error ? error.message : String(error);
          catalog.recordRun(repo, { root, status: 'failed', errors: [message] });
        })
        .finally(() => {
          busy.delete(repo);
          runs.delete(run);
        });
      runs.add(run);
    },
    async idle() {
      await Promise.all(runs);
    },
  };
}

async function runIndex(deps: IndexDeps, repo: string, root: string): Promise<IndexSummary> {
  for await (const event of indexDirectory(deps, { root, repo }))
    if (event.type === 'done') return event.summary;
  throw new Error('indexing ended without a summary');
}

/** How a finished run is recorded: unreadable files are the errors a repository's owners can act on. */
export function finishedRun(summary: IndexSummary): { status: 'ready'; indexedAt: string; errors: string[] } {
  return {
    status: 'ready',
    indexedAt: new Date().toISOString(),
    errors: summary.skippedExamples
      .filter((skipped) => skipped.reason === 'unreadable')
      .map((skipped) => `${skipped.path}: ${skipped.detail}`),
  };
}
