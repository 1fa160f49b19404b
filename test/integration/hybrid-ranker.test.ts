/**
 * Hybrid search with the learned ranker, on the real default model over a real LanceDB index: the default
 * model ships one, search orders the candidates by it (scores are its softmax shares), it applies whatever
 * weights a model carries, candidates beyond the ranked ones follow in rank-fusion order, and the evidence it
 * embeds per candidate (windows, names) is embedded once.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ttlResultCache } from '#api/result-cache.ts';
import type { RequestFacts } from '#api/route.ts';
import { runSearch } from '#api/search-api.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import { type SearchQuery, search } from '#engine/search/search.ts';
import type { Embedder, HybridRanker } from '#engine/types.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';

const FILES: Record<string, string> = {
  'src/upload.ts': `export async function retryFailedUpload(file: Blob, attempts = 5): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await sendFile(file);
    } catch (error) {
      if (attempt === attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 100));
    }
  }
}
`,
  'src/tables.ts': `export function drawTable(rows: string[][]): string {
  return rows.map((row) => row.join(' | ')).join('\\n');
}

export function padCell(cell: string, width: number): string {
  return cell.padEnd(width, ' ').slice(0, width);
}
`,
  'src/session.ts': `export class Session {
  constructor(private token: string, private expiresAt: number) {}

  isExpired(now: number): boolean {
    return now >= this.expiresAt;
  }

  async renewToken(refreshUrl: string): Promise<string> {
    const response = await fetch(refreshUrl, { method: 'POST' });
    this.token = (await response.json()).access_token;
    return this.token;
  }
}
`,
  'src/upload-log.ts': `// Keeps a record of every upload: file names, sizes and when each upload happened.
export const uploadLog: { name: string; size: number; at: number }[] = [];

export function recordUpload(name: string, size: number): void {
  uploadLog.push({ name, size, at: Date.now() });
}
`,
};

describe('hybrid search with the learned ranker (default model, real LanceDB)', () => {
  let work: string;
  let services: LocalServices;
  const query = (text: string, limit = 10): SearchQuery => ({
    text,
    mode: 'hybrid',
    filter: { repos: ['acme/app'] },
    limit,
  });
  const withRanker = (ranker: HybridRanker, depth?: number): Embedder => {
    const rescoring = services.embedder.windowRescoring;
    if (!rescoring) throw new Error('the default model re-scores windows');
    return {
      ...services.embedder,
      hybridRanker: ranker,
      windowRescoring: depth === undefined ? rescoring : { ...rescoring, depth },
    };
  };
  const single = (feature: HybridRanker['features'][number]): HybridRanker => ({
    features: [feature],
    center: [0],
    scale: [1],
    weights: [1],
  });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-ranker-'));
    const root = join(work, 'repo');
    await mkdir(join(root, 'src'), { recursive: true });
    for (const [path, text] of Object.entries(FILES)) await writeFile(join(root, path), text);
    services = await openLocalServices({ home: join(work, 'home'), embedderWorkers: 1 });
    for await (const event of indexDirectory(services.indexDeps, { root, repo: 'acme/app' })) {
      if (event.type === 'done') expect(event.summary.chunksWritten).toBeGreaterThan(3);
    }
  });
  afterAll(async () => {
    await services?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is what the default model ships, and what hybrid search ranks with', async () => {
    const ranker = services.embedder.hybridRanker;
    expect(ranker?.features.length).toBeGreaterThan(3);
    const hits = await search(services, query('where do we retry failed uploads?'));
    expect(hits[0]?.chunk.path).toBe('src/upload.ts');
    // Scores are the ranker's softmax shares among the ranked candidates: positive, descending, at most 1 in all
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    expect(scores.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    for (const hit of hits) expect(hit.vectorScore).toBeTypeOf('number');
  });

  it('applies the weights the model carries', async () => {
    // Only name coverage counts: the chunk defining drawTable comes first for "draw table"
    const byName = await search(
      { store: services.store, embedder: withRanker(single('nameOverlap')) },
      query('draw a table'),
    );
    expect(byName[0]?.chunk.symbols).toContain('drawTable');
    // Only the window cosine counts: the ranked hits come in the order of their vector evidence
    const byWindow = await search(
      { store: services.store, embedder: withRanker(single('window')) },
      query('upload a file'),
    );
    const evidence = byWindow.map((h) => h.vectorScore ?? Number.NaN);
    expect(evidence).toEqual([...evidence].sort((a, b) => b - a));
    // The opposite weight reverses that order
    const reversed = await search(
      { store: services.store, embedder: withRanker({ ...single('window'), weights: [-1] }) },
      query('upload a file'),
    );
    expect(reversed.map((h) => h.chunk.id)).toEqual(byWindow.map((h) => h.chunk.id).reverse());
  });

  it('ranks only the best candidates of each side; the rest follow in rank-fusion order with score 0', async () => {
    const embedder = withRanker(services.embedder.hybridRanker as HybridRanker, 1);
    const hits = await search({ store: services.store, embedder }, query('upload', 20));
    const ranked = hits.filter((h) => h.score > 0);
    // Depth 1: the vector side's best and the keyword side's best (once, if they are the same chunk)
    expect(ranked.length).toBeGreaterThanOrEqual(1);
    expect(ranked.length).toBeLessThanOrEqual(2);
    expect(hits.slice(0, ranked.length)).toEqual(ranked);
    expect(hits.length).toBeGreaterThan(ranked.length);
    expect(new Set(hits.map((h) => h.chunk.id)).size).toBe(hits.length);
  });

  it('keeps cached result pages apart for different ranking settings', async () => {
    // prepare: one result cache shared by a server with the shipped ranker and one with another
    const cache = ttlResultCache({ ttlMs: 60_000, maxEntries: 10 });
    const other = withRanker(single('nameOverlap'));
    const request = { query: 'draw a table' };
    const ask = async (embedder: Embedder) => {
      const facts: RequestFacts = {};
      await runSearch({ store: services.store, embedder, cache }, request, undefined, facts);
      return facts.cacheHit;
    };
    // act + assess: the second ask of the same server hits; the other ranker's first ask does not
    expect(await ask(services.embedder)).toBe(false);
    expect(await ask(services.embedder)).toBe(true);
    expect(await ask(other)).toBe(false);
    expect(await ask(other)).toBe(true);
  });

  it('embeds each candidate’s windows and names once, then reuses them', async () => {
    const text = 'renew an expired session token';
    await search(services, query(text));
    const before = services.embedder.stats.texts;
    await search(services, query(text));
    // Only the query itself reached the model the second time
    expect(services.embedder.stats.texts - before).toBe(1);
  });
});
