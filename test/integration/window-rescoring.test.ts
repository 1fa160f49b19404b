/**
 * Window re-scoring with the real default model over a real LanceDB index: a candidate's score is the cosine
 * of its best window with the query (recomputed here independently), results follow those scores, hybrid
 * search gives keyword-only candidates their window evidence, window and name vectors are embedded at index
 * time (a fresh query embeds only itself) or, for chunks stored without them, once per chunk at query time,
 * and a model that does not ask for re-scoring keeps the plain chunk cosine.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowTexts } from '#engine/indexing/embedding-text.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import { parsePathFilter } from '#engine/search/filters.ts';
import { type SearchQuery, search } from '#engine/search/search.ts';
import type { Embedder, ScoredChunk } from '#engine/types.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';

/** A long class: one method about renewing tokens among many that are not. */
const SESSION = `export class Session {
${Array.from(
  { length: 9 },
  (_, i) => `  formatColumn${i}(row: string[], width: number): string {
    const cell = row[${i}] ?? '';
    return cell.padEnd(width, ' ').slice(0, width);
  }
`,
).join('\n')}
  async renewExpiredToken(now: number): Promise<string> {
    if (this.tokenExpiresAt > now) return this.accessToken;
    const response = await fetch(this.refreshUrl, { method: 'POST', body: this.refreshToken });
    this.accessToken = (await response.json()).access_token;
    return this.accessToken;
  }
}
`;
const TABLES = `export function drawTable(rows: string[][]): string {
  return rows.map((row) => row.join(' | ')).join('\\n');
}
`;

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  });
  return dot / Math.sqrt(aa * bb);
};

describe('window re-scoring (default model, real LanceDB)', () => {
  let work: string;
  let services: LocalServices;
  const query = (text: string, mode: SearchQuery['mode']): SearchQuery => ({
    text,
    mode,
    filter: { repos: ['acme/app'] },
    limit: 10,
  });

  beforeAll(async () => {
    // Not useTempDirs: that removes its folders after each test, and these serve the whole file.
    work = await mkdtemp(join(tmpdir(), 'codesearch-rescoring-'));
    const root = join(work, 'repo');
    await mkdir(join(root, 'src'), { recursive: true });
    await writeFile(join(root, 'src', 'session.ts'), SESSION);
    await writeFile(join(root, 'src', 'tables.ts'), TABLES);
    services = await openLocalServices({ home: join(work, 'home'), embedderWorkers: 1 });
    for await (const event of indexDirectory(services.indexDeps, { root, repo: 'acme/app' })) {
      if (event.type === 'done') expect(event.summary.chunksWritten).toBeGreaterThan(0);
    }
  });
  afterAll(async () => {
    await services?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('scores each candidate by its best window, and ranks by that score', async () => {
    const options = services.embedder.windowRescoring;
    expect(options).toBeDefined();
    if (!options) return;
    const text = 'renew the access token when it has expired';
    // Window re-scoring alone: the default model's vector ranker (tested in vector-ranker.test.ts) set aside.
    const rescoringOnly: Embedder = { ...services.embedder, vectorRanker: undefined };
    const hits = await search({ store: services.store, embedder: rescoringOnly }, query(text, 'vector'));
    expect(hits.length).toBeGreaterThan(1);
    const queryVector = await services.embedder.embedQuery(text);
    for (const hit of hits) {
      const windows = await services.embedder.embedDocuments(windowTexts(hit.chunk, options));
      const best = Math.max(...windows.map((w) => cosine(queryVector, w)));
      // The index keeps the windows' vectors as int8: their cosines agree to about 1e-3.
      expect(hit.score).toBeCloseTo(best, 2);
      expect(hit.vectorScore).toBe(hit.score);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(hits[0]?.chunk.content).toContain('renewExpiredToken');
  });

  it('embeds only the query of a fresh search: the windows and names were embedded at index time', async () => {
    for (const mode of ['hybrid', 'vector'] as const) {
      const before = services.embedder.stats.texts;
      const hits = await search(services, query(`pad a table cell to a width (${mode})`, mode));
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.every((hit) => (hit.chunk.parts?.windows.length ?? 0) > 0)).toBe(true);
      expect(services.embedder.stats.texts - before).toBe(1);
    }
  });

  it('embeds the windows of chunks stored without them once, then reuses them', async () => {
    const options = services.embedder.windowRescoring;
    if (!options) throw new Error('the default model re-scores by windows');
    // An index written before parts were stored: the same chunks, no parts.
    const strip = (hits: ScoredChunk[]) =>
      hits.map(({ chunk: { parts: _, ...chunk }, score }) => ({ chunk, score }));
    const bare = new Proxy(services.store, {
      get(target, property) {
        if (property === 'vectorSearch' || property === 'keywordSearch') {
          const method = target[property].bind(target) as (...args: unknown[]) => Promise<ScoredChunk[]>;
          return async (...args: unknown[]) => strip(await method(...args));
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const text = 'pad a table cell to a width';
    const stored = await search(services, query(text, 'hybrid'));
    const first = services.embedder.stats.texts;
    const fallback = await search({ store: bare, embedder: services.embedder }, query(text, 'hybrid'));
    expect(services.embedder.stats.texts - first).toBeGreaterThan(1);
    const before = services.embedder.stats.texts;
    await search({ store: bare, embedder: services.embedder }, query(text, 'hybrid'));
    // Only the query itself reached the model the second time
    expect(services.embedder.stats.texts - before).toBe(1);
    // Both ways rank the same chunks first.
    expect(fallback.slice(0, 3).map((h) => h.chunk.id)).toEqual(stored.slice(0, 3).map((h) => h.chunk.id));
  });

  it('gives keyword-only candidates of hybrid search their window score', async () => {
    const hits = await search(services, { ...query('drawTable rows', 'hybrid'), limit: 20 });
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(hit.vectorScore).toBeTypeOf('number');
  });

  it('keeps the plain chunk cosine for a model that does not ask for re-scoring', async () => {
    const plain: Embedder = { ...services.embedder, windowRescoring: undefined };
    const text = 'renew the access token when it has expired';
    const hits = await search({ store: services.store, embedder: plain }, query(text, 'vector'));
    const queryVector = await services.embedder.embedQuery(text);
    const stored = await services.store.vectorSearch(queryVector, { repos: ['acme/app'] }, 10);
    expect(hits.map((h) => [h.chunk.id, h.score])).toEqual(stored.map((h) => [h.chunk.id, h.score]));
  });

  it('re-scores only within the filter: other paths never come back', async () => {
    const hits = await search(services, {
      ...query('renew the access token', 'hybrid'),
      filter: { repos: ['acme/app'], path: parsePathFilter('src/tables.ts') },
    });
    expect(hits.every((h) => h.chunk.path === 'src/tables.ts')).toBe(true);
  });
});
