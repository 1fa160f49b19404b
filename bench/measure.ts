/** Small measuring tools for benchmarks: peak RSS, event-loop pauses, percentiles. */

/**
 * Samples memory every 20 ms; `stop()` returns the peaks in MB: the process's RSS (including LanceDB's native
 * caches, bounded by the store's cache options, and the ONNX workers), and the JavaScript heap plus external
 * buffers, which is what streaming keeps flat.
 */
export function trackPeakMemory(): { stop(): { peakRssMb: number; peakJsHeapMb: number } } {
  let rss = 0;
  let js = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    js = Math.max(js, m.heapUsed + m.external);
  };
  sample();
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssMb: Math.round(rss / 1e6), peakJsHeapMb: Math.round(js / 1e6) };
    },
  };
}

/** The longest gap between ticks of a 5 ms timer: how long the event loop was blocked at worst. */
export function trackEventLoopPauses(): { stop(): number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(worst * 10) / 10;
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? Number.NaN) * 100) / 100;
}
