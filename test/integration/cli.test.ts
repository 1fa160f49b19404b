import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { verifyBearer } from '#api/auth/tokens.ts';
import { commitAll } from '#test/helpers/git-repo.ts';
import { CLI_BIN as BIN, runCli } from '#test/helpers/run-cli.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';

describe('codesearch CLI (real process)', () => {
  let work: string;
  let root: string;
  const cli = (args: string[], cwd = work) =>
    runCli(
      args,
      { CODESEARCH_HOME: join(work, 'home'), CODESEARCH_KEY_FILE: join(work, 'config', 'keys.json') },
      cwd,
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
    expect(body.results[0].commit).toBeNull(); // not a git checkout

    const text = await cli(['search', 'invoice total', '--lang', 'python']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/lib\/invoices\.py:\d+-\d+/);
  });

  it('records the HEAD commit of an indexed git checkout; results carry it', async () => {
    // Given: a real git checkout of the sample files
    const checkout = await copySampleRepo(await mkdtemp(join(work, 'git-')));
    const head = commitAll(checkout);

    // When: indexed into a home of its own (the other tests count the repositories in theirs)
    const env = { CODESEARCH_HOME: join(work, 'git-home') };
    const indexed = await runCli(['index', checkout, '--repo', 'acme/checkout', '--json'], env, work);
    expect(indexed.code, `${indexed.stderr}\n${indexed.stdout}`).toBe(0);
    const found = await runCli(
      ['search', 'retry failed uploads', '--repo', 'acme/checkout', '--json'],
      env,
      work,
    );

    // Then
    expect(found.code, found.stderr).toBe(0);
    const results = JSON.parse(found.stdout).results as { repo: string; commit: string | null }[];
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((result) => result.commit)).toEqual(results.map(() => head));
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

  it('mints tokens with the local key file, outside any checkout, and rotates keys without breaking them', async () => {
    const keyFile = join(work, 'config', 'keys.json');
    const created = await cli([
      'token',
      'create',
      '--sub',
      'ci',
      '--repos',
      'acme/*',
      '--ttl',
      '1d',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/Created a new signing key in .*keys\.json/);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const minted = JSON.parse(created.stdout) as { token: string; kid: string; expiresAt: string };
    expect(Date.parse(minted.expiresAt) - Date.now()).toBeGreaterThan(86_300_000);
    const keys = cachedKeySet(
      { description: keyFile, read: () => readFile(keyFile, 'utf8') },
      { ttlMs: 0, minRefreshMs: 0 },
    );
    await expect(verifyBearer(`Bearer ${minted.token}`, keys)).resolves.toMatchObject({
      sub: 'ci',
      scopes: ['search'],
      access: { kind: 'some', owners: ['acme'] },
    });

    const rotated = await cli(['token', 'rotate-key']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/New signing key k\d+.*1 previous kept/);
    const admin = await cli([
      'token',
      'create',
      '--sub',
      'ops',
      '--repos',
      'acme/sample,other/*',
      '--scope',
      'admin',
    ]);
    expect(admin.code, admin.stderr).toBe(0);
    const adminCaller = await verifyBearer(`Bearer ${admin.stdout.trim()}`, keys);
    expect(adminCaller.scopes).toEqual(['search', 'admin']);
    await expect(verifyBearer(`Bearer ${minted.token}`, keys)).resolves.toMatchObject({ sub: 'ci' });

    const checkout = join(work, 'checkout');
    await mkdir(join(checkout, '.git'), { recursive: true });
    const inside = await cli(
      ['token', 'create', '--sub', 'x', '--repos', '*', '--key-file', 'keys.json'],
      checkout,
    );
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/inside the git checkout/);
    const tooLong = await cli(['token', 'create', '--sub', 'x', '--repos', '*', '--ttl', '400d']);
    expect(tooLong.stderr).toMatch(/lifetime/);
    const badGrant = await cli(['token', 'create', '--sub', 'x', '--repos', "a' OR 1=1"]);
    expect(badGrant.code).toBe(1);
    expect(badGrant.stderr).toMatch(/not a repository name/);
  });

  it('serve --auth requires tokens; serve refuses a public interface without --auth', async () => {
    const open = await cli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/Refusing to serve 0\.0\.0\.0 without --auth/);

    const child = spawn(process.execPath, [BIN, 'serve', '--auth', '--port', '0'], {
      env: {
        ...process.env,
        CODESEARCH_HOME: join(work, 'home'),
        CODESEARCH_KEY_FILE: join(work, 'config', 'keys.json'),
      },
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    child.stderr.on('data', (part: Buffer) => logs.push(part.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (part: Buffer) => {
          out += part.toString();
          const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
          if (found) resolve(found);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${logs.join('')}`)));
      });
      const token = (
        await cli(['token', 'create', '--sub', 'dev', '--repos', 'acme/*', '--scope', 'admin'])
      ).stdout.trim();
      const search = (bearer?: string) =>
        fetch(`${url}/search`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          },
          body: JSON.stringify({ query: 'retry failed uploads', limit: 1 }),
        });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await search()).status).toBe(401);
      const found = await search(token);
      expect(found.status).toBe(200);
      expect(((await found.json()) as { results: { path: string }[] }).results[0]?.path).toBe(
        'src/upload/retry.ts',
      );
      const repos = (await (
        await fetch(`${url}/repos`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        repos: { repo: string; files: number; status: string }[];
      };
      expect(repos.repos).toEqual([
        expect.objectContaining({ repo: 'acme/sample', files: 8, status: 'ready' }),
      ]);
      const reindex = await fetch(`${url}/repos/acme%2Fsample/reindex`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(reindex.status).toBe(202);
      // One structured JSON log line per request, on stderr.
      await expect
        .poll(
          () =>
            logs
              .join('')
              .split('\n')
              .filter((line) => line.includes('"message":"request"')).length,
        )
        .toBeGreaterThanOrEqual(5);
      const line = logs
        .join('')
        .split('\n')
        .find((l) => l.includes('"route":"/search"') && l.includes('"status":200'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        level: 'INFO',
        caller: 'dev',
        cacheHit: false,
        resultCount: 1,
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
