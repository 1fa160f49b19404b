/**
 * What tests say about the code they exercise, as training queries: a test's description is a sentence about
 * behaviour ("rejects a body over the limit", "parses grouped short flags"), closer to what a user asks than
 * a doc comment's first line. Each description is linked to the function it tests by name — the subject of
 * the test (`TestParseArgs`, `describe('parseArgs')`, `describe '#parse'`) or the longest leading words of a
 * `test_…`/`#[test] fn …` name that name a function of the package — and only when exactly one function of
 * the package's non-test files has that name, so a pair never guesses between two `parse`s.
 */
import type { DocLanguage } from './doc-comments.ts';

export interface TestDescription {
  /** The description as a query: a `t.Run`/`it`/`test` string, or a test function's name in words. */
  readonly query: string;
  /** The tested function's name, when the test names it (`TestParseArgs` → ParseArgs). */
  readonly subject?: string;
  /** The test function's name split into words, for a leading-words match when there is no subject. */
  readonly nameWords?: readonly string[];
}

/** Identifier → lower-case words: ParseArgs_EmptyInput → parse args empty input. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z\d]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** A function's name as a look-up key: case and underscores do not matter (parse_args = ParseArgs). */
export const nameKey = (name: string): string => name.replace(/_/g, '').toLowerCase();

/** Test functions' names say little when they are one of these. */
const VAGUE = /^(?:works|ok|basic|simple|smoke|it|test|tests|default|defaults|all|main|run|\d+)$/;

// A quoted string of 6–200 characters: "…", '…' or `…` (\x60, a backtick, in the pattern).
const STRING = String.raw`(?:"((?:[^"\\]|\\.){6,200})"|'((?:[^'\\]|\\.){6,200})'|\x60([^\x60]{6,200})\x60)`;
const GO_TEST = /^func Test_?(\w+)\(\w+ \*testing\.T\)/;
const GO_RUN = new RegExp(String.raw`^\s*t\.Run\(${STRING}`);
const JS_DESCRIBE = /^\s*describe(?:\.\w+)?\(\s*(?:"([^"]{1,80})"|'([^']{1,80})'|\x60([^\x60]{1,80})\x60)/;
const JS_IT = new RegExp(String.raw`^\s*(?:it|test)(?:\.\w+)?\(\s*${STRING}`);
const RUBY_DESCRIBE = /^\s*(?:describe|context)\s+(?:["']([#.]?[\w?!]+)["']|([A-Z][\w:]*))/;
const RUBY_IT = new RegExp(String.raw`^\s*(?:it|test|specify)\s*\(?\s*${STRING}`);
const PY_TEST = /^\s*(?:async\s+)?def test_(\w+)\(/;
const RUBY_TEST = /^\s*def test_(\w+)/;
const RUST_TEST_FN = /^\s*(?:pub\s+)?(?:async\s+)?fn (\w+)\(\)/;
/** Rust marks a test by the attribute on the line above it. */
const RUST_TEST_ATTRIBUTE = /^\s*#\[(?:\w+::)?test\]/;

const firstString = (m: RegExpMatchArray, from = 1): string =>
  (m[from] ?? m[from + 1] ?? m[from + 2] ?? '').replace(/\\(.)/g, '$1');

/** A description worth a query: some words, mostly letters, not a format string or a path. */
function usable(text: string): string | undefined {
  const query = text.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim();
  const words = query.split(' ');
  if (words.length < 2 || words.length > 30) return undefined;
  if (/%[sdvq]|\$\{|\{\}|\/\w+\//.test(query)) return undefined;
  const letters = query.replace(/[^A-Za-z ]/g, '').length;
  return letters >= query.length * 0.8 ? query : undefined;
}

/** `#parse`, `.parse`, `parse()`, `parseArgs` → the name; anything else (a sentence, a class) → undefined. */
function subjectOf(text: string): string | undefined {
  const m = text.trim().match(/^[#.]?([A-Za-z_$][\w$]*[?!]?)(?:\(\))?$/);
  return m ? m[1] : undefined;
}

function fromName(name: string): TestDescription | undefined {
  // Two words are mostly the function's own name ("read nil"); three start to describe a case.
  const words = identifierWords(name).filter((w) => w !== 'test');
  if (words.length < 3 || words.every((w) => VAGUE.test(w))) return undefined;
  return { query: words.join(' '), nameWords: words };
}

/** The tests of one test file and what each says, in file order. */
export function testDescriptions(text: string, language: DocLanguage): TestDescription[] {
  const lines = text.split('\n');
  const out: TestDescription[] = [];
  const add = (d: TestDescription | undefined) => {
    if (d) out.push(d);
  };
  switch (language) {
    case 'go': {
      let subject: string | undefined;
      for (const line of lines) {
        const test = line.match(GO_TEST);
        if (test) {
          const [name = '', ...rest] = (test[1] as string).split('_');
          subject = name;
          const words = identifierWords(rest.join(' '));
          const query = usable([...identifierWords(name), ...words].join(' '));
          if (query && words.length > 0) add({ query, subject });
          continue;
        }
        if (/^func /.test(line)) subject = undefined;
        const run = line.match(GO_RUN);
        const query = run ? usable(firstString(run)) : undefined;
        if (query && subject) add({ query, subject });
      }
      return out;
    }
    case 'javascript':
    case 'typescript':
      // A `describe('parse')` names what the `it`s inside it test.
      forEachInDescribe(
        lines,
        (line) => {
          const describe = line.match(JS_DESCRIBE);
          return describe ? { subject: subjectOf(firstString(describe)) } : undefined;
        },
        (line, subject) => {
          const it = line.match(JS_IT);
          const query = it ? usable(firstString(it)) : undefined;
          if (query && subject) add({ query, subject });
        },
      );
      return out;
    case 'ruby':
      forEachInDescribe(
        lines,
        (line) => {
          const describe = line.match(RUBY_DESCRIBE);
          return describe ? { subject: describe[1] ? subjectOf(describe[1]) : undefined } : undefined;
        },
        (line, subject) => {
          const test = line.match(RUBY_TEST);
          if (test) return add(fromName(test[1] as string));
          const it = line.match(RUBY_IT);
          const query = it ? usable(firstString(it)) : undefined;
          if (query && subject) add({ query, subject });
        },
      );
      return out;
    case 'python':
      for (const line of lines) {
        const test = line.match(PY_TEST);
        if (test) add(fromName(test[1] as string));
      }
      return out;
    case 'rust':
      lines.forEach((line, i) => {
        const test = line.match(RUST_TEST_FN);
        if (test && RUST_TEST_ATTRIBUTE.test(lines[i - 1] ?? '')) add(fromName(test[1] as string));
      });
      return out;
  }
}

/**
 * Walks `lines` with the `describe` blocks open at each line, by indentation (a block ends at the first line
 * indented no deeper than its own): `describeOf` says whether a line opens one and what it names, and every
 * other line goes to `visit` with the subject of the nearest enclosing block that names one.
 */
function forEachInDescribe(
  lines: readonly string[],
  describeOf: (line: string) => { subject: string | undefined } | undefined,
  visit: (line: string, subject: string | undefined) => void,
): void {
  // Each open block with the subject in force inside it (its own, or the enclosing one's).
  const open: { indent: number; subject: string | undefined }[] = [];
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    while (open.length > 0 && (open.at(-1)?.indent ?? 0) >= indent) open.pop();
    const inForce = open.at(-1)?.subject;
    const describe = describeOf(line);
    if (describe) open.push({ indent, subject: describe.subject ?? inForce });
    else visit(line, inForce);
  }
}

const TEST_FUNCTION: Partial<Record<DocLanguage, RegExp>> = {
  go: /^func (Test\w+)\(\w+ \*testing\.T\)/,
  python: /^\s*def (test_\w+)\(/,
  ruby: /^\s*def (test_\w+)/,
  rust: /^\s*(?:pub\s+)?fn (\w+)\(\)/,
};

/** Test functions of a test file: their names and lines (Rust: functions marked `#[test]`). */
export function testFunctions(text: string, language: DocLanguage): { name: string; line: number }[] {
  const pattern = TEST_FUNCTION[language];
  if (!pattern) return [];
  const lines = text.split('\n');
  const out: { name: string; line: number }[] = [];
  lines.forEach((line, i) => {
    const m = line.match(pattern);
    if (!m) return;
    if (language === 'rust' && !RUST_TEST_ATTRIBUTE.test(lines[i - 1] ?? '')) return;
    out.push({ name: m[1] as string, line: i + 1 });
  });
  return out;
}

/** The function a test is named after: TestParseArgs → parseargs, test_parse_args → parse_args. */
export function testedName(test: string): string {
  return test
    .replace(/^Test_?|^test_/, '')
    .replace(/_(?:works|ok|fails?|errors?|basic|simple|\d+)$/i, '')
    .toLowerCase();
}

const DEFINITION: Readonly<Record<DocLanguage, RegExp>> = {
  go: /^func (?:\([^)]*\)\s*)?([A-Za-z_]\w*)/,
  rust: /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern(?:\s+"\w+")?)\s+)*fn\s+([A-Za-z_]\w*)/,
  python: /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/,
  ruby: /^\s*def\s+(?:self\.)?([A-Za-z_]\w*[?!]?)/,
  javascript:
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|^\s*(?:static\s+|async\s+|public\s+|private\s+|protected\s+)*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::[^{]+)?\{\s*$/,
  typescript:
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)|^\s*(?:static\s+|async\s+|public\s+|private\s+|protected\s+)*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::[^{]+)?\{\s*$/,
};

const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'constructor']);

/** Function definitions of a source file: name and 1-based line. */
export function functionDefinitions(text: string, language: DocLanguage): { name: string; line: number }[] {
  const pattern = DEFINITION[language];
  const out: { name: string; line: number }[] = [];
  text.split('\n').forEach((line, i) => {
    const m = line.match(pattern);
    const name = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
    if (name && !NOT_A_NAME.has(name)) out.push({ name, line: i + 1 });
  });
  return out;
}

/**
 * The function a description tests, among `definitions` (name key → how many functions have it, and the
 * one when unique): its subject, or else the longest leading words of the test's name that are a function's
 * name (test_parse_args_with_defaults → parse_args), at least four letters long.
 */
export function testedFunction<D>(
  description: TestDescription,
  definitions: ReadonlyMap<string, { count: number; definition: D }>,
): D | undefined {
  const unique = (key: string) => {
    const found = definitions.get(key);
    return found && found.count === 1 ? found.definition : undefined;
  };
  if (description.subject) return unique(nameKey(description.subject));
  // The longest match wins; a test named only after its function (test_parse_args) describes nothing.
  const words = description.nameWords ?? [];
  for (let n = words.length; n >= 1; n--) {
    const key = words.slice(0, n).join('');
    if (key.length < 4) break;
    const found = definitions.get(key);
    if (found) return found.count === 1 && n < words.length ? found.definition : undefined;
  }
  return undefined;
}
