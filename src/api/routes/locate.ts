/** Finding the chunk that encloses a line of an indexed file (shared by /context and /similar). */
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

export async function locateChunk(
  store: ChunkStore,
  caller: Caller,
  location: { repo: string; branch?: string; path: string; line: number },
  field = '',
): Promise<LocatedChunk> {
  const repo = validateRepoName(location.repo, `${field}repo`);
  const branch =
    location.branch === undefined ? undefined : validateBranchName(location.branch, `${field}branch`);
  const path = validateFilePath(location.path, `${field}path`);
  requireRepos(caller, [repo]);
  const chunks = await store.fileChunks(indexNameOf(repo, branch), path);
  if (chunks.length === 0)
    throw new NotFoundError(
      `${repo}${branch === undefined ? '' : ` (branch ${branch})`}:${path} is not in the index`,
    );
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
