/**
 * The chunk invariants on real code: the fixtures, a deterministic sample of the JavaScript and TypeScript
 * in node_modules (hand-written sources, bundles, declaration files, minified builds), and Python from the
 * system's standard library where the machine has one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chunker, createChunker } from '#engine/chunking/index.ts';
import { EXTENSION_LANGUAGE, type Language } from '#engine/languages.ts';
import { expectChunkInvariants } from './chunk-invariants.ts';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/chunking');
/** Files larger than this are what discovery skips; they would only slow the test down. */
const MAX_FILE_BYTES = 1_000_000;

/** Every file under `dir` with one of `extensions`, sorted, so samples are the same on every run. */
function listFiles(dir: string, extensions: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    let names: string[];
    try {
      names = readdirSync(current).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(current, name);
      const stats = statSync(path, { throwIfNoEntry: false });
      if (stats?.isDirectory()) walk(path);
      else if (stats?.isFile() && stats.size <= MAX_FILE_BYTES && extensions.has(extname(name)))
        found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Every `step`-th file, at most `limit`. */
function sample(files: readonly string[], limit: number): string[] {
  const step = Math.max(1, Math.floor(files.length / limit));
  return files.filter((_, i) => i % step === 0).slice(0, limit);
}

function languageOf(path: string): Language {
  return EXTENSION_LANGUAGE[extname(path)] ?? 'text';
}

const fixtureFiles = readdirSync(FIXTURES).map((name) => join(FIXTURES, name));
const nodeModuleFiles = sample(
  listFiles(join(ROOT, 'node_modules'), new Set(['.ts', '.mts', '.js', '.mjs', '.cjs'])),
  400,
);
/** The newest `/usr/lib/python3.N` standard library, if the machine has one (the test then has no files). */
function pythonStandardLibrary(): string | undefined {
  const versions = (existsSync('/usr/lib') ? readdirSync('/usr/lib') : []).filter((name) =>
    /^python3\.\d+$/.test(name),
  );
  const newest = versions.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1);
  return newest ? join('/usr/lib', newest) : undefined;
}

const pythonDirectory = pythonStandardLibrary();
const pythonFiles = pythonDirectory ? sample(listFiles(pythonDirectory, new Set(['.py'])), 80) : [];

let chunker: Chunker;
let smallChunker: Chunker;

beforeAll(async () => {
  chunker = await createChunker();
  smallChunker = await createChunker({ maxTokens: 80, minTokens: 20 });
});

afterAll(() => {
  chunker.close();
  smallChunker.close();
});

function checkRealFile(path: string): void {
  const text = readFileSync(path, 'utf8');
  const file = { repo: 'real', path: relative(ROOT, path), language: languageOf(path), text };
  expectChunkInvariants({ ...file, chunks: chunker.chunk(file), maxTokens: 400 });
  expectChunkInvariants({ ...file, chunks: smallChunker.chunk(file), maxTokens: 80 });
}

describe('chunk invariants on real files', () => {
  it('hold for every fixture', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(14);
    for (const path of fixtureFiles) checkRealFile(path);
  });

  it('hold for a sample of the JavaScript and TypeScript in node_modules', () => {
    expect(nodeModuleFiles.length).toBeGreaterThan(100);
    for (const path of nodeModuleFiles) checkRealFile(path);
  });

  it('hold for a sample of the Python standard library, where installed', () => {
    for (const path of pythonFiles) checkRealFile(path);
  });
});
