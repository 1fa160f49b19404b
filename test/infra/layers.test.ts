/**
 * The layer folders scripts/layers builds from node_modules: one platform, stripped, only what runs, and
 * rebuilt only when an input changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLayers } from '../../scripts/layers/index.ts';
import { isRuntimeFile, listFiles } from '../../scripts/layers/layer-files.ts';

const layers = buildLayers();
const modules = (dir: string) => join(dir, 'nodejs', 'node_modules');

describe('buildLayers', () => {
  it('reuses folders whose inputs did not change', () => {
    // A rebuild would rename a fresh folder into place: the same inode means nothing was rebuilt (a check a
    // loaded machine cannot break, unlike a time limit)
    const inodes = (built: typeof layers) =>
      [built.onnxRuntime, built.lanceDb, built.model].map((layer) => statSync(layer.dir).ino);
    const before = inodes(layers);
    const again = buildLayers();
    expect(again.onnxRuntime.dir).toBe(layers.onnxRuntime.dir);
    expect(again.lanceDb.dir).toBe(layers.lanceDb.dir);
    expect(again.model.dir).toBe(layers.model.dir);
    expect(inodes(again)).toEqual(before);
  });

  it('names each folder after its input hash', () => {
    for (const layer of Object.values(layers)) {
      expect(layer.dir.endsWith(`${layer.name}-${layer.inputHash.slice(0, 16)}`)).toBe(true);
    }
  });
});

describe('the onnxruntime layer', () => {
  const files = listFiles(modules(layers.onnxRuntime.dir));

  it('holds onnxruntime-node for linux/x64 only, with onnxruntime-common and nothing for its installer', () => {
    const binaries = files.filter((path) => path.startsWith('onnxruntime-node/bin/'));
    expect(binaries.sort()).toEqual([
      'onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    ]);
    expect(files).toContain('onnxruntime-common/package.json');
    expect(files.some((path) => path.startsWith('adm-zip/') || path.startsWith('global-agent/'))).toBe(false);
  });

  it('strips the native binaries', () => {
    const binding = join(
      modules(layers.onnxRuntime.dir),
      'onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    );
    expect(execFileSync('objdump', ['-t', binding], { encoding: 'utf8' })).toMatch(/no symbols/);
  });
});

describe('the lancedb layer', () => {
  const files = listFiles(modules(layers.lanceDb.dir));

  it('holds LanceDB, its stripped linux-x64-gnu binary and apache-arrow, without typings or CLI dependencies', () => {
    expect(files).toContain('@lancedb/lancedb/dist/index.js');
    expect(files).toContain('apache-arrow/Arrow.node.js');
    const native = join(
      modules(layers.lanceDb.dir),
      '@lancedb/lancedb-linux-x64-gnu/lancedb.linux-x64-gnu.node',
    );
    expect(existsSync(native)).toBe(true);
    expect(execFileSync('objdump', ['-t', native], { encoding: 'utf8', maxBuffer: 1 << 20 })).toMatch(
      /no symbols/,
    );
    expect(files.filter((path) => /^(@types|command-line-args|command-line-usage)\//.test(path))).toEqual([]);
    expect(files.filter((path) => !isRuntimeFile(path))).toEqual([]);
  });
});

describe('the model layer', () => {
  it('puts the model files under model/', () => {
    expect(listFiles(layers.model.dir)).toEqual(
      expect.arrayContaining(['model/model.onnx', 'model/tokenizer.json', 'model/codesearch-model.json']),
    );
  });
});

describe('isRuntimeFile', () => {
  it.each([
    ['dist/index.js', true],
    ['LICENSE', true],
    ['THIRD_PARTY_LICENSES.md', true],
    ['dist/index.d.ts', false],
    ['dist/index.js.map', false],
    ['README.md', false],
    ['lib/backend.ts', false],
  ])('%s → %s', (path, expected) => {
    expect(isRuntimeFile(path)).toBe(expected);
  });
});
