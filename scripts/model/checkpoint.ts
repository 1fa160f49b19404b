/**
 * A trained model's parameters on disk, so that the steps after training (fusion tuning, ranker fitting,
 * export, evaluation) can be rerun without training again: `npm run train:model -- --checkpoint FILE`
 * writes FILE after training, and a later run with the same settings and data reads it instead of training.
 * The file names what it was trained from (a digest of the settings and the pairs); anything else is refused.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BagModel, SideTables } from './bag-encoder.ts';
import type { EpochReport } from './trainer.ts';

interface Header {
  readonly digest: string;
  readonly reports: readonly EpochReport[];
  /** Table name → [offset, length] in floats. */
  readonly tables: Record<string, [number, number]>;
}

const tablesOf = (model: BagModel): [string, Float32Array][] => {
  const out: [string, Float32Array][] = [];
  for (const side of ['query', 'code'] as const) {
    const t: SideTables = model[side];
    if (side === 'code' || t.embeddings !== model.code.embeddings)
      out.push([`${side}.embeddings`, t.embeddings]);
    out.push([`${side}.logWeights`, t.logWeights]);
    if (t.prevLogWeights) out.push([`${side}.prevLogWeights`, t.prevLogWeights]);
    if (t.nextLogWeights) out.push([`${side}.nextLogWeights`, t.nextLogWeights]);
  }
  return out;
};

export function saveCheckpoint(
  file: string,
  digest: string,
  model: BagModel,
  reports: readonly EpochReport[],
): void {
  const tables: Record<string, [number, number]> = {};
  let offset = 0;
  const parts = tablesOf(model);
  for (const [name, table] of parts) {
    tables[name] = [offset, table.length];
    offset += table.length;
  }
  const header = Buffer.from(JSON.stringify({ digest, reports, tables } satisfies Header));
  const body = new Float32Array(offset);
  for (const [name, table] of parts) body.set(table, (tables[name] as [number, number])[0]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  writeFileSync(file, Buffer.concat([length, header, Buffer.from(body.buffer)]));
}

/** Loads `file` into `model` (same shapes) and returns its epoch reports, or undefined if it is absent or stale. */
export function loadCheckpoint(file: string, digest: string, model: BagModel): EpochReport[] | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString()) as Header;
  if (header.digest !== digest) return undefined;
  const start = 4 + headerLength;
  const body = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length),
  );
  for (const [name, table] of tablesOf(model)) {
    const [offset, length] = header.tables[name] ?? [0, -1];
    if (length !== table.length)
      throw new Error(`${file}: ${name} has ${length} values, the model ${table.length}`);
    table.set(body.subarray(offset, offset + length));
  }
  return [...header.reports];
}
