/**
 * The chunk table's Arrow schema and the conversion of chunks into Arrow record batches. Building the batch
 * ourselves (rather than handing LanceDB plain objects) keeps vectors as one flat Float32Array and the
 * nullability exact, which the primary key requires.
 */
import {
  Binary,
  type Data,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { canonicalRepoName } from '#engine/search/filters.ts';
import { chunkTerms } from '#engine/search/terms.ts';
import type { EmbeddedChunk, IndexMetadata, PartVector } from '#engine/types.ts';

/** 2: the parts' vectors (`window_vectors`, `name_vector`). */
export const SCHEMA_VERSION = '2';

/**
 * Field metadata on `repo` saying every name in the column is canonical (lower case). Tables written before
 * names were canonical lack it; opening one locally rewrites the names once (`canonicaliseRepoNames`).
 */
export const CANONICAL_NAMES_META = { key: 'codesearch.repo_names', value: 'canonical' } as const;

/** Keys of the schema-level metadata map where an index records what built it. */
export const META = {
  modelId: 'codesearch.model_id',
  dimension: 'codesearch.dimension',
  chunkerVersion: 'codesearch.chunker_version',
  schemaVersion: 'codesearch.schema_version',
} as const;

export function chunkSchema(metadata: IndexMetadata): Schema {
  return new Schema(
    [
      new Field('id', new Utf8(), false),
      new Field('repo', new Utf8(), false, new Map([[CANONICAL_NAMES_META.key, CANONICAL_NAMES_META.value]])),
      new Field('path', new Utf8(), false),
      new Field('language', new Utf8(), false),
      new Field('start_line', new Int32(), false),
      new Field('end_line', new Int32(), false),
      new Field('symbols', new List(new Field('item', new Utf8(), true)), false),
      new Field('content', new Utf8(), false),
      new Field('content_hash', new Utf8(), false),
      // Keyword text: path, symbols and content with identifiers split (see #engine/search/terms.ts).
      new Field('terms', new Utf8(), false),
      new Field(
        'vector',
        new FixedSizeList(metadata.dimension, new Field('item', new Float32(), true)),
        false,
      ),
      // A window-re-scoring model's parts (ChunkParts), int8, `dimension` bytes each; empty for other models.
      new Field('window_vectors', new Binary(), false),
      new Field('name_vector', new Binary(), false),
    ],
    new Map([
      [META.modelId, metadata.modelId],
      [META.dimension, String(metadata.dimension)],
      [META.chunkerVersion, metadata.chunkerVersion],
      [META.schemaVersion, SCHEMA_VERSION],
    ]),
  );
}

/** Reads back what an existing table was built with (undefined fields: an older or foreign table). */
export function metadataOf(schema: Schema): Partial<IndexMetadata> & { schemaVersion?: string } {
  const meta = schema.metadata;
  const dimension = meta.get(META.dimension);
  return {
    modelId: meta.get(META.modelId),
    dimension: dimension === undefined ? undefined : Number(dimension),
    chunkerVersion: meta.get(META.chunkerVersion),
    schemaVersion: meta.get(META.schemaVersion),
  };
}

/**
 * Builds the Arrow table for one commit. Asynchronous only to stay polite: the keyword text is computed in
 * slices with a turn of the event loop between them, so a 1,000-chunk batch never blocks a server sharing
 * the process for long.
 */
export async function chunksToArrowTable(schema: Schema, chunks: readonly EmbeddedChunk[]): Promise<Table> {
  const field = (name: string): Field => {
    const found = schema.fields.find((f) => f.name === name);
    if (!found) throw new Error(`chunk schema has no ${name} field`);
    return found;
  };
  const dimension = (field('vector').type as FixedSizeList).listSize;
  const flat = new Float32Array(chunks.length * dimension);
  chunks.forEach((chunk, i) => {
    if (chunk.vector.length !== dimension) {
      throw new Error(
        `chunk ${chunk.path}:${chunk.startLine} has a ${chunk.vector.length}-d vector, index expects ${dimension}`,
      );
    }
    flat.set(chunk.vector, i * dimension);
  });
  const terms: string[] = [];
  for (let i = 0; i < chunks.length; i += TERMS_SLICE) {
    for (const c of chunks.slice(i, i + TERMS_SLICE)) terms.push(chunkTerms(c.path, c.symbols, c.content));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const symbols = vectorFromArray(
    chunks.map((c) => [...c.symbols]),
    field('symbols').type,
  ).data[0];
  if (!symbols) throw new Error('no Arrow data built for symbols');
  const children: Data[] = [
    utf8Column(chunks.map((c) => c.id)),
    // Canonical whatever the caller passed: the column holds one spelling per repository.
    utf8Column(chunks.map((c) => canonicalRepoName(c.repo))),
    utf8Column(chunks.map((c) => c.path)),
    utf8Column(chunks.map((c) => c.language)),
    int32Column(chunks.map((c) => c.startLine)),
    int32Column(chunks.map((c) => c.endLine)),
    symbols,
    utf8Column(chunks.map((c) => c.content)),
    utf8Column(chunks.map((c) => c.contentHash)),
    utf8Column(terms),
    makeData({
      type: field('vector').type as FixedSizeList,
      length: chunks.length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: flat.length, data: flat }),
    }),
    binaryColumn(
      chunks.map((c) => c.parts?.windows ?? []),
      dimension,
    ),
    binaryColumn(
      chunks.map((c) => (c.parts?.name ? [c.parts.name] : [])),
      dimension,
    ),
  ];
  const struct = makeData({ type: new Struct(schema.fields), length: chunks.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, struct)]);
}

const TERMS_SLICE = 64;
const encoder = new TextEncoder();

/** A non-null Utf8 column written straight into one buffer (Arrow's generic builder is several times slower). */
function utf8Column(values: readonly string[]): Data<Utf8> {
  let capacity = 0;
  for (const value of values) capacity += value.length * 3; // worst case UTF-16 unit → 3 UTF-8 bytes
  const bytes = new Uint8Array(capacity);
  const offsets = new Int32Array(values.length + 1);
  let position = 0;
  values.forEach((value, i) => {
    position += encoder.encodeInto(value, bytes.subarray(position)).written;
    offsets[i + 1] = position;
  });
  return makeData({
    type: new Utf8(),
    length: values.length,
    nullCount: 0,
    valueOffsets: offsets,
    data: bytes.subarray(0, position),
  });
}

/** Each row's vectors as int8, one after another: cosine ranks the same at any scale, in a quarter the bytes. */
function binaryColumn(rows: readonly (readonly PartVector[])[], dimension: number): Data<Binary> {
  let total = 0;
  for (const vectors of rows) total += vectors.length * dimension;
  const bytes = new Int8Array(total);
  const offsets = new Int32Array(rows.length + 1);
  let position = 0;
  rows.forEach((vectors, i) => {
    for (const vector of vectors) {
      if (vector.length !== dimension)
        throw new Error(`a part vector has ${vector.length} dimensions, not ${dimension}`);
      writeInt8(vector, bytes, position);
      position += dimension;
    }
    offsets[i + 1] = position;
  });
  return makeData({
    type: new Binary(),
    length: rows.length,
    nullCount: 0,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer),
  });
}

/** `vector` scaled so its largest component is ±127 and rounded (an int8 vector passes as it is). */
export function toInt8(vector: PartVector): Int8Array {
  if (vector instanceof Int8Array) return vector;
  const out = new Int8Array(vector.length);
  writeInt8(vector, out, 0);
  return out;
}

/**
 * Writes `vector` as int8 into `out` at `at` (scaled so its largest component is ±127; a zero or non-finite
 * vector as zeros). Straight into the column's buffer: indexing writes one per window of every chunk.
 */
function writeInt8(vector: PartVector, out: Int8Array, at: number): void {
  if (vector instanceof Int8Array) {
    out.set(vector, at);
    return;
  }
  let largest = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = Math.abs(vector[i] as number);
    if (x > largest) largest = x;
  }
  if (!(largest > 0) || !Number.isFinite(largest)) return;
  const scale = 127 / largest;
  // Rounding half away from zero by hand: Math.round is slower, and ±127 stays in range either way.
  for (let i = 0; i < vector.length; i++) {
    const x = (vector[i] as number) * scale;
    out[at + i] = x < 0 ? -Math.floor(0.5 - x) : Math.floor(x + 0.5);
  }
}

/** A `binaryColumn` cell back as its int8 vectors (views into the cell's bytes). */
export function partVectorsOfCell(cell: unknown, dimension: number): Int8Array[] {
  // Anything but whole vectors' bytes (another writer's cell) reads as none: search embeds the parts again.
  if (!(cell instanceof Uint8Array) || cell.length === 0 || cell.length % dimension !== 0) return [];
  const out: Int8Array[] = [];
  for (let at = 0; at + dimension <= cell.length; at += dimension) {
    out.push(new Int8Array(cell.buffer, cell.byteOffset + at, dimension));
  }
  return out;
}

function int32Column(values: readonly number[]): Data<Int32> {
  return makeData({ type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values) });
}
