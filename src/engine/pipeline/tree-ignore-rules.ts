/**
 * `.codesearchignore` over a list of paths instead of a directory walk: the same rules as local discovery,
 * replayed on what a tree listing (or a push) names. Local discovery enters a directory only when its parent's
 * rules do not ignore it, and the rules inside it are the parent's plus its own ignore file; a path
 * is then judged by the rules of its directory. `TreeIgnoreRules` computes exactly that per directory, lazily
 * and once, with discovery's own `IgnoreRules` doing the matching.
 *
 * `.gitignore` has no counterpart here: the files it ignores are not committed, so they are not in the tree
 * (one committed anyway with `git add -f` is indexed here but not by a local index of a checkout, as before).
 */
import { type IgnoreNotice, IgnoreRules } from '../discovery/ignore-rules.ts';
import { CODESEARCH_IGNORE_FILE_NAME } from '../discovery/walk-tree.ts';

/** Whether `path` (POSIX, relative to the repository root) is a `.codesearchignore` file. */
export function isIgnoreFile(path: string): boolean {
  return baseName(path) === CODESEARCH_IGNORE_FILE_NAME;
}

/** The directory holding `path`: '' for a file at the root. */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** The path of the ignore file of `directory` ('' for the root). */
export function ignoreFileOf(directory: string): string {
  return directory === '' ? CODESEARCH_IGNORE_FILE_NAME : `${directory}/${CODESEARCH_IGNORE_FILE_NAME}`;
}

/**
 * The ignore files whose rules can apply to `paths`: those of every directory above each path, root first,
 * each named once.
 *
 * @example
 * ancestorIgnoreFiles(['src/a/b.ts', 'src/c.ts']);
 * // ['.codesearchignore', 'src/.codesearchignore', 'src/a/.codesearchignore']
 */
export function ancestorIgnoreFiles(paths: readonly string[]): string[] {
  const files = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/').slice(0, -1);
    files.add(ignoreFileOf(''));
    for (let depth = 1; depth <= segments.length; depth++)
      files.add(ignoreFileOf(segments.slice(0, depth).join('/')));
  }
  return [...files];
}

/**
 * Ignore decisions for the paths of one commit, given the text of the ignore file of each directory that
 * has one. Texts of directories that local discovery would never enter (an ignored directory, or one below
 * it) are never consulted, as locally.
 *
 * Built-in excluded directories (`node_modules`, …) are not this class's business: the path rules skip them
 * first, as the walk never enters them.
 *
 * @example
 * const rules = new TreeIgnoreRules(new Map([['', 'docs/\n'], ['src', '*.snap\n']]));
 * rules.isIgnored('docs/a.ts'); // true
 * rules.isIgnored('src/x/y.snap'); // true
 * rules.isIgnored('src/x/y.ts'); // false
 */
export class TreeIgnoreRules {
  static readonly NONE = new TreeIgnoreRules(new Map());

  readonly #texts: ReadonlyMap<string, string>;
  /** Rules in force inside each directory looked at so far; `null` for a directory discovery never enters. */
  readonly #inside = new Map<string, IgnoreRules | null>();
  readonly #notices: IgnoreNotice[] = [];

  /** @param texts - ignore file text by directory ('' for the root). */
  constructor(texts: ReadonlyMap<string, string>) {
    this.#texts = texts;
  }

  /** Lines of the ignore files consulted so far that are not applied (over a limit), with the reason. */
  get notices(): readonly IgnoreNotice[] {
    return this.#notices;
  }

  /** Whether the file at `path` is ignored, by its own rules or because a directory above it is. */
  isIgnored(path: string): boolean {
    if (this.#texts.size === 0) return false;
    const rules = this.#rulesInside(directoryOf(path));
    return rules === null || rules.isIgnored(path, false);
  }

  /** Whether local discovery would enter `directory` (and so read the ignore file there). */
  isWalked(directory: string): boolean {
    return this.#texts.size === 0 || this.#rulesInside(directory) !== null;
  }

  #rulesInside(directory: string): IgnoreRules | null {
    const known = this.#inside.get(directory);
    if (known !== undefined) return known;
    let rules: IgnoreRules | null;
    if (directory === '') rules = this.#withOwnFile(IgnoreRules.NONE, '');
    else {
      const parent = this.#rulesInside(directoryOf(directory));
      rules =
        parent === null || parent.isIgnored(directory, true) ? null : this.#withOwnFile(parent, directory);
    }
    this.#inside.set(directory, rules);
    return rules;
  }

  #withOwnFile(rules: IgnoreRules, directory: string): IgnoreRules {
    const text = this.#texts.get(directory);
    if (text === undefined) return rules;
    return rules.withPatterns(directory, [{ path: ignoreFileOf(directory), text }], (notice) =>
      this.#notices.push(notice),
    );
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
