import { describe, expect, it } from 'vitest';
import { chunkTerms, expandIdentifiers, splitIdentifier } from '#engine/search/terms.ts';

describe('identifier splitting for keyword search', () => {
  it.each([
    ['retryFailedUpload', ['retry', 'failed', 'upload']],
    ['parseHTTPResponse2', ['parse', 'http', 'response', '2']],
    ['MAX_RETRY_COUNT', ['max', 'retry', 'count']],
    ['__init__', ['init']],
    ['x', ['x']],
  ])('%s → %j', (identifier, parts) => {
    expect(splitIdentifier(identifier)).toEqual(parts);
  });

  it('keeps each identifier and adds its parts', () => {
    expect(expandIdentifiers('await retryUpload(file_path);')).toBe(
      'await retryUpload retry upload file_path file path',
    );
  });

  it('puts path words and symbols before the content', () => {
    expect(chunkTerms('src/uploadQueue.ts', ['retryAll'], 'x')).toBe(
      'src uploadQueue upload queue ts retryAll retry all x',
    );
  });
});
