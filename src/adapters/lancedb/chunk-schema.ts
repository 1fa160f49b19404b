/**
 * The chunk table's Arrow schema and the conversion of chunks into Arrow record batches. Building the batch
 * ourselves (rather than handing LanceDB plain objects) keeps vectors as one flat Float32Array and the
 * nullability exact, which the primary key requires.
 */
import {
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
import { chunkTerms } from '#engine/search/terms.ts';
import type { EmbeddedChunk, IndexMetadata } from '#engine/types.ts';

export const SCHEMA_VERSION = '1';

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
      new Field('repo', new Utf8(), false),
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

export function chunksToArrowTable(schema: Schema, chunks: readonly EmbeddedChunk[]): Table {
  const vectorField = schema.fields.find((f) => f.name === 'vector');
  if (!vectorField) throw new Error('chunk schema has no vector field');
  const dimension = (vectorField.type as FixedSizeList).listSize;
  const flat = new Float32Array(chunks.length * dimension);
  chunks.forEach((chunk, i) => {
    if (chunk.vector.length !== dimension) {
      throw new Error(
        `chunk ${chunk.path}:${chunk.startLine} has a ${chunk.vector.length}-d vector, index expects ${dimension}`,
      );
    }
    flat.set(chunk.vector, i * dimension);
  });
  const column = (name: string, values: unknown[]) => {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) throw new Error(`chunk schema has no ${name} field`);
    const data = vectorFromArray(values, field.type).data[0];
    if (!data) throw new Error(`no Arrow data built for ${name}`);
    return data;
  };
  const vectorData = makeData({
    type: vectorField.type as FixedSizeList,
    length: chunks.length,
    nullCount: 0,
    child: makeData({ type: new Float32(), length: flat.length, data: flat }),
  });
  const children: Data[] = [
    column(
      'id',
      chunks.map((c) => c.id),
    ),
    column(
      'repo',
      chunks.map((c) => c.repo),
    ),
    column(
      'path',
      chunks.map((c) => c.path),
    ),
    column(
      'language',
      chunks.map((c) => c.language),
    ),
    column(
      'start_line',
      chunks.map((c) => c.startLine),
    ),
    column(
      'end_line',
      chunks.map((c) => c.endLine),
    ),
    column(
      'symbols',
      chunks.map((c) => [...c.symbols]),
    ),
    column(
      'content',
      chunks.map((c) => c.content),
    ),
    column(
      'content_hash',
      chunks.map((c) => c.contentHash),
    ),
    column(
      'terms',
      chunks.map((c) => chunkTerms(c.path, c.symbols, c.content)),
    ),
    vectorData,
  ];
  const struct = makeData({ type: new Struct(schema.fields), length: chunks.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, struct)]);
}
