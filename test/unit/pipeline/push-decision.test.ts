import { describe, expect, it } from 'vitest';
import { decidePush, NULL_SHA, netChanges, type PushEvent } from '#engine/pipeline/push-decision.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function push(overrides: Partial<PushEvent> = {}): PushEvent {
  return {
    ref: 'refs/heads/main',
    before: A,
    after: B,
    created: false,
    deleted: false,
    forced: false,
    commits: [{ added: ['src/new.ts'], removed: [], modified: ['src/a.ts'] }],
    repository: { full_name: 'Acme/API', default_branch: 'main', pushed_at: 1_700_000_000 },
    ...overrides,
  };
}

describe('decidePush (the engine decides what a push means)', () => {
  const options = { deliveryId: 'd1', extraBranches: ['release/2.x'] };

  it('turns a push to the default branch into a push job on the repository’s own index', () => {
    const decision = decidePush(push(), options);
    expect(decision).toMatchObject({
      kind: 'job',
      job: {
        kind: 'push',
        repo: 'acme/api',
        index: 'acme/api',
        branch: 'main',
        seq: 1_700_000_000_000,
        upserted: ['src/a.ts', 'src/new.ts'],
        removed: [],
      },
    });
  });

  it('gives an indexed extra branch its own index, and ignores other refs', () => {
    const release = decidePush(push({ ref: 'refs/heads/release/2.x' }), options);
    expect(release).toMatchObject({ kind: 'job', job: { index: 'acme/api@release/2.x' } });
    expect(decidePush(push({ ref: 'refs/heads/wip' }), options)).toEqual({
      kind: 'ignore',
      reason: 'branch wip is not indexed',
    });
    expect(decidePush(push({ ref: 'refs/tags/v1' }), options)).toMatchObject({ kind: 'ignore' });
  });

  it('syncs the whole tree when the listed changes cannot be trusted', () => {
    for (const event of [
      push({ created: true, before: NULL_SHA }),
      push({ forced: true }),
      push({ commits: [] }),
      push({ commits: Array.from({ length: 20 }, () => ({ added: [], removed: [], modified: ['x'] })) }),
    ])
      expect(decidePush(event, options)).toMatchObject({ kind: 'job', job: { kind: 'sync', commit: B } });
  });

  it('removes a deleted branch’s index; the default branch is never deleted on GitHub', () => {
    const deleted = { deleted: true, after: NULL_SHA, ref: 'refs/heads/release/2.x' };
    expect(decidePush(push(deleted), options)).toEqual({
      kind: 'job',
      job: {
        kind: 'remove',
        repo: 'acme/api',
        index: 'acme/api@release/2.x',
        branch: 'release/2.x',
        seq: 1_700_000_000_000,
        deliveryId: 'd1',
        reason: 'branch release/2.x was deleted',
      },
      skipped: [],
    });
    expect(decidePush(push({ ...deleted, ref: 'refs/heads/main' }), options)).toMatchObject({
      kind: 'ignore',
    });
    expect(decidePush(push({ ...deleted, ref: 'refs/heads/wip' }), options)).toMatchObject({
      kind: 'ignore',
    });
  });

  it('folds the commits in order into the net change', () => {
    expect(
      netChanges([
        { added: ['a', 'b'], removed: [], modified: [] },
        { added: [], removed: ['a'], modified: ['b'] },
        { added: ['c'], removed: ['c'], modified: [] },
      ]),
    ).toEqual({ upserted: ['b', 'c'], removed: ['a'] });
  });
});
