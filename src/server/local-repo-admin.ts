/**
 * The admin routes for `codesearch serve`: `DELETE /repos/{repo}` runs `codesearch remove` as a child process
 * (which takes the data directory's index lock, as every writer does), and answers once the repository is
 * gone. `PUT /repos/{repo}` has nothing to register locally — a local repository is one indexed from a
 * folder — and says how instead.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConflictError, NotFoundError } from '#engine/errors.ts';
import type { RepoAdmin } from '#engine/repo-catalog.ts';
import { CLI_BIN } from './local-reindexer.ts';

const run = promisify(execFile);

export function localRepoAdmin(options: { readonly home: string; readonly modelDir: string }): RepoAdmin {
  return {
    async register(repo) {
      throw new ConflictError(
        `Repositories are registered locally by indexing them: codesearch index <dir> --repo ${repo}`,
      );
    },
    async remove(repo) {
      const args = [
        CLI_BIN,
        'remove',
        '--repo',
        repo,
        '--json',
        '--home',
        options.home,
        '--model',
        options.modelDir,
      ];
      try {
        const { stdout } = await run(process.execPath, args, { timeout: 10 * 60_000 });
        return (JSON.parse(stdout) as { indexes: string[] }).indexes;
      } catch (error) {
        const stderr = String((error as { stderr?: unknown }).stderr ?? '');
        if (/is not in the index/.test(stderr))
          throw new NotFoundError(`Repository ${repo} is not in the index`);
        throw error;
      }
    },
  };
}
