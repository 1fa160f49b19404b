/**
 * Builds the interim embedding model (the project's first default, now the trained model's starting point and
 * baseline) into models/interim/ (or --out DIR; models/interim is not committed):
 *   model.onnx, tokenizer.json, tokenizer_config.json, codesearch-model.json, DATA_CARD.md
 *
 * The model is a random projection of an IDF-weighted bag of subtokens: cosine similarity between two of its
 * vectors approximates TF-IDF cosine similarity. The trained default model (`npm run train:model`) starts from
 * exactly these vocabulary, weights and vectors; this script keeps the baseline reproducible for comparisons.
 *
 * Deterministic: fixed corpus list, sorted files, seeded PRNG. Run with
 *   node_modules/.bin/node scripts/model/build-interim-model.ts [--out DIR]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CORPUS_SOURCES } from './corpus.ts';
import { computeInterimModelParts, INTERIM_MODEL_SETTINGS, type InterimModelParts } from './interim-model.ts';
import { buildTokenizerConfig, SPECIAL_TOKENS } from './tokenizer-spec.ts';
import { encodeWeightedBagModel, OUTPUT_NAME } from './weighted-bag-graph.ts';

const SETTINGS = INTERIM_MODEL_SETTINGS;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = values.out ?? join(repoRoot, 'models', 'interim');

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function dataCard(parts: InterimModelParts, sha256ByFile: Record<string, string>): string {
  const rows = CORPUS_SOURCES.map((s) => {
    const files = parts.files.filter((f) => f.source === s);
    const chars = files.reduce((sum, f) => sum + f.text.length, 0);
    return `| ${s.name} | ${s.version} | ${s.license} | ${files.length} | ${(chars / 1e6).toFixed(2)} MB | ${s.note} |`;
  });
  const wholeWords = parts.vocab.filter((t) => !t.startsWith('##') && [...t].length > 1).length;
  const continuations = parts.vocab.filter((t) => t.startsWith('##')).length;
  return `# Data card: ${SETTINGS.modelId} (interim model, superseded by the trained default)

## What it is
An **interim** embedding model for codesearch, to be replaced by a trained model. It embeds a text as the
IDF-weighted mean of fixed random vectors, one per subtoken, L2-normalised by the loader
(\`normalize: true\`). The dot product of two such vectors approximates the TF-IDF cosine similarity of the
texts' subtoken bags (a random projection to ${SETTINGS.dimension} dimensions; the approximation error of one
cosine is about 1/√${SETTINGS.dimension} ≈ ${(1 / Math.sqrt(SETTINGS.dimension)).toFixed(2)}). It knows no synonyms: "remove" and
"delete" are unrelated to it. It is lexical search in vector form, with code-aware tokenisation.

It is a standard ONNX model (opset 17, inputs \`input_ids\`/\`attention_mask\`, output \`${OUTPUT_NAME}\`
[batch, ${SETTINGS.dimension}]) with a standard HuggingFace \`tokenizer.json\`, loaded through the same code path as
any third-party sentence-embedding export.

## Tokenizer
- WordPiece, ${parts.vocab.length} entries: ${SPECIAL_TOKENS.length} specials (${SPECIAL_TOKENS.join(', ')}), single characters and their
  \`##\` forms, ${wholeWords} whole words, ${continuations} \`##\` continuations in total.
- Normalizer: \`Replace\` with a lookaround regex that splits camelCase (\`parseJSON\` → \`parse JSON\`,
  \`HTTPServer\` → \`HTTP Server\`), then \`Lowercase\`.
- Pre-tokenizer: \`BertPreTokenizer\` (whitespace and punctuation, so \`snake_case\` → \`snake\`, \`_\`, \`case\`).
- Post-processor: \`TemplateProcessing\` \`[CLS] $A [SEP]\`; truncation to ${SETTINGS.maxTokens} tokens is done by the loader.
- Vocabulary choice: whole words with at least ${SETTINGS.minWordCount} occurrences and at most ${SETTINGS.maxWordLength} characters, most frequent
  first; then the \`##\` pieces greedy tokenisation of the remaining words uses most (candidates: every chosen
  word and a few English suffixes), ${SETTINGS.continuationBudget} reserved. Characters need ${SETTINGS.minCharCount} occurrences (all ASCII kept).
- [UNK] rate over the corpus: ${(parts.unkRate * 100).toFixed(3)} % of tokens. The build checks its own JS copy of these rules
  against \`@huggingface/tokenizers\` on ${parts.mirrorChecked} corpus windows.

## Weights
- Token weight w = ln((N + 1) / (df + 1)), where df counts the ${parts.windowTexts.length} non-overlapping ${SETTINGS.windowLines}-line windows of
  the corpus that contain the token (windows rather than whole files, because search results are chunks of
  about that size and some corpus files are thousands of lines long). Specials weigh 0, except [CLS] which
  weighs ${SETTINGS.clsWeight} so that an empty text still gets a unit vector (the [CLS] direction) instead of a zero vector.
- Token vectors: seeded standard Gaussian samples (mulberry32 + Box–Muller, seed ${SETTINGS.seed}), each scaled to unit
  length, stored as float16 (${SETTINGS.vocabSize} × ${SETTINGS.dimension}) and cast to float32 after the lookup.
- Not applied: one step of co-occurrence smoothing (each token vector mixed with the vectors of tokens that
  share positive PMI with it across the ${parts.documentedCode.length} doc-comment/code pairs of the corpus). On a held-out
  check (372 doc-comment first sentences as queries against the code of their definitions, from 7 packages
  outside the corpus; \`node_modules/.bin/node scripts/model/retrieval-check.ts\`) it scored MRR 0.494–0.509
  over 12 settings against 0.499 for these random vectors, and 0.505–0.518 for three other seeds: no gain
  beyond the noise of the random projection, so the vectors stay purely random.

## Quick quality check
Held-out retrieval (\`node_modules/.bin/node scripts/model/retrieval-check.ts\`): the first sentence of 372 doc comments from
@opentelemetry/api, flatbuffers, pure-rand, tmp, tinybench, @types/chai and lightningcss (none of them in the
corpus) as queries, the code of all 372 documented definitions (comments removed) as candidates:
MRR 0.499, recall@1 0.366, recall@10 0.745. Expect a trained model to beat this clearly on paraphrased queries.

## Sources
Text of the following packages as installed in this repository's node_modules (all permissive licences).
Skipped: ${parts.skipped.duplicate} byte-identical duplicates, ${parts.skipped.tooLarge} files over 3 MB, and ${parts.skipped.mentionsHeldOutPackage} files
that mention a package we evaluate search on (bundles can inline their dependencies). Those packages — zod,
commander, ignore, picomatch, apache-arrow — are not used at all.

| Package | Version | Licence | Files | Text | Content |
| --- | --- | --- | ---: | ---: | --- |
${rows.join('\n')}

Totals: ${parts.files.length} files, ${parts.windowTexts.length} windows, ${parts.wordOccurrences} word occurrences, ${parts.distinctWords} distinct words.

## Settings
\`\`\`json
${JSON.stringify(SETTINGS, null, 2)}
\`\`\`

## Files (sha256)
${Object.entries(sha256ByFile)
  .map(([name, hash]) => `- \`${name}\`: \`${hash}\``)
  .join('\n')}

Rebuild: \`node_modules/.bin/node scripts/model/build-interim-model.ts\` (deterministic: the same inputs give the same bytes).
`;
}

function main(): void {
  const started = Date.now();
  const parts = computeInterimModelParts(repoRoot);
  log(`corpus: ${parts.files.length} files, ${parts.windowTexts.length} windows`);
  log(`vocabulary: ${parts.vocab.length} tokens from ${parts.distinctWords} distinct words`);

  const onnx = encodeWeightedBagModel({
    vocabSize: parts.vocab.length,
    dimension: SETTINGS.dimension,
    tokenVectors: parts.randomVectors,
    tokenWeights: parts.weights,
    docString: `${SETTINGS.modelId}: IDF-weighted mean of random token vectors (see DATA_CARD.md)`,
  });
  const outputs: Record<string, string | Uint8Array> = {
    'model.onnx': onnx,
    'tokenizer.json': `${JSON.stringify(parts.tokenizerJson, null, 1)}\n`,
    'tokenizer_config.json': `${JSON.stringify(buildTokenizerConfig(SETTINGS.maxTokens), null, 2)}\n`,
    'codesearch-model.json': `${JSON.stringify(
      {
        id: SETTINGS.modelId,
        description:
          'Interim model: random projection of IDF-weighted subtokens (approximates TF-IDF cosine)',
        dimension: SETTINGS.dimension,
        pooling: 'none',
        normalize: true,
        maxTokens: SETTINGS.maxTokens,
        queryPrefix: '',
        documentPrefix: '',
        outputName: OUTPUT_NAME,
      },
      null,
      2,
    )}\n`,
  };
  mkdirSync(outDir, { recursive: true });
  const hashes: Record<string, string> = {};
  for (const [name, content] of Object.entries(outputs)) {
    writeFileSync(join(outDir, name), content);
    hashes[name] = sha256(content);
  }
  writeFileSync(join(outDir, 'DATA_CARD.md'), dataCard(parts, hashes));
  const megabytes = (Object.values(outputs).reduce((sum, c) => sum + c.length, 0) / 1e6).toFixed(2);
  log(`wrote ${outDir} (${megabytes} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [name, hash] of Object.entries(hashes)) log(`  ${name} ${hash.slice(0, 16)}`);
}

main();
