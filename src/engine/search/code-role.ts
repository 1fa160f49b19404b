/**
 * What part a chunk plays in its repository — implementation code, a test, an example, documentation — and
 * what part a query asks for. A question about behaviour is answered by the code that does it, not by the
 * test that checks it (`TestLevenshteinDistance` above `levenshteinDistance`) nor by the README that shows
 * it, unless the question asks for a test or an example. The hybrid ranker learns how much each counts
 * (`ranker-features.ts`); nothing here is a hand weight.
 */
import type { StoredChunk } from '../types.ts';

export type CodeRole = 'code' | 'test' | 'example' | 'docs';

/** Test files and directories, by each language's convention. */
const TEST_PATH =
  /(?:^|\/)(?:tests?|spec|specs|__tests__|__mocks__|testdata|testing|e2e)\/|_test\.(?:go|py|rb|exs?)$|(?:^|\/)test_[^/]*\.py$|_spec\.rb$|(?:^|\/)spec_[^/]*\.rb$|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|\/)conftest\.py$|Tests?\.(?:java|cs|kt|swift)$/;
const EXAMPLE_PATH = /(?:^|\/)(?:examples?|samples?|demos?|benches|benchmarks?)\/|(?:^|\/)example_[^/]*$/;
const DOCS_PATH = /(?:^|\/)(?:docs?|documentation)\/|\.(?:md|mdx|rst|txt|adoc)$/i;
/** Tests inside implementation files: Rust's `#[test]` / `#[cfg(test)]`, Go's TestXxx, Python's test_xxx. */
// [ \t]*, not \s*: with the m flag \s would run across blank lines, quadratic over a long run of them.
const TEST_CODE =
  /^[ \t]*#\[(?:\w+::)?test\]|^[ \t]*#\[cfg\(test\)\]|^func (?:Test|Benchmark|Fuzz)[A-Z_]\w*\(\w+ \*testing\.[TBF]\)/m;

/** The role of `chunk`: by its path first, then by test markers in its code. */
export function codeRole(chunk: Pick<StoredChunk, 'path' | 'content'>): CodeRole {
  const path = chunk.path;
  if (TEST_PATH.test(path)) return 'test';
  if (EXAMPLE_PATH.test(path)) return 'example';
  if (DOCS_PATH.test(path)) return 'docs';
  if (TEST_CODE.test(chunk.content)) return 'test';
  return 'code';
}

const ASKS = {
  test: /\b(?:tests?|tested|testing|spec|specs|unit tests?|test cases?|assert(?:s|ions?)?)\b/i,
  example: /\b(?:examples?|sample|demo|benchmarks?|usage of|how to use)\b/i,
  docs: /\b(?:docs?|documentation|readme|guide|tutorial)\b/i,
} as const;

/** The roles other than implementation code that `query` asks for by name ("the test for …", "an example of …"). */
export function rolesAskedFor(query: string): ReadonlySet<Exclude<CodeRole, 'code'>> {
  const roles = new Set<Exclude<CodeRole, 'code'>>();
  for (const role of ['test', 'example', 'docs'] as const) if (ASKS[role].test(query)) roles.add(role);
  return roles;
}
