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
 * Ignore files are hostile input. Each pattern is matched in time linear in the path (ignore-pattern.ts), a
 * literal name costs one map lookup, and each file's wildcard patterns together are capped at
 * `MAX_WILDCARD_STATES_PER_FILE` automaton states, so testing a path against one file costs at most about
 * that many steps per path character. Lines over a limit are not applied, and each is reported.
 */
import { type IgnorePattern, parseIgnoreLine } from './ignore-pattern.ts';

/**
 * The wildcard patterns of one ignore file may hold this many automaton states in all (a state is about one
 * pattern character); later ones are not applied. Real files stay far below: GitHub's largest templates hold
 * a few hundred wildcard rules of a dozen characters.
 */
export const MAX_WILDCARD_STATES_PER_FILE = 16_384;

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

interface IgnoreLevel {
  /** Directory holding the ignore file, POSIX, relative to the root; '' for the root itself. */
  readonly base: string;
  /** In file order; the last one that matches decides. */
  readonly patterns: readonly IgnorePattern[];
  /** Literal last-segment patterns (`node_modules`, `.env`) by name: the index of the last with that name. */
  readonly literalNames: ReadonlyMap<string, number>;
  /** The indexes of every other pattern, which are tested one by one. */
  readonly scanned: readonly number[];
}

/** An immutable stack of ignore levels, as seen from one directory of the walk. */
export class IgnoreRules {
  static readonly NONE = new IgnoreRules([]);

  readonly #levels: readonly IgnoreLevel[];

  private constructor(levels: readonly IgnoreLevel[]) {
    this.#levels = levels;
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
    for (const file of files) {
      const level = compileLevel(base, file, report);
      // Most directories have no ignore file: keep their stack, and every path test, as short as it was.
      if (level.patterns.length > 0) levels.push(level);
    }
    return levels.length === this.#levels.length ? this : new IgnoreRules(levels);
  }

  /** Whether `path` (POSIX, relative to the root, inside a directory that was not ignored) is ignored. */
  isIgnored(path: string, isDirectory: boolean): boolean {
    for (let i = this.#levels.length - 1; i >= 0; i--) {
      const level = this.#levels[i] as IgnoreLevel;
      const decided = lastMatch(
        level,
        level.base === '' ? path : path.slice(level.base.length + 1),
        isDirectory,
      );
      if (decided !== undefined) return !decided.negated;
    }
    return false;
  }
}

function compileLevel(
  base: string,
  file: IgnoreFileText,
  report: (notice: IgnoreNotice) => void,
): IgnoreLevel {
  const patterns: IgnorePattern[] = [];
  const literalNames = new Map<string, number>();
  const scanned: number[] = [];
  let wildcardStates = 0;
  const lines = file.text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((line, index) => {
    const parsed = parseIgnoreLine(line);
    if (parsed.kind === 'none') return;
    if (parsed.kind === 'rejected') {
      report({ path: file.path, line: index + 1, reason: `not applied: ${parsed.reason}` });
      return;
    }
    const pattern = parsed.pattern;
    if (pattern.cost > 0) {
      if (wildcardStates + pattern.cost > MAX_WILDCARD_STATES_PER_FILE) {
        report({
          path: file.path,
          line: index + 1,
          reason: `not applied: the file's wildcard patterns exceed ${MAX_WILDCARD_STATES_PER_FILE} characters in all`,
        });
        return;
      }
      wildcardStates += pattern.cost;
    }
    const literal = literalNameOf(pattern);
    if (literal !== undefined) literalNames.set(literal, patterns.length);
    else scanned.push(patterns.length);
    patterns.push(pattern);
  });
  return { base, patterns, literalNames, scanned };
}

/** The name a plain, non-negated, last-segment pattern (`dist`, `.env`) matches exactly, if it is one. */
function literalNameOf(pattern: IgnorePattern): string | undefined {
  if (!pattern.basenameOnly || pattern.cost > 0 || pattern.negated || pattern.directoryOnly) return undefined;
  const source = pattern.source;
  return /^[^\\*?[!#\s]+$/.test(source) ? source : undefined;
}

/** The last pattern of the level that matches, or undefined. */
function lastMatch(level: IgnoreLevel, relative: string, isDirectory: boolean): IgnorePattern | undefined {
  const literal = level.literalNames.get(relative.slice(relative.lastIndexOf('/') + 1)) ?? -1;
  for (let k = level.scanned.length - 1; k >= 0; k--) {
    const index = level.scanned[k] as number;
    if (index < literal) break; // the literal pattern comes later, so it decides
    const pattern = level.patterns[index] as IgnorePattern;
    if (pattern.matches(relative, isDirectory)) return pattern;
  }
  return literal === -1 ? undefined : level.patterns[literal];
}
