/**
 * Builds the training and validation data: reads every pinned source, turns documented definitions into
 * (query, chunk) pairs with the engine's chunker (`benchmark-pairs.ts`), de-duplicates, and splits by
 * package. Deterministic: fixed source order, sorted files, seeded sampling.
 */
import { createChunker } from '../../src/engine/chunking/index.ts';
import { chunkDocumentedFile, type PairChunk, queryShape } from './benchmark-pairs.ts';
import { HELD_OUT_MARKERS } from './corpus.ts';
import { mulberry32, seededSample } from './random.ts';
import {
  checkSources,
  PAIR_SOURCES,
  type PairSource,
  type ReadStats,
  readSourceFiles,
  type Split,
} from './training-sources.ts';

/** One documented definition: the query and the index of its chunk in {@link PairData.chunks}. */
export interface Pair {
  readonly query: string;
  readonly chunk: number;
  /** Index of the package in {@link PairData.packages}. */
  readonly pkg: number;
  /** 1-based line of the documented definition's first line in its file. */
  readonly line: number;
}

export interface PackageCounts {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly split: Split;
  files: number;
  chunks: number;
  pairs: number;
}

export interface PairData {
  readonly packages: PackageCounts[];
  /** Every chunk of every file that has at least one pair, in file order. */
  readonly chunks: PairChunk[];
  /** Package index of each chunk. */
  readonly chunkPackage: Int32Array;
  /** File number of each chunk (chunks of one file share it). */
  readonly chunkFile: Int32Array;
  readonly train: Pair[];
  readonly validation: Pair[];
  readonly readStats: ReadStats;
  readonly dropped: { duplicateQuery: number; templated: number; overCap: number };
}

const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/** Path as the index would show it: package name, then the path without a leading build folder. */
export function displayPath(pkg: string, path: string): string {
  return `${pkg}/${path.replace(/^(?:dist|lib|src|build)\/(?:(?:esm|cjs|es|node)\/)?/, '')}`;
}

/**
 * Extracts all pairs. Validation packages are read first, so a query that occurs in both splits stays in
 * validation and is dropped from training: no validation query is ever trained on.
 */
export async function buildPairData(
  repoRoot: string,
  sources: readonly PairSource[] = PAIR_SOURCES,
  seed = 1,
): Promise<PairData> {
  checkSources(repoRoot, sources);
  const ordered = [
    ...sources.filter((s) => s.split === 'validation'),
    ...sources.filter((s) => s.split === 'train'),
  ];
  const { files, stats } = readSourceFiles(repoRoot, ordered, HELD_OUT_MARKERS);
  const chunker = await createChunker({ languages: ['javascript', 'typescript', 'tsx'] });

  const packages: PackageCounts[] = [];
  const packageIndex = new Map<string, number>();
  for (const s of ordered) {
    if (!packageIndex.has(s.name)) {
      packageIndex.set(s.name, packages.length);
      packages.push({
        name: s.name,
        version: s.version,
        license: s.license,
        split: s.split,
        files: 0,
        chunks: 0,
        pairs: 0,
      });
    }
  }
  const chunks: PairChunk[] = [];
  const chunkPackage: number[] = [];
  const chunkFile: number[] = [];
  const seenQueries = new Set<string>();
  const dropped = { duplicateQuery: 0, templated: 0, overCap: 0 };
  // Per package: candidate pairs with their template shape, before the templated filter and the cap.
  const candidates = new Map<number, { query: string; chunk: number; shape: string; line: number }[]>();
  let fileNumber = 0;
  try {
    for (const file of files) {
      const pkg = packageIndex.get(file.source.name) as number;
      const chunked = chunkDocumentedFile(
        chunker,
        displayPath(file.source.name, file.path),
        file.text,
        DECLARATION_FILE.test(file.path),
      );
      if (!chunked) continue;
      const fresh = chunked.definitions.filter((d) => {
        const key = d.query.toLowerCase();
        if (seenQueries.has(key)) {
          dropped.duplicateQuery++;
          return false;
        }
        seenQueries.add(key);
        return true;
      });
      if (fresh.length === 0) continue;
      const base = chunks.length;
      for (const c of chunked.chunks) {
        chunks.push(c);
        chunkPackage.push(pkg);
        chunkFile.push(fileNumber);
      }
      fileNumber++;
      const list = candidates.get(pkg) ?? [];
      for (const d of fresh)
        list.push({
          query: d.query,
          chunk: base + d.chunk,
          shape: queryShape(d.query, d.decl),
          line: d.line,
        });
      candidates.set(pkg, list);
      const counts = packages[pkg] as PackageCounts;
      counts.files++;
      counts.chunks += chunked.chunks.length;
    }
  } finally {
    chunker.close();
  }

  const train: Pair[] = [];
  const validation: Pair[] = [];
  const random = mulberry32(seed);
  for (const [pkg, list] of [...candidates].sort((a, b) => a[0] - b[0])) {
    const shapes = new Map<string, number>();
    for (const c of list) shapes.set(c.shape, (shapes.get(c.shape) ?? 0) + 1);
    let kept = list.filter((c) => (shapes.get(c.shape) ?? 0) < 3);
    dropped.templated += list.length - kept.length;
    const cap = ordered.find((s) => s.name === packages[pkg]?.name)?.maxPairs;
    if (cap !== undefined && kept.length > cap) {
      dropped.overCap += kept.length - cap;
      kept = seededSample(kept, cap, random);
    }
    const counts = packages[pkg] as PackageCounts;
    counts.pairs = kept.length;
    const target = counts.split === 'train' ? train : validation;
    for (const c of kept) target.push({ query: c.query, chunk: c.chunk, pkg, line: c.line });
  }
  return {
    packages,
    chunks,
    chunkPackage: Int32Array.from(chunkPackage),
    chunkFile: Int32Array.from(chunkFile),
    train,
    validation,
    readStats: stats,
    dropped,
  };
}
