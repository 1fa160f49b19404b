/**
 * DynamoDB keys of one index generation (see #adapters/lancedb/index-generation.ts). The file-hash and
 * index-state tables describe what one chunk table holds, so each generation keeps its own items:
 * `<generation>#<index>` instead of `<index>`. Scoping the keys inside the adapters — rather than a table per
 * generation, or a generation attribute every query filters on — leaves the tables, the stack and the
 * pipeline unchanged: a new model simply finds no state and no file hashes, so its first sync of each index
 * embeds everything. Items of other generations stay behind, readable: upkeep rebuilds from them, and a
 * switch back to an earlier model finds its state again (it catches up on the next push or re-index).
 *
 * Keys without a generation are the bare index names written before generations existed (legacy items).
 * Index names are `owner/name` or `owner/name@branch`, and GitHub owner names cannot contain `#`, so a key's
 * first `#` after a 12-hex-digit generation is unambiguous; the same holds for rebuild markers.
 */
import { isGeneration } from '#adapters/lancedb/index-generation.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';

const SEPARATOR = '#';
const REBUILD_MARKER = `rebuild${SEPARATOR}`;

/** The key of an index's item in a generation (no generation: the bare index name). */
export function generationKey(generation: string | undefined, index: string): string {
  return generation === undefined ? index : `${generation}${SEPARATOR}${index}`;
}

/** Which generation and index an item belongs to; undefined for a rebuild marker. */
export function parseGenerationKey(key: string): { generation?: string; index: string } | undefined {
  if (key.startsWith(REBUILD_MARKER)) return undefined;
  const at = key.indexOf(SEPARATOR);
  const generation = key.slice(0, at);
  if (at > 0 && isGeneration(generation)) return { generation, index: key.slice(at + 1) };
  return { index: key };
}

/**
 * The item recording that upkeep queued a rebuild of an index in a generation. It lives beside the index
 * items but under its own prefix, so that listings never show it as an index; the index is named
 * canonically (an older generation may spell it as GitHub does).
 */
export function rebuildMarkerKey(generation: string | undefined, index: string): string {
  return `${REBUILD_MARKER}${generationKey(generation, canonicalRepoName(index))}`;
}
