import { Router } from 'express';
import type { ShopRepository } from '../../persistence/shop-repository';
import type { JobRunRepository } from '../../persistence/job-run-repository';
import { presentJobRun, presentShop } from '../presenters';

export function shopRoutes(shops: ShopRepository, jobRuns: JobRunRepository): Router {
  const router = Router();
  router.get('/shops', async (_req, res) => {
    res.json({ shops: (await shops.listShops()).map(presentShop) });
  });
  router.get('/job-runs', async (_req, res) => {
    res.json({ jobRuns: (await jobRuns.recentRuns(50)).map(presentJobRun) });
  });
  return router;
}
