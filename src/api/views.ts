/** How stored chunks and search hits are shown to API callers. */
import type { SearchHit } from '#engine/search/search.ts';
import type { StoredChunk } from '#engine/types.ts';
import type { ChunkView, SearchResultItem } from './schemas.ts';
import { toSnippet } from './snippet.ts';

export type CommitOf = (repo: string) => string | null;

export function toChunkView(chunk: StoredChunk, commitOf: CommitOf): ChunkView {
  return {
    repo: chunk.repo,
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
