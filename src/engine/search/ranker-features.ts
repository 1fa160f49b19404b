/**
 * What the hybrid ranker knows about one candidate of one query, as numbers. Pure and shared: training fits
 * the ranker on exactly the rows search computes (scripts/model/ranker-fitting.ts), so the two cannot drift.
 *
 * The features mix three kinds of evidence:
 * - the model's: the cosine of the candidate's best window with the query, the cosine of its definition
 *   names with the query, each also relative to the best candidate and (windows) as a rank;
 * - the keyword side's: BM25 relative to the best keyword hit, whether BM25 found it at all, and its rank;
 * - lexical coverage: how much of the query the candidate's definition names and its path hold, its
 *   length, and how many definitions it has;
 * - its role (`code-role.ts`): a test, an example or documentation, each split by whether the query asks
 *   for one — so tests can rank below the code they test unless a test is what was asked for.
 * Rank fusion sees only the two ranks; these let a model that is sure of one candidate outvote a keyword
 * list that never saw it, and let names that match the query count for more than words in a body.
 */
import type { StoredChunk } from '../types.ts';
import { codeRole, rolesAskedFor } from './code-role.ts';
import { contentWords, coverage } from './content-words.ts';

/** Every feature a ranker may name, in a fixed vocabulary (a model lists the ones it was fit on). */
export const RANKER_FEATURES = [
  'window',
  'windowGap',
  'windowRank',
  'keyword',
  'keywordFound',
  'keywordRank',
  'lines',
  'nameOverlap',
  'pathOverlap',
  'symbols',
  'name',
  'nameGap',
  'test',
  'testAsked',
  'exampleOrDocs',
  'exampleOrDocsAsked',
] as const;

export type RankerFeature = (typeof RANKER_FEATURES)[number];

/**
 * The features a vector-side ranker may use: the model's evidence, the chunk's shape and its role — nothing
 * from the keyword index or from the query's words, so vector search stays semantic search.
 */
export const VECTOR_RANKER_FEATURES: readonly RankerFeature[] = [
  'window',
  'windowGap',
  'windowRank',
  'name',
  'nameGap',
  'lines',
  'symbols',
  'test',
  'testAsked',
  'exampleOrDocs',
  'exampleOrDocsAsked',
];

/** One candidate with the evidence the features are computed from. */
export interface RankingCandidate {
  readonly chunk: StoredChunk;
  /** Cosine of the candidate's best window with the query. */
  readonly window: number;
  /** Cosine of the candidate's definition names with the query; 0 for a chunk that defines nothing. */
  readonly name: number;
  /** The keyword side's BM25 score and 0-based rank, when it found the candidate. */
  readonly keyword?: { readonly score: number; readonly rank: number };
}

/**
 * The feature rows of `candidates` (one row per candidate, columns in `features` order). Relative features
 * (gaps, ranks, keyword share) are relative to these candidates, so callers pass the whole candidate set.
 */
export function featureRows(
  queryText: string,
  candidates: readonly RankingCandidate[],
  features: readonly RankerFeature[],
): Float64Array[] {
  const queryWords = contentWords(queryText);
  const asked = rolesAskedFor(queryText);
  const bestWindow = Math.max(...candidates.map((c) => c.window));
  const bestName = Math.max(...candidates.map((c) => c.name));
  const bestKeyword = Math.max(0, ...candidates.map((c) => c.keyword?.score ?? 0));
  // Rank by window cosine; ties keep candidate order.
  const windowRank = new Map(
    candidates
      .map((c, order) => ({ order, window: c.window }))
      .sort((a, b) => b.window - a.window || a.order - b.order)
      .map(({ order }, rank) => [order, rank]),
  );
  return candidates.map((c, order) => {
    // Cheap enough per query (a few dozen candidates, short strings) that caching would only add risk.
    const names = contentWords(c.chunk.symbols.join(' '));
    const path = contentWords(c.chunk.path);
    const role = codeRole(c.chunk);
    const otherRole = role === 'example' || role === 'docs';
    const value = (feature: RankerFeature): number => {
      switch (feature) {
        case 'window':
          return c.window;
        case 'windowGap':
          return c.window - bestWindow;
        case 'windowRank':
          return 1 / (1 + (windowRank.get(order) ?? order));
        case 'keyword':
          return c.keyword && bestKeyword > 0 ? c.keyword.score / bestKeyword : 0;
        case 'keywordFound':
          return c.keyword ? 1 : 0;
        case 'keywordRank':
          return c.keyword ? 1 / (1 + c.keyword.rank) : 0;
        case 'lines':
          return Math.log(Math.max(1, c.chunk.endLine - c.chunk.startLine + 1));
        case 'nameOverlap':
          return coverage(queryWords, names);
        case 'pathOverlap':
          return coverage(queryWords, path);
        case 'symbols':
          return Math.log1p(c.chunk.symbols.length);
        case 'name':
          return c.name;
        case 'nameGap':
          return c.name - bestName;
        case 'test':
          return role === 'test' && !asked.has('test') ? 1 : 0;
        case 'testAsked':
          return role === 'test' && asked.has('test') ? 1 : 0;
        case 'exampleOrDocs':
          return otherRole && !asked.has(role) ? 1 : 0;
        case 'exampleOrDocsAsked':
          return otherRole && asked.has(role) ? 1 : 0;
      }
    };
    return Float64Array.from(features, value);
  });
}
