import { describe, expect, it } from 'vitest';
import { filterToSql, sqlString } from '#adapters/lancedb/sql.ts';

describe('SQL literals for LanceDB filters', () => {
  it('doubles single quotes', () => {
    expect(sqlString("x' OR '1'='1")).toBe("'x'' OR ''1''=''1'");
  });

  it('refuses NUL bytes', () => {
    expect(() => sqlString('a\u0000b')).toThrow(/NUL/);
  });

  it('builds one clause per filter, joined with AND', () => {
    const none = { branchIndexes: false };
    expect(filterToSql({}, none)).toBeUndefined();
    expect(
      filterToSql({ repos: ['a/b', 'c'], language: 'python', path: { kind: 'prefix', prefix: 'src/' } }),
    ).toBe("repo IN ('a/b', 'c') AND language = 'python' AND starts_with(path, 'src/')");
    expect(filterToSql({ path: { kind: 'glob', glob: 'src/**/*.ts' } }, none)).toBe(
      "regexp_like(path, '^src/(?:.*/)?[^/]*\\.ts$')",
    );
  });

  it('searches one branch of each repository: the default one unless a branch is named', () => {
    // Where branch indexes may exist, every repository's default branch is asked for by leaving them out
    expect(filterToSql({})).toBe("strpos(repo, '@') = 0");
    expect(filterToSql({ branch: 'dev' })).toBe("ends_with(repo, '@dev')");
    expect(filterToSql({ repos: ['Acme/API', 'c'], branch: 'feat/X' })).toBe(
      "repo IN ('acme/api@feat/X', 'c@feat/X')",
    );
    expect(filterToSql({ repos: ['acme/api'] })).toBe("repo IN ('acme/api')");
  });
});
