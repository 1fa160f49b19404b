import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, parseIgnoreLine } from '../../../src/engine/discovery/ignore-pattern.ts';
import {
  type IgnoreNotice,
  IgnoreRules,
  MAX_WILDCARD_COST_PER_FILE,
  MAX_WILDCARD_COST_PER_PATH,
} from '../../../src/engine/discovery/ignore-rules.ts';

/** Rules from ignore-file texts, all in directory `base`. */
function rulesOf(base: string, ...texts: string[]): IgnoreRules {
  return IgnoreRules.NONE.withPatterns(
    base,
    texts.map((text) => ({ path: base ? `${base}/.gitignore` : '.gitignore', text })),
  );
}

function matches(pattern: string, path: string, isDirectory = false): boolean {
  const line = parseIgnoreLine(pattern);
  if (line.kind !== 'pattern') throw new Error(`${pattern} is not a pattern`);
  return line.pattern.matches(new TextEncoder().encode(path), isDirectory);
}

describe('IgnoreRules', () => {
  it('ignores nothing without patterns', () => {
    expect(IgnoreRules.NONE.isIgnored('a.ts', false)).toBe(false);
    expect(rulesOf('', '# only a comment\n\n')).toBe(IgnoreRules.NONE);
  });

  it('matches paths relative to the directory of the ignore file', () => {
    const rules = rulesOf('pkg', '/local.ts\nbuild/\n*.log\n');
    expect(rules.isIgnored('pkg/local.ts', false)).toBe(true);
    expect(rules.isIgnored('pkg/sub/local.ts', false)).toBe(false);
    expect(rules.isIgnored('pkg/sub/build', true)).toBe(true);
    expect(rules.isIgnored('pkg/sub/build', false)).toBe(false); // `build/` matches directories only
    expect(rules.isIgnored('pkg/a/b/c.log', false)).toBe(true);
  });

  it('lets the last level with an opinion win, and later files in a directory override earlier ones', () => {
    const rules = rulesOf('', '*.md\n')
      .withPatterns('', [
        { path: '.gitignore', text: '!README.md\n' },
        { path: '.codesearchignore', text: 'CHANGELOG.md\n!CHANGELOG.md\n' },
      ])
      .withPatterns('docs', [{ path: 'docs/.gitignore', text: 'README.md\n' }]);
    expect(rules.isIgnored('notes.md', false)).toBe(true);
    expect(rules.isIgnored('README.md', false)).toBe(false);
    expect(rules.isIgnored('CHANGELOG.md', false)).toBe(false);
    expect(rules.isIgnored('docs/README.md', false)).toBe(true);
  });

  it('lets a later wildcard line override an earlier literal one, and a later literal a wildcard', () => {
    const rules = rulesOf('', 'dist\n!d*\nbuild\n!b*\nbuild\n');
    expect(rules.isIgnored('dist', true)).toBe(false);
    expect(rules.isIgnored('build', true)).toBe(true);
  });

  it('compares names case-sensitively, like git on Linux', () => {
    const rules = rulesOf('', 'Secret.ts\n');
    expect(rules.isIgnored('Secret.ts', false)).toBe(true);
    expect(rules.isIgnored('secret.ts', false)).toBe(false);
  });

  it('does not choke on names that look like relative paths', () => {
    const rules = rulesOf('', '*.tmp\n');
    expect(rules.isIgnored('...', false)).toBe(false);
    expect(rules.isIgnored('..x.tmp', false)).toBe(true);
  });

  it('judges a path by its own name: what is inside an ignored directory is never walked into', () => {
    // Given: the root excludes every `gen/` and every `*.bak`; pkg re-includes `gen/`
    const rules = rulesOf('', 'gen/\n*.bak\n').withPatterns('pkg', [
      { path: 'pkg/.gitignore', text: '!gen/\n' },
    ]);
    expect(rules.isIgnored('gen', true)).toBe(true);
    expect(rules.isIgnored('pkg/gen', true)).toBe(false);
    // Then inside the re-included directory, files follow the root's other patterns
    expect(rules.isIgnored('pkg/gen/a.ts', false)).toBe(false);
    expect(rules.isIgnored('pkg/gen/a.bak', false)).toBe(true);
  });

  it('matches a catastrophic-backtracking rule in time linear in the path', () => {
    // On the regex-based matcher, `*a*a*…*b` against forty `a`s took 44 s, and each two more characters cost
    // ten times as much: this test would run for days. The automaton answers at once.
    const rules = rulesOf('', `${'*a'.repeat(30)}*b\n${'a*'.repeat(200)}b\n**/${'*a'.repeat(100)}*b/\n`);
    const name = `${'a'.repeat(400)}.ts`;
    expect(rules.isIgnored(name, false)).toBe(false);
    expect(rules.isIgnored(`${'a'.repeat(400)}/${name}`, false)).toBe(false);
    expect(rules.isIgnored(`${'a'.repeat(400)}b`, true)).toBe(true);
  }, 5_000);

  it('does not apply over-long lines or wildcard rules past the file budget, and reports each', () => {
    // Given one rule over the length limit and more wildcard rules than the budget holds
    const long = `${'x'.repeat(MAX_PATTERN_LENGTH)}*`;
    const wildcard = `*${'y'.repeat(98)}*`; // 101 states
    const count = Math.ceil(MAX_WILDCARD_COST_PER_FILE / 101) + 3;
    const text = [long, ...Array.from({ length: count }, () => wildcard), 'kept.txt'].join('\n');
    const notices: IgnoreNotice[] = [];

    // When the file is compiled
    const rules = IgnoreRules.NONE.withPatterns('pkg', [{ path: 'pkg/.codesearchignore', text }], (n) =>
      notices.push(n),
    );

    // Then the long line and the rules past the budget are reported with their line numbers
    expect(notices[0]).toEqual({
      path: 'pkg/.codesearchignore',
      line: 1,
      reason: `not applied: longer than ${MAX_PATTERN_LENGTH} characters`,
    });
    expect(notices.length).toBe(1 + count - Math.floor(MAX_WILDCARD_COST_PER_FILE / 101));
    expect(notices.at(-1)?.line).toBe(count + 1);
    expect(notices.at(-1)?.reason).toMatch(/wildcard patterns exceed/);
    // And literal rules are never over budget
    expect(rules.isIgnored('pkg/kept.txt', false)).toBe(true);
  });

  it('tests a class in one look-up, and caps the cost over all the files above a path', () => {
    // A class of a thousand members is one state, tested by one table look-up per byte
    const line = parseIgnoreLine(`*[${'Q'.repeat(1000)}]`);
    expect(line.kind === 'pattern' && line.pattern.cost).toBe(3);
    // Twelve nested directories, each with an ignore file at the per-file budget: the stack is capped
    const file = Array.from({ length: 40 }, (_, i) => `*${'z'.repeat(98)}${i}*`).join('\n'); // 4,040
    const notices: IgnoreNotice[] = [];
    let rules = IgnoreRules.NONE;
    let directory = '';
    for (let depth = 0; depth < 12; depth++) {
      rules = rules.withPatterns(directory, [{ path: `${directory}/.gitignore`, text: file }], (n) =>
        notices.push(n),
      );
      directory = directory === '' ? 'd' : `${directory}/d`;
    }
    const applied = 12 * 40 - notices.length;
    expect(applied * 101).toBeLessThanOrEqual(MAX_WILDCARD_COST_PER_PATH);
    expect(notices.at(-1)?.reason).toMatch(/of this file and those above it exceed/);
  });

  it('looks up patterns without wildcards whatever their number, negated, anchored or for directories', () => {
    // 300,000 lines cost one lookup each, and the last matching line still decides
    const many = Array.from({ length: 100_000 }, (_, i) => `!file${i}\n/src/gen${i}.ts\nout${i}/`).join('\n');
    const notices: IgnoreNotice[] = [];
    const rules = IgnoreRules.NONE.withPatterns('', [{ path: '.gitignore', text: `*.ts\n${many}\n` }], (n) =>
      notices.push(n),
    );
    expect(notices).toEqual([]);
    expect(rules.isIgnored('src/gen5.ts', false)).toBe(true);
    expect(rules.isIgnored('src/other.ts', false)).toBe(true);
    expect(rules.isIgnored('file7.ts', false)).toBe(true); // `!file7` names another file
    expect(rules.isIgnored('x/out9', true)).toBe(true);
    expect(rules.isIgnored('x/out9', false)).toBe(false);
    const negated = IgnoreRules.NONE.withPatterns('', [{ path: '.gitignore', text: 'file*\n!file3\n' }]);
    expect(negated.isIgnored('file3', false)).toBe(false);
    expect(negated.isIgnored('file4', false)).toBe(true);
  }, 10_000);
});

describe('ignore patterns, as git reads them', () => {
  it('drops trailing spaces unless escaped, and honours escapes of # and !', () => {
    expect(matches('a.txt   ', 'a.txt')).toBe(true);
    expect(matches('a\\ ', 'a ')).toBe(true);
    expect(parseIgnoreLine('#comment').kind).toBe('none');
    expect(matches('\\#x', '#x')).toBe(true);
    expect(matches('\\!x', '!x')).toBe(true);
    expect(parseIgnoreLine('!x').kind === 'pattern' && parseIgnoreLine('!x')).toMatchObject({
      pattern: { negated: true },
    });
  });

  it('keeps `*`, `?` and classes within one segment', () => {
    expect(matches('a/*.ts', 'a/x.ts')).toBe(true);
    expect(matches('a/*.ts', 'a/b/x.ts')).toBe(false);
    expect(matches('a?b', 'a/b')).toBe(false);
    expect(matches('a[/]b', 'a/b')).toBe(false);
    expect(matches('a[!x]b', 'a/b')).toBe(false);
    expect(matches('a[!x]b', 'ayb')).toBe(true);
  });

  it('reads `**` as git does', () => {
    expect(matches('**/foo', 'foo')).toBe(true);
    expect(matches('**/foo', 'a/b/foo')).toBe(true);
    expect(matches('a/**/b', 'a/b')).toBe(true);
    expect(matches('a/**/b', 'a/x/y/b')).toBe(true);
    expect(matches('a/**', 'a/x/y')).toBe(true);
    expect(matches('a/**', 'a')).toBe(false);
    expect(matches('a**b', 'a/b')).toBe(false); // not a whole segment: a plain `*`
    expect(matches('a**b', 'axxb')).toBe(true);
  });

  it('compares UTF-8 bytes as git does, and reads `[:` without `:]` as a plain `[`', () => {
    expect(matches('caf?', 'café')).toBe(false); // é is two bytes
    expect(matches('caf??', 'café')).toBe(true);
    expect(matches('[[:x]', '[')).toBe(true);
    expect(matches('[[:x]', 'x')).toBe(true);
    expect(matches('[[:x]', 'y')).toBe(false);
  });

  it('reads bracket expressions as wildmatch does', () => {
    expect(matches('[]a]', ']')).toBe(true);
    expect(matches('[a-c]x', 'bx')).toBe(true);
    expect(matches('[z-a]', 'm')).toBe(false); // a reversed range matches nothing
    expect(matches('[[:digit:]]*', '7up')).toBe(true);
    expect(matches('[^[:alpha:]]', '_')).toBe(true);
    expect(matches('[a-]', '-')).toBe(true);
    expect(matches('[\\]]', ']')).toBe(true);
    // An unclosed bracket or an unknown class makes the pattern match nothing at all
    expect(matches('[abc', '[abc')).toBe(false);
    expect(matches('[[:nope:]]', 'n')).toBe(false);
  });
});
