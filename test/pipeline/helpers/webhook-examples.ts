/**
 * GitHub's own example payloads (@octokit/webhooks-examples), and push payloads derived from them for the
 * emulated repository: the example's shape and fields, with our commits, paths and push time.
 */
import { createRequire } from 'node:module';

interface ExampleDefinition {
  name: string;
  examples: Record<string, unknown>[];
}

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleDefinition[];

export function examplePayloads(event: string): Record<string, unknown>[] {
  const definition = definitions.find((candidate) => candidate.name === event);
  if (!definition) throw new Error(`no example payloads for ${event}`);
  return structuredClone(definition.examples);
}

/** The example push that creates the default branch (`refs/heads/master`, `created: true`). */
/**
 * GitHub's example of a push that creates `master`. Give it another `pushedAt` (epoch seconds) to make it a
 * different push: the webhook queues each push once, however often it is delivered.
 */
export function branchCreatedExample(pushedAt?: number): Record<string, unknown> {
  const push = examplePayloads('push').find(
    (payload) => payload.ref === 'refs/heads/master' && payload.created === true,
  );
  if (!push) throw new Error('no branch-creating push example');
  if (pushedAt === undefined) return push;
  return { ...push, repository: { ...(push.repository as Record<string, unknown>), pushed_at: pushedAt } };
}

/** The example payloads' repository, as GitHub spells it. */
export const EXAMPLE_REPO = 'Codertocat/Hello-World';
/** …and as codesearch names its index, jobs and results: the canonical (lower-case) spelling. */
export const EXAMPLE_INDEX = 'codertocat/hello-world';

/** An example push re-pointed at our commits: `commits` lists the changes, `pushedAt` orders it. */
export function pushPayload(change: {
  before: string;
  after: string;
  pushedAt: number;
  commits?: { added?: string[]; modified?: string[]; removed?: string[] }[];
  created?: boolean;
  forced?: boolean;
  ref?: string;
}): Record<string, unknown> {
  const payload = branchCreatedExample();
  const repository = payload.repository as Record<string, unknown>;
  const template = (payload.commits as Record<string, unknown>[])[0] as Record<string, unknown>;
  const commits = (change.commits ?? []).map((files, i) => ({
    ...template,
    id:
      i === (change.commits?.length ?? 0) - 1
        ? change.after
        : `${String(i).padStart(2, '0')}${change.after.slice(2)}`,
    added: files.added ?? [],
    modified: files.modified ?? [],
    removed: files.removed ?? [],
  }));
  return {
    ...payload,
    ref: change.ref ?? 'refs/heads/master',
    before: change.before,
    after: change.after,
    created: change.created ?? false,
    forced: change.forced ?? false,
    commits,
    head_commit: commits.at(-1) ?? null,
    repository: { ...repository, pushed_at: change.pushedAt },
  };
}
