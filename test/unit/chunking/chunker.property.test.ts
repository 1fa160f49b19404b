/**
 * Property tests: for random programs in every supported language, in a language without a grammar, and
 * for garbage, the chunks cover every non-blank line, match the file's text, stay under the cap, and are
 * deterministic with unique ids. Each property runs under three option sets, from the defaults down to
 * caps so small that nearly every node must be split and long lines cut into pieces.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  type Chunker,
  type ChunkerOptions,
  createChunker,
  SYNTAX_LANGUAGES,
} from '#engine/chunking/index.ts';
import type { Language } from '#engine/languages.ts';
import { expectChunkInvariants } from './chunk-invariants.ts';
import { garbageFile, programIn } from './snippet-programs.ts';

const OPTION_SETS: Readonly<Record<string, ChunkerOptions>> = {
  defaults: {},
  small: { maxTokens: 60, minTokens: 15, windowLines: 12, overlapLines: 4 },
  tiny: { maxTokens: 6, minTokens: 0, windowLines: 3, overlapLines: 1 },
};

const chunkers = new Map<string, { chunker: Chunker; maxTokens: number }>();

beforeAll(async () => {
  for (const [name, options] of Object.entries(OPTION_SETS)) {
    chunkers.set(name, { chunker: await createChunker(options), maxTokens: options.maxTokens ?? 400 });
  }
});

afterAll(() => {
  for (const { chunker } of chunkers.values()) chunker.close();
});

function checkFile(optionSet: string, language: Language, text: string): void {
  const entry = chunkers.get(optionSet);
  if (!entry) throw new Error(`no chunker for ${optionSet}`);
  const file = { repo: 'acme/app', path: `src/file-under-test.${language}`, language, text };
  const chunks = entry.chunker.chunk(file);
  expectChunkInvariants({ ...file, chunks, maxTokens: entry.maxTokens });
  // Deterministic: the same input gives the same chunks, ids included.
  const again = entry.chunker.chunk(file);
  if (JSON.stringify(again) !== JSON.stringify(chunks))
    throw new Error('chunking the same file twice differed');
}

const LANGUAGES_UNDER_TEST: readonly Language[] = [...SYNTAX_LANGUAGES, 'kotlin', 'markdown'];

describe.each(Object.keys(OPTION_SETS))('chunk invariants with %s options', (optionSet) => {
  it.each(LANGUAGES_UNDER_TEST)('hold for random %s programs', (language) => {
    fc.assert(
      fc.property(programIn(language), (text) => checkFile(optionSet, language, text)),
      { numRuns: optionSet === 'defaults' ? 100 : 60 },
    );
  });

  it.each([...SYNTAX_LANGUAGES, 'text'] as const)('hold for garbage labelled %s', (language) => {
    fc.assert(
      fc.property(garbageFile, (text) => checkFile(optionSet, language, text)),
      { numRuns: 30 },
    );
  });

  it('hold for arbitrary strings, including lone surrogates and odd line breaks', () => {
    const odd = fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', '{', '}', '\u2028', '\ud83d', '\ude00', 'é'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(odd, fc.constantFrom<Language>('typescript', 'python', 'text'), (text, language) =>
        checkFile(optionSet, language, text),
      ),
      { numRuns: 300 },
    );
  });
});
