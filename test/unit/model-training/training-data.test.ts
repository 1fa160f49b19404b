import { describe, expect, it } from 'vitest';
import { createChunker } from '#engine/chunking/index.ts';
import {
  chunkDocumentedFile,
  cleanDoc,
  documentedDefinitions,
  isUsableQuery,
  queryShape,
} from '../../../scripts/model/benchmark-pairs.ts';
import { displayPath } from '../../../scripts/model/training-data.ts';
import {
  ALLOWED_LICENSES,
  checkSources,
  EVALUATION_PACKAGES,
  PAIR_SOURCES,
  type PairSource,
} from '../../../scripts/model/training-sources.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;

const SOURCE = `import { sleep } from './sleep';

/**
 * Uploads a file, retrying with exponential backoff when the upload fails.
 * @param file - the file to send
 */
export async function uploadWithRetry(file, attempts = 5) {
  for (let i = 0; ; i++) {
    try {
      return await upload(file);
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(2 ** i * 100);
    }
  }
}

/** Short. */
export const tiny = 1;

/**
 * Parses one header line into a lower-cased name and its value.
 */
function parseHeader(line) {
  const colon = line.indexOf(':');
  return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
}
`;

describe('pairs in the benchmark’s shape', () => {
  it('finds documented definitions and blanks every doc comment without moving a line', () => {
    const { definitions, stripped } = documentedDefinitions(SOURCE);
    expect(definitions.map((d) => [d.query, d.line])).toEqual([
      ['Uploads a file, retrying with exponential backoff when the upload fails.', 7],
      ['Short.', 19],
      ['Parses one header line into a lower-cased name and its value.', 24],
    ]);
    expect(stripped.split('\n')).toHaveLength(SOURCE.split('\n').length);
    expect(stripped).not.toMatch(/Uploads|Parses|Short/);
    expect(stripped.split('\n')[6]).toBe(SOURCE.split('\n')[6]);
  });

  it('cleans doc comments as the benchmark does', () => {
    expect(cleanDoc(' Returns the {@link Schema} of `x`.\n More text.\n\n Second paragraph.')).toBe(
      'Returns the Schema of x. More text.',
    );
    expect(cleanDoc(' @summary Short form.\n @param x')).toBe('Short form.');
    expect(isUsableQuery('Short.')).toBe(false);
    expect(isUsableQuery('Deprecated: use the other one instead')).toBe(false);
    expect(isUsableQuery('Parses one header line')).toBe(true);
    // Templated comments look alike once the definition's names are masked.
    expect(queryShape('The addYears function options.', 'function addYears(date) {')).toBe(
      queryShape('The subMonths function options.', 'function subMonths(date) {'),
    );
  });

  it('maps each usable definition to the chunk the indexer would embed', async () => {
    // prepare
    const chunker = await createChunker({ languages: ['javascript'] });
    try {
      // act
      const file = chunkDocumentedFile(chunker, 'pkg/upload.js', SOURCE);
      // assess
      expect(file?.definitions.map((d) => d.query)).toEqual([
        'Uploads a file, retrying with exponential backoff when the upload fails.',
        'Parses one header line into a lower-cased name and its value.',
      ]);
      for (const d of file?.definitions ?? []) {
        const chunk = file?.chunks[d.chunk];
        expect(chunk?.startLine).toBeLessThanOrEqual(d.line);
        expect(chunk?.endLine).toBeGreaterThanOrEqual(d.line);
        expect(chunk?.text.startsWith('pkg/upload.js\n')).toBe(true);
        expect(chunk?.text).not.toContain('exponential backoff when');
      }
    } finally {
      chunker.close();
    }
  });

  it('shows paths as the package name plus the path inside its build folder', () => {
    expect(displayPath('mnemonist', 'lib/heap.js')).toBe('mnemonist/heap.js');
    expect(displayPath('@scope/x', 'dist/esm/a/b.js')).toBe('@scope/x/a/b.js');
    expect(displayPath('lodash', 'chunk.js')).toBe('lodash/chunk.js');
  });
});

describe('training sources', () => {
  it('are pinned, permissively licensed, split by package, and never an evaluation package', () => {
    expect(() => checkSources(repoRoot)).not.toThrow();
    const splits = new Map<string, Set<string>>();
    for (const s of PAIR_SOURCES) {
      expect(ALLOWED_LICENSES.has(s.license)).toBe(true);
      expect(EVALUATION_PACKAGES.has(s.name)).toBe(false);
      splits.set(s.name, (splits.get(s.name) ?? new Set()).add(s.split));
    }
    for (const [, set] of splits) expect(set.size).toBe(1);
    expect(PAIR_SOURCES.some((s) => s.split === 'validation')).toBe(true);
  });

  it('refuses an evaluation package, a licence outside the list, or a version that moved', () => {
    const base = PAIR_SOURCES.find((s) => s.name === 'semver') as PairSource;
    expect(() => checkSources(repoRoot, [{ ...base, name: 'picomatch' }])).toThrow(/evaluation package/);
    expect(() => checkSources(repoRoot, [{ ...base, license: 'GPL-3.0' }])).toThrow(/not allowed/);
    expect(() => checkSources(repoRoot, [{ ...base, version: '0.0.1' }])).toThrow(/expected semver@0\.0\.1/);
    expect(() => checkSources(repoRoot, [base, { ...base, split: 'validation' }])).toThrow(/both splits/);
  });
});
