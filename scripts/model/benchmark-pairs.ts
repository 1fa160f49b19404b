/**
 * (doc comment → code chunk) pairs in the shape search sees them. The rules are the retrieval benchmark's
 * (models/README.md, "The benchmarks"): the query is a JSDoc comment's first paragraph (or its
 * `@summary`/`@description`), the target is the definition that follows it, every doc comment is blanked out of
 * the file with its line numbers kept, and the file is then cut by the engine's own chunker. The code side of a
 * pair is exactly what the indexer would embed for the chunk holding the definition's first line: its path, a
 * newline, and the (comment-free) chunk text.
 *
 * Unlike `doc-pairs.ts` (a regex look-ahead used for the interim model's statistics), this needs the chunker,
 * so it is asynchronous to set up and runs the tree-sitter grammars in process.
 */
import type { Chunker } from '../../src/engine/chunking/index.ts';
import { detectLanguage } from '../../src/engine/discovery/detect-language.ts';
import { embeddingText } from '../../src/engine/indexing/embed-with-cache.ts';

/** A documented definition found in one file. */
export interface DocumentedDefinition {
  readonly query: string;
  /** 1-based line of the definition's first line. */
  readonly line: number;
  /** The definition's first line, trimmed (for the templated-query filter). */
  readonly decl: string;
}

const DECLARATION_START =
  /\b(function|class|const|let|var|export|async|static|get|set)\b|^\s*[A-Za-z_$][\w$]*\s*\(/;
const DECLARATION_TS =
  /^\s*(?:export\s+)?(?:declare\s+)?(?:interface|type|enum|namespace|module|abstract)\b|^\s*(?:readonly\s+)?[A-Za-z_$][\w$]*\??\s*[:(<]/;

/** The benchmark's doc-comment cleaning: `@summary`/`@description` or the first paragraph, markup removed. */
export function cleanDoc(text: string): string {
  const tagged = text.match(/@(?:summary|description)\s+([\s\S]*?)(?=\n\s*@|\n\s*\n|$)/);
  const body = tagged ? (tagged[1] ?? '') : (text.trim().split(/\n\s*@|\n\s*\n/)[0] ?? '');
  return body
    .replace(/\{@\w+\s+([^}|]+)(\|[^}]*)?\}/g, '$1')
    .replace(/`+/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

const blank = (s: string) => s.replace(/[^\n]/g, ' ');

/**
 * Finds documented definitions in JS/TS text and returns them with the text's doc comments blanked
 * (`/*` + spaces + `*\/`, newlines kept). `declarations` also accepts TypeScript members and types
 * (interfaces, properties, method signatures), which the benchmark's pattern only partly covers.
 */
export function documentedDefinitions(
  text: string,
  declarations = false,
): { definitions: DocumentedDefinition[]; stripped: string } {
  const definitions: DocumentedDefinition[] = [];
  const spans: [number, number][] = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = comment.exec(text); m !== null; m = comment.exec(text)) {
    const start = m.index;
    const end = comment.lastIndex;
    spans.push([start, end]);
    const after = text.slice(end, end + 400).match(/^\s*\n?([^\n]*)/);
    const declLine = after?.[1] ?? '';
    if (!DECLARATION_START.test(declLine) && !(declarations && DECLARATION_TS.test(declLine))) continue;
    const query = cleanDoc((m[1] ?? '').replace(/^\s*\*\s?/gm, ''));
    const offset = text.slice(end, end + 400).search(/\S/);
    if (offset < 0) continue;
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < end + offset; i = text.indexOf('\n', i + 1)) line++;
    definitions.push({ query, line, decl: declLine.trim().slice(0, 120) });
  }
  let stripped = text;
  for (const [s, e] of spans.reverse()) {
    stripped = `${stripped.slice(0, s)}/*${blank(stripped.slice(s + 2, e - 2))}*/${stripped.slice(e)}`;
  }
  return { definitions, stripped };
}

/** The benchmark's query filter: 4–80 words, not a deprecation/internal/todo note. */
export function isUsableQuery(query: string): boolean {
  const words = query.split(' ').length;
  return words >= 4 && words <= 80 && !/^(deprecated|internal|private|todo|see |@)/i.test(query);
}

/** A query with the definition's own names masked: equal shapes mean a templated comment. */
export function queryShape(query: string, decl: string): string {
  const names = new Set((decl.match(/[A-Za-z_]\w+/g) ?? []).map((w) => w.toLowerCase()));
  return query
    .replace(/[A-Za-z_]\w*/g, (w) => (names.has(w.toLowerCase()) || /[a-z][A-Z]/.test(w) ? 'X' : w))
    .toLowerCase();
}

/** One chunk of a source file, as the indexer would embed it. */
export interface PairChunk {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Names of the definitions that start in the chunk (the keyword index counts them). */
  readonly symbols: readonly string[];
  /** `path\ncontent`, the text the model sees. */
  readonly text: string;
}

export interface ChunkedFile {
  readonly path: string;
  readonly chunks: readonly PairChunk[];
  readonly definitions: readonly (DocumentedDefinition & { readonly chunk: number })[];
}

/**
 * Blanks the doc comments of one file, chunks it with the engine's chunker and maps each documented
 * definition to the first chunk that holds its first line. Definitions whose query fails
 * {@link isUsableQuery} are dropped here.
 */
export function chunkDocumentedFile(
  chunker: Chunker,
  path: string,
  text: string,
  declarations = false,
): ChunkedFile | undefined {
  const language = detectLanguage(path);
  if (language === undefined) return undefined;
  const { definitions, stripped } = documentedDefinitions(text, declarations);
  const usable = definitions.filter((d) => isUsableQuery(d.query));
  if (usable.length === 0) return undefined;
  const chunks = chunker.chunk({ repo: 'training', path, language, text: stripped }).map((c) => ({
    path,
    startLine: c.startLine,
    endLine: c.endLine,
    symbols: c.symbols,
    text: embeddingText({ path, content: c.content }),
  }));
  const mapped = usable.flatMap((d) => {
    const chunk = chunks.findIndex((c) => c.startLine <= d.line && d.line <= c.endLine);
    return chunk === -1 ? [] : [{ ...d, chunk }];
  });
  return { path, chunks, definitions: mapped };
}
