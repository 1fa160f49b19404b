/**
 * Examples of what the chunker does with typical files: where it cuts, what it keeps together, which
 * symbols it reports, and how it falls back.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHUNKER_VERSION,
  type Chunker,
  type ChunkerOptions,
  createChunker,
  estimateTokens,
  GRAMMAR_PACKAGE_VERSION,
  GrammarNotLoadedError,
} from '#engine/chunking/index.ts';
import { ConfigError } from '#engine/errors.ts';
import type { Language } from '#engine/languages.ts';
import type { Chunk } from '#engine/types.ts';
import { expectChunkInvariants } from './chunk-invariants.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/chunking');

let chunker: Chunker;
const extraChunkers: Chunker[] = [];

beforeAll(async () => {
  chunker = await createChunker();
});

afterAll(() => {
  chunker.close();
  for (const extra of extraChunkers) extra.close();
});

async function chunkerWith(options: ChunkerOptions): Promise<Chunker> {
  const created = await createChunker(options);
  extraChunkers.push(created);
  return created;
}

function chunk(
  language: Language,
  text: string,
  using: Chunker = chunker,
  path = `src/example.${language}`,
): Chunk[] {
  return using.chunk({ repo: 'acme/shop', path, language, text });
}

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Every symbol of every chunk. */
function allSymbols(chunks: readonly Chunk[]): string[] {
  return chunks.flatMap((c) => c.symbols);
}

/** The chunk whose range holds the first line that contains `needle`. */
function chunkContaining(chunks: readonly Chunk[], text: string, needle: string): Chunk {
  const line = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const found = chunks.find((c) => c.startLine <= line && line <= c.endLine);
  if (!found) throw new Error(`no chunk holds line ${line} (${needle})`);
  return found;
}

/** A TypeScript method of about `statements` × 12 tokens. */
function method(name: string, statements: number): string {
  const body = Array.from(
    { length: statements },
    (_, i) => `    const step${i} = this.store.get(key + ${i}) ?? fallback(${i});`,
  );
  return `  /** Handles ${name}. */\n  ${name}(key: string): number {\n${body.join('\n')}\n    return 0;\n  }\n`;
}

describe('syntax-aware chunking', () => {
  it('splits a large TypeScript class at its methods, each with its doc comment', () => {
    // Given a class far over the cap, whose methods each fit
    const names = ['load', 'save', 'remove', 'refresh', 'validate', 'render'];
    const text = `export class Repository {\n  private readonly store = new Map<string, number>();\n\n${names.map((n) => method(n, 12)).join('\n')}}\n`;
    expect(estimateTokens(text)).toBeGreaterThan(1000);

    // When it is chunked
    const chunks = chunk('typescript', text);

    // Then every method is in a chunk of its own that starts at its doc comment
    for (const name of names) {
      const owner = chunkContaining(chunks, text, `  ${name}(key`);
      expect(
        owner.content.startsWith(`  /** Handles ${name}. */`) || owner.content.startsWith('export class'),
      ).toBe(true);
      expect(owner.symbols).toContain(`Repository.${name}`);
      expect(owner.symbols.filter((s) => s.startsWith('Repository.'))).toEqual([`Repository.${name}`]);
    }
    // and the class header rides with the first method rather than standing alone
    expect(chunks[0]?.content).toMatch(
      /^export class Repository \{\n {2}private readonly store[\s\S]*load\(key/,
    );
    expect(chunks[0]?.symbols).toEqual(['Repository', 'load', 'Repository.load']);
  });

  it('splits a function that is too big along groups of statements', () => {
    const statements = Array.from(
      { length: 120 },
      (_, i) => `  total += compute(items[${i}], options.weights[${i}]);`,
    );
    const text = `function sumAll(items, options) {\n  let total = 0;\n${statements.join('\n')}\n  return total;\n}\n`;
    const chunks = chunk('javascript', text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]?.content.startsWith('function sumAll(items, options) {')).toBe(true);
    expect(chunks.at(-1)?.content.endsWith('  return total;\n}')).toBe(true);
    // Chunks tile the function without overlapping.
    for (let i = 1; i < chunks.length; i++)
      expect(chunks[i]?.startLine).toBe((chunks[i - 1]?.endLine ?? 0) + 1);
    expect(allSymbols(chunks)).toEqual(['sumAll']);
  });

  it('merges small neighbouring functions into one chunk', () => {
    const text = [
      "import { clamp } from './math.ts';",
      '',
      'export const double = (x: number) => x * 2;',
      '',
      'export function half(x: number): number {',
      '  return x / 2;',
      '}',
      '',
      'function square(x: number) {',
      '  return x * x;',
      '}',
      '',
      'export const clampPercent = (x: number) => clamp(x, 0, 100);',
      '',
    ].join('\n');
    const chunks = chunk('typescript', text);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({
      startLine: 1,
      endLine: 13,
      symbols: ['double', 'half', 'square', 'clampPercent'],
    });
  });

  it('keeps small definitions apart from a big one but merges them with each other', async () => {
    const small = await chunkerWith({ maxTokens: 120, minTokens: 40 });
    const big = `function big(a) {\n${Array.from({ length: 15 }, (_, i) => `  a.push(${i} * a.length + offset);`).join('\n')}\n  return a;\n}`;
    const text = `${big}\n\nfunction one() { return 1; }\nfunction two() { return 2; }\nfunction three() { return 3; }\n`;
    const chunks = chunk('javascript', text, small);
    const smallOnes = chunkContaining(chunks, text, 'function one');
    expect(smallOnes.symbols).toEqual(['one', 'two', 'three']);
    expect(chunkContaining(chunks, text, 'function big').symbols).toEqual(['big']);
  });

  it('keeps a JSDoc comment with the function it documents', async () => {
    const small = await chunkerWith({ maxTokens: 80, minTokens: 20 });
    const filler = (name: string) =>
      `function ${name}(list) {\n${Array.from({ length: 5 }, (_, i) => `  list.push(${i} + list.length);`).join('\n')}\n}`;
    const text = `${filler('first')}\n\n/**\n * Finds the median of a sorted list.\n * @param sorted numbers in ascending order\n */\nexport function median(sorted) {\n  const mid = Math.floor(sorted.length / 2);\n  return sorted[mid];\n}\n\n${filler('last')}\n`;
    const owner = chunkContaining(chunk('javascript', text, small), text, 'export function median');
    expect(owner.content.startsWith('/**\n * Finds the median of a sorted list.')).toBe(true);
    expect(owner.symbols).toEqual(['median']);
  });

  it("keeps a Python function's decorators and docstring in its chunk", async () => {
    const small = await chunkerWith({ maxTokens: 100, minTokens: 20 });
    const text = fixture('inventory.py');
    const chunks = chunk('python', text, small);
    const owner = chunkContaining(chunks, text, 'def restock_quantity');
    expect(owner.content).toContain('@functools.lru_cache(maxsize=256)\ndef restock_quantity(');
    expect(owner.content).toContain(
      '"""Units to order so stock lasts through the lead time plus a safety margin.',
    );
    expect(owner.symbols).toContain('restock_quantity');
    const property = chunkContaining(chunks, text, 'def low_stock');
    expect(property.content).toContain('    @property\n    def low_stock');
    expect(property.symbols).toContain('Inventory.low_stock');
  });

  it('keeps Rust attributes and doc comments with the item', async () => {
    const small = await chunkerWith({ maxTokens: 60, minTokens: 10 });
    const text = fixture('tokenizer.rs');
    const owner = chunkContaining(chunk('rust', text, small), text, 'pub enum Token');
    expect(
      owner.content.startsWith('/// One lexical token.\n#[derive(Debug, Clone, PartialEq)]\npub enum Token'),
    ).toBe(true);
  });

  it('gives a file that fits the cap as one chunk', () => {
    const text = fixture('deploy.sh');
    const chunks = chunk('bash', text);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ startLine: 1, endLine: 30, symbols: ['log', 'require', 'build'] });
  });
});

describe('symbols', () => {
  const cases: ReadonlyArray<readonly [Language, string, readonly string[]]> = [
    [
      'typescript',
      'rate-limiter.ts',
      [
        'RateLimit',
        'LimitDecision',
        'TokenBucketLimiter',
        'TokenBucketLimiter.take',
        'TokenBucketLimiter.refill',
        'parseRate',
        'Tier',
        'Tiers',
        'Tiers.limitFor',
      ],
    ],
    ['tsx', 'SearchBox.tsx', ['SearchBoxProps', 'useDebounced', 'SearchBox', 'ResultCount']],
    [
      'javascript',
      'lru-cache.js',
      ['LruCache', 'LruCache.get', 'LruCache.set', 'LruCache.size', 'memoize', 'identity'],
    ],
    [
      'python',
      'inventory.py',
      [
        'OutOfStock',
        'OutOfStock.__init__',
        'Item',
        'Inventory',
        'Inventory.reserve',
        'Inventory.low_stock',
        'restock_quantity',
        'total_value',
      ],
    ],
    [
      'go',
      'server.go',
      ['Check', 'Status', 'Server', 'NewServer', 'Register', 'Server.Register', 'Server.ServeHTTP', 'Pinger'],
    ],
    [
      'java',
      'OrderService.java',
      [
        'OrderService',
        'OrderService.place',
        'OrderService.cancel',
        'OrderService.Status',
        'OrderLine',
        'PriceList.priceOf',
      ],
    ],
    [
      'rust',
      'tokenizer.rs',
      [
        'Token',
        'LexError',
        'LexError.fmt',
        'Lexer',
        'Lexer.tokens',
        'Tokenizer',
        'Tokenizer.new',
        'Tokenizer.number',
        'Tokenizer.tokens',
        'tests',
        'lexes_sum',
      ],
    ],
    [
      'c',
      'ring_buffer.c',
      [
        'ring_buffer_t',
        'ring_init',
        'ring_push',
        'ring_pop',
        'ring_free',
        'stats',
        'ring_state',
        'ring_overflows',
      ],
    ],
    [
      'cpp',
      'matrix.cpp',
      ['linalg', 'Matrix', 'Matrix.rows', 'Matrix.transpose', 'Matrix.operator*', 'Vec2', 'dot'],
    ],
    [
      'csharp',
      'InvoiceCalculator.cs',
      [
        'Billing.Invoices',
        'InvoiceCalculator',
        'InvoiceCalculator.Subtotal',
        'InvoiceCalculator.TotalWithDiscount',
        'ITaxPolicy.TaxFor',
        'InvoiceLine',
        'Money',
        'InvoiceState',
      ],
    ],
    [
      'ruby',
      'markdown_renderer.rb',
      [
        'Docs',
        'MarkdownRenderer',
        'Docs.MarkdownRenderer',
        'MarkdownRenderer.render',
        'MarkdownRenderer.inline',
      ],
    ],
    [
      'php',
      'UserController.php',
      [
        'UserController',
        'UserController.index',
        'UserController.show',
        'UserRepository',
        'Timestamps.touch',
        'format_user_name',
      ],
    ],
    ['bash', 'deploy.sh', ['log', 'require', 'build']],
  ];

  it.each(cases)('are extracted from %s (%s)', (language, name, expected) => {
    const symbols = allSymbols(chunk(language, fixture(name)));
    for (const symbol of expected) expect(symbols).toContain(symbol);
  });

  it.each<[Language, string, readonly string[]]>([
    ['typescript', 'export const handler = async (event: Event) => {\n  return event;\n};', ['handler']],
    [
      'typescript',
      'class Widget {\n  onClick = () => {\n    this.count++;\n  };\n}',
      ['Widget', 'onClick', 'Widget.onClick'],
    ],
    [
      'typescript',
      "declare module 'express' {\n  interface Request {\n    user?: string;\n  }\n}",
      ['express', 'Request', 'express.Request'],
    ],
    ['javascript', 'Foo.prototype.bar = function () {\n  return 1;\n};', ['bar']],
    ['cpp', 'template <typename T>\nT Box<T>::get() const {\n  return value_;\n}', ['get', 'Box.get']],
    ['go', 'func (s *Set[T]) Add(v T) {\n\ts.items[v] = true\n}', ['Add', 'Set.Add']],
    [
      'rust',
      'impl<T: Clone> Stack<T> {\n    fn push(&mut self, v: T) {}\n}',
      ['Stack', 'push', 'Stack.push'],
    ],
    [
      'python',
      'class A:\n    def f(self):\n        def helper():\n            pass\n        return helper',
      ['A', 'f', 'A.f', 'helper'],
    ],
  ])('are found by shape in %s: %j', (language, text, expected) => {
    expect(allSymbols(chunk(language, text))).toEqual(expected);
  });

  it('do not include local declarations that look like prototypes', () => {
    expect(allSymbols(chunk('cpp', fixture('matrix.cpp')))).not.toContain('out');
  });

  it('belong to the chunk where the definition starts', async () => {
    const small = await chunkerWith({ maxTokens: 80, minTokens: 10 });
    const text = fixture('server.go');
    const chunks = chunk('go', text, small);
    const owners = chunks.filter((c) => c.symbols.includes('Server.ServeHTTP'));
    expect(owners).toHaveLength(1);
    expect(owners[0]?.content).toContain('func (s *Server) ServeHTTP(');
  });

  it('are empty for CSS and for languages chunked in windows', () => {
    expect(allSymbols(chunk('css', fixture('theme.css')))).toEqual([]);
    expect(allSymbols(chunk('kotlin', fixture('Retry.kt')))).toEqual([]);
  });
});

describe('line windows', () => {
  it('cut a language without a grammar into overlapping windows', () => {
    const text = Array.from({ length: 120 }, (_, i) => `run(${i})`).join('\n');
    const chunks = chunk('kotlin', text);
    expect(chunks.map((c) => [c.startLine, c.endLine])).toEqual([
      [1, 50],
      [41, 90],
      [81, 120],
    ]);
    expect(chunker.stats.noGrammar).toBeGreaterThan(0);
  });

  it('respect the token cap before the line limit', () => {
    const text = Array.from({ length: 60 }, (_, i) => `value ${i}: ${'word '.repeat(20)}`).join('\n');
    const chunks = chunk('yaml', text);
    for (const c of chunks) expect(estimateTokens(c.content)).toBeLessThanOrEqual(400);
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('are used for garbage that does not parse', async () => {
    const counting = await chunkerWith({});
    const text = Array.from(
      { length: 80 },
      (_, i) => `}} ${i} )) ]] ?? :: => ;; @@ ## ${'%'.repeat(i % 7)}`,
    ).join('\n');
    const chunks = chunk('typescript', text, counting);
    expect(counting.stats.mostlyErrors).toBe(1);
    expect(chunks[1]?.startLine).toBeLessThan(chunks[0]?.endLine ?? 0);
    expectChunkInvariants({
      repo: 'acme/shop',
      path: 'src/example.typescript',
      text,
      chunks,
      maxTokens: 400,
    });
  });

  it('are used when a parse runs out of time, and the next file parses normally', async () => {
    const hurried = await chunkerWith({ parseTimeoutMs: 1e-6 });
    const text = fixture('rate-limiter.ts');
    const windowed = chunk('typescript', `${text}\n${text}`, hurried);
    expect(hurried.stats.parseAborted).toBe(1);
    expect(allSymbols(windowed)).toEqual([]);
    // An aborted parse must not leak into the next one (tree-sitter resumes unless the parser is reset).
    const normal = chunk('typescript', text);
    expect(allSymbols(normal)).toContain('TokenBucketLimiter.take');
  });

  it('cut a minified one-line file into several chunks on line 1', () => {
    const statement = 'function a(b,c){return b.map(function(d){return d*c+1})}var e=a([1,2,3],4);';
    const text = statement.repeat(Math.ceil(200_000 / statement.length));
    const chunks = chunk('javascript', text);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c).toMatchObject({ startLine: 1, endLine: 1 });
      expect(estimateTokens(c.content)).toBeLessThanOrEqual(400);
    }
    expect(chunks.map((c) => c.content).join('')).toBe(text);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
  });

  it('cut one long line inside an ordinary file into pieces, leaving the rest alone', () => {
    const blob = `export const LOGO = '${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg'.repeat(300)}';`;
    const text = `import { x } from './x.ts';\n\n${blob}\n\nexport function useLogo() {\n  return LOGO;\n}\n`;
    const chunks = chunk('typescript', text);
    const pieces = chunks.filter((c) => c.startLine === 3);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.map((c) => c.content).join('')).toBe(blob);
    expect(chunkContaining(chunks, text, 'export function useLogo').symbols).toEqual(['useLogo']);
  });
});

describe('edge cases', () => {
  it.each([
    ['an empty file', ''],
    ['a whitespace-only file', '  \n\t\n\r\n   \n\u00a0\n'],
  ])('gives no chunks for %s', (_, text) => {
    expect(chunk('typescript', text)).toEqual([]);
    expect(chunk('text', text)).toEqual([]);
  });

  it('keeps CRLF line endings in the content and counts lines by \\n', () => {
    const text = 'def a():\r\n    return 1\r\n\r\ndef b():\r\n    return 2\r\n';
    const [only] = chunk('python', text);
    expect(only).toMatchObject({ startLine: 1, endLine: 5, content: text.slice(0, -1), symbols: ['a', 'b'] });
  });

  it('gives stable ids that depend on repo, path, range and content', async () => {
    const text = fixture('server.go');
    const first = chunk('go', text);
    const fresh = await chunkerWith({});
    expect(chunk('go', text, fresh)).toEqual(first);
    const moved = chunk('go', text, chunker, 'src/elsewhere.go');
    expect(moved.map((c) => c.id)).not.toEqual(first.map((c) => c.id));
    expect(moved.map((c) => c.contentHash)).toEqual(first.map((c) => c.contentHash));
  });

  it('chunks C with the C++ grammar', () => {
    const before = chunker.stats.syntax;
    chunk('c', fixture('ring_buffer.c'));
    expect(chunker.stats.syntax).toBe(before + 1);
  });
});

describe('options and versions', () => {
  it('names non-default options in the version', async () => {
    expect(chunker.version).toBe(CHUNKER_VERSION);
    const custom = await chunkerWith({ maxTokens: 200, overlapLines: 5 });
    expect(custom.version).toBe(`${CHUNKER_VERSION};maxTokens=200,overlapLines=5`);
  });

  it('records the grammar package version the chunker version was set for', () => {
    // When this fails after an upgrade of @vscode/tree-sitter-wasm: bump CHUNKER_VERSION, then this constant.
    const installed = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../node_modules/@vscode/tree-sitter-wasm/package.json'),
        'utf8',
      ),
    ) as { version: string };
    expect(installed.version).toBe(GRAMMAR_PACKAGE_VERSION);
  });

  it.each<[string, ChunkerOptions]>([
    ['maxTokens 0', { maxTokens: 0 }],
    ['minTokens above maxTokens', { maxTokens: 50, minTokens: 60 }],
    ['overlap as large as the window', { windowLines: 10, overlapLines: 10 }],
    ['a fractional window', { windowLines: 2.5 }],
  ])('rejects %s', async (_, options) => {
    await expect(createChunker(options)).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses a language whose grammar it did not load, rather than chunking it another way', async () => {
    const pythonOnly = await chunkerWith({ languages: ['python'] });
    expect(chunk('python', 'def f():\n    pass\n', pythonOnly)).toHaveLength(1);
    expect(chunk('markdown', '# Title\n', pythonOnly)).toHaveLength(1);
    expect(() => chunk('go', 'package main\n', pythonOnly)).toThrow(GrammarNotLoadedError);
  });

  it('fails to start, naming the cause, when the grammar files are missing', async () => {
    const failing = createChunker({ languages: ['rust'], wasmDirectory: join(FIXTURES, 'no-such-folder') });
    await expect(failing).rejects.toThrow(/could not load the tree-sitter grammars/);
    await expect(failing).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'ENOENT' }) });
  });

  it('loads a grammar shipped only gzipped, as the Lambda bundle ships them, and chunks the same', async () => {
    const source = dirname(
      createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm'),
    );
    const folder = await mkdtemp(join(tmpdir(), 'codesearch-gz-grammars-'));
    try {
      await copyFile(join(source, 'tree-sitter.wasm'), join(folder, 'tree-sitter.wasm'));
      const grammar = await readFile(join(source, 'tree-sitter-go.wasm'));
      await writeFile(join(folder, 'tree-sitter-go.wasm.gz'), gzipSync(grammar));
      const zipped = await createChunker({ languages: ['go'], wasmDirectory: folder });
      const plain = await createChunker({ languages: ['go'] });
      const text = 'package main\n\nfunc main() {\n\tprintln("hi")\n}\n\nfunc helper() int { return 1 }\n';
      const input = { repo: 'acme/app', path: 'main.go', language: 'go' as const, text };
      expect(zipped.chunk(input)).toEqual(plain.chunk(input));
      expect(zipped.chunk(input).flatMap((c) => c.symbols)).toEqual(['main', 'helper']);
      zipped.close();
      plain.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('cannot be used after close', async () => {
    const closing = await createChunker({ languages: ['go'] });
    closing.close();
    expect(() => chunk('go', 'package main\n', closing)).toThrow(/closed/);
  });
});
