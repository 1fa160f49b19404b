/**
 * `npm start` (scripts/start.ts), run as its own process: on a data directory that an earlier release indexed
 * with another model, it says why and rebuilds the index rather than refusing, then serves the API.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { CHUNKER_VERSION } from '#engine/chunking/options.ts';
import { useTempDirs } from '#test/helpers/temp-dir.ts';

const START = fileURLToPath(new URL('../../scripts/start.ts', import.meta.url));
const tempDir = useTempDirs();

describe('npm start', () => {
  it('rebuilds an index built with another model, then serves', async () => {
    const work = await tempDir();
    const home = join(work, 'home');
    const repo = join(work, 'repo');
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, 'retry.ts'), 'export function retryUpload() {\n  return 1;\n}\n');
    // An index of another model, as an older release left it.
    const old = await openLanceChunkStore({
      uri: join(home, 'lancedb'),
      metadata: {
        modelId: 'codesearch-bag-v1-256@000000000000',
        dimension: 256,
        chunkerVersion: CHUNKER_VERSION,
      },
    });
    await old.close();

    const child = spawn(process.execPath, [START, repo], {
      env: { ...process.env, CODESEARCH_HOME: home, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (/http:\/\/127\.0\.0\.1:\d+/.test(stdout)) {
            clearInterval(check);
            resolve();
          }
        }, 100);
        child.once('exit', (code) => {
          clearInterval(check);
          reject(new Error(`npm start exited (${code}) before serving:\n${stderr}`));
        });
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(stderr).toContain('was built with model "codesearch-bag-v1-256@000000000000"');
    expect(stderr).toContain('npm start rebuilds it from scratch');
    expect(stdout).toMatch(/Indexed .* in [\d.]+ s/);
  });
});
