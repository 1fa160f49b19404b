/**
 * The pure and nearly pure parts of `.codesearchignore` in push-driven indexing: which ignore files a sync
 * reads (and how many requests that costs), what a sync plans with the rules, and what a push reads.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_SETTINGS } from '../../../src/engine/pipeline/pipeline-deps.ts';
import type { SourceHost, TreeFile } from '../../../src/engine/pipeline/ports.ts';
import { readRecordedIgnore, readTreeIgnore } from '../../../src/engine/pipeline/read-ignore-files.ts';
import { planSync } from '../../../src/engine/pipeline/sync-job.ts';
import type { FileRecord } from '../../../src/engine/types.ts';

const MAX = DEFAULT_PIPELINE_SETTINGS.maxFileBytes;

/** A tree listing of `files` (path → text) whose blob ids name the text, and a host that serves those blobs. */
function hosted(files: Readonly<Record<string, string>>): {
  tree: TreeFile[];
  source: SourceHost;
  blobReads: string[];
} {
  const blobs = new Map<string, string>();
  const tree = Object.entries(files).map(([path, text], i) => {
    const sha = i.toString(16).padStart(40, '0');
    blobs.set(sha, text);
    return { path, sha, size: Buffer.byteLength(text), kind: 'file' as const };
  });
  const blobReads: string[] = [];
  const unexpected = () => Promise.reject(new Error('not expected in this test'));
  const source: SourceHost = {
    describeRepo: unexpected,
    resolveCommit: unexpected,
    listTree: unexpected,
    readFile: unexpected,
    async readBlob(_repo, sha) {
      const text = blobs.get(sha);
      if (text === undefined) throw new Error(`no blob ${sha}`);
      blobReads.push(tree.find((file) => file.sha === sha)?.path ?? sha);
      return new TextEncoder().encode(text);
    },
  };
  return { tree, source, blobReads };
}

const record = (path: string, hash: string): FileRecord => ({
  path,
  hash,
  chunkCount: 1,
  indexedAt: '2026-11-21T12:00:00.000Z',
});

describe('readTreeIgnore', () => {
  it('reads one blob per ignore file in force, none below an ignored or excluded directory', async () => {
    // Given
    const { tree, source, blobReads } = hosted({
      '.codesearchignore': 'vendored/\n',
      'src/.codesearchignore': '*.snap\n',
      'src/a.ts': '1;\n',
      'vendored/.codesearchignore': '!*\n',
      'node_modules/dep/.codesearchignore': '!*\n',
      'src/deep/er/.codesearchignore': 'x.ts\n',
    });
    tree.push({ path: 'lib/.codesearchignore', sha: 'f'.repeat(40), size: 10, kind: 'symlink' });

    // When
    const { rules, files } = await readTreeIgnore(
      { source, settings: DEFAULT_PIPELINE_SETTINGS },
      'o/r',
      tree,
    );

    // Then
    expect(blobReads.sort()).toEqual([
      '.codesearchignore',
      'src/.codesearchignore',
      'src/deep/er/.codesearchignore',
    ]);
    expect(files.map((file) => file.path)).toEqual(blobReads);
    expect(rules.isIgnored('vendored/x.ts')).toBe(true);
    expect(rules.isIgnored('src/b.snap')).toBe(true);
    expect(rules.isIgnored('src/deep/er/x.ts')).toBe(true);
    expect(rules.isIgnored('src/a.ts')).toBe(false);
  });

  it('costs nothing in a tree without ignore files', async () => {
    const { tree, source, blobReads } = hosted({ 'a.ts': '1;\n', '.gitignore': '*.log\n' });
    const { rules, files } = await readTreeIgnore(
      { source, settings: DEFAULT_PIPELINE_SETTINGS },
      'o/r',
      tree,
    );
    expect(blobReads).toEqual([]);
    expect(files).toEqual([]);
    expect(rules.isIgnored('a.log')).toBe(false);
  });
});

describe('planSync with ignore rules', () => {
  it('neither fetches nor keeps ignored files, and deletes those on record', async () => {
    // Given: a tree with ignored files, one of them (old.snap) indexed before the rule existed
    const { tree, source } = hosted({
      '.codesearchignore': '*.snap\n.codesearchignore\n',
      'a.ts': '1;\n',
      'b.snap': 'x\n',
      'old.snap': 'x\n',
      'node_modules/x.snap': 'x\n',
    });
    const ignore = await readTreeIgnore({ source, settings: DEFAULT_PIPELINE_SETTINGS }, 'o/r', tree);
    const sha = (path: string) => tree.find((file) => file.path === path)?.sha as string;
    const recorded = new Map([['old.snap', record('old.snap', sha('old.snap'))]]);

    // When
    const plan = planSync(tree, recorded, MAX, ignore);

    // Then: the ignore file stays on record although it ignores itself; node_modules is excluded, not ignored
    expect(plan.toFetch.map((file) => file.path)).toEqual(['.codesearchignore', 'a.ts']);
    expect(plan.toDelete).toEqual(['old.snap']);
    expect(plan.ignored).toBe(2);
    expect(plan.indexable).toBe(2);
  });

  it('plans as before without ignore rules', () => {
    const { tree } = hosted({ 'a.ts': '1;\n', 'b.snap': 'x\n' });
    const plan = planSync(tree, new Map(), MAX);
    expect(plan.toFetch.map((file) => file.path)).toEqual(['a.ts', 'b.snap']);
    expect(plan.ignored).toBe(0);
  });
});

describe('readRecordedIgnore', () => {
  it('reads only the ignore files on record, by blob id', async () => {
    // Given: the root and src/ have ignore files on record; src/a/ has none
    const { tree, source, blobReads } = hosted({
      '.codesearchignore': '*.snap\n',
      'src/.codesearchignore': '!keep.snap\n',
    });
    const recorded = new Map(tree.map((file) => [file.path, record(file.path, file.sha)]));
    const candidates = ['.codesearchignore', 'src/.codesearchignore', 'src/a/.codesearchignore'];

    // When
    const { rules, reads } = await readRecordedIgnore(
      { source, settings: DEFAULT_PIPELINE_SETTINGS },
      'o/r',
      candidates,
      recorded,
    );

    // Then
    expect(reads).toBe(2);
    expect(blobReads.sort()).toEqual(['.codesearchignore', 'src/.codesearchignore']);
    expect(rules.isIgnored('src/a/x.snap')).toBe(true);
    expect(rules.isIgnored('src/a/keep.snap')).toBe(false);
  });

  it('reads nothing when no ignore file is on record', async () => {
    const { source, blobReads } = hosted({});
    const { rules, reads } = await readRecordedIgnore(
      { source, settings: DEFAULT_PIPELINE_SETTINGS },
      'o/r',
      ['.codesearchignore'],
      new Map(),
    );
    expect([reads, blobReads.length, rules.isIgnored('x.ts')]).toEqual([0, 0, false]);
  });
});
