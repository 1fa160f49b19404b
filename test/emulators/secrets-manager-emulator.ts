/**
 * Secrets Manager for tests: GetSecretValue over the AWS JSON 1.1 protocol (`X-Amz-Target:
 * secretsmanager.GetSecretValue`), from an in-memory map the test can change (rotation). Counts reads, so a
 * test can show that a cached secret is not fetched per request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AwsCall, principalOf } from './aws-calls.ts';

export interface SecretsManagerEmulator {
  readonly endpoint: string;
  put(id: string, value: string): void;
  readonly reads: Map<string, number>;
  /** Every request: who, which operation, which secret. */
  readonly calls: AwsCall[];
  stop(): Promise<void>;
}

export async function startSecretsManagerEmulator(): Promise<SecretsManagerEmulator> {
  const secrets = new Map<string, string>();
  const reads = new Map<string, number>();
  const calls: AwsCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
    const id = String(input.SecretId);
    calls.push({
      principal: principalOf(req.headers.authorization),
      operation: String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', ''),
      resources: [id],
    });
    const value = secrets.get(id);
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
      res.statusCode = 400;
      res.end(
        JSON.stringify({ __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${id}` }),
      );
      return;
    }
    reads.set(id, (reads.get(id) ?? 0) + 1);
    res.end(
      JSON.stringify({
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`,
        Name: id,
        SecretString: value,
        VersionId: 'v1',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (id, value) => secrets.set(id, value),
    reads,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // clients keep connections alive; do not wait for them to idle out
      }),
  };
}
