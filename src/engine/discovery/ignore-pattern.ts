/**
 * One line of an ignore file, compiled to a matcher whose time is linear in the path it tests.
 *
 * Ignore files come from repositories, so their patterns are hostile input. A backtracking matcher (the
 * `ignore` package turns patterns into JavaScript regular expressions) takes exponential time on a rule like
 * `*a*a*a*a*a*a*a*a*a*a*b` against a long name, on the thread that walks the tree. Here a pattern becomes a
 * small non-deterministic automaton that is simulated one path character at a time, keeping the set of
 * states it can be in: at most (pattern length + 1) states per character, whatever the input.
 *
 * The syntax and meaning are git's (gitignore(5) and git's `wildmatch` with WM_PATHNAME):
 * - blank lines and lines starting with `#` are not patterns; trailing spaces are dropped unless escaped;
 * - `!` negates; `\` escapes the next character (`\#`, `\!`, `\*`, `\ `);
 * - a trailing `/` matches directories only; a pattern without any other `/` matches the last path segment
 *   at any depth, one with a `/` matches the path relative to the ignore file's directory;
 * - `*` and `?` never match `/`; `[…]` classes (with `!`/`^`, ranges, `[:alpha:]` and the like) never do;
 * - `**` as a whole segment matches across segments: `**\/x` at any depth, `x/**` everything inside, `a/**\/b`
 *   zero or more directories; any other `**` is a plain `*`.
 * - a `[` without a closing `]` makes the pattern match nothing, as in git;
 * - like git, it compares bytes of UTF-8, not characters: `?` is one byte, so `caf?` does not match `café`.
 */

/** Longer lines are not applied (git has no such limit, but no real rule comes close). */
export const MAX_PATTERN_LENGTH = 1024;

export interface IgnorePattern {
  /** The line as written (for messages). */
  readonly source: string;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  /** Matches the last segment of the path rather than the whole relative path. */
  readonly basenameOnly: boolean;
  /**
   * What testing the rule costs per path byte at most: the automaton's states (a class is one table look-up,
   * however many members it has). 0 for a pattern without wildcards (`literal` holds it then).
   */
  readonly cost: number;
  /** For a pattern without wildcards: the path (or last segment) it matches exactly. */
  readonly literal?: string;
  /** Whether `path` (UTF-8, relative to the ignore file's directory, no trailing `/`) matches. */
  matches(path: Uint8Array, isDirectory: boolean): boolean;
}

export type ParsedLine =
  | { readonly kind: 'none' }
  | { readonly kind: 'pattern'; readonly pattern: IgnorePattern }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Parses one line of an ignore file (without its line break).
 *
 * @example
 * const line = parseIgnoreLine('build/');
 * if (line.kind === 'pattern') line.pattern.matches('pkg/build', true); // true
 */
export function parseIgnoreLine(line: string): ParsedLine {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text === '' || text.startsWith('#')) return { kind: 'none' };
  text = trimTrailingSpaces(text);
  if (text === '') return { kind: 'none' };
  if (text.length > MAX_PATTERN_LENGTH)
    return { kind: 'rejected', reason: `longer than ${MAX_PATTERN_LENGTH} characters` };
  const source = text;
  const negated = text.startsWith('!');
  if (negated) text = text.slice(1);
  // git takes one trailing `/` as "directories only"; the pattern is the rest.
  const directoryOnly = text.endsWith('/') && !isEscapedAt(text, text.length - 1);
  if (directoryOnly) text = text.slice(0, -1);
  if (text === '') return { kind: 'none' };
  const basenameOnly = !text.includes('/');
  if (text.startsWith('/')) text = text.slice(1);
  const tokens = tokenize(utf8.encode(text));
  if (tokens === undefined) return { kind: 'pattern', pattern: neverMatches(source, negated, directoryOnly) };
  const matcher = compile(tokens);
  return {
    kind: 'pattern',
    pattern: {
      source,
      negated,
      directoryOnly,
      basenameOnly,
      cost: matcher.cost,
      ...(matcher.literal === undefined ? {} : { literal: matcher.literal }),
      matches(path, isDirectory) {
        if (directoryOnly && !isDirectory) return false;
        return matcher.test(basenameOnly ? path.subarray(path.lastIndexOf(SLASH) + 1) : path);
      },
    },
  };
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** git's trim_trailing_spaces: trailing spaces go, except one escaped by a backslash (which stays). */
function trimTrailingSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === ' ') {
    if (isEscapedAt(text, end - 1)) break;
    end--;
  }
  return text.slice(0, end);
}

/** Whether the character at `index` is preceded by an odd number of backslashes. */
function isEscapedAt(text: string, index: number): boolean {
  let slashes = 0;
  for (let i = index - 1; i >= 0 && text[i] === '\\'; i--) slashes++;
  return slashes % 2 === 1;
}

function neverMatches(source: string, negated: boolean, directoryOnly: boolean): IgnorePattern {
  return { source, negated, directoryOnly, basenameOnly: false, cost: 0, matches: () => false };
}

/** The bytes a position accepts: `table[byte]` is 1 for each. A class is tested in one look-up, however large. */
type ByteTable = Uint8Array;

type Token =
  /** One byte: a literal one, `?`, or a class. */
  | { readonly kind: 'char'; readonly table: ByteTable; readonly literal?: number }
  /** `*`: any run of characters but `/`. */
  | { readonly kind: 'star' }
  /** `**` as a whole segment: any run of characters. */
  | { readonly kind: 'globstar' }
  /** `**` followed by `/`: nothing at all, or any run ending in `/`. */
  | { readonly kind: 'directories' };

const SLASH = 0x2f;

function tableOf(accepts: (byte: number) => boolean): ByteTable {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = accepts(byte) ? 1 : 0;
  return table;
}
const NOT_SLASH = tableOf((byte) => byte !== SLASH);
const ANY_BYTE = tableOf(() => true);
const ONLY_SLASH = tableOf((byte) => byte === SLASH);
/** One shared table per literal byte. */
const LITERAL = Array.from({ length: 256 }, (_, literal) => tableOf((byte) => byte === literal));

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const BANG = 0x21;
const CARET = 0x5e;
const COLON = 0x3a;
const DASH = 0x2d;

/** Splits a pattern (UTF-8) into tokens; undefined for a pattern git treats as matching nothing. */
function tokenize(pattern: Uint8Array): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as number;
    if (ch === STAR) {
      let end = i;
      while (pattern[end] === STAR) end++;
      const atSegmentStart = i === 0 || pattern[i - 1] === SLASH;
      const atSegmentEnd = end === pattern.length || pattern[end] === SLASH;
      if (end - i >= 2 && atSegmentStart && atSegmentEnd) {
        if (end < pattern.length) {
          tokens.push({ kind: 'directories' });
          end++; // the `/` belongs to the token
        } else tokens.push({ kind: 'globstar' });
      } else if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      i = end;
    } else if (ch === QUESTION) {
      tokens.push({ kind: 'char', table: NOT_SLASH });
      i++;
    } else if (ch === OPEN) {
      const parsed = parseClass(pattern, i + 1);
      if (parsed === undefined) return undefined;
      tokens.push({ kind: 'char', table: parsed.table });
      i = parsed.end;
    } else {
      // A backslash escapes the next byte; a trailing one matches nothing (as in git).
      if (ch === BACKSLASH && i + 1 >= pattern.length) return undefined;
      const byte = (ch === BACKSLASH ? pattern[i + 1] : ch) as number;
      tokens.push({ kind: 'char', table: LITERAL[byte] as ByteTable, literal: byte });
      i += ch === BACKSLASH ? 2 : 1;
    }
  }
  return tokens;
}

const POSIX_CLASSES: Readonly<Record<string, (byte: number) => boolean>> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => isDigit(c),
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * A bracket expression starting after its `[`, as git's wildmatch reads it, byte by byte: `!` or `^` negates,
 * a `]` first is literal, `a-z` is a range (one with its ends reversed matches nothing), `\\` escapes,
 * `[:name:]` is a POSIX class, and a `[:` with no `:]` before the next `]` is just a `[` member. It never
 * matches `/`. Undefined where git gives up on the pattern: no closing `]`, or an unknown class name.
 */
function parseClass(pattern: Uint8Array, start: number): { table: ByteTable; end: number } | undefined {
  let i = start;
  const negated = pattern[i] === BANG || pattern[i] === CARET;
  if (negated) i++;
  const ranges: [number, number][] = [];
  const classes: ((byte: number) => boolean)[] = [];
  let first = true;
  while (i < pattern.length) {
    let ch = pattern[i] as number;
    if (ch === CLOSE && !first) {
      const member = (c: number): boolean =>
        ranges.some(([low, high]) => c >= low && c <= high) || classes.some((test) => test(c));
      return { table: tableOf((c) => c !== SLASH && member(c) !== negated), end: i + 1 };
    }
    first = false;
    if (ch === OPEN && pattern[i + 1] === COLON) {
      const close = pattern.indexOf(CLOSE, i + 2);
      if (close === -1) return undefined;
      if (close > i + 2 && pattern[close - 1] === COLON) {
        const named = POSIX_CLASSES[utf8Decoder.decode(pattern.subarray(i + 2, close - 1))];
        if (!named) return undefined;
        classes.push(named);
        i = close + 1;
        continue;
      }
      // No `:]`: the `[` is a member like any other (git's "treat like a normal set").
    }
    if (ch === BACKSLASH) {
      i++;
      if (i >= pattern.length) return undefined;
      ch = pattern[i] as number;
    }
    const low = ch;
    i++;
    if (pattern[i] === DASH && pattern[i + 1] !== undefined && pattern[i + 1] !== CLOSE) {
      i++;
      let high = pattern[i] as number;
      if (high === BACKSLASH) {
        i++;
        if (i >= pattern.length) return undefined;
        high = pattern[i] as number;
      }
      ranges.push([low, high]);
      i++;
    } else ranges.push([low, low]);
  }
  return undefined;
}

/** A compiled pattern: a byte comparison for a literal one, the automaton below for the rest. */
interface Matcher {
  readonly cost: number;
  /** Set for a pattern without wildcards: what it matches, as text. */
  readonly literal?: string;
  test(bytes: Uint8Array): boolean;
}

const CHAR = 0;
const LOOP = 1;
/** Epsilon to the next state and to `alternative`. */
const SPLIT = 2;

function compile(tokens: readonly Token[]): Matcher {
  if (tokens.every((token) => token.kind === 'char' && token.literal !== undefined)) {
    const bytes = Uint8Array.from(tokens.map((token) => (token as { literal: number }).literal));
    return { cost: 0, literal: utf8Decoder.decode(bytes), test: (path) => equalBytes(path, bytes) };
  }
  const kinds: number[] = [];
  const tables: ByteTable[] = [];
  const alternatives: number[] = [];
  const add = (kind: number, table: ByteTable, alternative = -1): void => {
    kinds.push(kind);
    tables.push(table);
    alternatives.push(alternative);
  };
  for (const token of tokens) {
    switch (token.kind) {
      case 'char':
        add(CHAR, token.table);
        break;
      case 'star':
        add(LOOP, NOT_SLASH);
        break;
      case 'globstar':
        add(LOOP, ANY_BYTE);
        break;
      case 'directories':
        add(SPLIT, ANY_BYTE, kinds.length + 3); // to past the split, the loop and the slash
        add(LOOP, ANY_BYTE);
        add(CHAR, ONLY_SLASH);
        break;
    }
  }
  return new StateSetMatcher(Uint8Array.from(kinds), tables, Int32Array.from(alternatives));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The automaton. States are positions between tokens; a `*` or `**` state loops on itself, `**\/` is "skip
 * me" or "loop, then a `/`". Simulated with a generation-stamped state set in typed arrays, so a test costs
 * O(path bytes × states), one table look-up per state and byte, and allocates nothing.
 */
class StateSetMatcher implements Matcher {
  readonly cost: number;
  readonly #kinds: Uint8Array;
  readonly #tables: readonly ByteTable[];
  readonly #alternatives: Int32Array;
  readonly #accept: number;
  // Two state lists swapped per byte; a state is in the list being built when its stamp is current.
  #current: Int32Array;
  #next: Int32Array;
  readonly #pending: Int32Array;
  readonly #stamps: Uint32Array;
  #stamp = 0;

  constructor(kinds: Uint8Array, tables: readonly ByteTable[], alternatives: Int32Array) {
    this.#kinds = kinds;
    this.#tables = tables;
    this.#alternatives = alternatives;
    this.#accept = kinds.length;
    this.cost = kinds.length + 1;
    this.#current = new Int32Array(kinds.length + 1);
    this.#next = new Int32Array(kinds.length + 1);
    this.#pending = new Int32Array(2 * (kinds.length + 1));
    this.#stamps = new Uint32Array(kinds.length + 1);
  }

  test(bytes: Uint8Array): boolean {
    const kinds = this.#kinds;
    const tables = this.#tables;
    let size = this.#closure(this.#current, 0, 0, this.#nextStamp());
    for (let i = 0; i < bytes.length && size > 0; i++) {
      const byte = bytes[i] as number;
      const stamp = this.#nextStamp();
      const current = this.#current;
      let nextSize = 0;
      for (let k = 0; k < size; k++) {
        const index = current[k] as number;
        if (index === this.#accept) continue;
        const kind = kinds[index] as number;
        if (kind === SPLIT || (tables[index] as ByteTable)[byte] === 0) continue;
        nextSize = this.#closure(this.#next, nextSize, kind === LOOP ? index : index + 1, stamp);
      }
      this.#current = this.#next;
      this.#next = current;
      size = nextSize;
    }
    for (let k = 0; k < size; k++) if (this.#current[k] === this.#accept) return true;
    return false;
  }

  /** Adds `index` and every state reachable from it without a byte; answers the list's new size. */
  #closure(list: Int32Array, size: number, index: number, stamp: number): number {
    const pending = this.#pending;
    let end = size;
    let top = 0;
    pending[top++] = index;
    while (top > 0) {
      const target = pending[--top] as number;
      if (this.#stamps[target] === stamp) continue;
      this.#stamps[target] = stamp;
      list[end++] = target;
      if (target === this.#accept) continue;
      const kind = this.#kinds[target];
      if (kind === LOOP) pending[top++] = target + 1;
      else if (kind === SPLIT) {
        pending[top++] = target + 1;
        pending[top++] = this.#alternatives[target] as number;
      }
    }
    return end;
  }

  #nextStamp(): number {
    this.#stamp = (this.#stamp + 1) >>> 0;
    if (this.#stamp === 0) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
    return this.#stamp;
  }
}
