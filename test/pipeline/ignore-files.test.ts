/**
 * `.codesearchignore` in push-driven indexing, on the emulators with the bundled model: a sync indexes exactly
 * what local discovery indexes in a checkout of the same tree, a push that edits an ignore file drops what it
 * now ignores, and a push of one file costs one request per ignore file above it, never a listing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoFileHashStore } from '#adapters/aws/dynamo-file-hash-store.ts';
import type { DynamoIndexStateStore } from '#adapters/aws/dynamo-index-state.ts';
import { SqsJobQueue } from '#adapters/aws/sqs-job-queue.ts';
import type { LanceChunkStore } from '#adapters/lancedb/lance-chunk-store.ts';
import { createOnnxEmbedder, type OnnxEmbedder } from '#engine/embedding/index.ts';
import type { Job, PushJob } from '#engine/pipeline/jobs.ts';
import { gitBlobSha } from '#test/emulators/github-emulator.ts';
import type { SqsHandler } from '#test/emulators/sqs-lambda-poller.ts';
import { discover, makeTree, removeTempTrees } from '#test/unit/discovery/temp-tree.ts';
import { type PipelineWorld, startPipelineWorld } from './helpers/pipeline-world.ts';

const REPO = 'acme/ignoring';

function tsFile(name: string, body = `return '${name}';`): string {
  return `export function ${name}(): string {\n  ${body}\n}\n`;
}

const ROOT_IGNORE =
  '# recorded fixtures and snapshots are not worth searching\nfixtures/\n*.snap.ts\n!src/keep.snap.ts\n';
const WEB_IGNORE = 'stories/\n!*.snap.ts\n';

/** A repository with a root ignore file, a nested one, and one below an ignored directory (never read). */
const FILES: Record<string, string> = {
  '.codesearchignore': ROOT_IGNORE,
  'src/app.ts': tsFile('app'),
  'src/util/math.ts': tsFile('math'),
  'src/keep.snap.ts': tsFile('keptSnapshot'),
  'src/old.snap.ts': tsFile('oldSnapshot'),
  'fixtures/.codesearchignore': '!*\n',
  'fixtures/recorded.ts': tsFile('recorded'),
  'packages/web/.codesearchignore': WEB_IGNORE,
  'packages/web/src/index.ts': tsFile('web'),
  'packages/web/src/view.snap.ts': tsFile('viewSnapshot'),
  'packages/web/stories/button.ts': tsFile('buttonStory'),
  'packages/api/src/server.ts': tsFile('server'),
  'docs/guide.md': '# Guide\n\nHow to run the server.\n',
};

describe('.codesearchignore in push-driven indexing', () => {
  let world: PipelineWorld;
  let embedder: OnnxEmbedder;
  let worker: SqsHandler;
  let reader: LanceChunkStore;
  let state: DynamoIndexStateStore;
  let hashes: DynamoFileHashStore;
  let queue: SqsJobQueue;
  let seq = 1_000;

  const push = (
    change: { before: string; after: string },
    upserted: string[],
    removed: string[] = [],
  ): PushJob => ({
    kind: 'push',
    repo: REPO,
    index: REPO,
    branch: 'main',
    seq: ++seq * 1000,
    ...change,
    upserted,
    removed,
  });
  const run = async (job: Job) => {
    await queue.send([job]);
    return world.drain([worker]);
  };
  const requestsDuring = async (action: () => Promise<unknown>): Promise<string[]> => {
    const before = world.github.requests.length;
    await action();
    return world.github.requests.slice(before);
  };
  const blobRequest = (content: string) => `GET /repos/${REPO}/git/blobs/${gitBlobSha(Buffer.from(content))}`;
  const pathsIndexed = async () =>
    [...new Set((await reader.listChunks({ repos: [REPO] }, 10_000)).map((chunk) => chunk.path))].sort();
  /** The files local discovery indexes in a checkout of `commit` (every one of them has chunks). */
  const pathsIndexedLocally = async (commit: string) => {
    const root = await makeTree(Object.fromEntries(world.github.filesAt(REPO, commit)));
    return (await discover(root)).files.map((file) => file.path).sort();
  };

  beforeAll(async () => {
    world = await startPipelineWorld();
    embedder = await createOnnxEmbedder({ workers: 1 });
    worker = (await world.openWorker({ embedder })).handler;
    reader = await world.openReader(embedder);
    state = world.indexState();
    hashes = world.fileHashes();
    queue = new SqsJobQueue(world.clients.sqs, world.env.CODESEARCH_JOB_QUEUE_URL as string);
  });
  afterAll(async () => {
    await removeTempTrees();
    await reader?.close();
    await world?.close();
    await embedder?.close();
  });

  it('a sync indexes exactly what local discovery indexes, reading each ignore file in force once for its rules', async () => {
    // Given
    const commit = world.github.commit(REPO, 'main', FILES);

    // When
    const requests = await requestsDuring(() =>
      run({
        kind: 'sync',
        repo: REPO,
        index: REPO,
        branch: 'main',
        seq: ++seq * 1000,
        commit,
        reason: 'test',
      }),
    );

    // Then: the same files as a local index of a checkout
    expect((await state.get(REPO))?.commit).toBe(commit);
    expect(await pathsIndexed()).toEqual(await pathsIndexedLocally(commit));
    expect(await pathsIndexed()).toEqual([
      'docs/guide.md',
      'packages/api/src/server.ts',
      'packages/web/src/index.ts',
      'packages/web/src/view.snap.ts',
      'src/app.ts',
      'src/keep.snap.ts',
      'src/util/math.ts',
    ]);
    // One listing; each ignore file in force read for its rules and once more as a file to record (it has no
    // chunks); the one below fixtures/ never; ignored files never downloaded.
    const blobs = requests.filter((request) => request.includes('/git/blobs/'));
    expect(requests.filter((request) => request.includes('/git/trees/'))).toHaveLength(1);
    expect(blobs.filter((request) => request === blobRequest(ROOT_IGNORE))).toHaveLength(2);
    expect(blobs.filter((request) => request === blobRequest(WEB_IGNORE))).toHaveLength(2);
    expect(blobs).toHaveLength(7 + 2 * 2);
    const recorded = await hashes.listFiles(REPO);
    expect(recorded.has('packages/web/.codesearchignore')).toBe(true);
    expect(recorded.has('fixtures/.codesearchignore')).toBe(false);
  });

  it('a one-file push reads the ignore files above it, nothing else but the file', async () => {
    // Given
    const path = 'packages/web/src/index.ts';
    const change = world.github.change(REPO, 'main', { [path]: tsFile('web', "return 'changed';") });

    // When
    const requests = await requestsDuring(() => run(push(change, [path])));

    // Then
    expect(requests.sort()).toEqual(
      [
        blobRequest(ROOT_IGNORE),
        blobRequest(WEB_IGNORE),
        `GET /repos/${REPO}/contents/${path}?ref=${change.after}`,
      ].sort(),
    );
    expect((await state.get(REPO))?.commit).toBe(change.after);
    expect((await reader.fileChunks(REPO, path))[0]?.content).toContain('changed');
  });

  it('a push of ignored paths downloads none of them and indexes none of them', async () => {
    const change = world.github.change(REPO, 'main', {
      'fixtures/recorded.ts': tsFile('recorded', "return 'again';"),
      'packages/web/stories/card.ts': tsFile('cardStory'),
    });
    const requests = await requestsDuring(() =>
      run(push(change, ['fixtures/recorded.ts', 'packages/web/stories/card.ts'])),
    );
    expect(requests.sort()).toEqual([blobRequest(ROOT_IGNORE), blobRequest(WEB_IGNORE)].sort());
    expect((await state.get(REPO))?.commit).toBe(change.after);
    expect(await pathsIndexed()).toEqual(await pathsIndexedLocally(change.after));
  });

  it('a push that edits an ignore file becomes a sync: newly ignored files lose their chunks, re-included ones gain them', async () => {
    // Given: src/util/ becomes ignored, and the stories of packages/web are searchable again
    expect(await pathsIndexed()).toContain('src/util/math.ts');
    const change = world.github.change(REPO, 'main', {
      '.codesearchignore': `${ROOT_IGNORE}src/util/\n`,
      'packages/web/.codesearchignore': '!*.snap.ts\n',
    });

    // When
    await run(push(change, ['.codesearchignore', 'packages/web/.codesearchignore']));

    // Then
    expect((await state.get(REPO))?.commit).toBe(change.after);
    expect(await reader.fileChunks(REPO, 'src/util/math.ts')).toEqual([]);
    expect((await hashes.listFiles(REPO)).has('src/util/math.ts')).toBe(false);
    expect(await pathsIndexed()).toContain('packages/web/stories/button.ts');
    expect(await pathsIndexed()).toEqual(await pathsIndexedLocally(change.after));
  });

  it('removing an ignore file is a change too', async () => {
    const change = world.github.change(REPO, 'main', { 'packages/web/.codesearchignore': null });
    await run(push(change, [], ['packages/web/.codesearchignore']));
    expect((await state.get(REPO))?.commit).toBe(change.after);
    expect(await pathsIndexed()).not.toContain('packages/web/src/view.snap.ts'); // the root rule applies again
    expect(await pathsIndexed()).toEqual(await pathsIndexedLocally(change.after));
  });
});
