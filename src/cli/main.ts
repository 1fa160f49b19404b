/**
 * The CLI's command table. Each command is a thin wrapper: parse options, open local services, call the
 * engine, print. Errors with a message for the user are printed without a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CodeSearchError } from '#engine/errors.ts';
import { runIndexCommand } from './index-command.ts';
import { runSearchCommand } from './search-command.ts';
import { runServeCommand } from './serve-command.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('codesearch')
    .description('Semantic code search: index a folder, then search it in plain language.')
    .option('--home <dir>', 'data directory (default: $CODESEARCH_HOME or ./.codesearch)')
    .option('--model <dir>', 'model directory (default: $CODESEARCH_MODEL or the bundled model)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('index')
    .description('index a directory incrementally (unchanged files are skipped)')
    .argument('<dir>', 'directory to index (a git checkout or any folder)')
    .option('--repo <name>', 'repository name (default: from the git remote, else the folder name)')
    .option('--max-file-size <bytes>', 'skip files larger than this', parsePositiveInt, 1024 * 1024)
    .option('--rebuild', 'drop the index and re-index from scratch (e.g. after switching models)')
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, options) => {
      await runIndexCommand(dir, { ...program.opts(), ...options });
    });

  program
    .command('search')
    .description('search the index')
    .argument('<query>', 'what you are looking for, in plain language or code')
    .option('--repo <name>', 'only this repository (repeatable)', collect, [])
    .option('--lang <language>', 'only this language')
    .option('--path <glob>', 'only paths with this prefix or matching this glob')
    .option('--mode <mode>', 'hybrid, vector or keyword', 'hybrid')
    .option('--limit <n>', 'number of results', parsePositiveInt, 10)
    .option('--json', 'print the API response as JSON')
    .action(async (query: string, options) => {
      await runSearchCommand(query, { ...program.opts(), ...options });
    });

  program
    .command('serve')
    .description('serve the HTTP API (POST /search, GET /health)')
    .option('--port <port>', 'port to listen on', parsePositiveInt, 8787)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (options) => runServeCommand({ ...program.opts(), ...options }));

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CodeSearchError) {
      process.stderr.write(`codesearch: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `codesearch: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
