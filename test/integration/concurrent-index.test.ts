/**
 * Two `codesearch index` runs against one data directory at once. Before the index lock, one of them failed
 * with LanceDB's "Retryable commit conflict" or SQLite's "database is locked"; now the second waits for the
 * first, and both succeed with an index that counts every chunk once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireIndexLock } from '#adapters/local/index-lock.ts';
import { CLI_BIN, runCli } from '#test/helpers/run-cli.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';

describe('concurrent indexing of one data directory (real processes)', () => {
  let work: string;
  let root: string;
  const env = () => ({ CODESEARCH_HOME: join(work, 'home') });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-concurrent-'));
    root = await copySampleRepo(work);
    // Enough files that both runs are committing batches at the same time.
    for (let i = 0; i < 300; i++) {
      const body = Array.from({ length: 12 }, (_, j) => `  total += step${j}(value, ${i * 31 + j});`).join(
        '\n',
      );
      await writeFile(
        join(root, `src/generated-${i}.ts`),
        `export function compute${i}(value: number) {\n  let total = 0;\n${body}\n  return total;\n}\n`,
      );
    }
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('lets both runs of one repository succeed, the second after the first', async () => {
    const [first, second] = await Promise.all([
      runCli(['index', root, '--repo', 'acme/same', '--json'], env()),
      runCli(['index', root, '--repo', 'acme/same', '--json'], env()),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const summaries = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
    // One of them indexed everything; the other found it done (or the reverse order): never both half.
    expect(summaries.map((s) => s.filesAdded).sort((a, b) => a - b)).toEqual([0, 308]);
    expect(summaries[0].chunksInRepo).toBe(summaries[1].chunksInRepo);
  }, 240_000);

  it('lets runs of two repositories succeed side by side', async () => {
    const [one, two] = await Promise.all([
      runCli(['index', root, '--repo', 'acme/one', '--json'], env()),
      runCli(['index', root, '--repo', 'acme/two', '--json'], env()),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(one.stdout).chunksInRepo).toBe(JSON.parse(two.stdout).chunksInRepo);
  }, 240_000);

  it('says that it waits while another process holds the lock', async () => {
    // Given: this process holds the lock
    const lock = await acquireIndexLock(join(work, 'home'), 'acme/held');
    let waiting: ChildProcess | undefined;
    try {
      // When: a run starts
      waiting = spawn(process.execPath, [CLI_BIN, 'index', root, '--repo', 'acme/same', '--json'], {
        env: { ...process.env, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      waiting.stderr?.on('data', (part: Buffer) => {
        stderr += part.toString();
      });
      await expect
        .poll(() => stderr, { timeout: 60_000, interval: 100 })
        .toMatch(/pid \d+, acme\/held.*waiting/);

      // Then: it finishes once the lock is released
      const exited = new Promise<number | null>((resolve) => waiting?.once('exit', resolve));
      await lock.release();
      expect(await exited).toBe(0);
    } finally {
      await lock.release();
      waiting?.kill();
    }
  }, 120_000);

  it('takes over the lock of a holder that was killed', async () => {
    // Given: another process takes the lock and is then killed without releasing it
    const home = join(work, 'home-killed');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { acquireIndexLock } = await import(${JSON.stringify(new URL('../../src/adapters/local/index-lock.ts', import.meta.url).href)});
         await acquireIndexLock(${JSON.stringify(home)}, 'acme/doomed'); console.log('held'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));

    // When / then: the lock can be taken at once
    const lock = await acquireIndexLock(home, 'acme/next', { signal: AbortSignal.timeout(10_000) });
    await lock.release();
  }, 60_000);
});
