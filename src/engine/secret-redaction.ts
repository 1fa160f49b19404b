/**
 * No secret value leaves the process. Every secret that is loaded (from Secrets Manager, a key file, or handed
 * out by GitHub as an installation token) is remembered here, and everything that leaves — log lines, error
 * messages in API responses, dead-letter reasons, the errors recorded for `GET /repos` — passes through
 * `redact`, which replaces each remembered value with `[redacted]`.
 *
 * Why not only validate: a secret can reach an error message in ways no validation foresees (fetch quotes
 * an invalid header value whole, a JSON parser quotes the text near its error). Validation at load time
 * still comes first (with messages that name the field, never the value); this is what holds when it misses.
 *
 * A multi-line secret (a webhook secret with one value per line, a PEM key) is remembered line by line too,
 * and a JSON one by each string inside it (but ids of digits), so that any piece of it that turns up is
 * caught. Values shorter than `MIN_REDACTED_LENGTH` are not remembered: they could not be told from ordinary
 * text, and no secret is accepted that short (a token, a webhook secret value, a signing key).
 */

export const REDACTED = '[redacted]';
const MIN_REDACTED_LENGTH = 8;

class SecretRedactor {
  /** Longest first, so that a value containing another is replaced whole. */
  #values: string[] = [];
  readonly #known = new Set<string>();

  /** Remembers a secret value (and its lines, and the strings of a JSON value) for redaction. */
  remember(value: string): void {
    const pieces = [value, ...value.split(/\r?\n/).map((line) => line.trim()), ...jsonStrings(value)];
    let added = false;
    for (const piece of pieces) {
      if (piece.length < MIN_REDACTED_LENGTH || this.#known.has(piece)) continue;
      this.#known.add(piece);
      added = true;
    }
    if (added) this.#values = [...this.#known].sort((a, b) => b.length - a.length);
  }

  /** `text` with every remembered secret replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.#values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  }

  /** A copy of `value` (strings, arrays, plain objects, errors) with every string redacted. */
  redactDeep(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error)
      return { name: value.name, message: this.redact(value.message), stack: this.redact(value.stack ?? '') };
    if (Array.isArray(value)) return value.map((item) => this.redactDeep(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, this.redactDeep(item, depth + 1)]),
    );
  }

  /** For `JSON.stringify` (and Powertools' `jsonReplacerFn`): redacts every string on the way out. */
  readonly jsonReplacer = (_key: string, value: unknown): unknown =>
    typeof value === 'string' ? this.redact(value) : value;

  /** Forgets everything (tests only). */
  forgetAll(): void {
    this.#known.clear();
    this.#values = [];
  }
}

/** The one redactor of this process: every secret source feeds it, every exit uses it. */
export const redactor = new SecretRedactor();

/** Every string inside a JSON text (values, at any depth), or none when it is not JSON. */
function jsonStrings(text: string): string[] {
  if (!/^\s*[{[]/.test(text)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const found: string[] = [];
  const visit = (value: unknown): void => {
    // Digits alone are ids (a GitHub App's, an installation's), not secrets: they stay readable in messages.
    if (typeof value === 'string' && /^\d+$/.test(value)) return;
    if (typeof value === 'string') found.push(value, ...value.split(/\r?\n/).map((line) => line.trim()));
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(parsed);
  return found;
}
