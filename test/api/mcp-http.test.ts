/**
 * The remote MCP endpoint driven by the official SDK client over the local server's real sockets (the same
 * handler Lambda runs): tools listed with their schemas, every tool called, structured results checked, and
 * the token's grant holding through every tool.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '#api/auth/authenticator.ts';
import { cachedKeySet } from '#api/auth/cached-key-set.ts';
import { newKeySetText, parseKeySet } from '#api/auth/key-set.ts';
import { mintToken } from '#api/auth/tokens.ts';
import { tokenBucketLimiter } from '#api/rate-limiter.ts';
import { createSearchApi } from '#api/search-api.ts';
import { type LocalServer, startLocalServer } from '../../src/server/local-server.ts';
import { apiGatewayEvent } from './http-event.ts';
import { capturingLogger, type IndexedSample, openIndexedSample } from './indexed-sample.ts';

const TOOL_NAMES = [
  'search_code',
  'find_similar_code',
  'get_code_context',
  'find_symbol',
  'list_repositories',
  'read_file',
];

describe('MCP over Streamable HTTP (official SDK client, real sockets, bearer tokens)', () => {
  // Two copies of one repository under different owners: any leak across the grant would show.
  let sample: IndexedSample;
  let server: LocalServer;
  const logger = capturingLogger();
  const keyText = newKeySetText();
  const keys = parseKeySet(keyText, 'test');
  const clients: Client[] = [];

  const token = async (repos: string[]) =>
    (await mintToken(keys, { sub: `t-${repos.join('+')}`, repos, scopes: ['search'], ttlSeconds: 600 }))
      .token;

  async function connect(bearer: string): Promise<Client> {
    const client = new Client({ name: 'codesearch-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      }),
    );
    clients.push(client);
    return client;
  }

  const call = async (client: Client, name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = (result: CallToolResult) =>
    result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

  beforeAll(async () => {
    sample = await openIndexedSample(['acme/sample', 'other/secret'], ['acme/sample']);
    const auth = bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText }));
    server = await startLocalServer(
      createSearchApi({ ...sample.services, auth, catalog: sample.catalog, logger }),
      { port: 0 },
    );
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await server?.close();
    await sample?.close();
  });

  it('lists the six tools, read-only, each with an input and an output schema', async () => {
    const client = await connect(await token(['acme/sample']));
    expect(client.getServerVersion()?.name).toBe('codesearch');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
      expect(tool.description?.length, tool.name).toBeGreaterThan(80);
    }
    await expect(client.ping()).resolves.toBeDefined();
  });

  it('answers every tool with structured content and a text rendering, within the grant', async () => {
    const client = await connect(await token(['acme/sample']));

    const search = await call(client, 'search_code', {
      query: 'retry a failed upload with backoff',
      limit: 5,
    });
    expect(search.isError).toBeFalsy();
    const hits = (
      search.structuredContent as { results: { repo: string; path: string; startLine: number }[] }
    ).results;
    expect(hits[0]?.path).toBe('src/upload/retry.ts');
    expect(new Set(hits.map((hit) => hit.repo))).toEqual(new Set(['acme/sample']));
    expect(text(search)).toMatch(
      /^1\. acme\/sample src\/upload\/retry\.ts:1-22 {2}UploadTarget\.put, retryFailedUpload /,
    );

    const first = hits[0] as { repo: string; path: string; startLine: number };
    const context = await call(client, 'get_code_context', {
      ...first,
      line: first.startLine,
      neighbours: 1,
    });
    expect(context.isError, JSON.stringify(context.content)).toBeFalsy();
    expect(context.structuredContent).toMatchObject({ repo: 'acme/sample', path: 'src/upload/retry.ts' });

    const similar = await call(client, 'find_similar_code', {
      repo: 'acme/sample',
      path: first.path,
      line: first.startLine,
    });
    expect(similar.isError).toBeFalsy();
    for (const hit of (similar.structuredContent as { results: { repo: string }[] }).results)
      expect(hit.repo).toBe('acme/sample');
    const bySnippet = await call(client, 'find_similar_code', {
      snippet: 'for (let attempt = 1; ; attempt++) {}',
    });
    expect(bySnippet.isError).toBeFalsy();

    const symbol = await call(client, 'find_symbol', { name: 'retryFailedUpload' });
    expect(symbol.structuredContent).toMatchObject({
      name: 'retryFailedUpload',
      definitions: [{ repo: 'acme/sample', path: 'src/upload/retry.ts' }],
    });
    expect(text(symbol)).toMatch(/^Definitions:\n {2}acme\/sample src\/upload\/retry\.ts:/);

    const repos = await call(client, 'list_repositories', {});
    expect((repos.structuredContent as { repos: { repo: string; status: string }[] }).repos).toEqual([
      expect.objectContaining({ repo: 'acme/sample', status: 'ready' }),
    ]);

    const file = await call(client, 'read_file', {
      repo: 'acme/sample',
      path: 'src/upload/retry.ts',
      startLine: 10,
      endLine: 12,
    });
    expect(file.isError).toBeFalsy();
    expect(file.structuredContent).toMatchObject({ startLine: 10, endLine: 12, nextLine: null });
    expect((file.structuredContent as { text: string }).text.split('\n')[0]).toMatch(
      /^export async function retryFailedUpload\(/,
    );
    expect(text(file)).toContain('10  export async function retryFailedUpload(');
  });

  it('gives tool errors, not protocol errors, for bad arguments and repositories outside the grant', async () => {
    const client = await connect(await token(['acme/sample']));
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['search_code', { query: 'x', repo: 'other/secret' }, /does not grant access to other\/secret/],
      ['search_code', { query: '' }, /query/],
      ['search_code', { query: 'x', repo: 'acme/sample', repos: ['acme/sample'] }, /repo or repos, not both/],
      ['search_code', { query: 'x', language: 'klingon' }, /language/],
      ['search_code', { query: 'x', path: "src/' OR '1'='1" }, /path/],
      ['get_code_context', { repo: 'other/secret', path: 'src/upload/retry.ts', line: 10 }, /does not grant/],
      ['get_code_context', { repo: 'acme/sample', path: 'nope.ts', line: 1 }, /not in the index/],
      ['read_file', { repo: 'other/secret', path: 'src/upload/retry.ts' }, /does not grant/],
      ['read_file', { repo: 'acme/sample', path: '../etc/passwd' }, /path/],
      [
        'read_file',
        { repo: 'acme/sample', path: 'src/upload/retry.ts', startLine: 5, endLine: 2 },
        /endLine/,
      ],
      ['find_similar_code', {}, /snippet or location/],
      [
        'find_similar_code',
        { repo: 'other/secret', path: 'src/upload/retry.ts', line: 10 },
        /does not grant/,
      ],
      ['find_symbol', { name: 'retryFailedUpload', repo: 'other/secret' }, /does not grant/],
      ['no_such_tool', {}, /not found/],
    ];
    for (const [name, args, message] of cases) {
      const result = await call(client, name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(text(result), `${name} ${JSON.stringify(args)}`).toMatch(message);
    }
    expect(logger.errors).toEqual([]);
  });

  it('answers 401 without a token, naming the protected-resource metadata (RFC 9728)', async () => {
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${server.url}/.well-known/oauth-protected-resource`);
    const metadata = await (await fetch(metadataUrl as string)).json();
    expect(metadata).toEqual({
      resource: server.url,
      resource_name: 'codesearch',
      bearer_methods_supported: ['header'],
      scopes_supported: ['search', 'admin'],
    });
    await expect(connect('not-a-token')).rejects.toThrow();
  });

  it('names the authorization servers the deployment trusts, when it is given some', async () => {
    const api = createSearchApi({ ...sample.services, authorizationServers: ['https://idp.example.com'] });
    const response = await api(
      apiGatewayEvent('GET', '/.well-known/oauth-protected-resource', {
        headers: { 'x-forwarded-proto': 'https' },
      }),
    );
    expect(JSON.parse(response.body)).toMatchObject({
      resource: 'https://localhost',
      authorization_servers: ['https://idp.example.com'],
    });
  });

  it('applies the REST rate limit to MCP requests, per caller', async () => {
    const limited = createSearchApi({
      ...sample.services,
      auth: bearerTokenAuthenticator(cachedKeySet({ description: 'test', read: async () => keyText })),
      rateLimiter: tokenBucketLimiter({ burst: 2, perSecond: 0.001 }),
      catalog: sample.catalog,
      logger: capturingLogger(),
    });
    const bearer = await token(['acme/sample']);
    const list = () =>
      limited(
        apiGatewayEvent('POST', '/mcp', {
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
          headers: { authorization: `Bearer ${bearer}`, accept: 'application/json, text/event-stream' },
        }),
      );
    expect((await list()).statusCode).toBe(200);
    expect((await list()).statusCode).toBe(200);
    const refused = await list();
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThan(0);
  });

  it('answers GET /mcp with 405 (no event stream), as the transport allows', async () => {
    const response = await fetch(`${server.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
