/**
 * The CLI's command table. Each command is a thin wrapper: parse options, open local services, call the
 * engine, print. Errors with a message for the user are printed without a stack trace. Commands are loaded
 * when run, so `token` and `--help` do not pay for loading LanceDB and ONNX Runtime.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CodeSearchError } from '#engine/errors.ts';
import { redactor } from '#engine/secret-redaction.ts';
import { parseDuration } from './duration.ts';

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
    .option(
      '--branch <name>',
      "branch indexed (default: the checked-out one); the default branch's index is the repository's own",
    )
    .option('--max-file-size <bytes>', 'skip files larger than this', parsePositiveInt, 1024 * 1024)
    .option('--rebuild', 'drop the index and re-index from scratch (e.g. after switching models)')
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, options) => {
      const { runIndexCommand } = await import('./index-command.ts');
      await runIndexCommand(dir, { ...program.opts(), ...options });
    });

  program
    .command('search')
    .description('search the index')
    .argument('<query>', 'what you are looking for, in plain language or code')
    .option('--repo <name>', 'only this repository (repeatable)', collect, [])
    .option('--branch <name>', "this branch's indexes (default: each repository's default branch)")
    .option('--lang <language>', 'only this language')
    .option('--path <glob>', 'only paths with this prefix or matching this glob')
    .option('--symbol <name>', 'only chunks that define this symbol')
    .option('--mode <mode>', 'hybrid, vector or keyword', 'hybrid')
    .option('--limit <n>', 'number of results', parsePositiveInt, 10)
    .option('--json', 'print the API response as JSON')
    .action(async (query: string, options) => {
      const { runSearchCommand } = await import('./search-command.ts');
      await runSearchCommand(query, { ...program.opts(), ...options });
    });

  program
    .command('serve')
    .description('serve the HTTP API and the search page')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8787)
    .option('--host <host>', 'interface to bind (anything but loopback needs --auth)', '127.0.0.1')
    .option('--auth', 'require bearer tokens (see: codesearch token create)')
    .option(
      '--key-file <path>',
      'signing keys (default: $CODESEARCH_KEY_FILE or ~/.config/codesearch/keys.json)',
    )
    .option(
      '--secret-id <id>',
      'use the deployed signing keys in AWS Secrets Manager instead of the key file',
    )
    .action(async (options) => {
      const { runServeCommand } = await import('./serve-command.ts');
      await runServeCommand({ ...program.opts(), ...options });
    });

  program
    .command('remove')
    .description('take a repository out of the index: its chunks, file hashes and record, branches too')
    .requiredOption('--repo <name>', 'the repository (owner/name, as indexed)')
    .option('--branch <name>', 'only this branch index')
    .option('--json', 'print the summary as JSON')
    .action(async (options) => {
      const { runRemoveCommand } = await import('./remove-command.ts');
      await runRemoveCommand({ ...program.opts(), ...options });
    });

  const repos = program
    .command('repos')
    .description('register or remove repositories of a deployed API (admin token in $CODESEARCH_TOKEN)');
  for (const action of ['add', 'remove'] as const) {
    const command = repos
      .command(action)
      .description(
        action === 'add'
          ? 'register a repository and start its first index (PUT /repos/{repo})'
          : 'unregister a repository and remove every index it has (DELETE /repos/{repo})',
      )
      .argument('<repo>', 'owner/name')
      .option('--api <url>', 'the API (default: $CODESEARCH_API_URL)')
      .option('--json', 'print the API answer as JSON');
    if (action === 'add')
      command.option(
        '--branch <name>',
        'a branch to index besides the default one (repeatable)',
        collect,
        [],
      );
    command.action(async (repo: string, options) => {
      const { runReposCommand } = await import('./repos-command.ts');
      await runReposCommand(action, repo, options);
    });
  }

  program
    .command('mcp')
    .description('serve the local index to a coding agent over MCP (stdio)')
    .action(async () => {
      const { runMcpCommand } = await import('./mcp-command.ts');
      await runMcpCommand(program.opts());
    });

  const token = program.command('token').description('API tokens and their signing keys');
  token
    .command('create')
    .description('mint an API token')
    .requiredOption('--sub <name>', 'who the token is for')
    .requiredOption(
      '--repos <grant>',
      "repositories it may read: owner/name, 'owner/*' or '*' (repeatable, or comma-separated)",
      collect,
      [],
    )
    .option('--ttl <duration>', 'lifetime, e.g. 12h or 30d (at most 366d)', parseDuration, 30 * 86_400)
    .option('--scope <scope>', 'add a scope beyond search: admin (repeatable)', collect, [])
    .option(
      '--key-file <path>',
      'signing keys (default: $CODESEARCH_KEY_FILE or ~/.config/codesearch/keys.json)',
    )
    .option('--secret-id <id>', 'sign with the deployed key in AWS Secrets Manager (name or ARN)')
    .option('--json', 'print token, key id and expiry as JSON')
    .action(async (options) => {
      const { runTokenCreate } = await import('./token-command.ts');
      await runTokenCreate(options);
    });
  token
    .command('rotate-key')
    .description('add a new signing key to the local key file (older keys keep verifying their tokens)')
    .option(
      '--key-file <path>',
      'signing keys (default: $CODESEARCH_KEY_FILE or ~/.config/codesearch/keys.json)',
    )
    .action(async (options) => {
      const { runTokenRotateKey } = await import('./token-command.ts');
      await runTokenRotateKey(options);
    });

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CodeSearchError) {
      process.stderr.write(`codesearch: ${redactor.redact(error.message)}\n`);
      return 1;
    }
    process.stderr.write(
      `codesearch: unexpected error: ${redactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
    );
    return 1;
  }
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a port, 0-65535');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
