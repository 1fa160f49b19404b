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
    expect(filterToSql({})).toBeUndefined();
    expect(
      filterToSql({ repos: ['a/b', 'c'], language: 'python', path: { kind: 'prefix', prefix: 'src/' } }),
    ).toBe("repo IN ('a/b', 'c') AND language = 'python' AND starts_with(path, 'src/')");
    expect(filterToSql({ path: { kind: 'glob', glob: 'src/**/*.ts' } })).toBe(
      "regexp_like(path, '^src/(?:.*/)?[^/]*\\.ts$')",
    );
  });
});
