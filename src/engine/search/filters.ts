/**
 * Search filters as typed, validated values. Validation happens here, in the engine, before any value can
 * reach a store; the LanceDB adapter then escapes every value again when it writes SQL (defence in depth:
 * LanceDB filters are SQL text with no bound parameters).
 */
import { InvalidFilterError } from '../errors.ts';
import { isLanguage, LANGUAGES, type Language } from '../languages.ts';
import type { RepoAccess } from './repo-access.ts';

export interface SearchFilter {
  /** Only these repositories (empty or absent: all). */
  readonly repos?: readonly string[];
  /**
   * Which branch of them: absent, each repository's default branch (its plain name in the index); a name,
   * that branch's index (`owner/name@branch`), where one was built.
   */
  readonly branch?: string;
  readonly language?: Language;
  /** A path prefix (`src/api/`) or a glob (`src/**\/*.ts`). */
  readonly path?: PathFilter;
  /** Only chunks that define this symbol (exact name, e.g. `retryFailedUpload` or `UploadQueue.enqueue`). */
  readonly symbol?: string;
  /**
   * The repositories the caller may read. Applied in the store's query together with `repos`, so results
   * outside the grant cannot come back. Absent: no restriction (local, unauthenticated use).
   */
  readonly access?: RepoAccess;
}

export type PathFilter =
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'glob'; readonly glob: string };

/** Repository names look like `name` or `owner/name` (GitHub's rules, a little looser on length). */
const REPO_NAME = /^[A-Za-z0-9_.-]{1,100}(\/[A-Za-z0-9_.-]{1,100})?$/;

/**
 * The one spelling of a repository name everywhere — grants, requests, the registry, index state, stored
 * chunks: lower case. GitHub treats owner and repository names case-insensitively (`Acme/API` and
 * `acme/api` are one repository), so any other spelling is the same repository, and a name compared in one
 * spelling at one boundary and another spelling at the next is how a grant for `CODERTOCAT/*` once
 * re-indexed `Codertocat/Hello-World`. A branch (`owner/name@Branch`) keeps its case: git's branch names
 * are case-sensitive.
 *
 * @example
 * canonicalRepoName('Codertocat/Hello-World@Main') // 'codertocat/hello-world@Main'
 */
export function canonicalRepoName(name: string): string {
  const at = name.indexOf('@');
  return at === -1 ? name.toLowerCase() : `${name.slice(0, at).toLowerCase()}${name.slice(at)}`;
}
/**
 * Branch names a request may name: git's rules (`git check-ref-format --branch`), kept to the characters
 * branch names use in practice — letters, digits, `.`, `_`, `-`, `+` and `/` between parts; never a
 * leading `-` (git refuses it: it would read as an option).
 */
const BRANCH_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*(\/[A-Za-z0-9_+-][A-Za-z0-9._+-]*)*$/;
const MAX_BRANCH = 200;

/** A branch name, validated (its case kept: git's branch names are case-sensitive). */
export function validateBranchName(branch: string, field = 'branch'): string {
  if (
    branch.length > MAX_BRANCH ||
    !BRANCH_NAME.test(branch) ||
    branch.includes('..') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock')
  ) {
    throw new InvalidFilterError(`${field}: "${printable(branch)}" is not a branch name`, [
      { path: field, message: 'expected a git branch name (letters, digits, ".", "_", "-", "+", "/")' },
    ]);
  }
  return branch;
}

/**
 * The index a repository's branch is stored under: its name for the default branch (no `branch`), else
 * `name@branch` — as the push pipeline names them.
 */
export function indexNameOf(repo: string, branch?: string): string {
  const name = canonicalRepoName(repo);
  return branch === undefined ? name : `${name}@${branch}`;
}

/** An index name's repository and branch (null: the default branch's index). */
export function splitIndexName(index: string): { readonly repo: string; readonly branch: string | null } {
  const at = index.indexOf('@');
  return at === -1
    ? { repo: index, branch: null }
    : { repo: index.slice(0, at), branch: index.slice(at + 1) };
}

const MAX_REPOS = 100;
const MAX_PATH_FILTER = 512;
/** Characters a path filter may hold: everything printable but quotes, backslash and control characters. */
const PATH_FILTER_CHARS = /^[^\u0000-\u001f\u007f'"\\`]+$/;
const GLOB_CHARS = /[*?[\]{}]/;

/** A repository name, validated, in its canonical (lower-case) spelling. */
export function validateRepoName(repo: string, field = 'repo'): string {
  if (!REPO_NAME.test(repo) || repo.split('/').some((part) => part === '.' || part === '..')) {
    throw new InvalidFilterError(
      `${field}: "${printable(repo)}" is not a repository name (expected name or owner/name)`,
      [{ path: field, message: 'expected name or owner/name using letters, digits, "-", "_" and "."' }],
    );
  }
  return canonicalRepoName(repo);
}

export function validateRepos(repos: readonly string[], field = 'repo'): string[] {
  if (repos.length > MAX_REPOS) {
    throw new InvalidFilterError(`${field}: at most ${MAX_REPOS} repositories per search`, [
      { path: field, message: `at most ${MAX_REPOS} repositories` },
    ]);
  }
  return [...new Set(repos.map((repo, i) => validateRepoName(repo, `${field}[${i}]`)))];
}

const MAX_SYMBOL = 200;
/** Symbol names: printable, no quotes, backslash or backtick (C++ operators and `a::b` forms are fine). */
const SYMBOL_CHARS = /^[^\u0000-\u001f\u007f'"\\`]+$/;

export function validateSymbolName(symbol: string, field = 'symbol'): string {
  const trimmed = symbol.trim();
  // Characters are checked before trimming: a control character is refused wherever it sits.
  if (trimmed.length === 0 || trimmed.length > MAX_SYMBOL || !SYMBOL_CHARS.test(symbol)) {
    throw new InvalidFilterError(
      `${field}: expected a symbol name of 1-${MAX_SYMBOL} printable characters without quotes or backslashes`,
      [{ path: field, message: 'invalid symbol name' }],
    );
  }
  return trimmed;
}

const MAX_FILE_PATH = 1024;
/** A file path as stored in the index: POSIX, relative, printable (quotes are escaped later, not refused). */
const FILE_PATH_CHARS = /^[^\u0000-\u001f\u007f\\]+$/;

export function validateFilePath(path: string, field = 'path'): string {
  const normalised = path.replace(/^\.\//, '');
  if (
    normalised.length === 0 ||
    normalised.length > MAX_FILE_PATH ||
    normalised.startsWith('/') ||
    !FILE_PATH_CHARS.test(normalised) ||
    normalised.split('/').some((part) => part === '..')
  ) {
    throw new InvalidFilterError(
      `${field}: expected a relative file path of 1-${MAX_FILE_PATH} printable characters`,
      [{ path: field, message: 'invalid file path' }],
    );
  }
  return normalised;
}

export function validateLanguage(language: string, field = 'language'): Language {
  if (!isLanguage(language)) {
    throw new InvalidFilterError(`${field}: unknown language "${printable(language)}"`, [
      { path: field, message: `expected one of: ${LANGUAGES.join(', ')}` },
    ]);
  }
  return language;
}

/** A value without glob characters is a path prefix; otherwise a glob (`*`, `**`, `?`, `[...]`, `{a,b}`). */
export function parsePathFilter(value: string, field = 'path'): PathFilter {
  const trimmed = value.trim().replace(/^\.\//, '');
  // Characters are checked before trimming: a control character is refused wherever it sits.
  if (trimmed.length === 0 || trimmed.length > MAX_PATH_FILTER || !PATH_FILTER_CHARS.test(value)) {
    throw new InvalidFilterError(
      `${field}: expected a path prefix or glob of 1-${MAX_PATH_FILTER} printable characters without quotes or backslashes`,
      [{ path: field, message: 'invalid path filter' }],
    );
  }
  if (!GLOB_CHARS.test(trimmed)) return { kind: 'prefix', prefix: trimmed.replace(/^\/+/, '') };
  globToRegExpSource(trimmed, field); // validates brackets and braces
  return { kind: 'glob', glob: trimmed.replace(/^\/+/, '') };
}

/** Braces nest at most this deep: real globs need two or three levels; LanceDB fails past 250 groups. */
export const MAX_GLOB_BRACE_DEPTH = 10;

/**
 * Translates a glob into an anchored regular expression in the syntax shared by JavaScript and Rust's
 * `regex` crate (which LanceDB's `regexp_like` uses): no look-around, no back-references.
 * `**` crosses directories, `*` and `?` do not; `{a,b}` alternates; `[...]` is a character class.
 *
 * Everything the store's regex engine would refuse is refused here first, as an `InvalidFilterError` (a 400)
 * naming the problem — a reversed range (`[z-a]`), braces nested too deep — because inside the query it is an
 * internal error. Character classes are re-written item by item rather than copied, so that no class
 * reaches Rust's class syntax with a meaning of its own there (`--` is set difference in Rust).
 */
export function globToRegExpSource(glob: string, field = 'path'): string {
  let out = '^';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        out += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw invalidGlob(field, 'unclosed "["');
      out += characterClass(glob.slice(i + 1, end), field);
      i = end;
    } else if (ch === '{') {
      braceDepth++;
      if (braceDepth > MAX_GLOB_BRACE_DEPTH)
        throw invalidGlob(field, `braces nested deeper than ${MAX_GLOB_BRACE_DEPTH} levels`);
      out += '(?:';
    } else if (ch === '}') {
      if (braceDepth === 0) throw invalidGlob(field, 'unbalanced "}"');
      braceDepth--;
      out += ')';
    } else if (ch === ',' && braceDepth > 0) {
      out += '|';
    } else if (ch === ']') {
      throw invalidGlob(field, 'unbalanced "]"');
    } else {
      out += literalRegexChar(ch);
    }
  }
  if (braceDepth !== 0) throw invalidGlob(field, 'unclosed "{"');
  const source = `${out}$`;
  try {
    new RegExp(source, 'u');
  } catch {
    throw invalidGlob(field, 'it does not translate to a valid pattern');
  }
  return source;
}

/** The characters a class may hold; `-` between two of them makes a range. */
const CLASS_CHAR = /^[A-Za-z0-9_./-]$/;

/**
 * A class body (`a-z0-9_`, `!abc`) as a regular-expression class: each member checked, each range checked
 * to run upwards, every `-` that is a member escaped.
 */
function characterClass(body: string, field: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  const members = negated ? body.slice(1) : body;
  if (members.length === 0) throw invalidGlob(field, 'empty character class');
  const items: string[] = [];
  for (let i = 0; i < members.length; i++) {
    const low = members[i] as string;
    if (!CLASS_CHAR.test(low))
      throw invalidGlob(field, 'character classes may hold letters, digits, "_", ".", "/", "-" and ranges');
    const high = members[i + 2];
    if (members[i + 1] === '-' && high !== undefined) {
      if (!CLASS_CHAR.test(high))
        throw invalidGlob(field, 'character classes may hold letters, digits, "_", ".", "/", "-" and ranges');
      if (high.charCodeAt(0) < low.charCodeAt(0))
        throw invalidGlob(field, `the range "${low}-${high}" runs backwards`);
      items.push(`${classChar(low)}-${classChar(high)}`);
      i += 2;
    } else {
      items.push(classChar(low));
    }
  }
  return `[${negated ? '^' : ''}${items.join('')}]`;
}

/** A class member: `-` escaped (both engines accept `\-` in a class), the rest as it is. */
function classChar(ch: string): string {
  return ch === '-' ? '\\-' : ch;
}

/**
 * One literal character, written so that JavaScript and Rust's regex read it the same way: the six metas both
 * engines let you escape get a backslash; other punctuation sits alone in a character class (Rust rejects
 * some needless escapes, e.g. `\@`).
 */
function literalRegexChar(ch: string): string {
  if (/[\p{L}\p{N}_/ -]/u.test(ch)) return ch;
  if (/[.+()|^$]/.test(ch)) return `\\${ch}`;
  return `[${ch}]`;
}

function invalidGlob(field: string, why: string): InvalidFilterError {
  return new InvalidFilterError(`${field}: invalid glob (${why})`, [{ path: field, message: why }]);
}

function printable(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return shown.replace(/[\u0000-\u001f\u007f]/g, '?');
}
