import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gitBranches, gitHeadCommit } from '#adapters/local/git-head.ts';
import { acquireIndexLock } from '#adapters/local/index-lock.ts';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { InvalidRequestError } from '#engine/errors.ts';
import { type IndexSummary, indexDirectory } from '#engine/indexing/indexer.ts';
import { indexNameOf, validateBranchName, validateRepoName } from '#engine/search/filters.ts';
import { openLocalServices, resolveHome } from '../runtime/local-services.ts';
import { finishedRun } from '../server/local-reindexer.ts';
import { createProgressLine } from './progress.ts';
import { defaultRepoName } from './repo-name.ts';

export interface IndexCommandOptions {
  readonly home?: string;
  readonly model?: string;
  readonly repo?: string;
  /** The branch indexed (default: the one checked out); any but the default branch gets its own index. */
  readonly branch?: string;
  readonly maxFileSize: number;
  readonly rebuild?: boolean;
  readonly json?: boolean;
}

export async function runIndexCommand(dir: string, options: IndexCommandOptions): Promise<IndexSummary> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new InvalidRequestError(`${dir} is not a directory`);
  const repo = indexNameOf(
    validateRepoName(options.repo ?? defaultRepoName(root), '--repo'),
    await branchIndexed(root, options.branch),
  );
  const home = resolveHome(options.home);
  // Every run writes the same table and state file: a second run waits for the first (see index-lock.ts).
  const lock = await acquireIndexLock(home, repo, {
    onWait: (holder) =>
      process.stderr.write(
        `Another codesearch index run${holder ? ` (pid ${holder.pid}, ${holder.repo}, since ${holder.since})` : ''} is writing ${home}; waiting for it to finish…\n`,
      ),
  });
  try {
    return await indexUnderLock(root, repo, home, options);
  } finally {
    await lock.release();
  }
}

/**
 * Which branch's index to write: `--branch`, else the checked-out branch — none (the repository's own
 * index) for its default branch, as the push pipeline names them, or when the default branch is unknown
 * and none was asked for (a folder, a checkout without a remote).
 */
async function branchIndexed(root: string, asked: string | undefined): Promise<string | undefined> {
  const { checkedOut, defaultBranch } = await gitBranches(root);
  const branch = asked === undefined ? checkedOut : validateBranchName(asked, '--branch');
  if (branch === null || branch === defaultBranch) return undefined;
  if (asked === undefined && defaultBranch === null) return undefined;
  return validateBranchName(branch, '--branch');
}

async function indexUnderLock(
  root: string,
  repo: string,
  home: string,
  options: IndexCommandOptions,
): Promise<IndexSummary> {
  const services = await openLocalServices({
    home,
    holdsIndexLock: true,
    modelDir: options.model,
    rebuild: options.rebuild,
  });
  const progress = createProgressLine();
  let catalog: SqliteRepoCatalog | undefined;
  try {
    // The catalogue remembers where the repository lives, so `POST /repos/{repo}/reindex` can run it again.
    catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
    catalog.recordRun(repo, { root, status: 'indexing' });
    // The commit the files are at as indexing starts: search results carry it (null outside a git checkout).
    const commit = await gitHeadCommit(root);
    let summary: IndexSummary | undefined;
    for await (const event of indexDirectory(services.indexDeps, {
      root,
      repo,
      discovery: { maxFileBytes: options.maxFileSize },
    })) {
      if (event.type === 'done') summary = event.summary;
      else progress.update(event);
    }
    progress.end();
    if (!summary) throw new Error('indexing ended without a summary');
    catalog.recordRun(repo, { root, ...finishedRun(summary), commit });
    process.stdout.write(
      options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, root),
    );
    return summary;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    catalog?.recordRun(repo, { root, status: 'failed', errors: [message] });
    throw error;
  } finally {
    progress.end();
    catalog?.close();
    await services.close();
  }
}

export function formatSummary(s: IndexSummary, root: string): string {
  const reasons = Object.entries(s.skippedByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const lines = [
    `Indexed ${root} as "${s.repo}" in ${s.seconds.toFixed(2)} s`,
    `  files:  ${s.filesScanned} scanned · ${s.filesAdded} added · ${s.filesChanged} changed · ${s.filesUnchanged} unchanged · ${s.filesDeleted} deleted`,
    `  skipped: ${s.filesSkipped}${reasons ? ` (${reasons})` : ''}`,
    `  chunks: ${s.chunksEmbedded} embedded · ${s.chunksFromCache} from cache · ${s.chunksInRepo} in the index for this repo`,
  ];
  for (const example of s.skippedExamples.slice(0, 10))
    lines.push(`    skipped ${example.path}: ${example.reason} (${example.detail})`);
  if (s.skippedExamples.length > 10 || s.filesSkipped > s.skippedExamples.length)
    lines.push('    … (--json lists more)');
  if (s.ignoreLinesNotApplied > 0) {
    lines.push(`  ignore-file lines not applied: ${s.ignoreLinesNotApplied}`);
    for (const notice of s.ignoreNotices.slice(0, 5))
      lines.push(`    ${notice.path}:${notice.line} ${notice.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
