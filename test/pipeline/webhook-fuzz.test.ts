/**
 * The webhook function against generated deliveries — random and hostile headers, bodies, signatures and
 * event types, and GitHub's own example payloads mutated field by field — on the emulators it runs against in
 * the other tests (the real idempotency table, the real queue). Every answer must be a 2xx or a 4xx with a
 * JSON message, never a 5xx; nothing unsigned may queue anything; and whatever is queued must be a job the
 * worker accepts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhookBody } from '#adapters/github/webhook-signature.ts';
import { JobSchema } from '#engine/pipeline/jobs.ts';
import { lambdaContext } from '#test/emulators/lambda-context.ts';
import type { WebhookHandler } from '../../functions/webhook/webhook-handler.ts';
import { httpEvent } from './helpers/http-events.ts';
import {
  JOB_QUEUE,
  type PipelineWorld,
  startPipelineWorld,
  WEBHOOK_SECRET,
} from './helpers/pipeline-world.ts';
import { EXAMPLE_REPO, examplePayloads } from './helpers/webhook-examples.ts';

const HOSTILE = [
  '',
  ' ',
  "' OR '1'='1",
  '../../etc/passwd',
  '\u0000',
  '\u001b[31m',
  'x'.repeat(5000),
  '🙂',
  '0'.repeat(40),
  'refs/heads/master',
  'refs/tags/v1',
  '{}',
];
const text = fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom(...HOSTILE));
const jsonValue = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 5 }),
  fc.dictionary(text, text, { maxKeys: 4 }),
);

/** GitHub's example payloads with one field (at any depth) replaced by something hostile, or removed. */
function mutated(examples: readonly Record<string, unknown>[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.constantFrom(...examples),
      fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      jsonValue,
      fc.boolean(),
    )
    .map(([example, steps, value, remove]) => {
      const copy = structuredClone(example) as Record<string, unknown>;
      let node: Record<string, unknown> = copy;
      for (const [i, step] of steps.entries()) {
        const keys = Object.keys(node);
        if (keys.length === 0) break;
        const key = keys[step % keys.length] as string;
        const child = node[key];
        if (i < steps.length - 1 && child !== null && typeof child === 'object') {
          node = child as Record<string, unknown>;
          continue;
        }
        if (remove) delete node[key];
        else node[key] = value;
        break;
      }
      return copy;
    });
}

describe('fuzzing the webhook (emulators)', () => {
  let world: PipelineWorld;
  let webhook: WebhookHandler;
  const statuses = new Map<number, number>();
  const queued = () => world.sqs.peek(JOB_QUEUE);

  beforeAll(async () => {
    world = await startPipelineWorld();
    await world.register(EXAMPLE_REPO, ['release']);
    webhook = world.openWebhook();
  }, 60_000);

  afterAll(async () => {
    await world?.close();
  });

  const deliver = async (
    body: string,
    headers: Record<string, string | undefined>,
    method = 'POST',
  ): Promise<number> => {
    const present = Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const response = await webhook(httpEvent(method, '/webhooks/github', body, present), lambdaContext());
    const status = response.statusCode ?? 0;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status < 200 || status >= 500)
      throw new Error(`${status} for ${JSON.stringify(headers)} ${body.slice(0, 300)}`);
    expect(JSON.parse(String(response.body))).toEqual(
      expect.objectContaining({ message: expect.any(String) }),
    );
    return status;
  };

  it('answers unsigned and wrongly signed deliveries with a 4xx and queues nothing', async () => {
    const signature = fc.oneof(
      fc.constant(undefined),
      text,
      fc
        .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })
        .map((hex) => `sha256=${hex}`),
      fc.constantFrom('sha1=abc', 'sha256=', `sha256=${'G'.repeat(64)}`),
      // A real signature, of other bytes, or under another secret
      text.map((other) => signWebhookBody(WEBHOOK_SECRET, `${other} `)),
      text.map((body) => signWebhookBody('not the secret', body)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          text,
          jsonValue.map((value) => JSON.stringify(value)),
          mutated(examplePayloads('push')).map((p) => JSON.stringify(p)),
        ),
        signature,
        fc.constantFrom('push', 'ping', 'pull_request', undefined, "push'; --", 'x'.repeat(300)),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          undefined,
          'APPLICATION/JSON',
        ),
        fc.constantFrom('POST', 'POST', 'GET', 'PUT'),
        async (body, sig, event, contentType, method) => {
          const before = queued().length;
          await deliver(
            body,
            {
              'content-type': contentType,
              'x-hub-signature-256': sig,
              'x-github-event': event,
              'x-github-delivery': 'fuzz-unsigned',
            },
            method,
          );
          expect(queued().length).toBe(before);
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  it('answers signed hostile payloads with a 2xx or 4xx, and queues only jobs the worker accepts', async () => {
    const payloads = mutated(examplePayloads('push'));
    // Well-formed pushes too, each a new push (its own pushed_at), from the registered repository or another
    const wellFormed = fc
      .tuple(
        fc.constantFrom(...examplePayloads('push')),
        fc.integer({ min: 1, max: 2_000_000_000 }),
        fc.constantFrom(EXAMPLE_REPO, 'someone/else', 'CODERTOCAT/HELLO-WORLD'),
      )
      .map(([example, pushedAt, fullName]) => ({
        ...example,
        repository: {
          ...(example.repository as Record<string, unknown>),
          pushed_at: pushedAt,
          full_name: fullName,
        },
      }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(payloads, payloads, wellFormed, jsonValue),
        fc.constantFrom('push', 'push', 'ping', 'star', 'installation', text as never),
        fc.oneof(fc.uuid(), fc.uuid(), fc.uuid(), text, fc.constant(undefined)),
        async (payload, event, deliveryId) => {
          const body = JSON.stringify(payload);
          await deliver(body, {
            'content-type': 'application/json',
            'x-hub-signature-256': signWebhookBody(WEBHOOK_SECRET, body),
            'x-github-event': typeof event === 'string' ? event : 'push',
            'x-github-delivery': deliveryId,
          });
        },
      ),
      { numRuns: 300 },
    );
    for (const message of queued()) expect(JobSchema.safeParse(JSON.parse(message.body)).success).toBe(true);
  }, 180_000);

  it('exercised the whole range of answers', () => {
    // Accepted pushes, pings and ignored events, and every refusal: 400, 401, 403, 405, 415
    for (const status of [200, 202, 400, 401, 403, 405, 415])
      expect(statuses.get(status), String(status)).toBeGreaterThan(0);
  });
});
