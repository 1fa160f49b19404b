/**
 * The webhook's core, free of Lambda and of DynamoDB: checks a delivery and turns a push into a queued job.
 *
 * Order of checks, cheapest and least trusting first: method, body size (before hashing a huge body),
 * content type, signature (nothing of the body is believed before it), delivery id, JSON, event. Only a
 * verified push from a registered repository (or an allowed owner) reaches the queue, and at most once per
 * push — `deliverOnce` is backed by a conditional write with a TTL. Everything else is answered politely and
 * quickly: GitHub gives a webhook 10 seconds.
 *
 * "Once per push" is keyed on what the signature covers — repository, ref, before, after and `pushed_at` —
 * not on `X-GitHub-Delivery`, which it does not: a captured signed delivery replayed under fresh delivery
 * ids is the same push, and queues nothing. (GitHub's own redeliveries carry the same body, so they are
 * answered from the stored reply as before; `pushed_at` tells a real second push between the same commits,
 * after a force push back and forth, from a replay.)
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeJob, type Job, RepoName } from '#engine/pipeline/jobs.ts';
import { mapLimited } from '#engine/pipeline/map-limited.ts';
import type { JobQueue, PipelineLog } from '#engine/pipeline/ports.ts';
import { decidePush } from '#engine/pipeline/push-decision.ts';
import { decideRepositoryEvent, previousName } from '#engine/pipeline/repository-decision.ts';
import type { RepoEnrolment, RepoRegistration, RepoRegistry } from '#engine/repo-catalog.ts';
import { canonicalRepoName } from '#engine/search/filters.ts';
import { asPushEvent, PushPayload } from './push-event.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

export interface WebhookRequest {
  readonly method: string;
  /** Header names in lower case (API Gateway and Function URLs deliver them so). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

export interface WebhookReply {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface WebhookSettings {
  /** @default 5 MiB (a Lambda request carries at most 6 MB) */
  readonly maxBodyBytes: number;
  /** Owners (users or organisations) whose every repository is accepted. */
  readonly allowedOwners: readonly string[];
  /** @default 20 */
  readonly untrustedCommitCount: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  maxBodyBytes: 5 * 1024 * 1024,
  allowedOwners: [],
  untrustedCommitCount: 20,
};

export interface WebhookDeps {
  readonly secret: { read(): Promise<string> };
  readonly registry: RepoRegistry;
  /** Registers and unregisters the repositories a GitHub App is installed on (installation events). */
  readonly enrolment?: RepoEnrolment;
  readonly queue: JobQueue;
  /**
   * Runs `work` once per key (a push's identity, see `pushKey`) and stores its reply; a redelivery or a replay
   * gets the stored reply with `replayed: true` instead of running it again.
   */
  readonly deliverOnce: (
    key: string,
    work: () => Promise<WebhookReply>,
  ) => Promise<{ reply: WebhookReply; replayed: boolean }>;
  readonly log: PipelineLog;
  readonly settings: WebhookSettings;
}

export async function receiveWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookReply> {
  if (request.method !== 'POST') return reply(405, 'only POST is accepted');
  if (request.body.byteLength > deps.settings.maxBodyBytes)
    return reply(413, `body over ${deps.settings.maxBodyBytes} bytes`);
  const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json')
    return reply(415, 'set the webhook content type to application/json');

  const signature = request.headers['x-hub-signature-256'];
  if (!signature) return reply(401, 'missing X-Hub-Signature-256');
  if (!verifyWebhookSignature(await deps.secret.read(), request.body, signature)) {
    deps.log.warn('webhook signature mismatch', { delivery: request.headers['x-github-delivery'] });
    return reply(401, 'signature does not match');
  }

  const deliveryId = request.headers['x-github-delivery'];
  const event = request.headers['x-github-event'];
  if (!deliveryId || !event) return reply(400, 'missing X-GitHub-Delivery or X-GitHub-Event');
  // GitHub sends a GUID and an event name; anything else is refused here, before it reaches a job or a log.
  if (!/^[\w-]{1,100}$/.test(deliveryId)) return reply(400, 'X-GitHub-Delivery is not a delivery id');
  if (!/^[a-z_]{1,64}$/.test(event)) return reply(400, 'X-GitHub-Event is not an event name');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(request.body).toString('utf8'));
  } catch {
    return reply(400, 'body is not JSON');
  }

  if (event === 'ping') return { status: 200, body: { message: 'pong' } };
  if (event === 'repository') return receiveRepositoryEvent(deps, deliveryId, payload);
  if (event === 'installation' || event === 'installation_repositories')
    return receiveInstallationEvent(deps, deliveryId, event, payload);
  if (event !== 'push') return reply(200, `event ${event} is not used; ignored`);
  return receivePush(deps, deliveryId, payload);
}

const RepositoryPayload = z.object({
  action: z.string().min(1).max(64),
  repository: z.object({
    full_name: RepoName,
    default_branch: z.string().min(1).max(255),
    pushed_at: z
      .union([z.string().max(64), z.number().int().nonnegative()])
      .nullable()
      .optional(),
    updated_at: z.string().max(64).nullable().optional(),
  }),
  changes: z
    .object({
      repository: z
        .object({ name: z.object({ from: z.string().max(100).optional() }).optional() })
        .optional(),
      owner: z
        .object({
          from: z
            .object({
              user: z.object({ login: z.string().max(100) }).optional(),
              organization: z.object({ login: z.string().max(100) }).optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/** Repositories one installation event may register or unregister (each a registry write within the delivery). */
const MAX_INSTALLATION_REPOS = 200;
const REGISTRY_CONCURRENCY = 16;
const InstalledRepository = z.object({ full_name: RepoName });
const InstallationPayload = z.object({
  action: z.string().min(1).max(64),
  installation: z.object({ id: z.number().int().nonnegative() }),
  repositories: z.array(InstalledRepository).max(10_000).optional(),
  repositories_added: z.array(InstalledRepository).max(10_000).optional(),
  repositories_removed: z.array(InstalledRepository).max(10_000).optional(),
});

/**
 * A GitHub App's `installation` (created, deleted) and `installation_repositories` (added, removed) events:
 * the repositories it is installed on are registered and get their first index at once; the ones it leaves
 * are unregistered and their indexes removed, as for a deleted repository. Only with an enrolment port (the
 * webhook function has the registry's write grant); other actions (suspend, new permissions) change nothing.
 */
async function receiveInstallationEvent(
  deps: WebhookDeps,
  deliveryId: string,
  event: 'installation' | 'installation_repositories',
  payload: unknown,
): Promise<WebhookReply> {
  const parsed = InstallationPayload.safeParse(payload);
  if (!parsed.success) return reply(400, `not an ${event} event payload`);
  if (!deps.enrolment) return reply(200, `ignored: ${event} events do not register repositories here`);
  const { action } = parsed.data;
  const names = (list: readonly { full_name: string }[] | undefined) =>
    (list ?? []).map((repository) => canonicalRepoName(repository.full_name));
  const added =
    event === 'installation'
      ? action === 'created'
        ? names(parsed.data.repositories)
        : []
      : names(parsed.data.repositories_added);
  const removed =
    event === 'installation'
      ? action === 'deleted'
        ? names(parsed.data.repositories)
        : []
      : names(parsed.data.repositories_removed);
  if (added.length + removed.length === 0)
    return reply(200, `ignored: ${event} ${action} changes no repository`);
  // Registry writes happen within the delivery (GitHub waits 10 s): a bounded number of them.
  if (added.length + removed.length > MAX_INSTALLATION_REPOS) {
    deps.log.warn('installation event too large to apply', {
      deliveryId,
      repositories: added.length + removed.length,
    });
    return reply(
      422,
      `${added.length + removed.length} repositories in one ${event} event; at most ${MAX_INSTALLATION_REPOS} are applied per delivery: register the rest with codesearch repos add`,
    );
  }
  const seq = Date.now();
  const enrolment = deps.enrolment;
  const removals = await mapLimited(removed, REGISTRY_CONCURRENCY, async (repo) => {
    const registration = await deps.registry.lookup(repo);
    await enrolment.unregister(repo);
    // Its indexes go as a deleted repository's do: the default branch's and each registered branch's.
    const decision = decideRepositoryEvent(
      { action: 'deleted', repository: { full_name: repo } },
      { deliveryId, branches: registration?.branches ?? [], now: seq },
    );
    return decision.kind === 'jobs' ? decision.jobs : [];
  });
  await mapLimited(added, REGISTRY_CONCURRENCY, (repo) => enrolment.register(repo));
  const jobs: Job[] = [
    ...removals.flat(),
    // The first index of each default branch, looked up when the job runs.
    ...added.map(
      (repo): Job => ({ kind: 'sync', repo, index: repo, seq, reason: 'GitHub App installed', deliveryId }),
    ),
  ];
  // Registrations are idempotent; the jobs are fenced by seq: a redelivery only repeats harmless work.
  await deps.queue.send(jobs);
  deps.log.info('installation event', {
    deliveryId,
    event,
    action,
    added: added.length,
    removed: removed.length,
  });
  return {
    status: 202,
    body: { message: 'queued', registered: added, unregistered: removed, jobs: jobs.map(describeJob) },
  };
}

/** `repository` events: a deleted repository's indexes are removed; other actions change nothing indexed. */
async function receiveRepositoryEvent(
  deps: WebhookDeps,
  deliveryId: string,
  payload: unknown,
): Promise<WebhookReply> {
  const parsed = RepositoryPayload.safeParse(payload);
  if (!parsed.success) return reply(400, 'not a repository event payload');
  // A rename or transfer is about the repository under its old name: that is what was registered and indexed.
  const from = previousName(parsed.data);
  const repo = from ?? parsed.data.repository.full_name;
  const registration = await registrationOf(deps, repo);
  if (!registration) return reply(200, `ignored: repository ${repo} is not registered for indexing`);
  const decision = decideRepositoryEvent(parsed.data, {
    deliveryId,
    branches: registration.branches,
    now: Date.now(),
  });
  if (decision.kind === 'ignore') return reply(200, `ignored: ${decision.reason}`);
  // Keyed by signed fields: a replay is answered from the record, not queued again.
  const key = deliveryKey('repository', [
    repo.toLowerCase(),
    parsed.data.action,
    String(parsed.data.repository.pushed_at ?? ''),
    String(parsed.data.repository.updated_at ?? ''),
  ]);
  const { reply: answer, replayed } = await deps.deliverOnce(key, async () => {
    let jobs = decision.jobs;
    if (decision.kind === 'move') {
      // The registration follows the name (with its branches), where this webhook may write the registry…
      if (deps.enrolment && (await deps.registry.lookup(decision.from))) {
        await deps.enrolment.put(decision.to, registration.branches);
        await deps.enrolment.unregister(decision.from);
      }
      // …and the new name is indexed only if its pushes will be accepted (else its index would go stale).
      if (!(await registrationOf(deps, decision.to))) jobs = jobs.filter((job) => job.kind === 'remove');
    }
    await deps.queue.send(jobs);
    return { status: 202, body: { message: 'queued', jobs: jobs.map(describeJob) } };
  });
  deps.log.info(replayed ? 'repository event seen before; not queued again' : 'repository event queued', {
    deliveryId,
    action: parsed.data.action,
    jobs: answer.body.jobs,
  });
  return replayed
    ? { status: 200, body: { ...answer.body, message: 'already queued', replayed: true } }
    : answer;
}

async function receivePush(deps: WebhookDeps, deliveryId: string, payload: unknown): Promise<WebhookReply> {
  const parsed = PushPayload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reply(
      400,
      `not a push payload: ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const repo = parsed.data.repository.full_name;
  const registration = await registrationOf(deps, repo);
  if (!registration) {
    deps.log.warn('push from an unregistered repository', { repo, deliveryId });
    return reply(403, `repository ${repo} is not registered for indexing`);
  }
  const decision = decidePush(asPushEvent(parsed.data), {
    deliveryId,
    extraBranches: registration.branches,
    untrustedCommitCount: deps.settings.untrustedCommitCount,
  });
  if (decision.kind === 'ignore') return reply(200, `ignored: ${decision.reason}`);

  const job = decision.job;
  // Recorded in the reply, which GitHub shows with the delivery: what was left out of the job, and why.
  const skipped = decision.skipped
    .slice(0, 20)
    .map(({ path, reason }) => ({ path: path.slice(0, 200), reason }));
  const { reply: answer, replayed } = await deps.deliverOnce(pushKey(parsed.data), async () => {
    await deps.queue.send([job]);
    return {
      status: 202,
      body: {
        message: 'queued',
        job: describeJob(job),
        ...(decision.skipped.length > 0 ? { pathsSkipped: decision.skipped.length, skipped } : {}),
      },
    };
  });
  deps.log.info(replayed ? 'push seen before; not queued again' : 'push queued', {
    deliveryId,
    job: describeJob(job),
    ...(decision.skipped.length > 0 ? { pathsSkipped: decision.skipped.length, skipped } : {}),
  });
  const storedSuccess = replayed && answer.status >= 200 && answer.status < 300;
  return storedSuccess
    ? { status: 200, body: { ...answer.body, message: 'already queued', replayed: true } }
    : answer;
}

async function registrationOf(deps: WebhookDeps, repo: string): Promise<RepoRegistration | undefined> {
  const owner = repo.split('/')[0]?.toLowerCase();
  const registered = await deps.registry.lookup(repo);
  if (registered) return registered;
  return deps.settings.allowedOwners.some((allowed) => allowed.toLowerCase() === owner)
    ? { branches: [] }
    : undefined;
}

/** A push's identity, from signed fields only: the same for a redelivery and for any replay of it. */
export function pushKey(push: PushPayload): string {
  const fields = [
    push.repository.full_name.toLowerCase(),
    push.ref,
    push.before,
    push.after,
    String(push.repository.pushed_at ?? ''),
  ];
  return deliveryKey('push', fields);
}

/** The idempotency key of a delivery, from the signed fields that identify what it asks for. */
function deliveryKey(event: string, fields: readonly string[]): string {
  return `${event}:${createHash('sha256').update(fields.join('\u0000')).digest('hex')}`;
}

function reply(status: number, message: string): WebhookReply {
  return { status, body: { message } };
}
