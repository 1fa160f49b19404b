/**
 * `GET /health` (no auth): the model, its dimension and whether the index answers — and nothing about what
 * is indexed: chunk counts and data versions of all repositories are not for callers without a token.
 */
import { jsonResult } from '../http-types.ts';
import { defineRoute } from '../route.ts';
import { HealthResponseSchema } from '../schemas.ts';

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/health',
  summary: 'Liveness: model id, vector dimension, and whether the index is reachable. No token needed.',
  access: 'public',
  responses: {
    200: { description: 'Healthy.', schema: HealthResponseSchema },
    503: { description: 'The index cannot be read.', schema: HealthResponseSchema },
  },
  handle: async (_input, { services }) => {
    const base = { model: services.embedder.modelId, dimension: services.embedder.dimension };
    try {
      await services.store.dataVersion(); // reads the table's latest version: the index answers
      return jsonResult(200, { status: 'ok', ...base, index: { reachable: true } });
    } catch {
      return jsonResult(503, { status: 'degraded', ...base, index: { reachable: false } });
    }
  },
});
