// `npm start [-- <dir>]`: index this repository (or <dir>) on the bundled model, then serve the HTTP API and
// print how to query it. Everything runs offline. An index an earlier release built (another model or table
// schema) is rebuilt, as a user who pulled a new version expects, rather than refused.
import { runIndexCommand } from '#cli/index-command.ts';
import { runServeCommand } from '#cli/serve-command.ts';
import { IndexMismatchError } from '#engine/errors.ts';

const dir = process.argv[2] ?? process.cwd();
const port = Number(process.env.PORT ?? 8787);
try {
  await runIndexCommand(dir, { maxFileSize: 1024 * 1024 });
} catch (error) {
  if (!(error instanceof IndexMismatchError)) throw error;
  process.stderr.write(`${error.message}\nnpm start rebuilds it from scratch.\n`);
  await runIndexCommand(dir, { maxFileSize: 1024 * 1024, rebuild: true });
}
await runServeCommand({ port, host: process.env.HOST ?? '127.0.0.1' });
