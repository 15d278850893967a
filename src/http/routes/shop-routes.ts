import { Router } from 'express';
import type { ShopRepository } from '../../persistence/shop-repository';
import type { JobRunRepository } from '../../persistence/job-run-repository';
import { presentJobRun, presentShop } from '../presenters';
import { NotFoundError } from '../../errors';
import { ShopIdParams } from '../dto/qoo10-facts.dto';
import { ShopPolicyBody } from '../dto/shop-policy.dto';
import { validated } from '../validate';

export function shopRoutes(shops: ShopRepository, jobRuns: JobRunRepository): Router {
  const router = Router();
  router.get('/shops', async (_req, res) => {
    res.json({ shops: (await shops.listShops()).map(presentShop) });
  });
  // The shop's own settings that change decisions: what its stock figures mean, what to do with packed orders.
  router.put('/shops/:id/policy', async (req, res) => {
    const { id } = validated(ShopIdParams, req.params, 'path');
    const body = validated(ShopPolicyBody, req.body ?? {}, 'body');
    if (!(await shops.findShop(id))) throw new NotFoundError(`The shop ${id}`);
    const patch = Object.fromEntries(Object.entries({ stockMeaning: body.stockMeaning, packedOrders: body.packedOrders }).filter(([, v]) => v !== undefined));
    await shops.updatePolicy(id, patch);
    res.json(presentShop((await shops.findShop(id))!));
  });
  router.get('/job-runs', async (_req, res) => {
    res.json({ jobRuns: (await jobRuns.recentRuns(50)).map(presentJobRun) });
  });
  return router;
}
