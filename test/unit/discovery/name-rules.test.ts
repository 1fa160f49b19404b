import { describe, expect, it } from 'vitest';
import { classifyByName } from '../../../src/engine/discovery/name-rules.ts';

describe('classifyByName', () => {
  it.each([
    ['package-lock.json', 'lockfile'],
    ['web/yarn.lock', 'lockfile'],
    ['pnpm-lock.yaml', 'lockfile'],
    ['Cargo.lock', 'lockfile'],
    ['poetry.lock', 'lockfile'],
    ['go.sum', 'lockfile'],
    ['composer.lock', 'lockfile'],
    ['Gemfile.lock', 'lockfile'],
    ['dist/app.js.map', 'generated'],
    ['styles.css.map', 'generated'],
    ['types.d.ts.map', 'generated'],
    ['jquery.min.js', 'minified'],
    ['jquery-3.7.min.js', 'minified'],
    ['theme.min.css', 'minified'],
    ['main.bundle.js', 'minified'],
    ['api/user.pb.go', 'generated'],
    ['api/user_pb2.py', 'generated'],
    ['api/user_pb2_grpc.py', 'generated'],
    ['src/schema.generated.ts', 'generated'],
    ['Form1.Designer.cs', 'generated'],
    ['pkg/apis/zz_generated.deepcopy.go', 'generated'],
    ['assets/logo.PNG', 'binary'],
    ['fonts/inter.woff2', 'binary'],
    ['release.tar.gz', 'binary'],
    ['model.onnx', 'binary'],
    ['lib/engine.wasm', 'binary'],
    ['manual.pdf', 'binary'],
  ])('skips %s as %s', (path, reason) => {
    expect(classifyByName(path)?.reason).toBe(reason);
  });

  it.each([
    'src/lock.ts',
    'yarn.lock.md',
    'src/min.js',
    'admin.js',
    'generated.ts',
    'maps/world.map',
    'bundle.ts',
    'lib/pb.go',
  ])('leaves %s to the later checks', (path) => {
    expect(classifyByName(path)).toBeUndefined();
  });

  it('explains its decisions', () => {
    expect(classifyByName('a/Cargo.lock')).toEqual({
      reason: 'lockfile',
      detail: 'Cargo.lock is a dependency lock file',
    });
    expect(classifyByName('img.jpeg')).toEqual({ reason: 'binary', detail: "'.jpeg' is a binary file type" });
    expect(classifyByName('a.min.js')).toEqual({
      reason: 'minified',
      detail: 'file name marks it as minified or bundled',
    });
  });
});
