/**
 * `codesearch mcp` as an agent runs it: its own process, spoken to over stdio by the official SDK client,
 * against an index `codesearch index` built. Standard output must carry the protocol only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, runCli } from '#test/helpers/run-cli.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';

describe('codesearch mcp (stdio, official SDK client)', () => {
  let work: string;
  let client: Client;
  let stderr = '';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'codesearch-mcp-'));
    const root = await copySampleRepo(work);
    const home = join(work, 'home');
    const indexed = await runCli(['index', root, '--repo', 'acme/sample'], { CODESEARCH_HOME: home });
    expect(indexed.code, indexed.stderr).toBe(0);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_BIN, 'mcp'],
      env: { ...(process.env as Record<string, string>), CODESEARCH_HOME: home },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    client = new Client({ name: 'codesearch-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('lists the same tools as the remote endpoint and answers them from the local index', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'search_code',
      'find_similar_code',
      'get_code_context',
      'find_symbol',
      'list_repositories',
      'read_file',
    ]);
    const search = (await client.callTool({
      name: 'search_code',
      arguments: { query: 'where do we retry failed uploads?', limit: 3 },
    })) as CallToolResult;
    expect(search.isError).toBeFalsy();
    expect((search.structuredContent as { results: { path: string }[] }).results[0]?.path).toBe(
      'src/upload/retry.ts',
    );
    const repos = (await client.callTool({ name: 'list_repositories', arguments: {} })) as CallToolResult;
    expect(repos.structuredContent).toMatchObject({ repos: [{ repo: 'acme/sample', status: 'ready' }] });
    const missing = (await client.callTool({
      name: 'get_code_context',
      arguments: { repo: 'acme/sample', path: 'nope.ts', line: 1 },
    })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(stderr).not.toMatch(/unexpected error|MCP tool failed/);
  });
});
