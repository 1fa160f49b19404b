/**
 * One training run from start to finish: data, initialisation from the interim model, training, and (unless
 * only experimenting) export. `scripts/train-model.ts` is its command line.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentVector } from '../../src/engine/indexing/embed-with-cache.ts';
import { windowHolding } from '../../src/engine/indexing/embedding-text.ts';
import {
  RANKER_FEATURES,
  type RankerFeature,
  VECTOR_RANKER_FEATURES,
} from '../../src/engine/search/ranker-features.ts';
import type { Embedder, WindowRescoring } from '../../src/engine/types.ts';
import {
  type Bag,
  type BagModel,
  embedBags,
  type SideTables,
  type TermFrequency,
  toBag,
} from './bag-encoder.ts';
import { asStored, type EmbeddingStorage } from './bag-graph.ts';
import type { PairChunk } from './benchmark-pairs.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { dataCard } from './data-card.ts';
import { readManifest } from './debian/manifest.ts';
import { unpackPackages } from './debian/training-tree.ts';
import { type CombinedPairData, combinePairData } from './debian-data.ts';
import { buildDebianPairs, MAX_INLINE_PAIRS_PER_PACKAGE, MAX_PAIRS_PER_PACKAGE } from './debian-pairs.ts';
import { buildModelFiles, checkExportedModel, type ExportOptions, writeModelFiles } from './export-model.ts';
import {
  DEFAULT_FUSION,
  FUSION_GRID,
  type FusionScores,
  keywordRankings,
  rankingGroups,
  SIDE_DEPTH,
  scoreFusions,
} from './fusion-tuning.ts';
import { computeInterimModelParts, type TokenIdsOf } from './interim-model.ts';
import { frameAsQuestion } from './question-framing.ts';
import { mulberry32 } from './random.ts';
import {
  bestCrossValidated,
  chooseRanker,
  RANKER_ABLATIONS,
  type RankerChoice,
  selectFeatures,
} from './ranker-fitting.ts';
import { retrievalSection, runRetrievalBench } from './retrieval-bench.ts';
import { SPECIAL_TOKENS } from './tokenizer-spec.ts';
import {
  type EpochReport,
  evaluateRetrieval,
  type RetrievalScores,
  type RetrievalSet,
  type TrainingPair,
  type TrainSettings,
  train,
  unitGaussianRows,
  type ValidationGroups,
} from './trainer.ts';
import { buildPairData, type Pair, type PairData } from './training-data.ts';
import { buildTrainingVocabulary } from './training-vocabulary.ts';

export interface ModelSettings extends TrainSettings {
  readonly modelId: string;
  readonly dimension: number;
  readonly maxTokens: number;
  /** One embedding table per side (query, code) instead of a shared one. */
  readonly separateQueryEmbeddings: boolean;
  /** Initial log-weight = log(idf + weightFloor). */
  readonly weightFloor: number;
  /** How the embedding table is stored in the ONNX graph. */
  readonly storage: EmbeddingStorage;
  /** Learn log-weight adjustments by the previous and next token (see bag-encoder.ts). */
  readonly context: boolean;
  /** Start inflected words (appends, appended, appending) from their stem's vector. */
  readonly stemTiedInit: boolean;
  /** Term-frequency damping, in training and in the exported graph. */
  readonly termFrequency: TermFrequency;
  /** Seed of the initial token vectors (the interim model's seed keeps its vectors). */
  readonly vectorSeed: number;
  /** Which pair data seed (caps are sampled). */
  readonly dataSeed: number;
  /**
   * Window re-scoring the exported model asks search for (`windowRescoring` in codesearch-model.json; see
   * search/window-rescoring.ts); 0 lines = none. Fusion is tuned with it on.
   */
  readonly windowLines: number;
  readonly windowContextLines: number;
  /**
   * The code side of a training pair is the window of the chunk that holds the definition's first line —
   * what window re-scoring compares a query with at search time — instead of the whole chunk.
   */
  readonly trainOnWindows: boolean;
  /** Fit a hybrid ranker on the validation packages and ship it (needs window re-scoring). */
  readonly ranker: boolean;
  /** Fit a vector-side ranker (the model's features and chunk roles only) and ship it. */
  readonly vectorRanker: boolean;
  /** Also train on the Debian packages of `debian/packages.json` (Go, Rust, Python, Ruby, JavaScript). */
  readonly debian: boolean;
  /** Pairs one Debian package may give at most. */
  readonly maxPairsPerPackage: number;
  /** Pairs of a comment inside code and the lines below it, per Debian package (0: none). */
  readonly maxInlinePairsPerPackage: number;
  /** Pairs of a test's description and the function it tests, per Debian package (0: none). */
  readonly maxTestPairsPerPackage: number;
  /** Validation queries per Debian validation package, at most. */
  readonly maxValidationPairs: number;
  /** Share of training queries framed as a question ("where do we …"), so question words weigh little. */
  readonly questionFraming: number;
  /** A vocabulary of this size chosen from the training pairs; 0 keeps the interim model's. */
  readonly vocabSize: number;
}

export const DEFAULT_SETTINGS: ModelSettings = {
  modelId: 'codesearch-bag-v2-256',
  dimension: 256,
  maxTokens: 512,
  separateQueryEmbeddings: false,
  termFrequency: 'log',
  context: true,
  storage: 'int8',
  stemTiedInit: true,
  weightFloor: 0.1,
  vectorSeed: 20_261_121,
  dataSeed: 1,
  windowLines: 12,
  windowContextLines: 2,
  trainOnWindows: true,
  ranker: true,
  vectorRanker: true,
  debian: true,
  maxPairsPerPackage: MAX_PAIRS_PER_PACKAGE,
  maxInlinePairsPerPackage: MAX_INLINE_PAIRS_PER_PACKAGE,
  maxTestPairsPerPackage: 400,
  maxValidationPairs: 60,
  vocabSize: 32768,
  questionFraming: 0,
  epochs: 3,
  batchSize: 256,
  seed: 7,
  groupedBatches: 0,
  finalRateFraction: 0.1,
  overlapMask: 0,
  tokenDropout: 0.3,
  scale: 20,
  symmetric: 0.5,
  embeddingRate: 3e-3,
  weightRate: 3e-2,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** Spacing of window keys within a chunk's key: a chunk of at most 400 tokens has far fewer than 1,000 windows. */
const WINDOWS_PER_CHUNK_KEY = 1000;

/** The token that marks a query: appended to the vocabulary, and put right after [CLS] by the query prefix. */
export const QUERY_MARKER = '[QRY]';
const CLS = SPECIAL_TOKENS.indexOf('[CLS]');
const SEP = SPECIAL_TOKENS.indexOf('[SEP]');

/** Token ids as the loader produces them: [CLS] content… [SEP], content cut to maxTokens − 2. */
export function encodeForModel(
  tokenIdsOf: TokenIdsOf,
  text: string,
  maxTokens: number,
  marker?: number,
): Int32Array {
  const content = tokenIdsOf(text);
  const budget = maxTokens - 2 - (marker === undefined ? 0 : 1);
  const ids = [CLS, ...(marker === undefined ? [] : [marker]), ...content.subarray(0, budget), SEP];
  return Int32Array.from(ids);
}

interface SerializedPairData extends Omit<PairData, 'chunkPackage' | 'chunkFile'> {
  chunkPackage: number[];
  chunkFile: number[];
}

async function loadPairData(repoRoot: string, seed: number, cache?: string): Promise<PairData> {
  if (cache && existsSync(cache)) {
    const raw = JSON.parse(readFileSync(cache, 'utf8')) as SerializedPairData;
    return {
      ...raw,
      chunkPackage: Int32Array.from(raw.chunkPackage),
      chunkFile: Int32Array.from(raw.chunkFile),
    };
  }
  const data = await buildPairData(repoRoot, undefined, seed);
  if (cache) {
    writeFileSync(
      cache,
      JSON.stringify({ ...data, chunkPackage: [...data.chunkPackage], chunkFile: [...data.chunkFile] }),
    );
  }
  return data;
}

const INFLECTIONS: readonly [suffix: string, replacement: string][] = [
  ['ies', 'y'],
  ['es', ''],
  ['s', ''],
  ['ed', ''],
  ['ed', 'e'],
  ['ing', ''],
  ['ing', 'e'],
  ['er', ''],
  ['ers', ''],
  ['ly', ''],
];

/** The vocabulary id of a whole word's stem by simple English suffix rules, if the stem is in the vocabulary. */
export function stemOf(word: string, ids: ReadonlyMap<string, number>): number | undefined {
  if (word.startsWith('##') || word.startsWith('[') || !/^[a-z]+$/.test(word)) return undefined;
  for (const [suffix, replacement] of INFLECTIONS) {
    if (word.length - suffix.length < 3 || !word.endsWith(suffix)) continue;
    if (suffix === 's' && word.endsWith('ss')) continue;
    const stem = ids.get(word.slice(0, -suffix.length) + replacement);
    if (stem !== undefined) return stem;
  }
  return undefined;
}

export interface TrainingRunOptions {
  readonly repoRoot: string;
  readonly settings: ModelSettings;
  /** Where to write the model; undefined = experiment only. */
  readonly outDir?: string;
  readonly dataCache?: string;
  /** Where to keep the trained parameters, to rerun what follows training without training again. */
  readonly checkpoint?: string;
  /** After export, score the model with `npm run bench:retrieval` and add the result to the data card. */
  readonly retrievalBench?: boolean;
  readonly log: (line: string) => void;
}

export interface TrainedModel {
  readonly model: BagModel;
  readonly vocab: readonly string[];
  readonly tokenIdsOf: TokenIdsOf;
  readonly queryMarker: number;
  readonly data: CombinedPairData;
  readonly reports: readonly EpochReport[];
  /** Validation scores of the initial (interim-equivalent) model. */
  readonly initial: RetrievalScores;
  readonly fusion: { chosen: FusionScores; scores: Awaited<ReturnType<typeof scoreFusions>> };
  /** The hybrid ranker and how it was chosen, when the settings ask for one. */
  readonly ranker?: RankerChoice;
  /** The vector-side ranker and how it was chosen, when the settings ask for one. */
  readonly vectorRanker?: RankerChoice;
  /** Rankers fit on fewer features, for comparison. */
  readonly rankerAblations: readonly { name: string; choice: RankerChoice }[];
  /** What search re-scores by, when the model asks for it. */
  readonly windowRescoring?: WindowRescoring;
  readonly trainingSeconds: number;
}

export const MODEL_DESCRIPTION =
  'Trained bag of subtokens: learned token embeddings and weights (query and code sides), damped term frequency';

/**
 * The trained model as an Embedder (documents only), for scoring window re-scoring the way search does it
 * before the model is exported. Vectors equal the exported graph's (the export is checked against them).
 */
/** Each chunk's vector as indexing computes it for a window-re-scoring model, one after another. */
async function windowMeanVectors(
  embedder: Embedder,
  chunks: readonly PairChunk[],
  options: WindowRescoring,
): Promise<Float32Array> {
  const D = embedder.dimension;
  const out = new Float32Array(chunks.length * D);
  const windowed: Embedder = { ...embedder, windowRescoring: options };
  for (const [i, chunk] of chunks.entries()) {
    const content = chunk.text.slice(chunk.text.indexOf('\n') + 1);
    out.set(await documentVector(windowed, { path: chunk.path, content }), i * D);
  }
  return out;
}

function bagEmbedder(model: BagModel, modelId: string, codeBag: (text: string) => Bag): Embedder {
  const stats = { texts: 0, batches: 0 };
  const D = model.dimension;
  return {
    modelId,
    dimension: D,
    stats,
    async embedDocuments(texts) {
      stats.texts += texts.length;
      stats.batches++;
      const all = embedBags(model, 'code', texts.map(codeBag));
      return texts.map((_, i) => all.slice(i * D, (i + 1) * D));
    },
    async embedQuery() {
      throw new Error('bagEmbedder embeds documents only');
    },
    async close() {},
  };
}

export async function buildTrainingRun(options: TrainingRunOptions): Promise<TrainedModel> {
  const { settings, log } = options;
  const started = performance.now();
  const npmData = await loadPairData(options.repoRoot, settings.dataSeed, options.dataCache);
  let data: CombinedPairData = { ...npmData, windows: [] };
  if (settings.debian) {
    const manifest = await readManifest();
    const { unpacked, missing } = await unpackPackages(manifest.packages, { log });
    log(
      `debian: ${unpacked.length} packages unpacked (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    const debian = await buildDebianPairs(unpacked, {
      seed: settings.dataSeed,
      maxPairsPerPackage: settings.maxPairsPerPackage,
      maxInlinePairsPerPackage: settings.maxInlinePairsPerPackage,
      maxTestPairsPerPackage: settings.maxTestPairsPerPackage,
      // The windows search re-scores by; without them (0), the pairs keep their default cut.
      ...(settings.windowLines > 0 ? { windowLines: settings.windowLines } : {}),
      log,
    });
    data = await combinePairData(npmData, debian, {
      maxValidationPairs: settings.maxValidationPairs,
      seed: settings.dataSeed,
      missing: missing.map((m) => `${m.package}=${m.version}`),
      refused: manifest.refused,
      heldOut: manifest.heldOut ?? {},
    });
    log(`debian: ${debian.train.length} training pairs; skipped ${JSON.stringify(debian.skipped)}`);
  }
  log(
    `pairs: ${data.train.length + data.windows.length} training, ${data.validation.length} validation, ` +
      `${data.chunks.length} chunks (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );

  const base =
    settings.vocabSize > 0
      ? buildTrainingVocabulary(
          [...data.train.map((p) => data.chunks[p.chunk]?.text ?? ''), ...data.windows.map((w) => w.text)],
          [...data.train, ...data.windows].map((p) => p.query),
          settings.vocabSize,
        )
      : computeInterimModelParts(options.repoRoot);
  const vocab = [...base.vocab, QUERY_MARKER];
  const queryMarker = vocab.length - 1;
  const V = vocab.length;
  const D = settings.dimension;
  const tokenIdsOf = base.tokenIdsOf;
  if ('unkRate' in base)
    log(`vocabulary: ${V} tokens, [UNK] ${(base.unkRate * 100).toFixed(3)} % of code tokens`);

  // Initial model: the interim model's random vectors (or new ones for another seed or size) and IDF weights.
  const interimVectors = 'randomVectors' in base ? (base.randomVectors as Float32Array) : undefined;
  const vectors =
    interimVectors && D === interimVectors.length / base.vocab.length && settings.vectorSeed === 20_261_121
      ? interimVectors
      : unitGaussianRows(base.vocab.length, D, settings.vectorSeed);
  const codeEmbeddings = new Float32Array(V * D);
  codeEmbeddings.set(vectors);
  if (settings.stemTiedInit) {
    // Inflected forms start where their stem is ("appends", "appended" → "append"), as a stemmer would match.
    const ids = new Map(vocab.map((t, i) => [t, i]));
    for (const [word, id] of ids) {
      const stem = stemOf(word, ids);
      if (stem !== undefined) codeEmbeddings.copyWithin(id * D, stem * D, (stem + 1) * D);
    }
  }
  const logWeights = new Float32Array(V);
  for (let t = 0; t < V; t++) logWeights[t] = Math.log((base.weights[t] ?? 0) + settings.weightFloor);
  const sideTables = (embeddings: Float32Array): SideTables => ({
    embeddings,
    logWeights: logWeights.slice(),
    ...(settings.context ? { prevLogWeights: new Float32Array(V), nextLogWeights: new Float32Array(V) } : {}),
  });
  const model: BagModel = {
    vocabSize: V,
    dimension: D,
    code: sideTables(codeEmbeddings),
    query: sideTables(settings.separateQueryEmbeddings ? codeEmbeddings.slice() : codeEmbeddings),
  };
  const bagOf = (ids: Int32Array) => toBag(ids, settings.termFrequency, settings.context);

  const codeBags = new Map<number, Bag>();
  const codeBag = (chunk: number): Bag => {
    let bag = codeBags.get(chunk);
    if (!bag) {
      bag = bagOf(encodeForModel(tokenIdsOf, data.chunks[chunk]?.text ?? '', settings.maxTokens));
      codeBags.set(chunk, bag);
    }
    return bag;
  };
  const queryBag = (text: string) => bagOf(encodeForModel(tokenIdsOf, text, settings.maxTokens, queryMarker));
  // Training queries only: a share of them asked as questions (validation keeps the descriptions).
  const framing = mulberry32(settings.seed + 1);
  const trainingQuery = (text: string) => queryBag(frameAsQuestion(text, settings.questionFraming, framing));
  const windowRescoring: WindowRescoring | undefined =
    settings.windowLines > 0
      ? { windowLines: settings.windowLines, contextLines: settings.windowContextLines, depth: SIDE_DEPTH }
      : undefined;
  // The window of a pair's chunk that holds its definition, cut as search cuts windows.
  const windowPair = (p: Pair, options: WindowRescoring): TrainingPair => {
    const chunk = data.chunks[p.chunk] as PairChunk;
    const content = chunk.text.slice(chunk.text.indexOf('\n') + 1);
    const window = windowHolding({ path: chunk.path, content, startLine: chunk.startLine }, p.line, options);
    return {
      query: trainingQuery(p.query),
      code: bagOf(encodeForModel(tokenIdsOf, window.text, settings.maxTokens)),
      // Pairs in the same window share their code.
      codeKey: p.chunk * WINDOWS_PER_CHUNK_KEY + window.index,
      group: p.pkg,
    };
  };
  const pairs: TrainingPair[] = data.train.map((p) =>
    settings.trainOnWindows && windowRescoring
      ? windowPair(p, windowRescoring)
      : { query: trainingQuery(p.query), code: codeBag(p.chunk), codeKey: p.chunk, group: p.pkg },
  );
  // Debian pairs come as windows already; each is its own code (keys past every chunk's).
  const firstWindowKey = (data.chunks.length + 1) * WINDOWS_PER_CHUNK_KEY;
  data.windows.forEach((w, i) => {
    pairs.push({
      query: trainingQuery(w.query),
      code: bagOf(encodeForModel(tokenIdsOf, w.text, settings.maxTokens)),
      codeKey: firstWindowKey + i,
      group: w.pkg,
    });
  });
  // Validation: every chunk of the validation files is a candidate for the queries of its own package, as a
  // search filtered to one repository ranks.
  const validationChunks: number[] = [];
  for (let c = 0; c < data.chunks.length; c++) {
    if (data.packages[data.chunkPackage[c] ?? -1]?.split === 'validation') validationChunks.push(c);
  }
  const position = new Map(validationChunks.map((c, i) => [c, i]));
  const validationGroups: ValidationGroups = {
    candidates: validationChunks.map((c) => data.chunkPackage[c] as number),
    queries: data.validation.map((p) => p.pkg),
  };
  const validation: RetrievalSet = {
    queries: data.validation.map((p) => queryBag(p.query)),
    candidates: validationChunks.map(codeBag),
    targets: data.validation.map((p) => position.get(p.chunk) ?? -1),
    groups: validationGroups,
  };
  log(`tokenised (${((performance.now() - started) / 1000).toFixed(1)} s); vocabulary ${V}, dimension ${D}`);
  const initial = evaluateRetrieval(model, validation);
  log(
    `before training: validation MRR@10 ${initial.mrr10.toFixed(4)} R@1 ${initial.recall1.toFixed(3)} R@10 ${initial.recall10.toFixed(3)}`,
  );

  // A checkpoint names the settings and the data it was trained on; any other run trains afresh.
  const digest = createHash('sha256')
    .update(JSON.stringify(settings))
    .update(JSON.stringify(vocab))
    .update(`${data.train.length}:${data.windows.length}:${data.validation.length}`)
    .update(data.windows.map((w) => w.query).join('\n'))
    .digest('hex');
  const restored = options.checkpoint ? loadCheckpoint(options.checkpoint, digest, model) : undefined;
  if (restored) log(`restored the trained parameters from ${options.checkpoint}`);
  const reports =
    restored ??
    train(model, pairs, settings, validation, (r) => {
      const v = r.validation;
      log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, ${r.seconds.toFixed(1)} s` +
          (v
            ? `; validation MRR@10 ${v.mrr10.toFixed(4)} R@1 ${v.recall1.toFixed(3)} R@10 ${v.recall10.toFixed(3)}`
            : ''),
      );
    });
  if (options.checkpoint && !restored) saveCheckpoint(options.checkpoint, digest, model, reports);
  const trainingSeconds = (performance.now() - started) / 1000;

  // Fusion settings for hybrid search, chosen on the validation packages against the engine's own BM25.
  const stored = asStored(model, settings.storage);
  const validationPairChunks = validationChunks.map((c) => data.chunks[c] as PairChunk);
  const keyword = await keywordRankings(
    validationPairChunks,
    data.validation.map((p) => p.query),
    { candidates: validationGroups.candidates, queries: validationGroups.queries },
  );
  const embedder = bagEmbedder(stored, settings.modelId, (text) =>
    bagOf(encodeForModel(tokenIdsOf, text, settings.maxTokens)),
  );
  const validationQueryVectors = embedBags(stored, 'query', validation.queries);
  // As search finds candidates: a window-re-scoring model's chunk vector is its windows' mean direction.
  const validationChunkVectors = windowRescoring
    ? await windowMeanVectors(embedder, validationPairChunks, windowRescoring)
    : embedBags(stored, 'code', validation.candidates);
  const fusionScores = await scoreFusions(
    validationQueryVectors,
    validationChunkVectors,
    D,
    keyword,
    validation.targets,
    FUSION_GRID,
    windowRescoring
      ? {
          embedder,
          options: windowRescoring,
          chunks: validationPairChunks,
        }
      : undefined,
    validationGroups,
  );
  const bestFusion = [...fusionScores.hybrid].sort((a, b) => b.mrr10 - a.mrr10)[0] as FusionScores;
  const equalFusion = fusionScores.hybrid.find(
    (h) => h.fusion.k === DEFAULT_FUSION.k && h.fusion.vectorWeight === DEFAULT_FUSION.vectorWeight,
  );
  log(
    `validation: vector MRR@10 ${fusionScores.vector.toFixed(4)}, keyword ${fusionScores.keyword.toFixed(4)}, ` +
      `hybrid ${equalFusion?.mrr10.toFixed(4)} (k 60, equal weights) / ${bestFusion.mrr10.toFixed(4)} ` +
      `(k ${bestFusion.fusion.k}, vector weight ${bestFusion.fusion.vectorWeight})`,
  );

  // The rankers' data: each validation query with the candidates search would rank and their features.
  const rankerGroups = (
    rescoring: WindowRescoring,
    keywordLists: typeof keyword,
    features: readonly RankerFeature[],
  ) =>
    rankingGroups(
      data.validation.map((p) => p.query),
      validationQueryVectors,
      validationChunkVectors,
      D,
      keywordLists,
      validation.targets,
      data.validation.map((p) => p.pkg),
      { embedder, options: rescoring, chunks: validationPairChunks },
      features,
      validationGroups,
    );

  // The hybrid ranker, fit on the validation packages (its penalty by leave-one-package-out).
  let ranker: RankerChoice | undefined;
  const ablations: { name: string; choice: RankerChoice }[] = [];
  if (windowRescoring && settings.ranker) {
    const groups = await rankerGroups(windowRescoring, keyword, RANKER_FEATURES);
    ranker = chooseRanker(groups, RANKER_FEATURES);
    for (const ablation of RANKER_ABLATIONS) {
      const choice = chooseRanker(
        selectFeatures(groups, RANKER_FEATURES, ablation.features),
        ablation.features,
      );
      ablations.push({ name: ablation.name, choice });
      log(
        `validation: ranker ${ablation.name}: ${bestCrossValidated(choice).toFixed(4)} leave-one-package-out`,
      );
    }
    log(
      `validation: hybrid with the learned ranker, MRR@10 ${ranker.crossValidated
        .map((c) => `${c.mrr10.toFixed(4)} (l2 ${c.l2})`)
        .join(', ')} leave-one-package-out; ${ranker.fitted.toFixed(4)} fitted on all (l2 ${ranker.l2})`,
    );
  }

  // The vector side's ranker: the same candidates as vector search ranks, no keyword evidence.
  let vectorRanker: RankerChoice | undefined;
  if (windowRescoring && settings.vectorRanker) {
    const groups = await rankerGroups(
      windowRescoring,
      keyword.map(() => []),
      VECTOR_RANKER_FEATURES,
    );
    vectorRanker = chooseRanker(groups, VECTOR_RANKER_FEATURES);
    log(
      `validation: vector with the learned ranker, MRR@10 ${bestCrossValidated(vectorRanker).toFixed(4)} ` +
        `cross-validated (l2 ${vectorRanker.l2}), against ${fusionScores.vector.toFixed(4)} by window cosine`,
    );
  }

  const trained: TrainedModel = {
    model,
    vocab,
    tokenIdsOf,
    queryMarker,
    data,
    reports,
    initial,
    fusion: { chosen: bestFusion, scores: fusionScores },
    ...(ranker ? { ranker } : {}),
    ...(vectorRanker ? { vectorRanker } : {}),
    rankerAblations: ablations,
    ...(windowRescoring ? { windowRescoring } : {}),
    trainingSeconds,
  };
  if (options.outDir) {
    await exportModel(options.outDir, trained, settings, log);
    if (options.retrievalBench) {
      log('scoring the exported model: npm run bench:retrieval');
      const report = await runRetrievalBench(options.repoRoot, options.outDir);
      const card = join(options.outDir, 'DATA_CARD.md');
      writeFileSync(card, `${readFileSync(card, 'utf8')}\n${retrievalSection(report)}`);
      log(`bench:retrieval: ${JSON.stringify({ questions: report.all, docToCode: report.docToCode.all })}`);
    }
  }
  return trained;
}

async function exportModel(
  outDir: string,
  trained: TrainedModel,
  settings: ModelSettings,
  log: (line: string) => void,
): Promise<void> {
  const exportOptions: ExportOptions = {
    model: trained.model,
    vocab: trained.vocab,
    queryMarker: trained.queryMarker,
    modelId: settings.modelId,
    description: MODEL_DESCRIPTION,
    maxTokens: settings.maxTokens,
    termFrequency: settings.termFrequency,
    context: settings.context,
    storage: settings.storage,
    hybrid: trained.fusion.chosen.fusion,
    ...(trained.ranker ? { ranker: trained.ranker.ranker } : {}),
    ...(trained.vectorRanker ? { vectorRanker: trained.vectorRanker.ranker } : {}),
    ...(trained.windowRescoring ? { windowRescoring: trained.windowRescoring } : {}),
  };
  const exported = buildModelFiles(exportOptions);
  writeModelFiles(outDir, exported, dataCard(trained, settings, exported));
  // The shipped files must give the trainer's vectors through the generic loader.
  const samples = trained.data.validation.slice(0, 64);
  const check = await checkExportedModel(
    outDir,
    exportOptions,
    trained.tokenIdsOf,
    ['', ...samples.map((p) => trained.data.chunks[p.chunk]?.text ?? '')],
    ['', ...samples.map((p) => p.query)],
  );
  if (!(check.maxDifference < 1e-4)) {
    throw new Error(
      `exported model differs from the trainer by up to ${check.maxDifference} on ${check.texts} texts`,
    );
  }
  log(
    `wrote ${outDir} (${(exported.bytes / 1e6).toFixed(2)} MB); loader check: ${check.texts} texts, ` +
      `max difference ${check.maxDifference.toExponential(1)}`,
  );
}
