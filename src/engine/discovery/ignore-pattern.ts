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
 * - a `[` without a closing `]` makes the pattern match nothing, as in git.
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
  /** States of the automaton: what a rule costs per path character at most. 0 for literal rules. */
  readonly cost: number;
  /** Whether `path` (relative to the ignore file's directory, no trailing `/`) matches. */
  matches(path: string, isDirectory: boolean): boolean;
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
  const tokens = tokenize(text);
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
      matches(path, isDirectory) {
        if (directoryOnly && !isDirectory) return false;
        return matcher.test(basenameOnly ? path.slice(path.lastIndexOf('/') + 1) : path);
      },
    },
  };
}

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

type CharTest = (code: number) => boolean;

type Token =
  | { readonly kind: 'char'; readonly test: CharTest; readonly literal?: number }
  /** `*`: any run of characters but `/`. */
  | { readonly kind: 'star' }
  /** `**` as a whole segment: any run of characters. */
  | { readonly kind: 'globstar' }
  /** `**` followed by `/`: nothing at all, or any run ending in `/`. */
  | { readonly kind: 'directories' };

const SLASH = 0x2f;
const notSlash: CharTest = (code) => code !== SLASH;

/** Splits a pattern into tokens; undefined for a pattern git treats as matching nothing (an open `[`). */
function tokenize(pattern: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      let end = i;
      while (pattern[end] === '*') end++;
      const atSegmentStart = i === 0 || pattern[i - 1] === '/';
      const atSegmentEnd = end === pattern.length || pattern[end] === '/';
      if (end - i >= 2 && atSegmentStart && atSegmentEnd) {
        if (end < pattern.length) {
          tokens.push({ kind: 'directories' });
          end++; // the `/` belongs to the token
        } else tokens.push({ kind: 'globstar' });
      } else if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      i = end;
    } else if (ch === '?') {
      tokens.push({ kind: 'char', test: notSlash });
      i++;
    } else if (ch === '[') {
      const parsed = parseClass(pattern, i + 1);
      if (parsed === undefined) return undefined;
      tokens.push({ kind: 'char', test: parsed.test });
      i = parsed.end;
    } else {
      // A backslash escapes the next character; a trailing one matches nothing (as in git).
      if (ch === '\\' && i + 1 >= pattern.length) return undefined;
      const code = ch === '\\' ? pattern.charCodeAt(i + 1) : pattern.charCodeAt(i);
      tokens.push({ kind: 'char', test: (c) => c === code, literal: code });
      i += ch === '\\' ? 2 : 1;
    }
  }
  return tokens;
}

const POSIX_CLASSES: Readonly<Record<string, CharTest>> = {
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
 * A bracket expression starting after its `[`, as git's wildmatch reads it: `!` or `^` negates, a `]` first
 * is literal, `a-z` is a range (one with its ends reversed matches nothing), `\` escapes, `[:name:]` is a
 * POSIX class. It never matches `/`. Undefined when there is no closing `]` (or an unknown class name).
 */
function parseClass(pattern: string, start: number): { test: CharTest; end: number } | undefined {
  let i = start;
  const negated = pattern[i] === '!' || pattern[i] === '^';
  if (negated) i++;
  const ranges: [number, number][] = [];
  const classes: CharTest[] = [];
  let first = true;
  while (i < pattern.length) {
    let ch = pattern[i] as string;
    if (ch === ']' && !first) {
      const members = (c: number): boolean =>
        ranges.some(([low, high]) => c >= low && c <= high) || classes.some((test) => test(c));
      const test: CharTest = negated ? (c) => c !== SLASH && !members(c) : (c) => c !== SLASH && members(c);
      return { test, end: i + 1 };
    }
    first = false;
    if (ch === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close === -1) return undefined;
      const named = POSIX_CLASSES[pattern.slice(i + 2, close)];
      if (!named) return undefined;
      classes.push(named);
      i = close + 2;
      continue;
    }
    if (ch === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      ch = pattern[i] as string;
    }
    const low = ch.charCodeAt(0);
    i++;
    if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
      i++;
      let highChar = pattern[i] as string;
      if (highChar === '\\') {
        i++;
        if (i >= pattern.length) return undefined;
        highChar = pattern[i] as string;
      }
      ranges.push([low, highChar.charCodeAt(0)]);
      i++;
    } else ranges.push([low, low]);
  }
  return undefined;
}

/**
 * The automaton. States are positions between tokens; `star` and `globstar` loop on themselves,
 * `directories` is "skip me" or "loop, then a `/`". Simulated with a generation-stamped state set, so a
 * test costs O(path length × states) and allocates nothing per character.
 */
interface Matcher {
  readonly cost: number;
  test(text: string): boolean;
}

type State =
  | { readonly kind: 'char'; readonly test: CharTest }
  | { readonly kind: 'loop'; readonly test: CharTest }
  /** Epsilon to the next state and to `alternative`. */
  | { readonly kind: 'split'; readonly alternative: number };

const anyChar: CharTest = () => true;

function compile(tokens: readonly Token[]): Matcher {
  if (tokens.every((token) => token.kind === 'char' && token.literal !== undefined)) {
    const literal = String.fromCharCode(...tokens.map((token) => (token as { literal: number }).literal));
    return { cost: 0, test: (text) => text === literal };
  }
  const states: State[] = [];
  for (const token of tokens) {
    switch (token.kind) {
      case 'char':
        states.push({ kind: 'char', test: token.test });
        break;
      case 'star':
        states.push({ kind: 'loop', test: notSlash });
        break;
      case 'globstar':
        states.push({ kind: 'loop', test: anyChar });
        break;
      case 'directories': {
        const skipTo = states.length + 3; // past the split, the loop and the slash
        states.push({ kind: 'split', alternative: skipTo });
        states.push({ kind: 'loop', test: anyChar });
        states.push({ kind: 'char', test: (c) => c === SLASH });
        break;
      }
    }
  }
  return new StateSetMatcher(states);
}

class StateSetMatcher implements Matcher {
  readonly cost: number;
  readonly #states: readonly State[];
  readonly #accept: number;
  // Two state lists swapped per character; a state is in the list being built when its stamp is current.
  #current: Int32Array;
  #next: Int32Array;
  readonly #stamps: Uint32Array;
  #stamp = 0;

  constructor(states: readonly State[]) {
    this.#states = states;
    this.#accept = states.length;
    this.cost = states.length + 1;
    this.#current = new Int32Array(states.length + 1);
    this.#next = new Int32Array(states.length + 1);
    this.#stamps = new Uint32Array(states.length + 1);
  }

  test(text: string): boolean {
    let size = this.#closure(this.#current, 0, 0, this.#nextStamp());
    for (let i = 0; i < text.length && size > 0; i++) {
      const code = text.charCodeAt(i);
      const stamp = this.#nextStamp();
      let nextSize = 0;
      for (let k = 0; k < size; k++) {
        const index = this.#current[k] as number;
        const state = this.#states[index];
        if (state === undefined || state.kind === 'split' || !state.test(code)) continue;
        nextSize = this.#closure(this.#next, nextSize, state.kind === 'loop' ? index : index + 1, stamp);
      }
      [this.#current, this.#next] = [this.#next, this.#current];
      size = nextSize;
    }
    for (let k = 0; k < size; k++) if (this.#current[k] === this.#accept) return true;
    return false;
  }

  /** Adds `index` and every state reachable from it without a character; answers the list's new size. */
  #closure(list: Int32Array, size: number, index: number, stamp: number): number {
    let end = size;
    // Epsilon moves only go forward, so following them iteratively needs no stack beyond the list itself.
    const pending = [index];
    for (let target = pending.pop(); target !== undefined; target = pending.pop()) {
      if (this.#stamps[target] === stamp) continue;
      this.#stamps[target] = stamp;
      list[end++] = target;
      const state = this.#states[target];
      if (state?.kind === 'loop') pending.push(target + 1);
      else if (state?.kind === 'split') pending.push(target + 1, state.alternative);
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
