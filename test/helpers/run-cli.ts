import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CLI entry point, run as its own process the way `npx codesearch` runs it. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/codesearch.ts', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `codesearch ...args` with extra environment; never throws for a non-zero exit, returns it. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliResult> {
  return run(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, ...env }, cwd }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: CliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
