import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManifestPackage } from '../../../scripts/model/debian/manifest.ts';
import { buildDebianPairs, PAIR_WINDOW_LINES, repositoryPath } from '../../../scripts/model/debian-pairs.ts';
import { inlineComments } from '../../../scripts/model/doc-comments.ts';
import { testedName, testFunctions } from '../../../scripts/model/test-descriptions.ts';
import { useTempDirs } from '../../helpers/temp-dir.ts';

const tempDir = useTempDirs();

const manifestPackage = (name: string, split: 'train' | 'validation'): ManifestPackage => ({
  package: name,
  version: '1.0-1',
  architecture: 'all',
  sha256: '0'.repeat(64),
  source: name,
  family: 'go',
  license: 'MIT',
  split,
});

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const GO_FILE = [
  'package shortflag',
  '',
  '// ParseGroup walks the letters of a grouped short flag one at a time.',
  'func ParseGroup(s string) []string {',
  '\t// skip the leading dash before looking at the letters',
  '\ts = s[1:]',
  '\treturn nil',
  '}',
].join('\n');

describe('Debian pairs', () => {
  it('pairs doc comments and inline comments with windows, skips tests, vendored copies and duplicates', async () => {
    const root = await tempDir();
    await write(root, {
      'github.com/acme/shortflag/parse.go': GO_FILE,
      'github.com/acme/shortflag/zz/parse.go': GO_FILE,
      'github.com/acme/shortflag/parse_test.go':
        '// TestParseGroup checks the grouped flags parse.\nfunc TestParseGroup(t *testing.T) {}',
      'github.com/acme/shortflag/vendor/github.com/x/y/y.go':
        '// Y does a thing that is vendored here.\nfunc Y() {}',
    });
    const pairs = await buildDebianPairs([
      { pkg: manifestPackage('golang-acme-shortflag-dev', 'train'), roots: [root] },
    ]);
    expect(pairs.train.map((p) => [p.kind, p.query])).toEqual([
      ['doc', 'walks the letters of a grouped short flag one at a time.'],
      ['inline', 'skip the leading dash before looking at the letters'],
    ]);
    const doc = pairs.train[0];
    expect(doc?.text.split('\n')[0]).toBe('parse.go');
    expect(doc?.text).toContain('func ParseGroup');
    expect(doc?.text).not.toContain('walks the letters');
    expect(doc?.text.split('\n')).toHaveLength(1 + 5); // the path, then the file's last five lines from the definition
    expect(pairs.train[1]?.text).not.toContain('skip the leading dash');
    expect(pairs.skipped).toMatchObject({
      'identical to a file read before': 1,
      'test, example or fixture': 1,
      'possible vendored copy of a held-out project': 1,
    });
    expect(PAIR_WINDOW_LINES).toBe(12);
  });

  it("pairs a test's description with the window of the function it tests, when asked", async () => {
    const root = await tempDir();
    await write(root, {
      'github.com/acme/shortflag/parse.go': GO_FILE,
      'github.com/acme/shortflag/parse_test.go': [
        'package shortflag',
        '',
        'func TestParseGroup(t *testing.T) {',
        '\tt.Run("splits letters after a single dash", func(t *testing.T) {})',
        '}',
        'func TestUnknown_Function(t *testing.T) {}',
      ].join('\n'),
    });
    const pairs = await buildDebianPairs(
      [{ pkg: manifestPackage('golang-acme-shortflag-dev', 'train'), roots: [root] }],
      { maxTestPairsPerPackage: 10, maxInlinePairsPerPackage: 0 },
    );
    const test = pairs.train.filter((p) => p.kind === 'test');
    expect(test.map((p) => p.query)).toEqual(['splits letters after a single dash']);
    expect(test[0]?.text.split('\n').slice(0, 2)).toEqual([
      'parse.go',
      'func ParseGroup(s string) []string {',
    ]);
    // The doc comment stays blanked on the code side of a test pair too.
    expect(test[0]?.text).not.toContain('walks the letters');
    expect(pairs.skipped['test, example or fixture']).toBeUndefined();
  });

  it('keeps validation packages whole, tests included, with "tests for" questions answered by a test', async () => {
    const root = await tempDir();
    await write(root, {
      'github.com/acme/shortflag/parse.go': GO_FILE,
      'github.com/acme/shortflag/parse_test.go':
        'package shortflag\n\nfunc TestParseGroup(t *testing.T) {}\n',
    });
    const pairs = await buildDebianPairs([
      { pkg: manifestPackage('golang-acme-shortflag-dev', 'validation'), roots: [root] },
    ]);
    expect(pairs.train).toEqual([]);
    expect(pairs.validationFiles.map((f) => [f.path, f.definitions])).toEqual([
      ['parse.go', [{ query: 'walks the letters of a grouped short flag one at a time.', line: 4 }]],
      [
        'parse_test.go',
        [{ query: 'tests for walks the letters of a grouped short flag one at a time.', line: 3 }],
      ],
    ]);
  });

  it('shows paths as the repository has them', () => {
    expect(repositoryPath('go', 'github.com/spf13/afero/mem/file.go')).toBe('mem/file.go');
    expect(repositoryPath('go', 'gopkg.in/yaml.v3/decode.go')).toBe('decode.go');
    expect(repositoryPath('rust', 'textwrap-0.16.0/src/core.rs')).toBe('src/core.rs');
    expect(repositoryPath('python', 'toolz/functoolz.py')).toBe('toolz/functoolz.py');
  });

  it('finds test functions and the names they test', () => {
    expect(testFunctions('func TestParse_Args(t *testing.T) {\n}\nfunc helper() {}', 'go')).toEqual([
      { name: 'TestParse_Args', line: 1 },
    ]);
    expect(testFunctions('#[test]\nfn wraps_works() {}\nfn helper() {}', 'rust')).toEqual([
      { name: 'wraps_works', line: 2 },
    ]);
    expect(testedName('TestParseArgs')).toBe('parseargs');
    expect(testedName('test_parse_args')).toBe('parse_args');
    expect(testedName('wraps_works')).toBe('wraps');
  });

  it('takes prose comments inside code, never markers, commented-out code or doc comments', () => {
    const text = [
      'func f() {',
      '\t// TODO: make this faster later on please',
      '\tx := 1',
      '\t// if x == 2 { return }',
      '\ty := 2',
      '\t// retry the upload once when the connection was reset',
      '\tretry()',
      '}',
    ].join('\n');
    expect(inlineComments(text, 'go')).toEqual([
      { query: 'retry the upload once when the connection was reset', line: 6, endLine: 6 },
    ]);
  });
});
