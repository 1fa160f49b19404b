/**
 * Differential tests: on random trees with random ignore files, discovery leaves out exactly what
 * `git ls-files --others --exclude-standard` leaves out; and random wildcard patterns (stars, classes,
 * ranges, escapes, negations) decide names exactly as `git check-ignore` does. Needs the `git` binary
 * (present wherever the repository is checked out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { IgnoreRules } from '../../../src/engine/discovery/ignore-rules.ts';
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
    '[a-c]',
    '!*[!s]',
    'g?n/',
    '**/a/**/x.*',
    '[[:alpha:]].ts',
    'doc/**',
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

/** Characters that make up random patterns and names: every one with a meaning in patterns, and a few without. */
const PATTERN_CHARACTERS = [
  'a',
  'b',
  'c',
  '-',
  '*',
  '?',
  '[',
  ']',
  '!',
  '^',
  '\\',
  ' ',
  '.',
  ':',
  'é',
] as const;
const NAME_CHARACTERS = ['a', 'b', 'c', '-', '[', ']', '!', '^', '\\', '*', '.', ':', '?', 'é'] as const;

describe('wildcard patterns', () => {
  it('decide names as git check-ignore does', async () => {
    const root = await makeTree();
    execFileSync('git', ['init', '-q', root]);
    const pattern = fc
      .array(fc.constantFrom(...PATTERN_CHARACTERS), { minLength: 1, maxLength: 8 })
      .map((chars) => chars.join(''))
      .filter((text) => !text.startsWith('#') && text.trim() !== '');
    const name = fc
      .array(fc.constantFrom(...NAME_CHARACTERS), { minLength: 1, maxLength: 8 })
      .map((chars) => chars.join(''))
      .filter((text) => !text.startsWith(':') && text !== '.' && text !== '..'); // `:` is pathspec magic
    await fc.assert(
      fc.asyncProperty(
        fc.array(pattern, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(name, { minLength: 1, maxLength: 30 }),
        async (patterns, names) => {
          // Given a root .gitignore with the random patterns
          const text = `${patterns.join('\n')}\n`;
          await writeFile(join(root, '.gitignore'), text);

          // When git and our rules judge the same (non-existent, so file) names
          // (It exits with 1 when no name is ignored.)
          const run = spawnSync(
            'git',
            ['-C', root, 'check-ignore', '--no-index', '-v', '-n', '-z', '--stdin'],
            {
              input: `${names.join('\0')}\0`,
              encoding: 'utf8',
            },
          );
          if (run.status !== 0 && run.status !== 1) throw new Error(`git check-ignore failed: ${run.stderr}`);
          const output = run.stdout.split('\0');
          const byGit = new Map<string, boolean>();
          // -z -v -n prints four fields per path: source, line, pattern, path (empty source: no match)
          for (let i = 0; i + 3 < output.length; i += 4)
            byGit.set(
              output[i + 3] as string,
              output[i] !== '' && !(output[i + 2] as string).startsWith('!'),
            );
          const rules = IgnoreRules.NONE.withPatterns('', [{ path: '.gitignore', text }]);

          // Then they agree on every name
          for (const candidate of names)
            expect({ pattern: text, name: candidate, ignored: rules.isIgnored(candidate, false) }).toEqual({
              pattern: text,
              name: candidate,
              ignored: byGit.get(candidate),
            });
        },
      ),
      { numRuns: 150 },
    );
  });
});
