import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR } from '#engine/embedding/onnx-embedder.ts';
import { createTokenEncoder, cutAtWhitespace } from '#engine/embedding/token-encoder.ts';
import { tinyTokenizerJson } from './helpers/tiny-model.ts';

const defaultTokenizerJson = JSON.parse(
  readFileSync(join(DEFAULT_MODEL_DIR, 'tokenizer.json'), 'utf8'),
) as object;
const defaultTokenizer = new Tokenizer(defaultTokenizerJson, {});
const CLS = 2;
const SEP = 3;

/** What truncation must produce: the untruncated encoding's first tokens, then [SEP]. */
function reference(text: string, maxTokens: number): number[] {
  const content = defaultTokenizer.encode(text, { add_special_tokens: false }).ids;
  return [CLS, ...content.slice(0, maxTokens - 2), SEP];
}

describe('createTokenEncoder', () => {
  it('adds the template specials and maps an empty text to [CLS] [SEP]', () => {
    const encoder = createTokenEncoder(tinyTokenizerJson(), {}, 16);
    expect(encoder.specialTokenCount).toBe(2);
    expect([...encoder.encode('')]).toEqual([CLS, SEP]);
    expect([...encoder.encode('Hello world')]).toEqual([CLS, 4, 5, SEP]);
    expect([...encoder.encode('hello zzz')]).toEqual([CLS, 4, 1, SEP]);
    expect(encoder.padId).toBe(0);
  });

  it('truncates to maxTokens and keeps the final [SEP]', () => {
    const encoder = createTokenEncoder(tinyTokenizerJson(), {}, 5);
    expect([...encoder.encode('hello world foo bar baz')]).toEqual([CLS, 4, 5, 6, SEP]);
  });

  it('refuses a maxTokens that leaves no room for text', () => {
    expect(() => createTokenEncoder(tinyTokenizerJson(), {}, 2)).toThrow(/no room/);
  });

  it('takes the pad id from tokenizer_config.json when the tokenizer does not say', () => {
    const encoder = createTokenEncoder(tinyTokenizerJson(), { pad_token: '[SEP]' }, 8);
    expect(encoder.padId).toBe(SEP);
  });

  it('splits camelCase and snake_case in the default tokenizer', () => {
    const tokens = defaultTokenizer.tokenize('getUserName parseJSON HTTPServer utf8Encode snake_case');
    expect(tokens).toEqual([
      'get',
      'user',
      'name',
      'parse',
      'json',
      'http',
      'server',
      'utf8',
      'encode',
      'snake',
      '_',
      'case',
    ]);
  });

  it('gives the same ids as tokenising the whole text and cutting, for long code-like texts', () => {
    const encoder = createTokenEncoder(defaultTokenizerJson, {}, 40);
    const word = fc.constantFrom(
      'const',
      'fooBar',
      'x',
      '=',
      '(',
      ')',
      '{',
      '}',
      ';',
      'retryUpload',
      '//',
      '.',
      'é',
      'HTTPServer',
      'B',
      'a1',
      'Z9',
    );
    const space = fc.constantFrom(' ', '\n', '  ', '\t', '\n\n    ', '\r\n', '');
    const text = fc
      .array(fc.tuple(word, space), { minLength: 0, maxLength: 400 })
      .map((parts) => parts.map(([w, s]) => w + s).join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect([...encoder.encode(t)]).toEqual(reference(t, 40));
      }),
      { numRuns: 200 },
    );
  });

  it('handles a megabyte-long text quickly', () => {
    const encoder = createTokenEncoder(defaultTokenizerJson, {}, 512);
    const huge = 'function retryUpload(file) { return upload(file); }\n'.repeat(20_000);
    const started = performance.now();
    const ids = encoder.encode(huge);
    expect(ids.length).toBe(512);
    expect(performance.now() - started).toBeLessThan(500);
    expect([...ids]).toEqual(reference(huge.slice(0, 10_000), 512));
  });

  it('cuts a megabyte-long minified line to the first tokens of the whole text', () => {
    const encoder = createTokenEncoder(defaultTokenizerJson, {}, 512);
    const line = 'var retryUpload=function(file){return upload(file)};'.repeat(20_000);
    expect([...encoder.encode(`path/min.js\n${line}`)]).toEqual(
      reference(`path/min.js\n${line.slice(0, 10_000)}`, 512),
    );
  });
});

describe('cutAtWhitespace', () => {
  it('cuts just before a whitespace run that follows a word', () => {
    expect(cutAtWhitespace('abc def ghi', 6)).toBe('abc');
    expect(cutAtWhitespace('abc def ghi', 7)).toBe('abc def');
    expect(cutAtWhitespace('abcdefghi', 5)).toBeUndefined();
  });
});
