/**
 * Turns one walk entry into a discovery event: a readable source file, or a skipped file with its reason.
 * Cheap checks run first (name, then fstat size) so that bytes are read only for files that may be kept.
 */
import { createHash } from 'node:crypto';
import type { SkippedFile, SourceFile } from '../types.ts';
import { classifyContent } from './content-rules.ts';
import { type DiscoveryFileSystem, describeFsError } from './file-system.ts';
import { formatBytes } from './format-bytes.ts';
import { classifyByName } from './name-rules.ts';
import type { SkipVerdict } from './skip-verdict.ts';
import type { WalkEntry } from './walk-tree.ts';

export type FileEvent =
  | { readonly kind: 'file'; readonly file: SourceFile }
  | { readonly kind: 'skipped'; readonly file: SkippedFile };

export interface Inspection {
  readonly event: FileEvent;
  /** Bytes actually read from disk for this entry (0 when it was decided without reading). */
  readonly bytesRead: number;
}

export interface InspectOptions {
  readonly fileSystem: DiscoveryFileSystem;
  readonly maxFileBytes: number;
}

/** Decides what `entry` is. Never throws for file-system trouble: that becomes an `unreadable` skip. */
export async function inspectEntry(entry: WalkEntry, options: InspectOptions): Promise<Inspection> {
  switch (entry.kind) {
    case 'unlistable':
      return skipped(entry.path, {
        reason: 'unreadable',
        detail: `cannot list directory: ${describeFsError(entry.error)}`,
      });
    case 'special':
      return skipped(entry.path, {
        reason: 'unsupported-type',
        detail: `${entry.description}, not a regular file; never opened`,
      });
    case 'symlink':
      return skipped(entry.path, {
        reason: 'unsupported-type',
        detail: await symlinkDetail(entry.absolutePath, options),
      });
    case 'file':
      return inspectRegularFile(entry.path, entry.absolutePath, options);
  }
}

async function inspectRegularFile(
  path: string,
  absolutePath: string,
  options: InspectOptions,
): Promise<Inspection> {
  const byName = classifyByName(path);
  if (byName !== undefined) return skipped(path, byName);

  let read: Awaited<ReturnType<DiscoveryFileSystem['readRegularFile']>>;
  try {
    read = await options.fileSystem.readRegularFile(absolutePath, options.maxFileBytes);
  } catch (error) {
    return skipped(path, { reason: 'unreadable', detail: describeFsError(error) });
  }
  if (read.kind === 'not-regular') {
    return skipped(path, { reason: 'unsupported-type', detail: `${read.description}, not a regular file` });
  }
  if (read.kind === 'too-large') {
    const detail = `${formatBytes(read.size)} > ${formatBytes(options.maxFileBytes)} limit; not read`;
    return skipped(path, { reason: 'too-large', detail });
  }

  const bytes = read.bytes;
  const content = classifyContent(path, bytes);
  if (content.kind === 'skip') return skipped(path, content, bytes.length);
  const file: SourceFile = {
    path,
    language: content.language,
    size: bytes.length,
    hash: createHash('sha256').update(bytes).digest('hex'),
    text: content.text,
  };
  return { event: { kind: 'file', file }, bytesRead: bytes.length };
}

async function symlinkDetail(absolutePath: string, options: InspectOptions): Promise<string> {
  try {
    const target = await options.fileSystem.readLink(absolutePath);
    return `symbolic link to ${JSON.stringify(target)}; not followed`;
  } catch {
    return 'symbolic link; not followed';
  }
}

function skipped(path: string, verdict: SkipVerdict, bytesRead = 0): Inspection {
  return {
    event: { kind: 'skipped', file: { path, reason: verdict.reason, detail: verdict.detail } },
    bytesRead,
  };
}
