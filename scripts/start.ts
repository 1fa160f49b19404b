// `npm start [-- <dir>]`: index this repository (or <dir>) on the bundled model, then serve the HTTP API and
// print how to query it. Everything runs offline.
import { runIndexCommand } from '#cli/index-command.ts';
import { runServeCommand } from '#cli/serve-command.ts';

const dir = process.argv[2] ?? process.cwd();
const port = Number(process.env.PORT ?? 8787);
await runIndexCommand(dir, { maxFileSize: 1024 * 1024 });
await runServeCommand({ port, host: process.env.HOST ?? '127.0.0.1' });
