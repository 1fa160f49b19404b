/**
 * The few file-system operations discovery performs, behind an interface so tests can inject failures that
 * cannot be produced for real (a root user can read everything).
 */
import { close, constants, type Dirent, fstat, open, read, type Stats } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

export type RegularFileRead =
  /** `bytes` holds the whole file. */
  | { readonly kind: 'read'; readonly bytes: Uint8Array }
  /** Larger than the limit: decided from fstat, not a byte was read. */
  | { readonly kind: 'too-large'; readonly size: number }
  /** Not a regular file after all (it changed since the directory was listed). */
  | { readonly kind: 'not-regular'; readonly description: string };

export interface DiscoveryFileSystem {
  /** The entries of a directory, with their types (from `readdir`, no extra `stat`). */
  listDirectory(absolutePath: string): Promise<Dirent[]>;
  /**
   * Reads a regular file of at most `maxBytes` bytes. Must never follow a symbolic link, never block on a FIFO
   * or device, and never read a file larger than `maxBytes`. Rejects with the OS error (`code`) on failure.
   */
  readRegularFile(absolutePath: string, maxBytes: number): Promise<RegularFileRead>;
  /** The target of a symbolic link, for the skip detail. */
  readLink(absolutePath: string): Promise<string>;
}

// O_NOFOLLOW: a path swapped for a symlink since listing fails with ELOOP instead of escaping the root.
// O_NONBLOCK: a path swapped for a FIFO opens at once instead of waiting forever for a writer; regular files
// ignore the flag. Both are absent on Windows, where neither hazard applies in the same way.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const openFile = promisify(open);
const fstatFile = promisify(fstat);
const readInto = promisify(read);
const closeFile = promisify(close);

/** The real file system, through `node:fs`. */
export const nodeFileSystem: DiscoveryFileSystem = {
  listDirectory: (absolutePath) => readdir(absolutePath, { withFileTypes: true }),
  readLink: (absolutePath) => readlink(absolutePath),
  async readRegularFile(absolutePath, maxBytes) {
    // Plain descriptors rather than FileHandle: measurably less overhead per file in this hot loop.
    const fd = await openFile(absolutePath, OPEN_FLAGS);
    try {
      // fstat on the open descriptor: the size and type belong to the very file we would read.
      const stats = await fstatFile(fd);
      if (!stats.isFile()) return { kind: 'not-regular', description: describeFileType(stats) };
      if (stats.size > maxBytes) return { kind: 'too-large', size: stats.size };
      const bytes = new Uint8Array(stats.size);
      let length = 0;
      // Trust the fstat size: a file that grows while we read is indexed as it was when opened.
      while (length < bytes.length) {
        const { bytesRead } = await readInto(fd, bytes, length, bytes.length - length, length);
        if (bytesRead === 0) break; // truncated meanwhile
        length += bytesRead;
      }
      return { kind: 'read', bytes: length === bytes.length ? bytes : bytes.subarray(0, length) };
    } finally {
      await closeFile(fd);
    }
  },
};

/** What kind of non-regular file `stats` describes, in words. */
export function describeFileType(stats: Stats | Dirent): string {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isFIFO()) return 'named pipe (FIFO)';
  if (stats.isSocket()) return 'socket';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isCharacterDevice()) return 'character device';
  return 'special file';
}

/** `code` of a Node system error, when there is one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const ERROR_WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no longer exists',
  ENOTDIR: 'no longer a directory',
  ELOOP: 'replaced by a symbolic link',
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** `EACCES (permission denied)`: the OS code plus words, without the absolute path Node puts in messages. */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  const words = Object.hasOwn(ERROR_WORDS, code) ? ERROR_WORDS[code] : undefined;
  return words === undefined ? code : `${code} (${words})`;
}

/** Ignore files and git metadata are small; anything bigger is not what we are looking for. */
export const MAX_METADATA_BYTES = 1024 * 1024;

/** A small text file (ignore file, git metadata), or `undefined` when missing, unreadable or not regular. */
export async function readText(fileSystem: DiscoveryFileSystem, path: string): Promise<string | undefined> {
  try {
    const read = await fileSystem.readRegularFile(path, MAX_METADATA_BYTES);
    return read.kind === 'read' ? new TextDecoder().decode(read.bytes) : undefined;
  } catch {
    return undefined;
  }
}
