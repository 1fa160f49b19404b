/**
 * Git's ignore semantics over a tree walk. Each ignore file is one level that applies to paths relative to
 * its own directory; levels are consulted from the highest precedence (the deepest directory, and within one
 * directory `.codesearchignore` after `.gitignore`) down to the lowest (`.git/info/exclude`), and the first
 * level with an opinion decides. Within a level the last matching line decides, so `!pattern` can undo an
 * earlier one — which lets `.codesearchignore` both add and undo ignores for codesearch alone.
 *
 * A path is judged by its own name only: as in git, a file inside an ignored directory is never looked at,
 * because the walk does not enter that directory. Callers that are not walking (the push pipeline) replay
 * the walk directory by directory (`TreeIgnoreRules`).
 *
 * Ignore files are hostile input. Each pattern is matched in time linear in the path (ignore-pattern.ts); a
 * pattern without wildcards — a name, a path, negated or not, directories only or not — is one map lookup,
 * whatever their number; and the wildcard patterns are capped in cost per file and per path (see
 * `MAX_WILDCARD_COST_PER_PATH`). Lines over a limit are not applied, and each is reported.
 */
import { type IgnorePattern, parseIgnoreLine } from './ignore-pattern.ts';

/**
 * What the wildcard patterns may cost in all (automaton states plus class members, about one per pattern
 * character): per ignore file, and over every file whose rules apply to one path (the ignore files of its
 * directory and those above it). Testing a path then costs at most about `MAX_WILDCARD_COST_PER_PATH` steps
 * per byte of the path, however many ignore files a repository holds. Patterns past a limit are not applied,
 * and each is reported. Real repositories stay far below: GitHub's largest templates hold a few hundred
 * wildcard rules of a dozen characters, and patterns without wildcards cost nothing (they are looked up).
 */
export const MAX_WILDCARD_COST_PER_FILE = 4096;
export const MAX_WILDCARD_COST_PER_PATH = 8192;

/** The text of one ignore file and where it is (for notices). */
export interface IgnoreFileText {
  /** POSIX path of the ignore file relative to the root. */
  readonly path: string;
  readonly text: string;
}

/** A line of an ignore file that is not applied, and why. */
export interface IgnoreNotice {
  /** The ignore file. */
  readonly path: string;
  /** 1-based line number. */
  readonly line: number;
  readonly reason: string;
}

/** Where a pattern without wildcards is looked up: by last segment or by whole path, for any entry or directories. */
type LookupKind = 'name' | 'nameDirectory' | 'path' | 'pathDirectory';

interface IgnoreLevel {
  /** Directory holding the ignore file, POSIX, relative to the root; '' for the root itself. */
  readonly base: string;
  /** Bytes of `base` in UTF-8 and the `/` after it (0 for the root): where a path's part below it starts. */
  readonly baseBytes: number;
  /** In file order; the last one that matches decides. */
  readonly patterns: readonly IgnorePattern[];
  /** Patterns without wildcards, by what they match: the index of the last pattern with that key. */
  readonly lookups: ReadonlyMap<LookupKind, ReadonlyMap<string, number>>;
  /** The indexes of the wildcard patterns, tested one by one. */
  readonly scanned: readonly number[];
  /** What the scanned patterns cost per path byte. */
  readonly cost: number;
}

/** An immutable stack of ignore levels, as seen from one directory of the walk. */
export class IgnoreRules {
  static readonly NONE = new IgnoreRules([]);

  readonly #levels: readonly IgnoreLevel[];
  /** The wildcard cost of every level: what testing one path may cost per byte. */
  readonly #cost: number;

  private constructor(levels: readonly IgnoreLevel[]) {
    this.#levels = levels;
    this.#cost = levels.reduce((sum, level) => sum + level.cost, 0);
  }

  /**
   * These rules plus those of the ignore files found in directory `base` ('' for the root), in increasing
   * precedence. Lines that are not applied are passed to `report`.
   *
   * @example
   * const rules = IgnoreRules.NONE.withPatterns('', [{ path: '.gitignore', text: 'dist/\n*.log\n' }]);
   * rules.isIgnored('dist', true); // true
   */
  withPatterns(
    base: string,
    files: readonly IgnoreFileText[],
    report: (notice: IgnoreNotice) => void = () => {},
  ): IgnoreRules {
    const levels = [...this.#levels];
    let cost = this.#cost;
    for (const file of files) {
      const level = compileLevel(base, file, MAX_WILDCARD_COST_PER_PATH - cost, report);
      cost += level.cost;
      // Most directories have no ignore file: keep their stack, and every path test, as short as it was.
      if (level.patterns.length > 0) levels.push(level);
    }
    return levels.length === this.#levels.length ? this : new IgnoreRules(levels);
  }

  /** Whether `path` (POSIX, relative to the root, inside a directory that was not ignored) is ignored. */
  isIgnored(path: string, isDirectory: boolean): boolean {
    if (this.#levels.length === 0) return false;
    const bytes = this.#cost > 0 ? utf8.encode(path) : undefined;
    for (let i = this.#levels.length - 1; i >= 0; i--) {
      const level = this.#levels[i] as IgnoreLevel;
      const decided = lastMatch(level, path, bytes, isDirectory);
      if (decided !== undefined) return !decided.negated;
    }
    return false;
  }
}

const utf8 = new TextEncoder();

function compileLevel(
  base: string,
  file: IgnoreFileText,
  budget: number,
  report: (notice: IgnoreNotice) => void,
): IgnoreLevel {
  const patterns: IgnorePattern[] = [];
  const lookups = new Map<LookupKind, Map<string, number>>();
  const scanned: number[] = [];
  let cost = 0;
  const lines = file.text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((line, index) => {
    const parsed = parseIgnoreLine(line);
    if (parsed.kind === 'none') return;
    if (parsed.kind === 'rejected') {
      report({ path: file.path, line: index + 1, reason: `not applied: ${parsed.reason}` });
      return;
    }
    const pattern = parsed.pattern;
    if (pattern.literal !== undefined) {
      const kind: LookupKind = `${pattern.basenameOnly ? 'name' : 'path'}${pattern.directoryOnly ? 'Directory' : ''}`;
      const byKey = lookups.get(kind) ?? new Map<string, number>();
      lookups.set(kind, byKey);
      byKey.set(pattern.literal, patterns.length);
      patterns.push(pattern);
      return;
    }
    const limit = Math.min(MAX_WILDCARD_COST_PER_FILE, budget);
    if (cost + pattern.cost > limit) {
      report({
        path: file.path,
        line: index + 1,
        reason:
          limit === MAX_WILDCARD_COST_PER_FILE
            ? `not applied: the file's wildcard patterns exceed ${MAX_WILDCARD_COST_PER_FILE} in cost`
            : `not applied: the wildcard patterns of this file and those above it exceed ${MAX_WILDCARD_COST_PER_PATH} in cost`,
      });
      return;
    }
    cost += pattern.cost;
    scanned.push(patterns.length);
    patterns.push(pattern);
  });
  const baseBytes = base === '' ? 0 : utf8.encode(base).length + 1;
  return { base, baseBytes, patterns, lookups, scanned, cost };
}

/** The last pattern of the level that matches, or undefined. */
function lastMatch(
  level: IgnoreLevel,
  path: string,
  bytes: Uint8Array | undefined,
  isDirectory: boolean,
): IgnorePattern | undefined {
  const relative = level.base === '' ? path : path.slice(level.base.length + 1);
  const name = relative.slice(relative.lastIndexOf('/') + 1);
  const looked = (kind: LookupKind, key: string): number => level.lookups.get(kind)?.get(key) ?? -1;
  let found = Math.max(looked('name', name), looked('path', relative));
  if (isDirectory) found = Math.max(found, looked('nameDirectory', name), looked('pathDirectory', relative));
  if (bytes !== undefined && level.scanned.length > 0) {
    // The path below the level's directory, as bytes: the base is a prefix of the path plus a `/`.
    const below = bytes.subarray(level.baseBytes);
    for (let k = level.scanned.length - 1; k >= 0; k--) {
      const index = level.scanned[k] as number;
      if (index < found) break; // a looked-up pattern comes later, so it decides
      const pattern = level.patterns[index] as IgnorePattern;
      if (pattern.matches(below, isDirectory)) return pattern;
    }
  }
  return found === -1 ? undefined : level.patterns[found];
}
