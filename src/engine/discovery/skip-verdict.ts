import type { SkipReason } from '../types.ts';

/** Why a file is left out, before it is tied to a path. */
export interface SkipVerdict {
  readonly reason: SkipReason;
  readonly detail: string;
}
