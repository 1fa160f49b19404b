/**
 * The stateless half: the layers, the functions and the HTTP API, wired to the state through its bind
 * methods. Today it holds the search function; the webhook and the index worker (issue 4) slot in the same
 * way (see infra/README.md).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RuntimeLayerFolders } from '../scripts/layers/index.ts';
import { SEARCH_ROUTES } from './api-routes.ts';
import { CodeSearchFunction } from './codesearch-function.ts';
import { CodeSearchHttpApi, type CodeSearchHttpApiProps } from './codesearch-http-api.ts';
import type { CodeSearchState } from './codesearch-state.ts';
import { RuntimeLayers } from './runtime-layers.ts';

export interface CodeSearchServiceProps {
  readonly state: CodeSearchState;
  /** Layer folders from `buildLayers()` (scripts/layers), built for `architecture`. */
  readonly layerFolders: RuntimeLayerFolders;
  readonly architecture: lambda.Architecture;
  /**
   * Memory of the search function in MB. A query embeds one short text (single-digit milliseconds of CPU)
   * and LanceDB caches index pages in memory: 2 GB gives both room and a little more than one vCPU.
   * @default 2048
   */
  readonly searchMemoryMb?: number;
  /** @default none: the search function uses the account's unreserved concurrency */
  readonly searchReservedConcurrency?: number;
  /**
   * Below API Gateway's 30 s integration limit, so a slow cold start (model session, first S3 reads of the
   * index) fails in the function, with its log, rather than as a bare 503 from the gateway.
   * @default Duration.seconds(20)
   */
  readonly searchTimeout?: Duration;
  /** Throttling and access-log settings of the HTTP API. */
  readonly api?: CodeSearchHttpApiProps;
}

export class CodeSearchService extends Construct {
  readonly layers: RuntimeLayers;
  readonly api: CodeSearchHttpApi;
  readonly search: CodeSearchFunction;

  constructor(scope: Construct, id: string, props: CodeSearchServiceProps) {
    super(scope, id);
    const { state, architecture } = props;
    this.layers = new RuntimeLayers(this, 'Layers', { folders: props.layerFolders, architecture });
    this.api = new CodeSearchHttpApi(this, 'HttpApi', props.api);

    this.search = new CodeSearchFunction(this, 'Search', {
      entry: 'functions/search/handler.ts',
      description: 'codesearch: search API (POST /search, GET /health, …)',
      invokedBy: 'api',
      architecture,
      memorySize: props.searchMemoryMb ?? 2048,
      timeout: props.searchTimeout ?? Duration.seconds(20),
      reservedConcurrentExecutions: props.searchReservedConcurrency,
      layers: this.layers,
      embedder: true,
      lanceDb: true,
    });
    // What functions/search/handler.ts reads today: the index and the token signing keys.
    state.bindIndex(this.search.fn, 'read');
    state.bindSigningKeys(this.search.fn);
    this.api.addRoutes('Search', this.search.fn, SEARCH_ROUTES);
  }
}
