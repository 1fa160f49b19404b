/**
 * Doc comments describe ("Returns the k largest elements"); people ask ("where do we pick the k largest
 * elements?", "how is a flag group parsed?"). A model trained on descriptions alone never sees the words of a
 * question — where, how, which, does, the code — on its query side, so they keep the weight their rarity in
 * code gives them, and a question matches code by them. Framing a share of the training queries as questions
 * teaches the query side to weigh those words down. The framing is chosen per pair by a seeded draw, so a
 * run is reproducible.
 */

const FRAMES: readonly ((description: string) => string)[] = [
  (d) => `where is the code that ${d}`,
  (d) => `how does it ${d}`,
  (d) => `which function ${d}?`,
  (d) => `where do we ${d}`,
  (d) => `find the code that ${d}`,
  (d) => `how is this done: ${d}`,
  (d) => `what ${d}?`,
  (d) => `where in the code does it ${d}`,
];

/** `description` as a question, with probability `share` (by `draw`, a number in [0, 1)). */
export function frameAsQuestion(description: string, share: number, draw: () => number): string {
  if (share <= 0 || draw() >= share) return description;
  const frame = FRAMES[Math.floor(draw() * FRAMES.length)] as (d: string) => string;
  // "Returns the …" reads "… that returns the …" once its first letter is lowered (acronyms stay).
  const lowered = /^[A-Z][a-z]/.test(description)
    ? description[0]?.toLowerCase() + description.slice(1)
    : description;
  return frame(lowered.replace(/[.!]$/, ''));
}
