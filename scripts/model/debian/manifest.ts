/**
 * The committed list of Debian packages the model is trained on (`packages.json` beside this file): each
 * pinned by version and SHA-256, with its licence and upstream as its DEP-5 copyright file gives them, and
 * the split it belongs to. `select-packages.ts` writes it; `npm run train:model` only reads it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ACCEPTED_LICENSES } from './dep5.ts';
import { FAMILIES } from './families.ts';

export const MANIFEST_FILE = new URL('./packages.json', import.meta.url);

const PackageSchema = z.strictObject({
  package: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/),
  version: z.string().regex(/^[A-Za-z0-9.+~:-]+$/),
  architecture: z.string().regex(/^[a-z0-9-]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The Debian source package (binary packages of one source share a split). */
  source: z.string(),
  family: z.enum(FAMILIES.map((f) => f.name) as [string, ...string[]]),
  license: z.enum(ACCEPTED_LICENSES),
  /** Upstream, from the copyright file's `Source` (or the package's `Homepage`). */
  upstream: z.string().optional(),
  split: z.enum(['train', 'validation']),
});

export type ManifestPackage = z.infer<typeof PackageSchema>;

const ManifestSchema = z.strictObject({
  about: z.string(),
  distribution: z.string(),
  selectedOn: z.string(),
  /** Packages looked at and not taken, by reason. */
  refused: z.record(z.string(), z.number()),
  /** Packages refused as a held-out project's (evaluation reserve, dev benchmarks): name → project. */
  heldOut: z.record(z.string(), z.string()).optional(),
  packages: z.array(PackageSchema),
});

export type Manifest = z.infer<typeof ManifestSchema>;

export async function readManifest(file: URL | string = MANIFEST_FILE): Promise<Manifest> {
  return ManifestSchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/** One source package in forty is validation: chosen by a hash of its name, so the choice never drifts. */
export function splitOf(source: string): 'train' | 'validation' {
  const hash = Number.parseInt(createHash('sha256').update(source).digest('hex').slice(0, 8), 16);
  return hash % 40 === 0 ? 'validation' : 'train';
}
