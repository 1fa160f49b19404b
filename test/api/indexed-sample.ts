import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRepoCatalog } from '#adapters/local/sqlite-repo-catalog.ts';
import { indexDirectory } from '#engine/indexing/indexer.ts';
import { copySampleRepo } from '#test/helpers/sample-repo.ts';
import { type LocalServices, openLocalServices } from '../../src/runtime/local-services.ts';
import { finishedRun } from '../../src/server/local-reindexer.ts';

export interface IndexedSample {
  readonly work: string;
  readonly root: string;
  readonly services: LocalServices;
  readonly catalog: SqliteRepoCatalog;
  close(): Promise<void>;
}

/**
 * Real services (ONNX model, LanceDB, SQLite) with the sample repository indexed under each name in `repos`.
 * Names in `withRoot` are recorded in the catalogue the way `codesearch index` does, so they can be re-indexed.
 */
export async function openIndexedSample(
  repos: readonly string[],
  withRoot: readonly string[] = repos,
): Promise<IndexedSample> {
  const work = await mkdtemp(join(tmpdir(), 'codesearch-api-'));
  const services = await openLocalServices({ home: join(work, 'home') });
  const catalog = await SqliteRepoCatalog.open(join(services.home, 'state.sqlite'));
  const root = await copySampleRepo(work);
  for (const repo of repos) {
    for await (const event of indexDirectory(services.indexDeps, { root, repo })) {
      if (event.type === 'done' && withRoot.includes(repo))
        catalog.recordRun(repo, { root, ...finishedRun(event.summary) });
    }
  }
  return {
    work,
    root,
    services,
    catalog,
    close: async () => {
      catalog.close();
      await services.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A logger that keeps every record, for assertions on the structured request log. */
export function capturingLogger(): {
  records: Record<string, unknown>[];
  errors: Record<string, unknown>[];
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
} {
  const records: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  return {
    records,
    errors,
    info: (_message, attributes) => records.push(attributes),
    error: (_message, attributes) => errors.push(attributes),
  };
}
