/**
 * Re-indexing for `codesearch serve`: runs `codesearch index` over the directory the repository was last
 * indexed from, as a child process in the background (the API answers 202 at once), so that the server's
 * own event loop never walks, reads or matches anything of a repository: whatever a repository holds
 * (hostile ignore rules, enormous files), the server keeps answering. The child records its progress in the
 * catalogue, so `GET /repos` shows `indexing`, then `ready` or `failed`; it waits for any other index run of
 * the same data directory (the index lock), and is stopped if it outlasts `timeoutMs`.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import type { IndexSummary } from '#engine/indexing/indexer.ts';
import type { Reindexer } from '#engine/repo-catalog.ts';
import type { ChunkStore } from '#engine/types.ts';

export interface LocalReindexer extends Reindexer {
  /** Resolves when every run started so far has finished (tests and shutdown wait on it). */
  idle(): Promise<void>;
  /** Stops every running child (shutdown); their runs are recorded as failed. */
  stop(): void;
}

export interface LocalReindexerOptions {
  /** The data directory the server reads, passed to the child as `--home`. */
  readonly home: string;
  /** The model folder the server uses, passed as `--model`. */
  readonly modelDir: string;
  /** A run that takes longer is stopped and recorded as failed. @default 2 hours */
  readonly timeoutMs?: number;
  readonly onError?: (repo: string, message: string) => void;
}

/** The CLI's entry point: a child runs exactly what `codesearch index` (or `remove`) runs. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/codesearch.ts', import.meta.url));
/** Only the end of the child's error output is kept, for the failure message. */
const MAX_STDERR_CHARS = 4096;

export function localReindexer(
  store: Pick<ChunkStore, 'countChunks'>,
  catalog: SqliteRepoCatalog,
  options: LocalReindexerOptions,
): LocalReindexer {
  const busy = new Set<string>();
  const runs = new Set<Promise<void>>();
  const children = new Set<ReturnType<typeof spawn>>();
  const timeoutMs = options.timeoutMs ?? 2 * 3600_000;

  /** The directory `repo` was last indexed from; 404 for an unknown repository, 409 when there is none. */
  async function sourceRoot(repo: string): Promise<string> {
    const root = catalog.rootOf(repo);
    if (!root) {
      const known =
        (await catalog.listRepos()).some((r) => r.repo === repo) || (await store.countChunks(repo)) > 0;
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

  function runChild(repo: string, root: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          CLI_BIN,
          'index',
          root,
          '--repo',
          repo,
          '--home',
          options.home,
          '--model',
          options.modelDir,
          '--json',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.add(child);
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (part: string) => {
        stderr = (stderr + part).slice(-MAX_STDERR_CHARS);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const finish = (problem: string | undefined): void => {
        clearTimeout(timer);
        children.delete(child);
        // The child records its own success or failure; this covers a child that could not (killed, crashed).
        if (problem !== undefined) {
          options.onError?.(repo, problem);
          if (catalog.statusOf(repo) === 'indexing')
            catalog.recordRun(repo, { root, status: 'failed', errors: [problem] });
        }
        resolve();
      };
      child.once('error', (error) => finish(`could not start codesearch index: ${error.message}`));
      child.once('exit', (code, signal) => {
        if (code === 0) return finish(undefined);
        if (timedOut) return finish(`re-indexing was stopped after ${Math.round(timeoutMs / 1000)} s`);
        finish(lastLine(stderr) ?? `codesearch index ended with ${signal ?? `exit code ${code}`}`);
      });
    });
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
      const run: Promise<void> = runChild(repo, root).finally(() => {
        busy.delete(repo);
        runs.delete(run);
      });
      runs.add(run);
    },
    async idle() {
      await Promise.all(runs);
    },
    stop() {
      for (const child of children) child.kill('SIGTERM');
    },
  };
}

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1)?.replace(/^codesearch: /, '');
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
