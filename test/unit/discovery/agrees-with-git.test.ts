/**
 * Differential test: on random trees with random ignore files, discovery leaves out exactly what
 * `git ls-files --others --exclude-standard` leaves out. Needs the `git` binary (present wherever the
 * repository is checked out).
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverFiles } from '../../../src/engine/discovery/index.ts';
import { addFiles, makeTree, removeTempTrees } from './temp-tree.ts';

afterEach(removeTempTrees);

const SEGMENTS = ['a', 'b', 'gen', 'doc'] as const;
const FILE_NAMES = ['x.ts', 'y.log', 'gen.ts', 'f.ts'] as const;
/** Patterns chosen to collide with the names above: anchored, directory-only, negated, `**`, wildcards. */
const PATTERNS = [
  ...['a', 'a/', '/a', '!a', '!a/', 'gen/', '!gen/', '*.log', '!y.log', '!*.log', 'gen', '/gen/', 'a/**'],
  ...[
    '**/gen',
    '!**/gen/',
    'b/*.ts',
    '!b/x.ts',
    'x.*',
    '!x.ts',
    '*',
    '!*/',
    'doc/',
    '!doc',
    'a/b/',
    '!/a/b/',
  ],
] as const;

const directory = fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 3 }).map((parts) => parts.join('/'));
const ignoreText = fc
  .array(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 4 })
  .map((lines) => `${lines.join('\n')}\n`);
const tree = fc.record({
  files: fc.array(fc.tuple(directory, fc.constantFrom(...FILE_NAMES)), { minLength: 1, maxLength: 20 }),
  ignoreFiles: fc.array(fc.tuple(directory, ignoreText), { maxLength: 5 }),
  exclude: fc.option(ignoreText, { nil: undefined }),
});

describe('ignore semantics', () => {
  it('agree with git on random trees and ignore files', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async ({ files, ignoreFiles, exclude }) => {
        // Given a git checkout holding the tree
        const root = await makeTree();
        execFileSync('git', ['init', '-q', root]);
        const contents: Record<string, string> = {};
        for (const [dir, name] of files) contents[dir ? `${dir}/${name}` : name] = 'x;\n';
        for (const [dir, text] of ignoreFiles) contents[dir ? `${dir}/.gitignore` : '.gitignore'] = text;
        await addFiles(root, contents);
        if (exclude !== undefined) await writeFile(join(root, '.git', 'info', 'exclude'), exclude);

        // When both list what they would look at
        const git = execFileSync('git', ['-C', root, 'ls-files', '--others', '--exclude-standard', '-z'], {
          encoding: 'utf8',
        });
        const ours: string[] = [];
        for await (const event of discoverFiles(root, { excludedDirectoryNames: new Set(['.git']) })) {
          if (event.kind !== 'done') ours.push(event.file.path);
        }

        // Then they agree, in git's (sorted) order
        expect(ours).toEqual(git.split('\0').filter(Boolean).sort());
      }),
      { numRuns: 60 },
    );
  });
});
