import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '#test/helpers/run-cli.ts';

describe('indexing hostile trees through the CLI (real files, real process)', () => {
  let work: string;
  const cli = (args: string[]) => runCli(args, { CODESEARCH_HOME: join(work, 'home') });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-bad-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('skips what it cannot index, says why, and indexes the rest', async () => {
    // Given a tree with a good file next to every kind of bad one
    const root = join(work, 'hostile');
    await mkdir(root);
    await writeFile(
      join(root, 'good.py'),
      'def parse_config(path):\n    """Read the config file."""\n    return open(path).read()\n',
    );
    await writeFile(join(root, 'latin1.py'), Buffer.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a])); // "# café" in Latin-1
    await writeFile(join(root, 'huge.ts'), '');
    await truncate(join(root, 'huge.ts'), 50 * 1024 * 1024); // 50 MB, sparse: never read
    await writeFile(join(root, 'bundle.js'), `var a=${'1+'.repeat(60_000)}1;`);
    await writeFile(join(root, 'image.ts'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01]));
    await writeFile(join(root, 'empty.go'), '');

    // When it is indexed
    const result = await cli(['index', root, '--repo', 'acme/hostile', '--json']);

    // Then nothing crashed, the good file is indexed and every other file has its reason
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.filesAdded).toBe(1);
    const reasons = Object.fromEntries(
      summary.skippedExamples.map((s: { path: string; reason: string }) => [s.path, s.reason]),
    );
    expect(reasons).toEqual({
      'latin1.py': 'invalid-utf8',
      'huge.ts': 'too-large',
      'bundle.js': 'minified',
      'image.ts': 'binary',
      'empty.go': 'empty',
    });
    const found = await cli(['search', 'read the config file', '--repo', 'acme/hostile', '--json']);
    expect(JSON.parse(found.stdout).results[0].path).toBe('good.py');
  });

  it('indexes an empty folder without error and reports zero files', async () => {
    const root = join(work, 'empty');
    await mkdir(root);
    const result = await cli(['index', root, '--repo', 'acme/empty']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 scanned/);
  });
});
