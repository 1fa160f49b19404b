/**
 * Joins the Debian pairs (`debian-pairs.ts`) to the npm pair data (`training-data.ts`): training pairs come
 * as ready windows; validation packages' files are cut by the engine's own chunker, so validation, fusion
 * tuning and the ranker's fitting see chunks exactly as search does. At most `maxValidationPairs` validation
 * queries per package (seeded), so that scoring every query against every validation chunk stays cheap.
 */
import { createChunker } from '../../src/engine/chunking/index.ts';
import { embeddingText } from '../../src/engine/indexing/embed-with-cache.ts';

import type { PairChunk } from './benchmark-pairs.ts';
import type { DebianPackageCounts, DebianPairs } from './debian-pairs.ts';
import { DOC_LANGUAGES } from './doc-comments.ts';
import { mulberry32, seededSample } from './random.ts';
import type { Pair, PairData } from './training-data.ts';

export interface CombinedPairData extends PairData {
  /** Training pairs whose code side is already a window text (`path\nlines`). */
  readonly windows: readonly { readonly query: string; readonly text: string; readonly pkg: number }[];
  /** What the Debian packages gave, for the data card (absent when they were not used). */
  readonly debian?: {
    readonly packages: readonly DebianPackageCounts[];
    /** `packages` of the combined data from this index on are the Debian ones. */
    readonly firstPackage: number;
    readonly skipped: Readonly<Record<string, number>>;
    /** Training pairs by kind (doc comment, comment inside code). */
    readonly kinds: Readonly<Record<string, number>>;
    /** Pairs by language (training and validation). */
    readonly languages: Readonly<Record<string, number>>;
    /** Manifest packages the archive no longer served. */
    readonly missing: readonly string[];
    /** Packages the selection refused, by reason (from the manifest). */
    readonly refused: Readonly<Record<string, number>>;
    /** Packages refused as a held-out project's: name → project (from the manifest). */
    readonly heldOut: Readonly<Record<string, string>>;
  };
}

const count = (values: readonly string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

export async function combinePairData(
  npm: PairData,
  debian: DebianPairs,
  options: {
    maxValidationPairs?: number;
    seed?: number;
    missing?: readonly string[];
    refused?: Readonly<Record<string, number>>;
    heldOut?: Readonly<Record<string, string>>;
  } = {},
): Promise<CombinedPairData> {
  const maxValidation = options.maxValidationPairs ?? 60;
  const random = mulberry32(options.seed ?? 1);
  const offset = npm.packages.length;
  const packages = [
    ...npm.packages,
    ...debian.packages.map((p) => ({
      name: p.name,
      version: p.version,
      license: p.license,
      split: p.split,
      files: p.files,
      chunks: 0,
      pairs: p.pairs,
    })),
  ];
  const chunks: PairChunk[] = [...npm.chunks];
  const chunkPackage = [...npm.chunkPackage];
  const chunkFile = [...npm.chunkFile];
  let fileNumber = Math.max(-1, ...npm.chunkFile) + 1;
  const validation: Pair[] = [...npm.validation];
  const chunker = await createChunker({ languages: [...DOC_LANGUAGES] });
  try {
    const byPackage = new Map<number, typeof debian.validationFiles>();
    for (const file of debian.validationFiles) {
      const list = byPackage.get(file.pkg) ?? [];
      list.push(file);
      byPackage.set(file.pkg, list);
    }
    for (const [pkg, files] of [...byPackage].sort((a, b) => a[0] - b[0])) {
      const candidates: Pair[] = [];
      for (const file of files) {
        const cut = chunker.chunk({
          repo: 'validation',
          path: file.path,
          language: file.language,
          text: file.stripped,
        });
        const base = chunks.length;
        for (const c of cut) {
          chunks.push({
            path: file.path,
            startLine: c.startLine,
            endLine: c.endLine,
            symbols: c.symbols,
            text: embeddingText({ path: file.path, content: c.content }),
          });
          chunkPackage.push(offset + pkg);
          chunkFile.push(fileNumber);
        }
        fileNumber++;
        const counts = packages[offset + pkg];
        if (counts) counts.chunks += cut.length;
        for (const d of file.definitions) {
          const at = cut.findIndex((c) => c.startLine <= d.line && d.line <= c.endLine);
          if (at !== -1)
            candidates.push({ query: d.query, chunk: base + at, pkg: offset + pkg, line: d.line });
        }
      }
      const kept = seededSample(candidates, maxValidation, random);
      const counts = packages[offset + pkg];
      if (counts) counts.pairs = kept.length;
      validation.push(...kept);
    }
  } finally {
    chunker.close();
  }
  return {
    ...npm,
    packages,
    chunks,
    chunkPackage: Int32Array.from(chunkPackage),
    chunkFile: Int32Array.from(chunkFile),
    validation,
    windows: debian.train.map((w) => ({ query: w.query, text: w.text, pkg: offset + w.pkg })),
    debian: {
      packages: debian.packages,
      firstPackage: offset,
      skipped: debian.skipped,
      kinds: count(debian.train.map((w) => w.kind)),
      languages: debian.packages.reduce<Record<string, number>>((sum, p) => {
        for (const [language, n] of Object.entries(p.languages)) sum[language] = (sum[language] ?? 0) + n;
        return sum;
      }, {}),
      missing: options.missing ?? [],
      refused: options.refused ?? {},
      heldOut: options.heldOut ?? {},
    },
  };
}
