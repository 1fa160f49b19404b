import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DiscoveryFileSystem,
  DiscoveryRootError,
  discoverFiles,
  nodeFileSystem,
} from '../../../src/engine/discovery/index.ts';
import { InvalidRequestError } from '../../../src/engine/errors.ts';
import { addFiles, discover, makeTree, removeTempTrees, skipOf } from './temp-tree.ts';

afterEach(removeTempTrees);

const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('discoverFiles: source files', () => {
  it('yields path, language, size, sha256 of the bytes and the text', async () => {
    // Given
    const content = 'export const answer = 42;\n// é ✓\n';
    const root = await makeTree({ 'src/answer.ts': content, 'README.md': '# Title\n' });

    // When
    const { files } = await discover(root);

    // Then
    expect(files).toEqual([
      { path: 'README.md', language: 'markdown', size: 8, hash: sha256('# Title\n'), text: '# Title\n' },
      {
        path: 'src/answer.ts',
        language: 'typescript',
        size: Buffer.byteLength(content),
        hash: sha256(content),
        text: content,
      },
    ]);
  });

  it('strips a leading BOM from the text but hashes the bytes as they are', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('print("hi")\n')]);
    const root = await makeTree({ 'hi.py': bytes });

    const { files } = await discover(root);

    expect(files).toEqual([
      { path: 'hi.py', language: 'python', size: 15, hash: sha256(bytes), text: 'print("hi")\n' },
    ]);
  });

  it('finds the language of extension-less scripts from their #! line', async () => {
    const root = await makeTree({
      'bin/serve': '#!/usr/bin/env node\nconsole.log(1);\n',
      'bin/migrate': '#!/usr/bin/python3\nprint(1)\n',
      'bin/deploy': '#!/bin/bash -e\necho hi\n',
      'bin/report': '#!/usr/bin/perl\nprint "hi";\n',
    });

    const { files, skipped } = await discover(root);

    expect(files.map(({ path, language }) => [path, language])).toEqual([
      ['bin/deploy', 'bash'],
      ['bin/migrate', 'python'],
      ['bin/serve', 'javascript'],
    ]);
    expect(skipped).toEqual([
      {
        path: 'bin/report',
        reason: 'unsupported-type',
        detail: "no known language for 'report' (by extension, file name or #! line)",
      },
    ]);
  });

  it('yields every path in sorted order, the same on every run, whatever the read timing', async () => {
    // Given names whose directory-first and plain orders differ ('.' and '-' sort before '/')
    const names = [
      'b.ts',
      'a/z.ts',
      'a.ts',
      'a-b/c.ts',
      'a/b/c.ts',
      'A.ts',
      'a0.ts',
      '_x.ts',
      'ä.ts',
      'a/b.ts',
    ];
    const root = await makeTree(Object.fromEntries(names.map((name) => [name, `// ${name}\n`])));
    // A file system that answers reads after random delays, so completion order is shuffled
    const jittery: DiscoveryFileSystem = {
      ...nodeFileSystem,
      readRegularFile: async (path, max) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        return nodeFileSystem.readRegularFile(path, max);
      },
    };

    // When
    const first = await discover(root);
    const second = await discover(root, { fileSystem: jittery, concurrency: 8 });

    // Then
    const sorted = [...names].sort();
    expect(first.paths).toEqual(sorted);
    expect(second.paths).toEqual(sorted);
  });

  it('yields nothing but a done event for an empty folder', async () => {
    const root = await makeTree();

    const { events } = await discover(root);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'done',
      stats: { files: 0, skipped: 0, directoriesListed: 1, bytesRead: 0 },
    });
  });

  it('re-discovers an unchanged 1,000-file tree well within the re-index budget', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 1_000; index++) {
      files[`pkg${index % 20}/module${index}.ts`] = `export const value${index} = ${index};\n`.repeat(40);
    }
    const root = await makeTree(files);
    await discover(root); // first run warms the page cache, as a previous index run would have

    const started = performance.now();
    const { stats } = await discover(root);
    const elapsed = performance.now() - started;

    expect(stats.files).toBe(1_000);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('discoverFiles: ignore files and built-in excludes', () => {
  it('applies nested .gitignore files relative to their own directory, with negations', async () => {
    // Given
    const root = await makeTree({
      '.gitignore': '*.gen.ts\nsecrets/\n/top-only.ts\n',
      'app.ts': '1;\n',
      'app.gen.ts': '1;\n',
      'top-only.ts': '1;\n',
      'secrets/key.ts': '1;\n',
      'pkg/.gitignore': '!keep.gen.ts\n/local.ts\n',
      'pkg/keep.gen.ts': '1;\n',
      'pkg/drop.gen.ts': '1;\n',
      'pkg/top-only.ts': '1;\n', // the root's '/top-only.ts' is anchored to the root
      'pkg/local.ts': '1;\n',
      'pkg/deeper/local.ts': '1;\n', // pkg's '/local.ts' is anchored to pkg
    });

    // When
    const { files, stats } = await discover(root);

    // Then
    expect(files.map((file) => file.path)).toEqual([
      'app.ts',
      'pkg/deeper/local.ts',
      'pkg/keep.gen.ts',
      'pkg/top-only.ts',
    ]);
    expect(stats.ignoredFiles).toBe(4);
    expect(stats.ignoredDirectories).toBe(1);
  });

  it('lets a deeper .gitignore re-include a directory a shallower one excludes, as git does', async () => {
    const root = await makeTree({
      '.gitignore': 'cache/\n*.tmp.ts\n',
      'cache/a.ts': '1;\n',
      'lib/.gitignore': '!cache/\n',
      'lib/cache/b.ts': '1;\n',
      'lib/cache/c.tmp.ts': '1;\n', // the root's own '*.tmp.ts' still applies inside
      'lib/cache/inner/d.ts': '1;\n',
    });

    const { files } = await discover(root);

    expect(files.map((file) => file.path)).toEqual(['lib/cache/b.ts', 'lib/cache/inner/d.ts']);
  });

  it('re-includes directories whose names hold pattern characters', async () => {
    const odd = 'out-[x] *?!#\\';
    const root = await makeTree({
      '.gitignore': 'out-*/\n',
      'out-1/a.ts': '1;\n',
      'pkg/.gitignore': '!out-*/\n',
      [`pkg/${odd}/b.ts`]: '1;\n',
      [`pkg/${odd}/deeper/c.ts`]: '1;\n',
    });

    const { files } = await discover(root);

    expect(files.map((file) => file.path)).toEqual([`pkg/${odd}/b.ts`, `pkg/${odd}/deeper/c.ts`]);
  });

  it('honours .git/info/exclude below .gitignore, and .codesearchignore above it', async () => {
    const root = await makeTree({
      '.git/info/exclude': 'local-notes.md\n*.py\n',
      '.gitignore': '!keep.py\nwip.ts\n',
      '.codesearchignore': 'fixtures/\n!wip.ts\n',
      'local-notes.md': '# notes\n',
      'drop.py': 'x = 1\n',
      'keep.py': 'x = 1\n',
      'wip.ts': '1;\n',
      'fixtures/huge.ts': '1;\n',
      'main.ts': '1;\n',
    });

    const { files } = await discover(root);

    expect(files.map((file) => file.path)).toEqual(['keep.py', 'main.ts', 'wip.ts']);
  });

  it('reads info/exclude through a worktree-style .git file', async () => {
    const root = await makeTree({
      'repo.git/info/exclude': 'secret.ts\n',
      'checkout/.git': 'gitdir: ../repo.git\n',
      'checkout/secret.ts': '1;\n',
      'checkout/open.ts': '1;\n',
    });

    const { files } = await discover(join(root, 'checkout'));

    expect(files.map((file) => file.path)).toEqual(['open.ts']);
  });

  it('reads the shared info/exclude of a linked worktree (commondir)', async () => {
    const root = await makeTree({
      'main/.git/info/exclude': 'secret.ts\n',
      'main/.git/worktrees/feature/commondir': '../..\n',
      'feature/.git': 'gitdir: ../main/.git/worktrees/feature\n',
      'feature/secret.ts': '1;\n',
      'feature/open.ts': '1;\n',
    });

    const { files } = await discover(join(root, 'feature'));

    expect(files.map((file) => file.path)).toEqual(['open.ts']);
  });

  it('never enters built-in excluded directories, at any depth, and counts them', async () => {
    // Given
    const root = await makeTree({
      'src/main.ts': '1;\n',
      'src/build/helper.ts': '1;\n',
      'node_modules/left-pad/index.js': '1;\n',
      'packages/web/node_modules/react/index.js': '1;\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'dist/main.js': '1;\n',
      '__pycache__/x.py': 'x = 1\n',
      '.venv/lib/site.py': 'x = 1\n',
      '.vscode/settings.json': '{}\n',
      '.codesearch/index.json': '{}\n',
    });
    const listed: string[] = [];
    const recording: DiscoveryFileSystem = {
      ...nodeFileSystem,
      listDirectory: (path) => {
        listed.push(path);
        return nodeFileSystem.listDirectory(path);
      },
    };

    // When
    const { files, skipped, stats } = await discover(root, { fileSystem: recording });

    // Then
    expect(files.map((file) => file.path)).toEqual(['src/main.ts']);
    expect(skipped).toEqual([]);
    expect(stats.excludedDirectories).toBe(9);
    expect(listed.map((path) => path.slice(root.length))).toEqual(['', '/packages', '/packages/web', '/src']);
  });

  it('walks a built-in excluded directory when it is the root itself', async () => {
    const root = await makeTree({ 'node_modules/pkg/index.js': 'module.exports = 1;\n' });

    const { files } = await discover(join(root, 'node_modules'));

    expect(files.map((file) => file.path)).toEqual(['pkg/index.js']);
  });

  it('replaces the built-in list with excludedDirectoryNames', async () => {
    const root = await makeTree({ 'dist/a.js': '1;\n', 'fixtures/b.ts': '1;\n' });

    const { files } = await discover(root, { excludedDirectoryNames: new Set(['fixtures']) });

    expect(files.map((file) => file.path)).toEqual(['dist/a.js']);
  });
});

describe('discoverFiles: skipped files and their reasons', () => {
  it('skips lock files, source maps, minified and generated files by name, without reading them', async () => {
    const root = await makeTree({
      'package-lock.json': '{}\n',
      'rust/Cargo.lock': '# lock\n',
      'go.sum': 'x\n',
      'web/app.min.js': 'a;\n',
      'web/vendor.bundle.js': 'a;\n',
      'web/app.js.map': '{}\n',
      'api/service.pb.go': 'package api\n',
      'api/service_pb2.py': 'x = 1\n',
      'ui/schema.generated.ts': 'export {};\n',
    });

    const { skipped, stats } = await discover(root);

    expect(skipped.map(({ path, reason }) => [path, reason])).toEqual([
      ['api/service.pb.go', 'generated'],
      ['api/service_pb2.py', 'generated'],
      ['go.sum', 'lockfile'],
      ['package-lock.json', 'lockfile'],
      ['rust/Cargo.lock', 'lockfile'],
      ['ui/schema.generated.ts', 'generated'],
      ['web/app.js.map', 'generated'],
      ['web/app.min.js', 'minified'],
      ['web/vendor.bundle.js', 'minified'],
    ]);
    expect(skipOf(await discover(root), 'package-lock.json').detail).toBe(
      'package-lock.json is a dependency lock file',
    );
    expect(skipOf(await discover(root), 'web/app.js.map').detail).toMatch(/source map/);
    expect(stats.bytesRead).toBe(0);
  });

  it('skips a minified one-line JavaScript file and a generated file by its header', async () => {
    const root = await makeTree({
      'lib/bundle.js': `${'var a=1;'.repeat(1_000)}\n`,
      'lib/styles.css': `${'.a{color:red}'.repeat(100)}\n`,
      'gen/types.go': '// Code generated by stringer; DO NOT EDIT.\n\npackage gen\n',
      'gen/schema.ts': '/* eslint-disable */\n// @generated by relay-compiler\nexport {};\n',
      'notes.ts': '// Explains how auto-generated ids work.\nexport const DO_NOT_EDIT = "@generated";\n',
    });

    const result = await discover(root);

    expect(skipOf(result, 'lib/bundle.js')).toEqual({
      path: 'lib/bundle.js',
      reason: 'minified',
      detail: 'line 1 is 8,000 characters long (limit 5,000)',
    });
    expect(skipOf(result, 'lib/styles.css')).toMatchObject({
      reason: 'minified',
      detail: 'average line length 651 characters over 2 lines (limit 300)',
    });
    expect(skipOf(result, 'gen/types.go')).toEqual({
      path: 'gen/types.go',
      reason: 'generated',
      detail: 'header marks it as generated (line 1: "// Code generated by stringer; DO NOT EDIT.")',
    });
    expect(skipOf(result, 'gen/schema.ts').reason).toBe('generated');
    expect(result.files.map((file) => file.path)).toEqual(['notes.ts']);
  });

  it('skips binary files by extension and by a NUL byte in the first 8 KiB', async () => {
    const root = await makeTree({
      'logo.png': 'not even read',
      'data.ts': Buffer.from([0x63, 0x6f, 0x6e, 0x00, 0x73, 0x74]),
    });

    const result = await discover(root);

    expect(result.skipped).toEqual([
      { path: 'data.ts', reason: 'binary', detail: 'NUL byte at offset 3' },
      { path: 'logo.png', reason: 'binary', detail: "'.png' is a binary file type" },
    ]);
  });

  it('skips invalid UTF-8 and says where it breaks', async () => {
    // "café" in Latin-1: 0xE9 followed by a newline is not a UTF-8 continuation
    const root = await makeTree({
      'latin1.py': Buffer.from([0x78, 0x3d, 0x22, 0x63, 0x61, 0x66, 0xe9, 0x22, 0x0a]),
    });

    const result = await discover(root);

    expect(result.skipped).toEqual([
      { path: 'latin1.py', reason: 'invalid-utf8', detail: 'not valid UTF-8: malformed sequence at byte 6' },
    ]);
  });

  it('skips empty and whitespace-only files', async () => {
    const root = await makeTree({ 'empty.ts': '', 'blank.py': '\n  \t\r\n' });

    const result = await discover(root);

    expect(result.skipped).toEqual([
      { path: 'blank.py', reason: 'empty', detail: 'whitespace only (6 bytes)' },
      { path: 'empty.ts', reason: 'empty', detail: '0 bytes' },
    ]);
  });

  it('skips files of unknown type', async () => {
    const root = await makeTree({ LICENSE: 'MIT\n', 'data.csv': 'a,b\n', Makefile: 'all:\n\techo\n' });

    const result = await discover(root);

    expect(result.skipped).toEqual([
      { path: 'LICENSE', reason: 'unsupported-type', detail: expect.stringContaining("'LICENSE'") },
      { path: 'data.csv', reason: 'unsupported-type', detail: expect.stringContaining("'data.csv'") },
    ]);
    expect(result.files.map((file) => [file.path, file.language])).toEqual([['Makefile', 'text']]);
  });

  it('skips a sparse 50 MB file from its size alone, without reading it', async () => {
    // Given a 50 MB file that takes no disk space (sparse), next to a small one
    const root = await makeTree({ 'small.ts': 'export {};\n' });
    await writeFile(join(root, 'huge.ts'), '');
    await truncate(join(root, 'huge.ts'), 50 * 1024 * 1024);

    // When
    const { skipped, files, stats } = await discover(root);

    // Then only the small file's bytes were read
    expect(skipped).toEqual([
      { path: 'huge.ts', reason: 'too-large', detail: '50.0 MiB > 1.0 MiB limit; not read' },
    ]);
    expect(files.map((file) => file.path)).toEqual(['small.ts']);
    expect(stats.bytesRead).toBe(11);
  });

  it('uses maxFileBytes as an inclusive limit', async () => {
    const root = await makeTree({
      'fits.ts': 'x'.repeat(99).concat('\n'),
      'over.ts': 'x'.repeat(100).concat('\n'),
    });

    const result = await discover(root, { maxFileBytes: 100 });

    expect(result.files.map((file) => file.path)).toEqual(['fits.ts']);
    expect(skipOf(result, 'over.ts')).toMatchObject({
      reason: 'too-large',
      detail: '101 B > 100 B limit; not read',
    });
  });

  it('reports a FIFO without opening it (it would block forever)', async () => {
    // Given
    const root = await makeTree({ 'a.ts': '1;\n' });
    execFileSync('mkfifo', [join(root, 'pipe.ts')]);

    // When
    const result = await discover(root);

    // Then
    expect(result.files.map((file) => file.path)).toEqual(['a.ts']);
    expect(result.skipped).toEqual([
      {
        path: 'pipe.ts',
        reason: 'unsupported-type',
        detail: 'named pipe (FIFO), not a regular file; never opened',
      },
    ]);
  });

  it('does not block on a FIFO even when asked to read one (a file swapped for a FIFO after listing)', async () => {
    const root = await makeTree();
    const fifo = join(root, 'swapped.ts');
    execFileSync('mkfifo', [fifo]);

    const read = await nodeFileSystem.readRegularFile(fifo, 1024);

    expect(read).toEqual({ kind: 'not-regular', description: 'named pipe (FIFO)' });
  });

  it('does not follow a symbolic link even when asked to read one (a file swapped for a link after listing)', async () => {
    const root = await makeTree({ 'target.ts': '1;\n' });
    await symlink('target.ts', join(root, 'swapped.ts'));

    await expect(nodeFileSystem.readRegularFile(join(root, 'swapped.ts'), 1024)).rejects.toMatchObject({
      code: 'ELOOP',
    });
  });

  it('reports symbolic links without following them, to files or directories', async () => {
    // Given
    const root = await makeTree({ 'real/a.ts': '1;\n' });
    await symlink('real/a.ts', join(root, 'link.ts'));
    await symlink('real', join(root, 'linked-dir'));
    await symlink('/nowhere', join(root, 'dangling.ts'));

    // When
    const result = await discover(root);

    // Then the target's file appears once, under its real path
    expect(result.files.map((file) => file.path)).toEqual(['real/a.ts']);
    expect(result.skipped).toEqual([
      {
        path: 'dangling.ts',
        reason: 'unsupported-type',
        detail: 'symbolic link to "/nowhere"; not followed',
      },
      { path: 'link.ts', reason: 'unsupported-type', detail: 'symbolic link to "real/a.ts"; not followed' },
      { path: 'linked-dir', reason: 'unsupported-type', detail: 'symbolic link to "real"; not followed' },
    ]);
  });

  it('reports a file that vanishes between listing and reading as unreadable (ENOENT)', async () => {
    // Given one file in flight at a time, so the second is listed but not yet opened when the first arrives
    const root = await makeTree({ 'a.ts': '1;\n', 'b.ts': '2;\n', 'c.ts': '3;\n' });
    const events = discoverFiles(root, { concurrency: 1 });

    // When b.ts is deleted after the first event
    const first = await events.next();
    await rm(join(root, 'b.ts'));
    const rest = [];
    for await (const event of events) rest.push(event);

    // Then
    expect(first.value).toMatchObject({ kind: 'file', file: { path: 'a.ts' } });
    expect(rest.slice(0, 2)).toEqual([
      { kind: 'skipped', file: { path: 'b.ts', reason: 'unreadable', detail: 'ENOENT (no longer exists)' } },
      expect.objectContaining({ kind: 'file', file: expect.objectContaining({ path: 'c.ts' }) }),
    ]);
  });

  it('reports a directory that vanishes during the walk, and carries on', async () => {
    const root = await makeTree({ 'a.ts': '1;\n', 'gone/x.ts': '1;\n', 'z.ts': '1;\n' });
    const events = discoverFiles(root, { concurrency: 1 });

    const first = await events.next();
    await rm(join(root, 'gone'), { recursive: true });
    const rest = [];
    for await (const event of events) rest.push(event);

    expect(first.value).toMatchObject({ kind: 'file', file: { path: 'a.ts' } });
    expect(rest.map((event) => (event.kind === 'done' ? 'done' : event.file.path))).toEqual([
      'gone',
      'z.ts',
      'done',
    ]);
    expect(rest[0]).toEqual({
      kind: 'skipped',
      file: {
        path: 'gone',
        reason: 'unreadable',
        detail: 'cannot list directory: ENOENT (no longer exists)',
      },
    });
  });

  it('reports unreadable files and directories with the OS code (simulated EACCES, no real permission denial as root)', async () => {
    // Given a file system that denies one file and one directory, as it would for a non-root user
    const root = await makeTree({ 'locked.ts': '1;\n', 'open.ts': '1;\n', 'private/x.ts': '1;\n' });
    const denied = (path: string) =>
      Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    const denying: DiscoveryFileSystem = {
      ...nodeFileSystem,
      readRegularFile: (path, max) =>
        path.endsWith('locked.ts') ? Promise.reject(denied(path)) : nodeFileSystem.readRegularFile(path, max),
      listDirectory: (path) =>
        path.endsWith('private') ? Promise.reject(denied(path)) : nodeFileSystem.listDirectory(path),
    };

    // When
    const result = await discover(root, { fileSystem: denying });

    // Then
    expect(result.skipped).toEqual([
      { path: 'locked.ts', reason: 'unreadable', detail: 'EACCES (permission denied)' },
      { path: 'private', reason: 'unreadable', detail: 'cannot list directory: EACCES (permission denied)' },
    ]);
    expect(result.files.map((file) => file.path)).toEqual(['open.ts']);
    expect(result.stats.skippedByReason.unreadable).toBe(2);
  });
});

describe('discoverFiles: root and statistics', () => {
  it('throws a clear DiscoveryRootError for a root that does not exist', async () => {
    const root = join(await makeTree(), 'missing');

    const run = discover(root);

    await expect(run).rejects.toThrow(DiscoveryRootError);
    await expect(run).rejects.toThrow(`Cannot discover files in ${JSON.stringify(root)}: it does not exist`);
    await expect(run).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('throws a clear DiscoveryRootError for a root that is a file', async () => {
    const root = await makeTree({ 'file.ts': '1;\n' });

    await expect(discover(join(root, 'file.ts'))).rejects.toThrow(/: it is not a directory$/);
  });

  it('refuses invalid options with an InvalidRequestError naming them', async () => {
    const root = await makeTree();

    await expect(discover(root, { maxFileBytes: -1, concurrency: 0 })).rejects.toThrow(
      'Invalid discovery options: maxFileBytes must be a number >= 0; concurrency must be an integer >= 1',
    );
  });

  it('counts everything it saw in the done event', async () => {
    const root = await makeTree({
      '.gitignore': '*.log\nignored-dir/\n',
      'a.ts': 'export {};\n',
      'b.py': 'x = 1\n',
      'debug.log': 'x\n',
      'ignored-dir/c.ts': '1;\n',
      'node_modules/d.js': '1;\n',
      'yarn.lock': 'x\n',
      'empty.ts': '',
    });

    const { stats } = await discover(root);

    expect(stats).toMatchObject({
      files: 2,
      skipped: 3, // .gitignore (unsupported-type), empty.ts, yarn.lock
      bytesRead: 11 + 6 + 19, // a.ts, b.py, .gitignore (read as a candidate file too)
      directoriesListed: 1,
      excludedDirectories: 1,
      ignoredDirectories: 1,
      ignoredFiles: 1,
    });
    expect(stats.skippedByReason).toMatchObject({ 'unsupported-type': 1, empty: 1, lockfile: 1, binary: 0 });
    expect(stats.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('can be stopped early without errors', async () => {
    const root = await makeTree(
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.ts`, `${i};\n`])),
    );

    const seen: string[] = [];
    for await (const event of discoverFiles(root)) {
      if (event.kind === 'file') seen.push(event.file.path);
      if (seen.length === 3) break;
    }

    expect(seen).toEqual(['f0.ts', 'f1.ts', 'f10.ts']);
  });

  it('sees files added to a tree between runs', async () => {
    const root = await makeTree({ 'a.ts': '1;\n' });
    await discover(root);
    await addFiles(root, { 'b.ts': '2;\n' });
    await mkdir(join(root, 'empty-dir'));

    const { paths } = await discover(root);

    expect(paths).toEqual(['a.ts', 'b.ts']);
  });
});
