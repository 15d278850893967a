import { Router } from 'express';
import { READINESS_BUDGET_MS, type HealthService } from '../../services/health-service';

/** Unauthenticated probes: /healthz (the process answers) and /readyz (database and schema). */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const readiness = await health.readinessWithin(READINESS_BUDGET_MS);
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  return router;
}
