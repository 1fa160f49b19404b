import { InvalidArgumentError } from 'commander';

const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `90s`, `15m`, `12h`, `30d` → seconds (commander argument parser). */
export function parseDuration(value: string): number {
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 15m, 12h or 30d');
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
}
