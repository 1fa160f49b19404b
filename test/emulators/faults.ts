/**
 * Fault injection shared by the emulators: a plan decides, per request, whether to answer with an error
 * instead of serving it. Plans are seeded and budgeted, so a faulty run is reproducible and always ends:
 * once the budget is spent every request is served normally.
 */

/** What the emulator answers instead of the real response. */
export interface Fault {
  readonly status: number;
  /** The service's error code (S3 `SlowDown`, DynamoDB `ThrottlingException`, …). */
  readonly code: string;
  readonly message?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request as the fault plan sees it: enough to aim faults at one kind of call. */
export interface FaultTarget {
  readonly method: string;
  readonly path: string;
  /** DynamoDB's `X-Amz-Target` operation, e.g. `BatchWriteItem`. */
  readonly operation?: string;
}

export interface FaultPlan {
  /** The fault for this request, or undefined to serve it. */
  decide(target: FaultTarget): Fault | undefined;
  /** How many faults were injected so far. */
  readonly injected: number;
}

export interface RandomFaultOptions {
  /** Probability that a matching request fails, 0..1. */
  readonly rate: number;
  /** Most faults to inject in total. */
  readonly budget: number;
  readonly seed: number;
  /** The faults to choose from (uniformly). */
  readonly faults: readonly Fault[];
  /** Only requests this returns true for can fail. @default every request */
  readonly when?: (target: FaultTarget) => boolean;
}

/** Fails a seeded-random share of matching requests until the budget is spent. */
export function randomFaults(options: RandomFaultOptions): FaultPlan {
  const random = seededRandom(options.seed);
  let injected = 0;
  return {
    get injected() {
      return injected;
    },
    decide(target) {
      if (injected >= options.budget) return undefined;
      if (options.when && !options.when(target)) return undefined;
      if (random() >= options.rate) return undefined;
      injected++;
      return options.faults[Math.floor(random() * options.faults.length)];
    },
  };
}

/** Fails exactly the listed (1-based) matching requests: for tests that need one precise fault. */
export function faultsAt(ordinals: readonly number[], fault: Fault, when?: (t: FaultTarget) => boolean) {
  let seen = 0;
  let injected = 0;
  const wanted = new Set(ordinals);
  const plan: FaultPlan = {
    get injected() {
      return injected;
    },
    decide(target) {
      if (when && !when(target)) return undefined;
      seen++;
      if (!wanted.has(seen)) return undefined;
      injected++;
      return fault;
    },
  };
  return plan;
}

export const NO_FAULTS: FaultPlan = { injected: 0, decide: () => undefined };

/** mulberry32: tiny, seedable, good enough to spread faults. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
