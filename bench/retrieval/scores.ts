/** Rank-based retrieval scores, the same for every mode and the baseline: MRR@10 and recall at 1 and 10. */

export interface RankScores {
  readonly queries: number;
  readonly mrr10: number;
  readonly recall1: number;
  readonly recall10: number;
}

/**
 * @param ranks the 1-based rank of each query's answer among the first ten results, undefined when it is not
 *   among them
 */
export function scoreRanks(ranks: readonly (number | undefined)[]): RankScores {
  const n = ranks.length;
  if (n === 0) return { queries: 0, mrr10: 0, recall1: 0, recall10: 0 };
  let reciprocal = 0;
  let first = 0;
  let top10 = 0;
  for (const rank of ranks) {
    if (rank === undefined || rank > 10) continue;
    reciprocal += 1 / rank;
    top10++;
    if (rank === 1) first++;
  }
  const round = (value: number): number => Math.round(value * 10_000) / 10_000;
  return { queries: n, mrr10: round(reciprocal / n), recall1: round(first / n), recall10: round(top10 / n) };
}

/** The rank of the first hit: a result of the answer's file whose line range holds the answer's line. */
export function rankOfAnswer(
  results: readonly { readonly path: string; readonly startLine: number; readonly endLine: number }[],
  answer: { readonly path: string; readonly line: number },
): number | undefined {
  const index = results
    .slice(0, 10)
    .findIndex((r) => r.path === answer.path && r.startLine <= answer.line && answer.line <= r.endLine);
  return index === -1 ? undefined : index + 1;
}
