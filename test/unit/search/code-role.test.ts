import { describe, expect, it } from 'vitest';
import { codeRole, rolesAskedFor } from '../../../src/engine/search/code-role.ts';
import { featureRows } from '../../../src/engine/search/ranker-features.ts';
import type { StoredChunk } from '../../../src/engine/types.ts';

const chunk = (path: string, content = 'x', symbols: string[] = []): StoredChunk => ({
  id: path,
  repo: 'r',
  path,
  language: 'go',
  startLine: 1,
  endLine: 10,
  symbols,
  content,
});

describe('code roles', () => {
  it('knows tests by path in every common convention', () => {
    for (const path of [
      'flag_test.go',
      'tests/test_functoolz.py',
      'toolz/tests/test_curry.py',
      'test/spec_utils.rb',
      'spec/rack/utils_spec.rb',
      'lib/parse.test.js',
      'src/__tests__/index.ts',
      'conftest.py',
      'src/test/java/FooTest.java',
    ])
      expect(codeRole(chunk(path)), path).toBe('test');
  });

  it('knows tests inside implementation files by their markers', () => {
    expect(codeRole(chunk('src/core.rs', '#[cfg(test)]\nmod tests {'))).toBe('test');
    expect(codeRole(chunk('src/core.rs', '    #[test]\n    fn wraps() {}'))).toBe('test');
    expect(codeRole(chunk('src/core.rs', 'pub fn test_width() {}'))).toBe('code');
  });

  it('tells examples and documentation from implementation code', () => {
    expect(codeRole(chunk('examples/basic.rs'))).toBe('example');
    expect(codeRole(chunk('benches/wrap.rs'))).toBe('example');
    expect(codeRole(chunk('docs/usage.md'))).toBe('docs');
    expect(codeRole(chunk('README.md'))).toBe('docs');
    expect(codeRole(chunk('src/testing_utils_helper.go'))).toBe('code');
    expect(codeRole(chunk('lib/rack/utils.rb'))).toBe('code');
  });

  it('hears when a query asks for a test, an example or the docs', () => {
    expect([...rolesAskedFor('where is the test for grouped short flags?')]).toEqual(['test']);
    expect([...rolesAskedFor('an example of wrapping text')]).toEqual(['example']);
    expect([...rolesAskedFor('how are grouped short flags parsed?')]).toEqual([]);
    // "latest" and "contest" are not "test".
    expect([...rolesAskedFor('pick the latest contest entry')]).toEqual([]);
  });

  it('gives the ranker a test indicator split by whether the query asks for tests', () => {
    const candidates = [chunk('flag.go'), chunk('flag_test.go')].map((c) => ({
      chunk: c,
      window: 0.5,
      name: 0,
    }));
    const features = ['test', 'testAsked', 'exampleOrDocs'] as const;
    const plain = featureRows('how are short flags parsed', candidates, features).map((row) => [...row]);
    expect(plain).toEqual([
      [0, 0, 0],
      [1, 0, 0],
    ]);
    const asked = featureRows('tests for short flag parsing', candidates, features).map((row) => [...row]);
    expect(asked).toEqual([
      [0, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('reads a chunk of long runs of blank lines in linear time (a repository may hold anything)', () => {
    // 200k blank lines: a pattern whose line starts could run across them would take minutes here.
    const blank = `fn main() {${'\n'.repeat(200_000)}}`;
    expect(codeRole({ path: 'src/main.rs', content: blank })).toBe('code');
    expect(codeRole({ path: 'src/main.rs', content: `${'\n'.repeat(200_000)}#[test]\nfn t() {}` })).toBe(
      'test',
    );
  });
});
