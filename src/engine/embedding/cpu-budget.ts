/**
 * How many CPUs this process may really use, and how to split them between inference workers and the
 * threads inside each ONNX session. `os.availableParallelism()` reports the host's cores, not a container's
 * CPU quota, and onnxruntime defaults to all host cores; oversubscribing a 2-CPU quota with 16 threads makes
 * inference several times slower.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Parses a cgroup v2 `cpu.max` file ("200000 100000", or "max 100000" for no limit) into a CPU count,
 * rounded up so that a 1.5-CPU quota still gets two threads.
 */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  const q = Number(quota);
  const p = Number(period ?? 100_000);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The cgroup v2 CPU quota of this process: the smallest `cpu.max` limit from its own cgroup up to the root
 * of the (possibly namespaced) hierarchy. Undefined when there is no limit or no cgroup v2.
 */
export function cgroupCpuLimit(root = '/sys/fs/cgroup'): number | undefined {
  // "/proc/self/cgroup" holds "0::/some/path" under cgroup v2; inside a container the path is usually "/".
  const membership = readIfPresent('/proc/self/cgroup') ?? '';
  const ownPath = /^0::(.*)$/m.exec(membership)?.[1]?.trim() ?? '/';
  const segments = ownPath.split('/').filter((s) => s.length > 0);
  let limit: number | undefined;
  for (let depth = segments.length; depth >= 0; depth--) {
    const dir = [root, ...segments.slice(0, depth)].join('/');
    const text = readIfPresent(`${dir}/cpu.max`);
    const cpus = text === undefined ? undefined : parseCpuMax(text);
    if (cpus !== undefined) limit = limit === undefined ? cpus : Math.min(limit, cpus);
  }
  return limit;
}

/** CPUs this process may use: `os.availableParallelism()` capped by the cgroup v2 quota when there is one. */
export function usableCpuCount(): number {
  const cores = availableParallelism();
  const quota = cgroupCpuLimit();
  return Math.max(1, quota === undefined ? cores : Math.min(cores, quota));
}

export interface WorkerPlan {
  readonly workers: number;
  readonly threadsPerWorker: number;
}

/** Default cap on workers: each one holds its own copy of the model in memory. */
export const MAX_DEFAULT_WORKERS = 4;

/**
 * Splits `cpus` into workers × threads. By default one worker per CPU (up to {@link MAX_DEFAULT_WORKERS}),
 * because separate sessions scale better than intra-op threads on short sequences and tokenisation (in JS)
 * is parallel only across workers; the remaining CPUs become intra-op threads.
 */
export function planWorkers(
  cpus: number,
  overrides: { workers?: number | undefined; threadsPerWorker?: number | undefined } = {},
): WorkerPlan {
  const workers = overrides.workers ?? Math.max(1, Math.min(cpus, MAX_DEFAULT_WORKERS));
  const threadsPerWorker = overrides.threadsPerWorker ?? Math.max(1, Math.floor(cpus / workers));
  return { workers, threadsPerWorker };
}
