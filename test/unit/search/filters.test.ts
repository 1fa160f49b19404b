import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFilterError } from '#engine/errors.ts';
import {
  globToRegExpSource,
  indexNameOf,
  parsePathFilter,
  splitIndexName,
  validateBranchName,
  validateLanguage,
  validateRepoName,
  validateRepos,
} from '#engine/search/filters.ts';

describe('repository names', () => {
  it.each(['codesearch', 'octo-org/codesearch', 'a.b_c-d/e.f'])('accepts %s', (name) => {
    expect(validateRepoName(name)).toBe(name);
  });

  it.each([
    "x' OR '1'='1",
    'a/b/c',
    '',
    '../etc',
    'a/..',
    'a b',
    'a\u0000b',
    'x'.repeat(101),
    "o'brien/repo",
    'a;DROP',
  ])('rejects %j with a message naming the field', (name) => {
    expect(() => validateRepoName(name, 'repo')).toThrow(InvalidFilterError);
    expect(() => validateRepoName(name, 'repo')).toThrow(/^repo: /);
  });

  it('deduplicates and caps the list', () => {
    expect(validateRepos(['a', 'a', 'b/c'])).toEqual(['a', 'b/c']);
    expect(() => validateRepos(Array.from({ length: 101 }, (_, i) => `r${i}`))).toThrow(/at most 100/);
  });
});

describe('languages', () => {
  it('accepts known languages and rejects the rest', () => {
    expect(validateLanguage('python')).toBe('python');
    expect(() => validateLanguage("python' OR 1=1 --")).toThrow(/unknown language/);
  });
});

describe('path filters', () => {
  it('treats plain paths as prefixes and strips ./ and leading slashes', () => {
    expect(parsePathFilter('./src/api/')).toEqual({ kind: 'prefix', prefix: 'src/api/' });
    expect(parsePathFilter('/src')).toEqual({ kind: 'prefix', prefix: 'src' });
  });

  it('recognises globs', () => {
    expect(parsePathFilter('src/**/*.ts')).toEqual({ kind: 'glob', glob: 'src/**/*.ts' });
  });

  it.each([
    "src/'; DROP TABLE chunks; --",
    'a\\b',
    'a"b',
    'tab\there',
    '',
    'x'.repeat(513),
    'src/[a',
    'src/{a,b',
    'src/a}',
  ])('rejects %j', (value) => {
    expect(() => parsePathFilter(value)).toThrow(InvalidFilterError);
  });
});

describe('glob → regular expression', () => {
  const matches = (glob: string, path: string) => new RegExp(globToRegExpSource(glob)).test(path);

  it('follows the usual glob rules', () => {
    expect(matches('src/**/*.ts', 'src/a/b/c.ts')).toBe(true);
    expect(matches('src/**/*.ts', 'src/c.ts')).toBe(true);
    expect(matches('src/*.ts', 'src/a/c.ts')).toBe(false);
    expect(matches('**/*.{ts,tsx}', 'a/b.tsx')).toBe(true);
    expect(matches('**/*.{ts,tsx}', 'a/b.js')).toBe(false);
    expect(matches('lib/?.py', 'lib/a.py')).toBe(true);
    expect(matches('lib/[ab].py', 'lib/c.py')).toBe(false);
    expect(matches('a+b/(x).c', 'a+b/(x).c')).toBe(true);
    expect(matches('a.b', 'aXb')).toBe(false);
    expect(matches('@scope/pkg#1/*', '@scope/pkg#1/x')).toBe(true);
  });

  it('never emits a quote, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (value) => {
        try {
          const filter = parsePathFilter(value);
          if (filter.kind === 'glob') expect(globToRegExpSource(filter.glob)).not.toMatch(/['"\\]{2}|'/);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidFilterError);
        }
      }),
    );
  });
});

describe('branch names', () => {
  it.each(['main', 'release/2.x', 'feat/X-1', 'dependabot/npm_and_yarn/zod-4.1.0', 'v1.2', 'a+b'])(
    'accepts %j, its case kept',
    (branch) => {
      expect(validateBranchName(branch)).toBe(branch);
    },
  );

  it.each([
    '',
    '-rf',
    '../main',
    'a..b',
    'main.lock',
    'main.',
    '/main',
    'feat/',
    'feat//x',
    'x y',
    "x' OR '1'='1",
    'a@{1}',
    'x'.repeat(201),
  ])('refuses %j', (branch) => {
    expect(() => validateBranchName(branch)).toThrow(/not a branch name/);
  });

  it('names and splits branch indexes as the push pipeline does', () => {
    expect(indexNameOf('Acme/API')).toBe('acme/api');
    expect(indexNameOf('Acme/API', 'Feat/X')).toBe('acme/api@Feat/X');
    expect(splitIndexName('acme/api@feat/x@y')).toEqual({ repo: 'acme/api', branch: 'feat/x@y' });
    expect(splitIndexName('acme/api')).toEqual({ repo: 'acme/api', branch: null });
  });
});
