/**
 * Keyword-side text for BM25. LanceDB's tokenizer splits on punctuation and whitespace but not inside
 * identifiers, so `retryFailedUpload` would only match that exact word. We index (and query with) each
 * identifier followed by its parts, so a search for "retry upload" finds it, while exact identifiers still
 * score higher because they match both forms.
 */

const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+/g;
/** Boundaries inside an identifier: lower→Upper, ACRONYMWord, letter↔digit, and separators `_`/`$`. */
const PART = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/** The parts of one identifier, lower-cased: `parseHTTPResponse2` → `parse http response 2`. */
export function splitIdentifier(identifier: string): string[] {
  return (identifier.match(PART) ?? []).map((part) => part.toLowerCase());
}

/**
 * Expands every identifier in `text` into "identifier part part…" (parts only when there is more than one).
 * Other characters become spaces: the tokenizer would drop them anyway.
 */
export function expandIdentifiers(text: string): string {
  const out: string[] = [];
  for (const match of text.matchAll(IDENTIFIER)) {
    const word = match[0];
    out.push(word);
    const parts = splitIdentifier(word);
    if (parts.length > 1) out.push(...parts);
  }
  return out.join(' ');
}

/** Keyword text for a chunk: its path (as words), the symbols it defines, then its content. */
export function chunkTerms(path: string, symbols: readonly string[], content: string): string {
  return `${expandIdentifiers(path)} ${expandIdentifiers(symbols.join(' '))} ${expandIdentifiers(content)}`;
}
