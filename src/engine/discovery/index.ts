/**
 * File discovery: which files under a directory get indexed, read and hashed, and which are left out and why.
 */
export { BUILTIN_EXCLUDED_DIRECTORIES } from './builtin-excludes.ts';
export { detectLanguage } from './detect-language.ts';
export { DEFAULT_CONCURRENCY, DEFAULT_MAX_FILE_BYTES, discoverFiles } from './discover-files.ts';
export type { DiscoverOptions, DiscoveryEvent, DiscoveryStats } from './discovery-types.ts';
export { DiscoveryRootError } from './errors.ts';
export { type DiscoveryFileSystem, nodeFileSystem, type RegularFileRead } from './file-system.ts';
export type { FileEvent } from './inspect-entry.ts';
