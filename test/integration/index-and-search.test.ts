import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '#api/search-api.ts';
import { ChunkingFailedError } from '#engine/chunking/index.ts';
import { DEFAULT_MODEL_DIR } from '#engine/embedding/index.ts';
import { IndexMismatchError } from '#engine/errors.ts';
import { indexedTexts } from '#engine/indexing/embedding-text.ts';
import { type IndexSummary, indexDirectory } from '#engine/indexing/indexer.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';

async function index(services: LocalServices, root: string, repo = 'acme/sample'): Promise<IndexSummary> {
  for await (const event of indexDirectory(services.indexDeps, { root, repo })) {
    if (event.type === 'done') return event.summary;
  }
  throw new Error('no summary');
}

describe('index → search on a multi-language tree (real chunker, ONNX model, LanceDB, SQLite)', () => {
  let work: string;
  let root: string;
  let services: LocalServices;
  let first: IndexSummary;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-it-'));
    root = await copySampleRepo(work);
    services = await openLocalServices({ home: join(work, 'home') });
    first = await index(services, root);
  });

  afterAll(async () => {
    await services?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('indexes every source file, skipping ignored ones', () => {
    expect(first.filesAdded).toBe(8);
    expect(first.filesChanged + first.filesDeleted).toBe(0);
    expect(first.chunksEmbedded).toBeGreaterThanOrEqual(8);
    expect(first.chunksInRepo).toBe(first.chunksWritten);
  });

  it.each([
    ['retry a failed upload with exponential backoff', 'src/upload/retry.ts', 'retryFailedUpload'],
    ['sum invoice line items and add sales tax', 'lib/invoices.py', 'compute_invoice_total'],
    ['least recently used cache eviction', 'crates/cache/src/lib.rs', 'LruCache'],
    ['validate email address format', 'app/src/main/java/com/example/EmailValidator.java', 'isValidEmail'],
    ['verify webhook signature', 'src/auth/tokens.ts', 'verifySignature'],
  ])('hybrid search for %j ranks %s first, with exact lines', async (query, path, symbol) => {
    const { results } = await runSearch(services, { query, limit: 5 });
    expect(results[0]?.path).toBe(path);
    const top = results[0];
    if (!top) throw new Error('no result');
    const lines = (await readFile(join(root, path), 'utf8')).split('\n');
    expect(top.snippet.startsWith(lines[top.startLine - 1] ?? '')).toBe(true);
    expect(lines.slice(top.startLine - 1, top.endLine).join('\n')).toContain(symbol);
  });

  it('supports every mode and filter', async () => {
    const keyword = await runSearch(services, { query: 'retryFailedUpload', mode: 'keyword' });
    expect(keyword.results[0]?.path).toBe('src/upload/retry.ts');
    const vector = await runSearch(services, {
      query: 'rate limit requests per client',
      mode: 'vector',
      limit: 3,
    });
    expect(vector.results.length).toBe(3);
    const python = await runSearch(services, { query: 'total', language: 'python' });
    expect(new Set(python.results.map((r) => r.language))).toEqual(new Set(['python']));
    const glob = await runSearch(services, { query: 'function', path: 'src/**/*.ts' });
    expect(glob.results.every((r) => r.path.startsWith('src/') && r.path.endsWith('.ts'))).toBe(true);
    const otherRepo = await runSearch(services, { query: 'retry upload', repo: 'acme/other' });
    expect(otherRepo.results).toEqual([]);
  });

  it('re-indexing an unchanged tree makes no model calls and writes nothing', async () => {
    const before = services.embedder.stats.texts;
    const again = await index(services, root);
    expect(again.filesUnchanged).toBe(8);
    expect(again.filesAdded + again.filesChanged + again.filesDeleted).toBe(0);
    expect(services.embedder.stats.texts).toBe(before);
  });

  it('re-embeds only the changed chunks of a changed file', async () => {
    // Given a new function appended to the Go file (its other chunks keep their text)
    const path = join(root, 'cmd/server/main.go');
    const original = await readFile(path, 'utf8');
    await writeFile(
      path,
      `${original}\n// shutdownGracefully drains open connections before exit.\nfunc shutdownGracefully(s *http.Server) error {\n\treturn s.Close()\n}\n`,
    );
    const before = services.embedder.stats.texts;
    const idsBefore = new Set(
      (await services.store.fileChunks('acme/sample', 'cmd/server/main.go')).map((c) => c.id),
    );

    // When re-indexed
    const summary = await index(services, root);

    // Then one file changed, and the model saw the texts of the new chunks only: each one's own, its windows
    // when it has more than one, its names
    expect(summary.filesChanged).toBe(1);
    expect(summary.filesUnchanged).toBe(7);
    const options = services.embedder.windowRescoring;
    if (!options) throw new Error('the default model re-scores by windows');
    const added = (await services.store.fileChunks('acme/sample', 'cmd/server/main.go')).filter(
      (c) => !idsBefore.has(c.id),
    );
    expect(added).toHaveLength(summary.chunksEmbedded);
    const modelTexts = services.embedder.stats.texts - before;
    expect(modelTexts).toBe(added.reduce((sum, c) => sum + indexedTexts(c, options).texts.length, 0));
    expect(modelTexts).toBeGreaterThan(added.length); // each with its windows or names
    expect(summary.chunksEmbedded).toBeGreaterThan(0);
    expect(summary.chunksEmbedded + summary.chunksFromCache).toBe(summary.chunksWritten);
    const { results } = await runSearch(services, { query: 'shutdownGracefully', mode: 'keyword' });
    expect(results[0]?.path).toBe('cmd/server/main.go');
  });

  it('removes the chunks of a deleted file', async () => {
    await rm(join(root, 'lib/invoices.py'));
    const summary = await index(services, root);
    expect(summary.filesDeleted).toBe(1);
    const { results } = await runSearch(services, { query: 'compute_invoice_total', mode: 'keyword' });
    expect(results.filter((r) => r.path === 'lib/invoices.py')).toEqual([]);
    expect(summary.chunksInRepo).toBe(await services.store.countChunks('acme/sample'));
  });

  it('refuses to reopen the index with a different model', async () => {
    // Given a copy of the bundled model whose tokenizer differs by one vocabulary entry
    const otherModel = join(work, 'other-model');
    await cp(DEFAULT_MODEL_DIR, otherModel, { recursive: true });
    const tokenizer = JSON.parse(await readFile(join(otherModel, 'tokenizer.json'), 'utf8'));
    tokenizer.model.vocab.zzzcodesearchtest = Object.keys(tokenizer.model.vocab).length;
    await writeFile(join(otherModel, 'tokenizer.json'), JSON.stringify(tokenizer));

    // Then opening the same data directory with it fails clearly, naming both models
    await expect(openLocalServices({ home: join(work, 'home'), modelDir: otherModel })).rejects.toThrow(
      IndexMismatchError,
    );
    await expect(openLocalServices({ home: join(work, 'home'), modelDir: otherModel })).rejects.toThrow(
      /--rebuild/,
    );
  });
});

describe('a file that cannot be chunked (real stores; a chunker that refuses one file)', () => {
  it('is skipped with its reason while the rest of its batch is indexed, and tried again next time', async () => {
    // Given: a chunker that refuses one file, as the worker chunker does past its deadline
    const work = await mkdtemp(join(tmpdir(), 'codesearch-refused-'));
    const root = await copySampleRepo(work);
    const services = await openLocalServices({ home: join(work, 'home') });
    try {
      const refusing = {
        chunk: (file: Parameters<LocalServices['chunker']['chunk']>[0]) =>
          file.path === 'src/upload/retry.ts'
            ? Promise.reject(
                new ChunkingFailedError('chunking took longer than 20000 ms, even in line windows'),
              )
            : services.chunker.chunk(file),
      };

      // When the tree is indexed with it
      const summary = await index(
        { ...services, indexDeps: { ...services.indexDeps, chunker: refusing } },
        root,
      );

      // Then the file is a skip with its reason, and everything else is searchable
      expect(summary.skippedByReason['chunking-failed']).toBe(1);
      expect(summary.skippedExamples).toContainEqual({
        path: 'src/upload/retry.ts',
        reason: 'chunking-failed',
        detail: expect.stringMatching(/longer than 20000 ms/),
      });
      expect((await services.state.listFiles('acme/sample')).has('src/upload/retry.ts')).toBe(false);
      expect((await runSearch(services, { query: 'invoice total', limit: 1 })).results[0]?.path).toBe(
        'lib/invoices.py',
      );

      // And the next run, with a chunker that manages, indexes it
      const again = await index(services, root);
      expect(again.filesAdded).toBe(1);
      expect((await runSearch(services, { query: 'retry a failed upload', limit: 1 })).results[0]?.path).toBe(
        'src/upload/retry.ts',
      );
    } finally {
      await services.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('an index written before repository names were canonical (real LanceDB and SQLite)', () => {
  it('is rewritten to lower-case names once, on open, and then answers for them', async () => {
    // Given: an index of the sample as "Acme/Sample", the way it was stored before (GitHub's spelling, and
    // a table without the canonical-names mark)
    const work = await mkdtemp(join(tmpdir(), 'codesearch-names-'));
    const root = await copySampleRepo(work);
    const home = join(work, 'home');
    const first = await openLocalServices({ home });
    await index(first, root, 'acme/sample');
    await first.close();
    const db = await lancedb.connect(join(home, 'lancedb'));
    const table = await db.openTable('chunks');
    await table.update({ where: 'true', values: { repo: 'Acme/Sample' } });
    await table.updateFieldMetadata([{ path: 'repo', metadata: { 'codesearch.repo_names': null } }]);
    db.close();
    const { DatabaseSync } = await import('node:sqlite');
    const sqlite = new DatabaseSync(join(home, 'state.sqlite'));
    sqlite.exec("UPDATE file_hashes SET repo = 'Acme/Sample'");
    sqlite.close();

    // When: it is opened again
    const services = await openLocalServices({ home });
    try {
      // Then: every name is canonical, and search, file hashes and re-indexing agree on it
      expect(await services.store.repoNamesAreCanonical()).toBe(true);
      expect([...(await services.store.repoChunkCounts()).keys()]).toEqual(['acme/sample']);
      expect((await services.state.listFiles('acme/sample')).size).toBe(8);
      const { results } = await runSearch(services, {
        query: 'retry a failed upload',
        repo: 'Acme/Sample',
        limit: 1,
      });
      expect(results[0]).toMatchObject({ repo: 'acme/sample', path: 'src/upload/retry.ts' });
      const again = await index(services, root, 'acme/sample');
      expect(again.filesUnchanged).toBe(8);
    } finally {
      await services.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
