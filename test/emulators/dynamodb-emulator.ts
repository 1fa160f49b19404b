/**
 * DynamoDB for tests: dynalite in this process (in-memory LevelDB), with the pipeline's tables created and an
 * optional fault plan in front of it that answers chosen requests with DynamoDB errors (throttling, 500s).
 * dynalite does not implement transactions or UpdateTimeToLive; the adapters use neither.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { type AwsClients, createAwsClients } from '#adapters/aws/clients.ts';
import { createTableRequest, TABLE_SHAPES, type TableName } from '#adapters/aws/table-shapes.ts';
import { type AwsCall, principalOf } from './aws-calls.ts';
import { type FaultPlan, NO_FAULTS } from './faults.ts';

export interface DynamoEmulator {
  readonly endpoint: string;
  /** Table names by shape, each prefixed so that several suites may share one emulator. */
  readonly tables: Record<TableName, string>;
  /**
   * Clients with DynamoDB pointed at the emulator (and other services wherever `endpoints` says), signing as
   * `principal` (the access key id every emulator records).
   */
  clients(options?: ClientOptions): AwsClients;
  setFaults(plan: FaultPlan): void;
  /** Requests per operation, e.g. `{ BatchGetItem: 3 }`. */
  readonly operations: Map<string, number>;
  /** Every request: who, which operation, which tables. */
  readonly calls: AwsCall[];
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface ClientOptions {
  readonly maxAttempts?: number;
  readonly endpoints?: { sqs?: string; secretsManager?: string };
  /** The access key id to sign with. @default the access key id of TEST_CREDENTIALS */
  readonly principal?: string;
}

export async function startDynamoEmulator(
  options: { faults?: FaultPlan; prefix?: string } = {},
): Promise<DynamoEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let faults = options.faults ?? NO_FAULTS;
  const operations = new Map<string, number>();
  const calls: AwsCall[] = [];
  const [serve] = server.listeners('request') as ((
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ) => void)[];
  if (!serve) throw new Error('dynalite has no request listener');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    // dynalite reads the body with 'data' events too: both listeners see every chunk
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      calls.push({
        principal: principalOf(req.headers.authorization),
        operation,
        resources: tablesOf(Buffer.concat(body).toString('utf8')),
      });
    });
    const fault = faults.decide({ method: req.method ?? 'POST', path: req.url ?? '/', operation });
    if (!fault) return serve(req, res);
    req.resume();
    res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', ...fault.headers });
    res.end(
      JSON.stringify({
        __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`,
        message: fault.message ?? 'Injected fault',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const prefix = options.prefix ?? 'codesearch-test';
  const tables = Object.fromEntries(
    Object.keys(TABLE_SHAPES).map((name) => [name, `${prefix}-${name}`]),
  ) as Record<TableName, string>;

  const clients = (clientOptions: ClientOptions = {}) =>
    createAwsClients({
      region: 'us-east-1',
      credentials: clientOptions.principal
        ? { accessKeyId: clientOptions.principal, secretAccessKey: 'emulated' }
        : TEST_CREDENTIALS,
      maxAttempts: clientOptions.maxAttempts,
      endpoints: { ...clientOptions.endpoints, dynamodb: endpoint },
    });
  const admin = clients();
  for (const [shape, tableName] of Object.entries(tables))
    await admin.dynamo.send(
      new CreateTableCommand(createTableRequest(tableName, TABLE_SHAPES[shape as TableName])),
    );

  return {
    endpoint,
    tables,
    clients,
    operations,
    calls,
    setFaults(plan) {
      faults = plan;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // the SDK keeps connections alive; do not wait for them to idle out
      }),
  };
}

/** The tables a request names: `TableName`, or the keys of a batch's `RequestItems`. */
function tablesOf(body: string): string[] {
  try {
    const input = JSON.parse(body || '{}') as { TableName?: string; RequestItems?: Record<string, unknown> };
    if (input.TableName) return [input.TableName];
    return Object.keys(input.RequestItems ?? {});
  } catch {
    return [];
  }
}
