import * as lancedb from '/work/main/node_modules/@lancedb/lancedb/dist/index.js';

const db = await lancedb.connect('/work/main/bench/.data/home-scale/lancedb');
const t = await db.openTable('chunks');
const a = performance.now();
await t.createIndex('vector', {
  config: lancedb.Index.hnswSq({ distanceType: 'cosine' }),
  name: 'vector_idx',
  replace: true,
});
console.log('rebuilt in', ((performance.now() - a) / 1000).toFixed(1), 's');
const idx = (await t.listIndices()).find((i: any) => i.name === 'vector_idx');
console.log(idx);
