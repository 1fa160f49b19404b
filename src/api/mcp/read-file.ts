/**
 * The indexed text of one file, as its chunks hold it: for the MCP `read_file` tool, so an agent can read
 * around a search hit without a checkout. Only what was indexed is served (secrets were redacted at index
 * time), through the same lookup and grant check as `/context` (`indexedFile`), and bounded: at most
 * `MAX_READ_LINES` lines and `MAX_READ_CHARS` characters per call, with where to continue.
 */
import { NotFoundError } from '#engine/errors.ts';
import type { ChunkStore } from '#engine/types.ts';
import type { Caller } from '../auth/caller.ts';
import { indexedFile } from '../routes/locate.ts';
import type { CommitOf } from '../views.ts';

export const MAX_READ_LINES = 400;
export const MAX_READ_CHARS = 40_000;

export interface FileText {
  readonly repo: string;
  /** The branch read; null: the default branch. */
  readonly branch: string | null;
  readonly path: string;
  readonly commit: string | null;
  readonly language: string;
  readonly startLine: number;
  readonly endLine: number;
  /** The last line any chunk of the file holds. */
  readonly lastIndexedLine: number;
  /** Lines start..end, joined by newlines; a line no chunk holds (between definitions) is empty. */
  readonly text: string;
  /** Where to continue when the range was cut at the size bound; null when it was served whole. */
  readonly nextLine: number | null;
}

export async function readIndexedFile(
  store: ChunkStore,
  caller: Caller,
  commitOf: CommitOf,
  request: { repo: string; branch?: string; path: string; startLine?: number; endLine?: number },
): Promise<FileText> {
  const { repo, branch, index, path, chunks } = await indexedFile(store, caller, request);
  // Chunks may nest (a class and its methods) or leave gaps; each line is taken from any chunk holding it.
  const lines = new Map<number, string>();
  for (const chunk of chunks) {
    chunk.content.split('\n').forEach((line, i) => {
      lines.set(chunk.startLine + i, line);
    });
  }
  const lastIndexedLine = Math.max(...lines.keys());
  const start = request.startLine ?? 1;
  if (start > lastIndexedLine)
    throw new NotFoundError(
      `${repo}:${path} is indexed up to line ${lastIndexedLine}; line ${start} is past it`,
    );
  const wanted = Math.min(request.endLine ?? lastIndexedLine, lastIndexedLine);
  const out: string[] = [];
  let chars = 0;
  let line = start;
  for (; line <= wanted && out.length < MAX_READ_LINES; line++) {
    const text = lines.get(line) ?? '';
    if (out.length > 0 && chars + text.length + 1 > MAX_READ_CHARS) break;
    // One over-long line is cut rather than served whole: the bound holds whatever the file holds.
    out.push(text.length > MAX_READ_CHARS ? `${text.slice(0, MAX_READ_CHARS)}…` : text);
    chars += Math.min(text.length, MAX_READ_CHARS) + 1;
  }
  const end = line - 1;
  return {
    repo,
    branch: branch ?? null,
    path,
    commit: commitOf(index),
    language: chunks[0]?.language ?? 'text',
    startLine: start,
    endLine: end,
    lastIndexedLine,
    text: out.join('\n'),
    nextLine: end < wanted ? end + 1 : null,
  };
}
