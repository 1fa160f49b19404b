import { afterEach, describe, expect, it } from 'vitest';
import {
  ancestorIgnoreFiles,
  directoryOf,
  ignoreFileOf,
  isIgnoreFile,
  TreeIgnoreRules,
} from '../../../src/engine/pipeline/tree-ignore-rules.ts';
import { discover, makeTree, removeTempTrees } from '../discovery/temp-tree.ts';

afterEach(removeTempTrees);

/** The texts of the `.codesearchignore` files among `files`, by directory, as a job would have read them. */
function ignoreTexts(files: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(files)
      .filter(([path]) => isIgnoreFile(path))
      .map(([path, text]) => [directoryOf(path), text]),
  );
}

describe('ignore file paths', () => {
  it('recognises .codesearchignore at any depth, and nothing else', () => {
    expect(isIgnoreFile('.codesearchignore')).toBe(true);
    expect(isIgnoreFile('a/b/.codesearchignore')).toBe(true);
    expect(isIgnoreFile('.gitignore')).toBe(false);
    expect(isIgnoreFile('a/x.codesearchignore')).toBe(false);
    expect(isIgnoreFile('.codesearchignore/file.ts')).toBe(false);
  });

  it('names directories and their ignore files', () => {
    expect(directoryOf('a.ts')).toBe('');
    expect(directoryOf('a/b/c.ts')).toBe('a/b');
    expect(ignoreFileOf('')).toBe('.codesearchignore');
    expect(ignoreFileOf('a/b')).toBe('a/b/.codesearchignore');
  });

  it('lists the ignore files above a set of paths once each, root first', () => {
    expect(ancestorIgnoreFiles(['README.md'])).toEqual(['.codesearchignore']);
    expect(ancestorIgnoreFiles(['src/a/b.ts', 'src/c.ts', 'lib/d.ts'])).toEqual([
      '.codesearchignore',
      'src/.codesearchignore',
      'src/a/.codesearchignore',
      'lib/.codesearchignore',
    ]);
    expect(ancestorIgnoreFiles([])).toEqual([]);
  });
});

describe('TreeIgnoreRules', () => {
  it('ignores nothing without ignore files', () => {
    expect(TreeIgnoreRules.NONE.isIgnored('a/b.ts')).toBe(false);
    expect(TreeIgnoreRules.NONE.isWalked('a/b')).toBe(true);
  });

  it('lets the deepest ignore file with an opinion win, and never looks inside an ignored directory', () => {
    const rules = new TreeIgnoreRules(
      new Map([
        ['', 'docs/\n*.snap\n'],
        ['src', '!keep.snap\n/local.ts\n'],
        ['docs', '!*\n'], // never read: docs/ is ignored
      ]),
    );
    expect(rules.isIgnored('a.snap')).toBe(true);
    expect(rules.isIgnored('src/keep.snap')).toBe(false);
    expect(rules.isIgnored('src/deep/keep.snap')).toBe(false);
    expect(rules.isIgnored('src/other.snap')).toBe(true);
    expect(rules.isIgnored('src/local.ts')).toBe(true);
    expect(rules.isIgnored('src/deep/local.ts')).toBe(false);
    expect(rules.isIgnored('docs/guide.md')).toBe(true);
    expect(rules.isWalked('docs')).toBe(false);
    expect(rules.isWalked('docs/deeper')).toBe(false);
    expect(rules.isWalked('src/deep')).toBe(true);
  });

  // The reference: for a tree written to disk, local discovery yields (as a file or a skip) exactly the paths
  // that are neither ignored nor inside a built-in excluded directory.
  const trees: Record<string, Record<string, string>> = {
    'root and nested files, re-includes and anchors': {
      '.codesearchignore': '*.snap\nfixtures/\n/top-only.ts\n!important.snap\n',
      'top-only.ts': '1;\n',
      'a/top-only.ts': '1;\n',
      'a/x.snap': 'x\n',
      'a/important.snap': 'x\n',
      'fixtures/f.ts': '1;\n',
      'fixtures/.codesearchignore': '!*\n',
      'pkg/.codesearchignore': '!x.snap\nbuild-*\n',
      'pkg/x.snap': 'x\n',
      'pkg/y.snap': 'x\n',
      'pkg/build-out/a.ts': '1;\n',
      'pkg/build-log.ts': '1;\n',
      'pkg/src/main.ts': '1;\n',
      'node_modules/dep/.codesearchignore': '*\n',
      'node_modules/dep/index.ts': '1;\n',
    },
    'a deeper file re-includes a directory a shallower one excludes': {
      '.codesearchignore': 'gen/\n*.bak\n',
      'gen/a.ts': '1;\n',
      'pkg/.codesearchignore': '!gen/\n',
      'pkg/gen/a.ts': '1;\n',
      'pkg/gen/a.bak': '1;\n',
      'pkg/gen/sub/b.ts': '1;\n',
    },
    'an ignore file that ignores itself and dotfiles': {
      '.codesearchignore': '.*\n!.github/\n',
      '.eslintrc.js': '1;\n',
      '.github/workflow.yml': 'on: push\n',
      '.github/.codesearchignore': 'workflow.yml\n',
      'src/.hidden.ts': '1;\n',
      'src/shown.ts': '1;\n',
    },
    'directory-only patterns, wildcards and comments': {
      '.codesearchignore': '# comment\n**/tmp\nlogs/**/*.txt\n\\#literal.ts\ndata/\n',
      'a/tmp/x.ts': '1;\n',
      'a/tmp.ts': '1;\n',
      'logs/a/b/c.txt': 'x\n',
      'logs/a/keep.ts': '1;\n',
      '#literal.ts': '1;\n',
      data: 'not a directory\n',
      'sub/data/x.ts': '1;\n',
    },
  };

  for (const [name, files] of Object.entries(trees)) {
    it(`agrees with local discovery: ${name}`, async () => {
      // Given: the tree on disk, and the same files as a listing with its ignore files' texts
      const root = await makeTree(files);
      const rules = new TreeIgnoreRules(ignoreTexts(files));

      // When
      const discovered = await discover(root);
      const kept = Object.keys(files)
        .filter((path) => !path.startsWith('node_modules/') && !rules.isIgnored(path))
        .sort();

      // Then: the same paths, and the rules did leave some out
      expect(kept).toEqual([...discovered.paths].sort());
      expect(discovered.stats.ignoredFiles + discovered.stats.ignoredDirectories).toBeGreaterThan(0);
    });
  }
});
