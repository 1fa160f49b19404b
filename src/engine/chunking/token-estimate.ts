/**
 * A cheap, model-independent token count for source code, used to cap chunk sizes.
 *
 * Subword tokenizers (WordPiece, BPE) split code at punctuation and inside identifiers, so counting
 * characters or whitespace-separated words both misjudge code badly. This estimate walks the text once
 * and counts:
 * - one token per punctuation character and per non-ASCII code point (`{`, `.`, `é`, `😀`);
 * - one token per "hump" of an identifier or number, split where a real tokenizer usually splits
 *   (`getUserById` → get·User·By·Id, `utf8` → utf·8), plus one more for every 8 further characters of a
 *   long hump, so that a 100 KB base64 literal is not "one token";
 * - nothing for ordinary whitespace, but one token per 32 characters of a whitespace run, so that no chunk
 *   can grow without bound on invisible characters.
 *
 * Newlines end every run, so the estimate of several lines is the sum of the estimates of the lines: chunk
 * sizes can be added up from per-line counts. Every unit of the count belongs to a span of at most 32
 * UTF-16 code units, which is what lets an over-long line be cut into pieces under any cap.
 */

const LINE_FEED = 10;
/** Whitespace runs cost one token per this many characters. */
const WHITESPACE_PER_TOKEN = 32;
/** Identifier or number humps cost one token per this many characters (rounded up). */
const WORD_CHARS_PER_TOKEN = 8;

const CHAR_CLASS = {
  other: 0,
  space: 1,
  lower: 2,
  upper: 3,
  digit: 4,
} as const;
type CharClass = (typeof CHAR_CLASS)[keyof typeof CHAR_CLASS];

/** Character classes of ASCII code units; everything ≥ 128 is classified in `classify`. */
const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  let cls: CharClass = CHAR_CLASS.other;
  if (code === 9 || code === 11 || code === 12 || code === 13 || code === 32) cls = CHAR_CLASS.space;
  else if (code >= 97 && code <= 122) cls = CHAR_CLASS.lower;
  else if (code >= 65 && code <= 90) cls = CHAR_CLASS.upper;
  else if (code >= 48 && code <= 57) cls = CHAR_CLASS.digit;
  ASCII_CLASS[code] = cls;
}

/**
 * True for the non-ASCII characters that `String.prototype.trim` removes, so "blank" here means the same
 * as `line.trim() === ''` everywhere else.
 */
function isUnicodeSpace(code: number): boolean {
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function classify(code: number): CharClass {
  if (code < 128) return ASCII_CLASS[code] as CharClass;
  return isUnicodeSpace(code) ? CHAR_CLASS.space : CHAR_CLASS.other;
}

function isWordClass(cls: CharClass): boolean {
  return cls >= CHAR_CLASS.lower;
}

/** Where a subword tokenizer would start a new piece inside a run of letters and digits. */
function startsNewHump(previous: CharClass, current: CharClass): boolean {
  if (previous === CHAR_CLASS.lower && current === CHAR_CLASS.upper) return true;
  return (previous === CHAR_CLASS.digit) !== (current === CHAR_CLASS.digit);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Calls `visit(spanEnd, weight)` for consecutive spans of `text[from, to)`. Spans never split a surrogate
 * pair, carry a weight of 0 or 1, and their weights add up to the estimate of the range. Both the fast
 * counter and the long-line splitter are defined by this one walk, so they cannot disagree.
 */
export function forEachTokenSpan(
  text: string,
  from: number,
  to: number,
  visit: (spanEnd: number, weight: number) => void,
): void {
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    if (code === LINE_FEED) {
      i++;
      visit(i, 0);
      continue;
    }
    const cls = classify(code);
    if (cls === CHAR_CLASS.space) {
      let end = i + 1;
      while (
        end < to &&
        text.charCodeAt(end) !== LINE_FEED &&
        classify(text.charCodeAt(end)) === CHAR_CLASS.space
      )
        end++;
      for (; i + WHITESPACE_PER_TOKEN <= end; i += WHITESPACE_PER_TOKEN) visit(i + WHITESPACE_PER_TOKEN, 1);
      if (i < end) visit(end, 0);
      i = end;
    } else if (isWordClass(cls)) {
      let end = i + 1;
      let previous: CharClass = cls;
      while (end < to) {
        const next = classify(text.charCodeAt(end));
        if (!isWordClass(next) || startsNewHump(previous, next)) break;
        previous = next;
        end++;
      }
      for (; i < end; i += WORD_CHARS_PER_TOKEN) visit(Math.min(i + WORD_CHARS_PER_TOKEN, end), 1);
      i = end;
    } else {
      i += isHighSurrogate(code) && i + 1 < to && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
      visit(i, 1);
    }
  }
}

/**
 * Estimates the tokens in `text[from, to)` (see the module comment). Same result as summing the span
 * weights of {@link forEachTokenSpan}, without the callback, because it runs over every file's every line.
 */
export function countTokens(text: string, from = 0, to = text.length): number {
  let tokens = 0;
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    if (code === LINE_FEED) {
      i++;
      continue;
    }
    const cls = classify(code);
    if (cls === CHAR_CLASS.space) {
      let end = i + 1;
      while (
        end < to &&
        text.charCodeAt(end) !== LINE_FEED &&
        classify(text.charCodeAt(end)) === CHAR_CLASS.space
      )
        end++;
      tokens += Math.floor((end - i) / WHITESPACE_PER_TOKEN);
      i = end;
    } else if (isWordClass(cls)) {
      let end = i + 1;
      let previous: CharClass = cls;
      while (end < to) {
        const next = classify(text.charCodeAt(end));
        if (!isWordClass(next) || startsNewHump(previous, next)) break;
        previous = next;
        end++;
      }
      tokens += Math.ceil((end - i) / WORD_CHARS_PER_TOKEN);
      i = end;
    } else {
      i += isHighSurrogate(code) && i + 1 < to && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
      tokens++;
    }
  }
  return tokens;
}

/** True when `text[from, to)` holds only whitespace (the same characters `String.prototype.trim` drops). */
export function isBlankRange(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code !== LINE_FEED && classify(code) !== CHAR_CLASS.space) return false;
  }
  return true;
}

/**
 * Estimates how many tokens an embedding model's tokenizer would make of `text`: a model-independent
 * approximation for code that is cheap enough to run on every line of every file.
 *
 * @example
 * estimateTokens('const getUserById = (id) => users[id];'); // 16
 */
export function estimateTokens(text: string): number {
  return countTokens(text, 0, text.length);
}
