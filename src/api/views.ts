/** How stored chunks and search hits are shown to API callers. */
import { splitIndexName } from '#engine/search/filters.ts';
import type { SearchHit } from '#engine/search/search.ts';
import type { StoredChunk } from '#engine/types.ts';
import type { ChunkView, SearchResultItem } from './schemas.ts';
import { toSnippet } from './snippet.ts';

export type CommitOf = (repo: string) => string | null;

export function toChunkView(chunk: StoredChunk, commitOf: CommitOf): ChunkView {
  // The index name says the branch (`owner/name@branch`); results name the repository and branch apart.
  const { repo, branch } = splitIndexName(chunk.repo);
  return {
    repo,
    branch,
    commit: commitOf(chunk.repo),
    path: chunk.path,
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    language: chunk.language,
    symbols: [...chunk.symbols],
    snippet: toSnippet(chunk.content),
  };
}

export function toSearchResult(hit: SearchHit, commitOf: CommitOf): SearchResultItem {
  return {
    ...toChunkView(hit.chunk, commitOf),
    score: round(hit.score),
    vectorScore: hit.vectorScore === undefined ? null : round(hit.vectorScore),
    keywordScore: hit.keywordScore === undefined ? null : round(hit.keywordScore),
  };
}

function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
