/**
 * Loads `node:sqlite` without its one-time ExperimentalWarning on stderr (the module is stable enough for our
 * use on Node 22, and the warning would land in every CLI run). Other warnings still reach the console.
 */
type SqliteModule = typeof import('node:sqlite');

let loading: Promise<SqliteModule> | undefined;

export function loadSqlite(): Promise<SqliteModule> {
  loading ??= (async () => {
    const originalEmit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      const message = typeof warning === 'string' ? warning : warning.message;
      if (/SQLite is an experimental feature/.test(message)) return;
      return (originalEmit as (...args: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return await import('node:sqlite');
    } finally {
      process.emitWarning = originalEmit;
    }
  })();
  return loading;
}
