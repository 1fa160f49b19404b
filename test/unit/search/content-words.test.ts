import { describe, expect, it } from 'vitest';
import { contentWords, coverage, stemWord } from '#engine/search/content-words.ts';

describe('content words', () => {
  it.each([
    [['upload', 'uploads', 'uploaded', 'uploading'], 'upload'],
    [['parse', 'parses', 'parsed', 'parsing'], 'pars'],
    [['retry', 'retries', 'retried'], 'retry'],
    [['match', 'matches'], 'match'],
  ])('brings %j to one stem', (forms, stem) => {
    for (const form of forms) expect(stemWord(form)).toBe(stem);
  });

  it('leaves short words and double-s endings alone', () => {
    expect(stemWord('is')).toBe('is');
    expect(stemWord('class')).toBe('class');
    // Never below three letters: "uses" and "use" still meet
    expect(stemWord('uses')).toBe('use');
    expect(stemWord('use')).toBe('use');
  });

  it('splits identifiers, lower-cases, and drops function words and single letters', () => {
    expect([...contentWords('Retries the failedUpload of a file_handle x')]).toEqual([
      'retry',
      'fail',
      'upload',
      'fil',
      'handl',
    ]);
    expect([...contentWords('parseHTTPResponse2')]).toEqual(['pars', 'http', 'respons']);
    expect(contentWords('the of a').size).toBe(0);
  });

  it('measures how much of the query another set of words holds', () => {
    const query = contentWords('retry failed uploads');
    expect(coverage(query, contentWords('retryUpload'))).toBeCloseTo(2 / 3, 10);
    expect(coverage(query, contentWords('src/upload/retry-failed.ts'))).toBe(1);
    expect(coverage(query, contentWords('drawTable'))).toBe(0);
    expect(coverage(new Set(), contentWords('anything'))).toBe(0);
  });
});
