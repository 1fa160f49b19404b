/**
 * Fetching the `.codesearchignore` files a job needs from the code host, one small request per file that
 * exists: a sync reads those its tree listing shows, a push those above the paths it changed that the index
 * has on record. Never a request per indexed file.
 */
import { MAX_METADATA_BYTES } from '../discovery/file-system.ts';
import type { FileRecord } from '../types.ts';
import { mapLimited } from './map-limited.ts';
import { excludedDirectoryOf } from './path-rules.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { TreeFile } from './ports.ts';
import { directoryOf, isIgnoreFile, TreeIgnoreRules } from './tree-ignore-rules.ts';

/** Decoded as local discovery decodes ignore files: lenient, a leading BOM dropped. */
const decoder = new TextDecoder();

export interface TreeIgnore {
  readonly rules: TreeIgnoreRules;
  /** The ignore files whose rules are in force (read), in the order read. */
  readonly files: readonly TreeFile[];
}

/**
 * The ignore rules of one commit's tree: reads every ignore file that local discovery would read there —
 * regular files, outside built-in excluded directories, no larger than discovery reads, in a directory that
 * no shallower ignore file excludes — shallowest first, so a file below an ignored directory is never
 * fetched. Costs one request per ignore file read.
 */
export async function readTreeIgnore(
  deps: Pick<PipelineDeps, 'source' | 'settings'>,
  repo: string,
  tree: readonly TreeFile[],
): Promise<TreeIgnore> {
  const byDepth = new Map<number, TreeFile[]>();
  for (const file of tree) {
    if (file.kind !== 'file' || !isIgnoreFile(file.path) || file.size > MAX_METADATA_BYTES) continue;
    if (excludedDirectoryOf(file.path) !== undefined) continue;
    const depth = file.path.split('/').length;
    const level = byDepth.get(depth);
    if (level) level.push(file);
    else byDepth.set(depth, [file]);
  }
  const texts = new Map<string, string>();
  const read: TreeFile[] = [];
  let rules = TreeIgnoreRules.NONE;
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    // Whether a directory is entered depends only on the ignore files above it, all read by now.
    const walked = (byDepth.get(depth) ?? []).filter((file) => rules.isWalked(directoryOf(file.path)));
    await mapLimited(walked, deps.settings.downloadConcurrency, async (file) => {
      texts.set(directoryOf(file.path), decoder.decode(await deps.source.readBlob(repo, file.sha)));
    });
    read.push(...walked);
    rules = new TreeIgnoreRules(new Map(texts)); // anew: the previous rules memoised directories without these
  }
  return { rules, files: read };
}

/**
 * The ignore rules for a push's changed paths, from the ignore files among `candidates` that the file-hash
 * table has on record (the caller looked them up with the changed paths, in the same request). Costs one
 * request per recorded ignore file, none at all in a repository without any. See `runPushJob` for why the
 * record can be trusted.
 */
export async function readRecordedIgnore(
  deps: Pick<PipelineDeps, 'source' | 'settings'>,
  repo: string,
  candidates: readonly string[],
  recorded: ReadonlyMap<string, FileRecord>,
): Promise<{ readonly rules: TreeIgnoreRules; readonly reads: number }> {
  const present = candidates.flatMap((path) => {
    const record = recorded.get(path);
    return record === undefined ? [] : [record];
  });
  if (present.length === 0) return { rules: TreeIgnoreRules.NONE, reads: 0 };
  // By blob id, as recorded: the push did not change any ignore file (or it would be a sync).
  const texts = new Map<string, string>();
  await mapLimited(present, deps.settings.downloadConcurrency, async (record) => {
    texts.set(directoryOf(record.path), decoder.decode(await deps.source.readBlob(repo, record.hash)));
  });
  return { rules: new TreeIgnoreRules(texts), reads: present.length };
}
