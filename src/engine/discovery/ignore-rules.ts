/**
 * Git's ignore semantics over a tree walk. Each ignore file is one level that applies to paths relative to
 * its own directory; levels are consulted from the lowest precedence (`.git/info/exclude`) to the highest
 * (the deepest directory), and the last level with an opinion wins. Within one directory, `.codesearchignore`
 * comes after `.gitignore`, so it can both add and undo (`!pattern`) ignores for codesearch alone.
 *
 * Pattern matching itself is the `ignore` package's. Two of its traits need care here:
 * - it caches every path it tests, so each directory of the walk works on fresh copies of the matchers
 *   (cheap: the compiled rules are shared) and memory stays bounded by the directory being walked;
 * - it treats a path under an ignored directory as ignored. That is git's rule within one ignore file, but
 *   across files a deeper `!dir/` re-includes a directory that a shallower file excludes; for that subtree
 *   the shallower level gets an extra rule re-including the directory, so its verdicts on the files inside
 *   are its own again.
 */
import ignore from 'ignore';

type Matcher = ReturnType<typeof ignore>;

/** Git compares names case-sensitively on the systems we target; `allowRelativePaths` accepts names like `..x`. */
const MATCHER_OPTIONS = { ignorecase: false, allowRelativePaths: true } as const;

interface IgnoreLevel {
  /** Directory holding the ignore file, POSIX, relative to the root; '' for the root itself. */
  readonly base: string;
  readonly matcher: Matcher;
}

/** An immutable stack of ignore levels, as seen from one directory of the walk. */
export class IgnoreRules {
  static readonly NONE = new IgnoreRules([]);

  readonly #levels: readonly IgnoreLevel[];

  private constructor(levels: readonly IgnoreLevel[]) {
    this.#levels = levels;
  }

  /** These rules plus those of the ignore files found in directory `base` ('' for the root), in order. */
  withPatterns(base: string, ...patternTexts: readonly string[]): IgnoreRules {
    const matcher = ignore(MATCHER_OPTIONS);
    for (const text of patternTexts) matcher.add(text);
    // Most directories have no ignore file: keep their stack, and every path test, as short as it was.
    // (A pattern line: not a comment, not blank. Leading blanks are part of a pattern in git, so no trim.)
    const hasPatterns = patternTexts.some((text) => /^(?!#)[^\r\n]*\S/m.test(text));
    return hasPatterns ? new IgnoreRules([...this.#levels, { base, matcher }]) : this;
  }

  /** Whether `path` (POSIX, relative to the root, inside a directory that was not ignored) is ignored. */
  isIgnored(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const level of this.#levels) {
      const verdict = level.matcher.test(relativeTo(level, path, isDirectory));
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  /**
   * The rules to use inside `directory`, which `isIgnored` just let through: fresh matcher copies (so their
   * caches die with the directory) with any re-include rule the subtree needs (see the module comment).
   */
  enter(directory: string): IgnoreRules {
    if (this.#levels.length === 0) return this;
    return new IgnoreRules(
      this.#levels.map((level) => {
        const relative = relativeTo(level, directory, true);
        const copy = ignore(MATCHER_OPTIONS).add(level.matcher);
        if (level.matcher.test(relative).ignored) copy.add(`!/${wildcardSafe(relative)}`);
        return { base: level.base, matcher: copy };
      }),
    );
  }
}

function relativeTo(level: IgnoreLevel, path: string, isDirectory: boolean): string {
  const relative = level.base === '' ? path : path.slice(level.base.length + 1);
  return isDirectory ? `${relative}/` : relative;
}

/**
 * `path` as a pattern that matches it. The `ignore` package does not honour every backslash escape, so any
 * character with a meaning in patterns becomes `?` (any one character). Over-matching is harmless here: the
 * rule is anchored and only ever tested against this directory and its descendants.
 */
function wildcardSafe(path: string): string {
  return path.replace(/[^A-Za-z0-9._\-/\u0080-\uffff]/g, '?');
}
