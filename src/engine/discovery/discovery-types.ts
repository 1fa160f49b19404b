import type { SkipReason } from '../types.ts';
import type { DiscoveryFileSystem } from './file-system.ts';
import type { IgnoreNotice } from './ignore-rules.ts';
import type { FileEvent } from './inspect-entry.ts';

/** Options of `discoverFiles`. */
export interface DiscoverOptions {
  /**
   * Files larger than this are skipped as `too-large`, decided from their size without reading them.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Files read at the same time. Results are still yielded in path order.
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * Directory names never entered, at any depth (the root itself is always walked). Replaces the built-in
   * list; extend it with `new Set([...BUILTIN_EXCLUDED_DIRECTORIES, 'fixtures'])`.
   * @default BUILTIN_EXCLUDED_DIRECTORIES
   */
  readonly excludedDirectoryNames?: ReadonlySet<string>;
  /**
   * The file system to read. Tests pass one that fails on purpose.
   * @default nodeFileSystem
   */
  readonly fileSystem?: DiscoveryFileSystem;
}

/** What one discovery run saw, including what it left out silently. */
export interface DiscoveryStats {
  /** Source files yielded. */
  readonly files: number;
  /** Files (and unlistable directories) yielded as skipped. */
  readonly skipped: number;
  readonly skippedByReason: Readonly<Record<SkipReason, number>>;
  /** Bytes read from disk, files kept or not. Files skipped by name or size contribute nothing. */
  readonly bytesRead: number;
  /** Directories listed, the root included. */
  readonly directoriesListed: number;
  /** Directories not entered because of their name (`node_modules`, `.git`, … see BUILTIN_EXCLUDED_DIRECTORIES). */
  readonly excludedDirectories: number;
  /** Directories not entered because an ignore file says so. */
  readonly ignoredDirectories: number;
  /** Files left out because an ignore file says so. */
  readonly ignoredFiles: number;
  /** Ignore-file lines that were not applied (over a length or complexity limit). */
  readonly ignoreLinesNotApplied: number;
  /** The first of those, with the file, line and reason. */
  readonly ignoreNotices: readonly IgnoreNotice[];
  readonly durationMs: number;
}

/** One step of discovery: a file to index, a file left out and why, and finally the run's statistics. */
export type DiscoveryEvent = FileEvent | { readonly kind: 'done'; readonly stats: DiscoveryStats };
