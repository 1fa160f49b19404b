import { describe, expect, it } from 'vitest';
import { windowTexts } from '#engine/indexing/embedding-text.ts';

const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${from + i}`);

describe('windowTexts', () => {
  const options = { windowLines: 4, contextLines: 1, depth: 33 };

  it('cuts a chunk into windows of windowLines, each with contextLines before it, as path + newline + text', () => {
    const texts = windowTexts({ path: 'src/a.ts', content: lines(10).join('\n') }, options);
    expect(texts).toEqual([
      `src/a.ts\n${lines(4, 1).join('\n')}`,
      `src/a.ts\n${lines(5, 4).join('\n')}`,
      `src/a.ts\n${lines(3, 8).join('\n')}`,
    ]);
  });

  it('gives a chunk shorter than a window one window: the chunk itself', () => {
    expect(windowTexts({ path: 'a.py', content: 'def f():\n    pass' }, options)).toEqual([
      'a.py\ndef f():\n    pass',
    ]);
  });

  it('leaves out blank windows, but never a chunk’s first', () => {
    const content = ['', '', '', '', '   ', '', '', '', 'code'].join('\n');
    const texts = windowTexts({ path: 'a.ts', content }, { ...options, contextLines: 0 });
    expect(texts).toEqual(['a.ts\n\n\n\n', 'a.ts\ncode']);
    expect(windowTexts({ path: 'a.ts', content: '' }, options)).toEqual(['a.ts\n']);
  });
});
