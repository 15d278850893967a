import { Router } from 'express';
import { NotFoundError } from '../../errors';
import type { ShopRepository } from '../../persistence/shop-repository';
import type { VerifiedFacts } from '../../services/verified-facts';
import { ShopIdParams } from '../dto/qoo10-facts.dto';
import { validated } from '../validate';

/** What `cancel-guard verify-live` settled about Qoo10 for a shop: every fact, 'unknown' until checked. */
export function qoo10FactsRoutes(shops: ShopRepository, facts: VerifiedFacts): Router {
  const router = Router();

  router.get('/shops/:id/qoo10-facts', async (req, res) => {
    const { id } = validated(ShopIdParams, req.params, 'path');
    const shop = await shops.findShop(id);
    if (!shop) throw new NotFoundError(`The shop ${id}`);
    const found = await facts.forShop(shop.id);
    res.json({
      shop: { id: shop.id, name: shop.name },
      facts: found.map((f) => ({ ...f, checkedAt: f.checkedAt?.toISOString() ?? null })),
    });
  });

  return router;
}
