import * as lancedb from '/work/main/node_modules/@lancedb/lancedb/dist/index.js';
import { openLocalServices } from '/work/main/src/runtime/local-services.ts';

const s = await openLocalServices({ home: '/work/main/bench/.data/home-scale' });
const db = await lancedb.connect('/work/main/bench/.data/home-scale/lancedb');
const t = await db.openTable('chunks');
console.log(await t.listIndices());
const qs = [
  'parse command line flags',
  'retry a request after failure',
  'escape html entities',
  'merge two sorted lists',
  'read a config file',
  'compute a checksum of a buffer',
  'format a date',
  'split text into words',
  'walk a directory tree',
  'compare version numbers',
];
const vecs = await Promise.all(qs.map((q) => s.embedder.embedQuery(q)));
const cols = [
  'id',
  'repo',
  'path',
  'language',
  'start_line',
  'end_line',
  'symbols',
  'content',
  'window_vectors',
  'name_vector',
];
const run = async (name: string, f: (v: Float32Array) => any) => {
  for (const v of vecs) await f(v).toArray();
  const times: number[] = [];
  for (let r = 0; r < 3; r++)
    for (const v of vecs) {
      const a = performance.now();
      await f(v).toArray();
      times.push(performance.now() - a);
    }
  times.sort((a, b) => a - b);
  console.log(name.padEnd(40), 'p50', times[Math.floor(times.length / 2)]!.toFixed(1));
};
await run('all columns', (v) =>
  t
    .vectorSearch(v)
    .distanceType('cosine')
    .limit(33)
    .select([...cols, '_distance']),
);
await run('id only', (v) => t.vectorSearch(v).distanceType('cosine').limit(33).select(['id', '_distance']));
await run('no content/parts', (v) =>
  t.vectorSearch(v).distanceType('cosine').limit(33).select(['id', 'repo', 'path', 'symbols', '_distance']),
);
await run('ef 40', (v) =>
  t
    .vectorSearch(v)
    .distanceType('cosine')
    .limit(33)
    .ef(40)
    .select([...cols, '_distance']),
);
await run('ef 100', (v) =>
  t
    .vectorSearch(v)
    .distanceType('cosine')
    .limit(33)
    .ef(100)
    .select([...cols, '_distance']),
);
await run('nprobes 5', (v) =>
  t
    .vectorSearch(v)
    .distanceType('cosine')
    .limit(33)
    .nprobes(5)
    .select([...cols, '_distance']),
);
await run('flat (bypass index)', (v) =>
  t
    .vectorSearch(v)
    .distanceType('cosine')
    .limit(33)
    .bypassVectorIndex()
    .select([...cols, '_distance']),
);
console.log(
  await t
    .vectorSearch(vecs[0]!)
    .distanceType('cosine')
    .limit(33)
    .select([...cols, '_distance'])
    .analyzePlan(),
);
await s.close();
