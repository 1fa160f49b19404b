import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/codesearch.ts', import.meta.url).pathname;

describe('codesearch CLI (real process)', () => {
  let work: string;
  let root: string;
  const cli = (args: string[]) =>
    run(process.execPath, [BIN, ...args], {
      env: { ...process.env, CODESEARCH_HOME: join(work, 'home') },
      cwd: work,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-cli-'));
    root = await copySampleRepo(work);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('indexes with a JSON summary, then searches with JSON results', async () => {
    const indexed = await cli(['index', root, '--repo', 'acme/sample', '--json']);
    expect(indexed.code, `${indexed.stderr}\n${indexed.stdout}`).toBe(0);
    const summary = JSON.parse(indexed.stdout);
    expect(summary).toMatchObject({ repo: 'acme/sample', filesAdded: 8, filesDeleted: 0 });

    const found = await cli([
      'search',
      'retry failed uploads',
      '--repo',
      'acme/sample',
      '--limit',
      '2',
      '--json',
    ]);
    expect(found.code, found.stderr).toBe(0);
    const body = JSON.parse(found.stdout);
    expect(body.results[0].path).toBe('src/upload/retry.ts');
    expect(body.results.length).toBe(2);

    const text = await cli(['search', 'invoice total', '--lang', 'python']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/lib\/invoices\.py:\d+-\d+/);
  });

  it('prints a human summary by default', async () => {
    const indexed = await cli(['index', root, '--repo', 'acme/sample']);
    expect(indexed.code, `${indexed.stderr}\n${indexed.stdout}`).toBe(0);
    expect(indexed.stdout).toMatch(/8 unchanged/);
    expect(indexed.stdout).toMatch(/0 embedded/);
  });

  it('explains bad input without a stack trace', async () => {
    const badLang = await cli(['search', 'x', '--lang', 'klingon']);
    expect(badLang.code).toBe(1);
    expect(badLang.stderr).toMatch(/language must be one of/);
    expect(badLang.stderr).not.toMatch(/\n\s+at /);
    const missing = await cli(['index', join(work, 'does-not-exist')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/is not a directory/);
    const badLimit = await cli(['search', 'x', '--limit', '0']);
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toMatch(/positive whole number/);
  });
});
