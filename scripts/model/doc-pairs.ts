/**
 * Pairs of (doc comment, the code it documents) pulled from JS/TS source with a regex, not a parser: a
 * `/** … *\/` block followed by the lines up to the next blank line, doc comment or closing line at the
 * comment's indentation. Good enough for co-occurrence statistics and a quick retrieval check.
 */

export interface DocumentedCode {
  /** The comment's prose: leading `*`, tags such as `@param x` and markup removed. */
  readonly doc: string;
  /** The documented code, without the comment. */
  readonly code: string;
}

const DOC_BLOCK = /\/\*\*([\s\S]*?)\*\//g;

/** Comment text → prose: drops `*` gutters, code examples, tag names, `{@link X}` braces and URLs. */
export function cleanDocComment(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, ''))
    .join('\n')
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/\{@link\s+([^}|\s]+)[^}]*\}/g, '$1')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/@(?:param|arg|argument|property|prop)\s+(?:\{[^}]*\}\s*)?\[?[\w.$]+\]?/g, ' ')
    .replace(/@\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** First sentence of a cleaned comment: what a person would type as a query. */
export function firstSentence(doc: string): string {
  const end = doc.search(/[.!?](?:\s|$)/);
  return (end === -1 ? doc : doc.slice(0, end)).trim();
}

/** Extracts documented definitions; `maxCodeLines` bounds how much code follows each comment. */
export function extractDocumentedCode(text: string, maxCodeLines = 30): DocumentedCode[] {
  const out: DocumentedCode[] = [];
  for (const match of text.matchAll(DOC_BLOCK)) {
    const doc = cleanDocComment(match[1] ?? '');
    // Only a bounded look-ahead: splitting the whole rest of a 2 MB file for every comment is quadratic.
    const end = (match.index ?? 0) + match[0].length;
    const after = text.slice(end, end + 400 * (maxCodeLines + 1)).replace(/^[^\n]*\n/, '');
    const lines: string[] = [];
    for (const line of after.split('\n')) {
      if (lines.length >= maxCodeLines || line.trim() === '' || line.trimStart().startsWith('/**')) break;
      lines.push(line);
    }
    const code = lines.join('\n');
    if (doc.length > 0 && code.trim().length > 0) out.push({ doc, code });
  }
  return out;
}
