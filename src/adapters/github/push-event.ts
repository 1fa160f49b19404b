/**
 * GitHub's `push` payload, parsed: only the fields the decision reads (`decidePush` in
 * `#engine/pipeline/push-decision.ts`), each checked, so a malformed delivery is refused before anything
 * decides on it.
 */
import { z } from 'zod';
import { RepoName } from '#engine/pipeline/jobs.ts';
import type { PushEvent } from '#engine/pipeline/push-decision.ts';

/** A commit id as GitHub sends it (a deleted branch's `after`, or a new one's `before`, is all zeros). */
const CommitId = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-hex-digit commit id');

const Commit = z.object({
  added: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
});

export const PushPayload = z.object({
  ref: z.string().max(1024),
  before: CommitId,
  after: CommitId,
  created: z.boolean().default(false),
  deleted: z.boolean().default(false),
  forced: z.boolean().default(false),
  commits: z.array(Commit).default([]),
  repository: z.object({
    full_name: RepoName,
    default_branch: z.string().min(1).max(255),
    /** Epoch seconds in push payloads (an ISO string in other events). */
    pushed_at: z
      .union([
        z
          .number()
          .int()
          .nonnegative()
          .max(Number.MAX_SAFE_INTEGER / 1000),
        z.string(),
      ])
      .optional(),
  }),
});
export type PushPayload = z.infer<typeof PushPayload>;

/** The parsed payload is what the decision reads (checked here at compile time). */
export const asPushEvent = (payload: PushPayload): PushEvent => payload;
