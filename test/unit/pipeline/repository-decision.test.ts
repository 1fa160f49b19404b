import { describe, expect, it } from 'vitest';
import { decideRepositoryEvent } from '#engine/pipeline/repository-decision.ts';

const repository = {
  full_name: 'Acme/API',
  default_branch: 'main',
  pushed_at: '2026-11-30T10:00:00Z',
  updated_at: '2026-11-01T10:00:00Z',
};

describe('decideRepositoryEvent (the engine decides what a repository event means)', () => {
  it('removes the default index and each indexed branch’s when the repository is deleted', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const decision = decideRepositoryEvent(
      { action: 'deleted', repository },
      { deliveryId: 'd1', branches: ['release', 'main'], now },
    );
    expect(decision).toEqual({
      kind: 'jobs',
      jobs: [
        {
          kind: 'remove',
          repo: 'acme/api',
          index: 'acme/api',
          branch: 'main',
          seq: now,
          reason: 'repository deleted',
          deliveryId: 'd1',
        },
        {
          kind: 'remove',
          repo: 'acme/api',
          index: 'acme/api@release',
          branch: 'release',
          seq: now,
          reason: 'repository deleted',
          deliveryId: 'd1',
        },
      ],
    });
  });

  it('outranks the last push even when the clock that received the deletion runs behind', () => {
    const decision = decideRepositoryEvent(
      { action: 'deleted', repository },
      { deliveryId: 'd1', branches: [], now: 0 },
    );
    expect(decision.kind === 'jobs' && decision.jobs[0]?.seq).toBe(Date.parse(repository.pushed_at) + 1);
  });

  it('moves a renamed or transferred repository: the old name’s indexes out, the new name indexed afresh', () => {
    const renamed = decideRepositoryEvent(
      { action: 'renamed', repository, changes: { repository: { name: { from: 'Old-API' } } } },
      { deliveryId: 'd', branches: ['dev'], now: 10 },
    );
    expect(renamed).toMatchObject({ kind: 'move', from: 'acme/old-api', to: 'acme/api' });
    expect(renamed.kind === 'move' && renamed.jobs.map((job) => `${job.kind} ${job.index}`)).toEqual([
      'remove acme/old-api',
      'remove acme/old-api@dev',
      'sync acme/api',
      'sync acme/api@dev',
    ]);
    const transferred = decideRepositoryEvent(
      {
        action: 'transferred',
        repository,
        changes: { owner: { from: { organization: { login: 'Old-Org' } } } },
      },
      { deliveryId: 'd', branches: [], now: 10 },
    );
    expect(transferred).toMatchObject({ kind: 'move', from: 'old-org/api', to: 'acme/api' });
    // A rename that only changes case keeps the index where it is
    expect(
      decideRepositoryEvent(
        { action: 'renamed', repository, changes: { repository: { name: { from: 'api' } } } },
        { deliveryId: 'd', branches: [], now: 10 },
      ),
    ).toMatchObject({ kind: 'ignore' });
    // A previous name that is no repository name is not acted on
    expect(
      decideRepositoryEvent(
        { action: 'renamed', repository, changes: { repository: { name: { from: "x' OR '1'='1" } } } },
        { deliveryId: 'd', branches: [], now: 10 },
      ),
    ).toMatchObject({ kind: 'ignore' });
  });

  it.each(['created', 'edited', 'archived', 'privatized', 'publicized', 'renamed', 'transferred'])(
    'changes nothing indexed when the repository is %s',
    (action) => {
      expect(
        decideRepositoryEvent({ action, repository }, { deliveryId: 'd', branches: [], now: 1 }),
      ).toMatchObject({
        kind: 'ignore',
      });
    },
  );
});
