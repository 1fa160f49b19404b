const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Human-readable byte count for skip details, e.g. `512 B`, `2.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}
