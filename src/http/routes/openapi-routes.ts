import { Router } from 'express';
import { buildOpenApiDocument } from '../openapi';

/**
 * GET /api/openapi.json. Mounted inside /api, so it needs the admin token like every other /api route:
 * the document names no secret, but one rule for the whole prefix is simpler to reason about.
 */
export function openapiRoutes(): Router {
  const router = Router();
  // The document depends only on code, so it is built once.
  const document = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
