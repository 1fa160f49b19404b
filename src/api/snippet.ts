/** The part of a chunk shown in results: whole lines, capped so one huge chunk cannot bloat a response. */
const MAX_SNIPPET_LINES = 60;
const MAX_SNIPPET_CHARS = 4000;

export function toSnippet(content: string): string {
  const lines = content.split('\n');
  let snippet = lines.slice(0, MAX_SNIPPET_LINES).join('\n');
  if (snippet.length > MAX_SNIPPET_CHARS) snippet = snippet.slice(0, MAX_SNIPPET_CHARS);
  return snippet.length < content.length ? `${snippet}\n…` : snippet;
}
