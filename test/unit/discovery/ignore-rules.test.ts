import { describe, expect, it } from 'vitest';
import { IgnoreRules } from '../../../src/engine/discovery/ignore-rules.ts';

describe('IgnoreRules', () => {
  it('ignores nothing without patterns', () => {
    expect(IgnoreRules.NONE.isIgnored('a.ts', false)).toBe(false);
    expect(IgnoreRules.NONE.withPatterns('', '# only a comment\n\n')).toBe(IgnoreRules.NONE);
  });

  it('matches paths relative to the directory of the ignore file', () => {
    const rules = IgnoreRules.NONE.withPatterns('pkg', '/local.ts\nbuild/\n*.log\n');
    expect(rules.isIgnored('pkg/local.ts', false)).toBe(true);
    expect(rules.isIgnored('pkg/sub/local.ts', false)).toBe(false);
    expect(rules.isIgnored('pkg/sub/build', true)).toBe(true);
    expect(rules.isIgnored('pkg/sub/build', false)).toBe(false); // `build/` matches directories only
    expect(rules.isIgnored('pkg/a/b/c.log', false)).toBe(true);
  });

  it('lets the last level with an opinion win, and later files in a directory override earlier ones', () => {
    const rules = IgnoreRules.NONE.withPatterns('', '*.md\n')
      .withPatterns('', '!README.md\n', 'CHANGELOG.md\n!CHANGELOG.md\n')
      .withPatterns('docs', 'README.md\n');
    expect(rules.isIgnored('notes.md', false)).toBe(true);
    expect(rules.isIgnored('README.md', false)).toBe(false);
    expect(rules.isIgnored('CHANGELOG.md', false)).toBe(false);
    expect(rules.isIgnored('docs/README.md', false)).toBe(true);
  });

  it('compares names case-sensitively, like git on Linux', () => {
    const rules = IgnoreRules.NONE.withPatterns('', 'Secret.ts\n');
    expect(rules.isIgnored('Secret.ts', false)).toBe(true);
    expect(rules.isIgnored('secret.ts', false)).toBe(false);
  });

  it('does not choke on names that look like relative paths', () => {
    const rules = IgnoreRules.NONE.withPatterns('', '*.tmp\n');
    expect(rules.isIgnored('...', false)).toBe(false);
    expect(rules.isIgnored('..x.tmp', false)).toBe(true);
  });

  it('inside a re-included directory, judges files by the shallower file’s own patterns', () => {
    // Given: the root excludes every `gen/` and every `*.bak`; pkg re-includes `gen/`
    const rules = IgnoreRules.NONE.withPatterns('', 'gen/\n*.bak\n').withPatterns('pkg', '!gen/\n');
    expect(rules.isIgnored('gen', true)).toBe(true);
    expect(rules.isIgnored('pkg/gen', true)).toBe(false);

    // When walking into pkg/gen
    const inside = rules.enter('pkg/gen');

    // Then
    expect(inside.isIgnored('pkg/gen/a.ts', false)).toBe(false);
    expect(inside.isIgnored('pkg/gen/a.bak', false)).toBe(true);
    expect(inside.enter('pkg/gen/sub').isIgnored('pkg/gen/sub/b.ts', false)).toBe(false);
  });
});
