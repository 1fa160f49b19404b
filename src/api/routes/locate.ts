/**
 * Finding an indexed file's chunks under the caller's grant (shared by /context, /similar and the MCP tool
 * `read_file`), and the chunk that encloses one of its lines.
 */
import { NotFoundError } from '#engine/errors.ts';
import {
  indexNameOf,
  validateBranchName,
  validateFilePath,
  validateRepoName,
} from '#engine/search/filters.ts';
import type { ChunkStore, StoredChunk } from '#engine/types.ts';
import { type Caller, requireRepos } from '../auth/caller.ts';

export interface LocatedChunk {
  readonly repo: string;
  readonly path: string;
  /** Every chunk of the file, by start line. */
  readonly chunks: readonly StoredChunk[];
  /** Index in `chunks` of the narrowest chunk containing the line. */
  readonly index: number;
}

export interface IndexedFile {
  readonly repo: string;
  readonly branch: string | undefined;
  /** The index the file is in: the repository's own, or its branch's. */
  readonly index: string;
  readonly path: string;
  /** Every chunk of the file, by start line (at least one). */
  readonly chunks: readonly StoredChunk[];
}

/** A file's chunks, its names validated (fields prefixed by `field`) and the grant checked; 404 if none. */
export async function indexedFile(
  store: ChunkStore,
  caller: Caller,
  location: { repo: string; branch?: string; path: string },
  field = '',
): Promise<IndexedFile> {
  const repo = validateRepoName(location.repo, `${field}repo`);
  const branch =
    location.branch === undefined ? undefined : validateBranchName(location.branch, `${field}branch`);
  const path = validateFilePath(location.path, `${field}path`);
  requireRepos(caller, [repo]);
  const index = indexNameOf(repo, branch);
  const chunks = await store.fileChunks(index, path);
  if (chunks.length === 0)
    throw new NotFoundError(
      `${repo}${branch === undefined ? '' : ` (branch ${branch})`}:${path} is not in the index`,
    );
  return { repo, branch, index, path, chunks };
}

export async function locateChunk(
  store: ChunkStore,
  caller: Caller,
  location: { repo: string; branch?: string; path: string; line: number },
  field = '',
): Promise<LocatedChunk> {
  const { repo, path, chunks } = await indexedFile(store, caller, location, field);
  let index = -1;
  chunks.forEach((chunk, i) => {
    const current = chunks[index];
    const contains = chunk.startLine <= location.line && location.line <= chunk.endLine;
    if (contains && (!current || chunk.endLine - chunk.startLine < current.endLine - current.startLine))
      index = i;
  });
  if (index < 0) throw new NotFoundError(`${repo}:${path} has no indexed code at line ${location.line}`);
  return { repo, path, chunks, index };
}
