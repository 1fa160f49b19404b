/**
 * The checks of bundled-functions.test.ts can fail: the sandbox does not find a module that only the
 * project's node_modules has, and the secret scan recognises the formats it looks for. (The fake secrets are
 * assembled at run time so that this file itself holds none.)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, invokeInSandbox } from './helpers/lambda-sandbox.ts';
import { findSecrets, knownSecretValues } from './helpers/secret-scan.ts';

function fakeFunction(code: string) {
  const codeDir = join(mkdtempSync(join(tmpdir(), 'codesearch-fake-')), 'code');
  mkdirSync(codeDir);
  writeFileSync(join(codeDir, 'index.js'), code);
  return { logicalId: 'Fake', handler: 'index.handler', codeDir, layerDirs: [], environment: {} };
}

describe('the Lambda sandbox', () => {
  it('does not resolve packages from the project', async () => {
    // zod is in the project's node_modules, but neither in this bundle nor in a layer
    const fn = fakeFunction("require('zod'); exports.handler = async () => 'ok';");
    const result = await invokeInSandbox(createSandbox(fn), fn.handler);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cannot find module 'zod'");
  });

  it('provides the AWS SDK, as the nodejs22.x runtime does', async () => {
    const fn = fakeFunction(
      "require('@aws-sdk/client-secrets-manager'); exports.handler = async () => 'ok';",
    );
    const result = await invokeInSandbox(createSandbox(fn), fn.handler, {});
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('RESULT "ok"');
  });
});

describe('the secret scan', () => {
  const fake = {
    awsKeyId: ['AKIA', 'Z'.repeat(16)].join(''),
    githubToken: ['ghp', '_', 'a1'.repeat(18)].join(''),
    privateKey: ['-----BEGIN', 'RSA PRIVATE', 'KEY-----'].join(' '),
    jwt: [
      'eyJ',
      'hbGciOiJIUzI1NiJ9',
      '.',
      'eyJ',
      'zdWIiOiJ4eHh4eHgifQ',
      '.',
      'c2lnbmF0dXJlc2lnbmF0dXJl',
    ].join(''),
    assignment: ['"api_key"', ': "', 'Q'.repeat(30), '"'].join(''),
    secretString: ['"Secret', 'String": "x"'].join(''),
  };

  it.each(Object.entries(fake))('finds a %s', (_kind, text) => {
    expect(findSecrets('sample', `const x = ${text};`)).toHaveLength(1);
  });

  it('finds the value of a secret-named environment variable', () => {
    const value = ['sandbox', 'only', 'value', '7f3a'].join('-');
    const known = knownSecretValues({
      CODESEARCH_KEY_FILE: '/nonexistent',
      SOME_API_TOKEN: value,
      HOME_DIR: value,
    });
    expect(known).toEqual([value]);
    expect(findSecrets('sample', `x=${value}`, known)).toEqual([
      expect.objectContaining({ kind: 'a secret value from this machine' }),
    ]);
  });

  it('lets ordinary code through', () => {
    expect(findSecrets('sample', "const token = readToken(); const key = 'model.onnx';")).toEqual([]);
  });
});
