/**
 * Chunking time is linear in a file's size whatever its nesting: before, symbols were qualified by walking up
 * with `node.parent` (a descent from the root per step in tree-sitter) and found with tree-sitter queries
 * (quadratic in the nesting of what they match), so 20,000 nested functions took 45 s and 20,000 nested C++
 * structs a minute. And a file that still runs past its deadline is cut into line windows, or refused,
 * without failing anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chunker, createChunker } from '#engine/chunking/index.ts';
import { ChunkingFailedError, type ChunkTask, chunkWithDeadline } from '#engine/chunking/worker-chunker.ts';
import type { Language } from '#engine/languages.ts';
import type { Chunk } from '#engine/types.ts';
import {
  WorkerCrashError,
  WorkerTaskFailedError,
  WorkerTaskTimeoutError,
} from '#engine/workers/worker-pool.ts';

let chunker: Chunker;
beforeAll(async () => {
  chunker = await createChunker();
});
afterAll(() => chunker.close());

/** Deeply nested files, each under the 1 MiB discovery limit, that were super-linear before. */
const NESTED: readonly [string, Language, string][] = [
  ['functions', 'javascript', `${'function f(){\n'.repeat(20_000)}${'}\n'.repeat(20_000)}`],
  ['arrow constants', 'javascript', `${'const f = () => {\n'.repeat(20_000)}${'};\n'.repeat(20_000)}`],
  [
    'class fields',
    'typescript',
    `${'class A { h = () => { return class {\n'.repeat(8_000)}${'} } }\n'.repeat(8_000)}`,
  ],
  ['structs', 'cpp', `${'struct S {\n'.repeat(20_000)}${'};\n'.repeat(20_000)}`],
  ['namespaces', 'cpp', `${'namespace a {\n'.repeat(20_000)}${'}\n'.repeat(20_000)}`],
  ['modules', 'rust', `${'mod m {\n'.repeat(20_000)}${'}\n'.repeat(20_000)}`],
  ['classes', 'java', `${'class A {\n'.repeat(20_000)}${'}\n'.repeat(20_000)}`],
  ['modules', 'ruby', `${'module M\n'.repeat(20_000)}${'end\n'.repeat(20_000)}`],
];

describe('chunking deeply nested code', () => {
  it.each(NESTED)(
    'handles 20,000 nested %s (%s) at once',
    (_shape, language, text) => {
      expect(text.length).toBeLessThan(1024 * 1024);
      const chunks = chunker.chunk({ repo: 'r', path: 'nested', language, text });
      // Every non-blank line is still covered, and definitions are found all the way down
      expect(chunks.at(-1)?.endLine).toBe(text.split('\n').length - 1);
      expect(chunks.flatMap((chunk) => chunk.symbols).length).toBeGreaterThan(0);
    },
    10_000,
  );

  it('still qualifies members by their nearest container, and not through a function', () => {
    const text = [
      'class Outer {',
      '  method() {',
      '    class Local { inner() {} }',
      '    function helper() {}',
      '  }',
      '  other() {}',
      '}',
      '',
    ].join('\n');
    const symbols = chunker
      .chunk({ repo: 'r', path: 'a.ts', language: 'typescript', text })
      .flatMap((chunk) => chunk.symbols);
    expect(symbols).toEqual(
      expect.arrayContaining([
        'Outer',
        'method',
        'Outer.method',
        'Local',
        'inner',
        'Local.inner',
        'helper',
        'other',
        'Outer.other',
      ]),
    );
    expect(symbols).not.toContain('Outer.helper');
    expect(symbols).not.toContain('Outer.Local');
  });
});

describe('the per-file deadline (with a stand-in for the worker pool)', () => {
  const file = { repo: 'r', path: 'slow.ts', language: 'typescript' as const, text: 'x;\n' };
  const windows: Chunk[] = [];
  const timeout = () => new WorkerTaskTimeoutError('chunking worker 1/1 did not finish the task within 5 ms');

  it('cuts a file that ran past its deadline into line windows', async () => {
    const tasks: ChunkTask[] = [];
    let fallbacks = 0;
    const result = await chunkWithDeadline(
      async (task) => {
        tasks.push(task);
        if (!task.windowsOnly) throw timeout();
        return windows;
      },
      file,
      5,
      () => fallbacks++,
    );
    expect(result).toBe(windows);
    expect(tasks.map((task) => task.windowsOnly ?? false)).toEqual([false, true]);
    expect(fallbacks).toBe(1);
  });

  it('refuses a file on which even line windows time out, or whose worker died twice', async () => {
    await expect(chunkWithDeadline(async () => Promise.reject(timeout()), file, 5)).rejects.toThrow(
      new ChunkingFailedError('chunking took longer than 5 ms, even in line windows; not indexed'),
    );
    const crash = new Error('chunking worker 1/1 stopped unexpectedly', {
      cause: new WorkerCrashError('stopped unexpectedly'),
    });
    await expect(chunkWithDeadline(async () => Promise.reject(crash), file, 5)).rejects.toBeInstanceOf(
      ChunkingFailedError,
    );
    // …or on which chunking throws, in both forms
    const thrown = new Error('chunking worker 1/1 failed: RangeError: offset out of range', {
      cause: new WorkerTaskFailedError('chunking worker 1/1 failed: RangeError: offset out of range'),
    });
    await expect(chunkWithDeadline(async () => Promise.reject(thrown), file, 5)).rejects.toThrow(
      new ChunkingFailedError(
        'chunking failed (RangeError: offset out of range), even in line windows; not indexed',
      ),
    );
  });

  it('passes on failures that are not the file’s fault', async () => {
    const closed = new Error('chunking worker pool is closed');
    await expect(chunkWithDeadline(async () => Promise.reject(closed), file, 5)).rejects.toBe(closed);
  });
});
