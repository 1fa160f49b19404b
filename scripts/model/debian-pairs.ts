/**
 * (description → code) pairs from the unpacked Debian packages (`debian/`): every documented definition of
 * every source file (`doc-comments.ts`), its code side the definition's first lines with all doc comments
 * blanked — the window search compares a question with — under the path a user would see.
 *
 * Optionally also comments inside code with the lines below them, and tests' descriptions with the function
 * each tests (`test-descriptions.ts`).
 *
 * Left out: held-out projects' vendored copies (`debian/reserve.ts`), tests' comments (they describe tests),
 * generated files, files over 1 MB, byte-identical files (a package often ships a copy of another), queries
 * seen before (the same comment on a copied function), templated comments (three or more of a package's
 * queries the same once names are masked), and pairs over a package's cap, sampled with a seed.
 * Validation packages keep every file (tests too: search must rank the code above them), whole and stripped,
 * for the chunker.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { queryShape } from './benchmark-pairs.ts';
import type { FamilyName } from './debian/families.ts';
import { heldOutPath } from './debian/reserve.ts';
import type { UnpackedPackage } from './debian/training-tree.ts';
import { type DocLanguage, docLanguageOf, documentedFile, inlineComments } from './doc-comments.ts';
import { mulberry32, seededSample } from './random.ts';
import {
  functionDefinitions,
  nameKey,
  type TestDescription,
  testDescriptions,
  testedFunction,
  testedName,
  testFunctions,
} from './test-descriptions.ts';

/**
 * Lines of a definition the code side holds by default, as search's windows (`windowLines` in
 * codesearch-model.json; training passes its own setting).
 */
export const PAIR_WINDOW_LINES = 12;
const MAX_FILE_BYTES = 1_000_000;
/** One package's share: large projects (a cloud SDK, a compiler) would otherwise speak for everyone. */
export const MAX_PAIRS_PER_PACKAGE = 1500;
/** Pairs from comments inside code, per package (on top of the doc comments' cap). */
export const MAX_INLINE_PAIRS_PER_PACKAGE = 600;

/** Test files and directories, by the conventions of each language. */
export const TEST_PATH =
  /(?:^|\/)(?:tests?|spec|specs|__tests__|testdata|testing|fixtures?|examples?|benches|benchmarks?)\/|_test\.(?:go|py|rb)$|(?:^|\/)test_[^/]*\.py$|_spec\.rb$|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|\/)conftest\.py$/;

export interface WindowPair {
  readonly query: string;
  /** `path\nlines`: what the model embeds for the code. */
  readonly text: string;
  /** Index into {@link DebianPairs.packages}. */
  readonly pkg: number;
  /**
   * A definition's doc comment, a comment inside code with the lines below it, or a test's description with
   * the function it tests.
   */
  readonly kind: 'doc' | 'inline' | 'test';
}

export interface ValidationFile {
  readonly pkg: number;
  readonly path: string;
  readonly language: DocLanguage;
  /** The file with its doc comments blanked. */
  readonly stripped: string;
  /** Queries and the lines that answer them (test files: "tests for …" queries answered by a test). */
  readonly definitions: { readonly query: string; readonly line: number }[];
}

export interface DebianPackageCounts {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly family: string;
  readonly upstream?: string;
  readonly split: 'train' | 'validation';
  files: number;
  pairs: number;
  readonly languages: Record<string, number>;
}

export interface DebianPairs {
  readonly packages: DebianPackageCounts[];
  readonly train: WindowPair[];
  readonly validationFiles: ValidationFile[];
  readonly skipped: Record<string, number>;
}

const ASK_FOR_TEST = ['tests for', 'the unit test that checks', 'test cases covering'];

/**
 * Adds to validation, for each test named after a documented function of its package, the question a user
 * asks for that test: "tests for <what the function does>". At most five per package.
 */
function addTestQueries(
  tests: readonly { file: ValidationFile; name: string; line: number }[],
  documented: ReadonlyMap<string, string>,
): number {
  let added = 0;
  const byName = new Map<string, string>();
  for (const [name, query] of documented) byName.set(name.replace(/_/g, ''), query);
  for (const test of tests) {
    if (added >= 5) break;
    const tested = testedName(test.name);
    const query = documented.get(tested) ?? byName.get(tested.replace(/_/g, ''));
    if (!query) continue;
    const ask = ASK_FOR_TEST[added % ASK_FOR_TEST.length] as string;
    test.file.definitions.push({
      query: `${ask} ${query.charAt(0).toLowerCase()}${query.slice(1)}`,
      line: test.line,
    });
    added++;
  }
  return added;
}

/** Where a file shows up in its repository: the package's own prefix (import path, crate directory) dropped. */
export function repositoryPath(family: FamilyName, path: string): string {
  const parts = path.split('/');
  switch (family) {
    case 'go': {
      const host = parts[0] ?? '';
      const depth =
        /^(?:github\.com|gitlab\.com|bitbucket\.org|golang\.org|go\.googlesource\.com|git\.sr\.ht|codeberg\.org)$/.test(
          host,
        )
          ? 3
          : 2;
      return parts.length > depth ? parts.slice(depth).join('/') : (parts.at(-1) ?? path);
    }
    case 'rust':
    case 'node':
      return parts.length > 1 ? parts.slice(1).join('/') : path;
    default:
      return path;
  }
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      // Symbolic links are never followed: a package may link to files of another (or of the host).
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  await walk(root);
  return out;
}

/**
 * A package's (test description → tested function's window) pairs, at most `cap`, sampled with `random`:
 * each description linked by name to the one function it tests, whose file is read again (doc comments
 * blanked, as for every code side) only when a pair needs it.
 */
async function testPairs(
  described: readonly TestDescription[],
  defined: ReadonlyMap<string, { count: number; definition: { full: string; shown: string; line: number } }>,
  cap: number,
  random: () => number,
  seenQueries: Set<string>,
  windowLines: number,
): Promise<{ query: string; text: string }[]> {
  const linked: { query: string; definition: { full: string; shown: string; line: number } }[] = [];
  for (const d of described) {
    const definition = testedFunction(d, defined);
    const key = d.query.toLowerCase();
    if (!definition || seenQueries.has(key)) continue;
    seenQueries.add(key);
    linked.push({ query: d.query, definition });
  }
  const chosen = linked.length > cap ? seededSample(linked, cap, random) : linked;
  const strippedOf = new Map<string, string[]>();
  const out: { query: string; text: string }[] = [];
  for (const { query, definition } of chosen) {
    let lines = strippedOf.get(definition.full);
    if (!lines) {
      const language = docLanguageOf(definition.full) as DocLanguage;
      lines = documentedFile(await readFile(definition.full, 'utf8'), language).stripped.split('\n');
      strippedOf.set(definition.full, lines);
    }
    const window = lines.slice(definition.line - 1, definition.line - 1 + windowLines).join('\n');
    out.push({ query, text: `${definition.shown}\n${window}` });
  }
  return out;
}

/** Pairs of every package, validation packages first (their queries win over a training copy). */
export async function buildDebianPairs(
  unpacked: readonly UnpackedPackage[],
  options: {
    seed?: number;
    maxPairsPerPackage?: number;
    /** Also pair comments inside code with the lines they explain (0: none). */
    maxInlinePairsPerPackage?: number;
    /** Also pair tests' descriptions with the functions they test (0: none; `test-descriptions.ts`). */
    maxTestPairsPerPackage?: number;
    /** Lines of code each pair's code side holds. */
    windowLines?: number;
    log?: (line: string) => void;
  } = {},
): Promise<DebianPairs> {
  const ordered = [
    ...unpacked.filter((u) => u.pkg.split === 'validation'),
    ...unpacked.filter((u) => u.pkg.split === 'train'),
  ];
  const cap = options.maxPairsPerPackage ?? MAX_PAIRS_PER_PACKAGE;
  const inlineCap = options.maxInlinePairsPerPackage ?? MAX_INLINE_PAIRS_PER_PACKAGE;
  const testCap = options.maxTestPairsPerPackage ?? 0;
  const windowLines = options.windowLines ?? PAIR_WINDOW_LINES;
  const random = mulberry32(options.seed ?? 1);
  const seenFiles = new Set<string>();
  const seenQueries = new Set<string>();
  const skipped: Record<string, number> = {};
  const skip = (why: string) => {
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const packages: DebianPackageCounts[] = [];
  const train: WindowPair[] = [];
  const validationFiles: ValidationFile[] = [];
  for (const [index, { pkg, roots }] of ordered.entries()) {
    const counts: DebianPackageCounts = {
      name: pkg.package,
      version: pkg.version,
      license: pkg.license,
      family: pkg.family,
      ...(pkg.upstream ? { upstream: pkg.upstream } : {}),
      split: pkg.split,
      files: 0,
      pairs: 0,
      languages: {},
    };
    packages.push(counts);
    const candidates: { query: string; text: string; shape: string }[] = [];
    // Validation: documented names, and test functions that may test them (for "tests for …" queries).
    const documentedNames = new Map<string, string>();
    const tests: { file: ValidationFile; name: string; line: number }[] = [];
    const inline: { query: string; text: string }[] = [];
    // Training: what the package's tests say, and where each function name is defined (key → count, place).
    const described: TestDescription[] = [];
    const defined = new Map<
      string,
      { count: number; definition: { full: string; shown: string; line: number } }
    >();
    for (const root of roots) {
      for (const full of await listFiles(root)) {
        const path = relative(root, full).split('\\').join('/');
        const language = docLanguageOf(path);
        if (!language) continue;
        if (heldOutPath(path)) {
          skip('possible vendored copy of a held-out project');
          continue;
        }
        const shown = repositoryPath(pkg.family as FamilyName, path);
        const isTest = TEST_PATH.test(shown);
        // Validation keeps tests as candidates (search must rank the code above them); training skips them.
        if (isTest && pkg.split === 'train' && testCap === 0) {
          skip('test, example or fixture');
          continue;
        }
        if ((await stat(full)).size > MAX_FILE_BYTES) {
          skip('over 1 MB');
          continue;
        }
        const text = await readFile(full, 'utf8');
        const digest = createHash('sha256').update(text).digest('hex');
        if (seenFiles.has(digest)) {
          skip('identical to a file read before');
          continue;
        }
        seenFiles.add(digest);
        if (isTest && pkg.split === 'train') {
          described.push(...testDescriptions(text, language));
          continue;
        }
        if (testCap > 0 && pkg.split === 'train') {
          for (const d of functionDefinitions(text, language)) {
            const key = nameKey(d.name);
            const known = defined.get(key);
            if (known) known.count++;
            else defined.set(key, { count: 1, definition: { full, shown, line: d.line } });
          }
        }
        const documented = documentedFile(text, language);
        const definitions = isTest ? [] : documented.definitions;
        const stripped = documented.stripped;
        const isNew = (query: string) => {
          const key = query.toLowerCase();
          if (seenQueries.has(key)) return false;
          seenQueries.add(key);
          return true;
        };
        const fresh = definitions.filter((d) => isNew(d.query));
        if (inlineCap > 0 && pkg.split === 'train') {
          const lines = stripped.split('\n');
          for (const c of inlineComments(text, language)) {
            if (!isNew(c.query)) continue;
            const window = lines
              .slice(c.line - 1, c.line - 1 + windowLines)
              .map((line, k) => (c.line + k <= c.endLine ? '' : line));
            inline.push({ query: c.query, text: `${shown}\n${window.join('\n')}` });
          }
        }
        if (pkg.split === 'validation') {
          const file: ValidationFile = {
            pkg: index,
            path: shown,
            language,
            stripped,
            definitions: fresh.map((d) => ({ query: d.query, line: d.line })),
          };
          validationFiles.push(file);
          for (const d of fresh) documentedNames.set(d.name.toLowerCase(), d.query);
          if (isTest) for (const t of testFunctions(text, language)) tests.push({ file, ...t });
          counts.files++;
          counts.pairs += fresh.length;
          counts.languages[language] = (counts.languages[language] ?? 0) + fresh.length;
          continue;
        }
        if (fresh.length === 0) continue;
        counts.files++;
        counts.languages[language] = (counts.languages[language] ?? 0) + fresh.length;
        const lines = stripped.split('\n');
        for (const d of fresh) {
          const window = lines.slice(d.line - 1, d.line - 1 + windowLines).join('\n');
          candidates.push({
            query: d.query,
            text: `${shown}\n${window}`,
            shape: queryShape(d.query, d.decl),
          });
        }
      }
    }
    if (pkg.split === 'validation') {
      counts.pairs += addTestQueries(tests, documentedNames);
      continue;
    }
    const shapes = new Map<string, number>();
    for (const c of candidates) shapes.set(c.shape, (shapes.get(c.shape) ?? 0) + 1);
    let kept = candidates.filter((c) => (shapes.get(c.shape) ?? 0) < 3);
    if (kept.length < candidates.length)
      skipped['templated comment'] = (skipped['templated comment'] ?? 0) + candidates.length - kept.length;
    if (kept.length > cap) {
      skipped['over the package cap'] = (skipped['over the package cap'] ?? 0) + kept.length - cap;
      kept = seededSample(kept, cap, random);
    }
    const inlineKept = inline.length > inlineCap ? seededSample(inline, inlineCap, random) : inline;
    const tested =
      testCap > 0 ? await testPairs(described, defined, testCap, random, seenQueries, windowLines) : [];
    counts.pairs = kept.length + inlineKept.length + tested.length;
    for (const c of kept) train.push({ query: c.query, text: c.text, pkg: index, kind: 'doc' });
    for (const c of inlineKept) train.push({ query: c.query, text: c.text, pkg: index, kind: 'inline' });
    for (const c of tested) train.push({ query: c.query, text: c.text, pkg: index, kind: 'test' });
    if (index % 500 === 499)
      options.log?.(`pairs: ${index + 1} of ${ordered.length} packages, ${train.length} pairs`);
  }
  return { packages, train, validationFiles, skipped };
}
