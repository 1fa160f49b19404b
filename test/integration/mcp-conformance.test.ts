/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`) against `codesearch serve`, run
 * as users run it: its own process, on a loopback port. The scenarios are those that apply to a server
 * offering tools and nothing else (no resources, prompts, logging, completions, sampling or elicitation;
 * the `tools-call-*` fixtures name tools of the suite's own reference server): initialisation, ping, the
 * tool list, and the Host/Origin checks that keep a web page from reaching the local server.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from '#test/helpers/run-cli.ts';

const run = promisify(execFile);
const SUITE = createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/dist/index.js');
const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];

describe('MCP conformance suite against codesearch serve', () => {
  let work: string;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-conformance-'));
    server = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
      env: { ...process.env, CODESEARCH_HOME: join(work, 'home') },
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    server.stderr?.on('data', (part: Buffer) => logs.push(part.toString()));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (part: Buffer) => {
        out += part.toString();
        const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${logs.join('')}`)));
    });
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
    await rm(work, { recursive: true, force: true });
  });

  it.each(SCENARIOS)('passes %s', async (scenario) => {
    // The suite writes its results under its working directory: the temporary one.
    const { stdout } = await run(
      process.execPath,
      [SUITE, 'server', '--url', `${url}/mcp`, '--scenario', scenario],
      {
        cwd: work,
        timeout: 60_000,
      },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      throw new Error(
        `conformance ${scenario} failed (exit ${error.code}):\n${error.stdout}\n${error.stderr}`,
      );
    });
    const plain = stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/Passed: [1-9]\d*\/\d+, 0 failed/);
    expect(plain).not.toMatch(/FAILURE/);
  });
});
