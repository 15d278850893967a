import { Router } from 'express';
import type { RateService } from '../../services/rate-service';
import { countedCancelToJson, rateHistoryToJson, rateReportToJson } from '../../services/rate-report';
import { CountedCancelsQuery, RateHistoryQuery, RateQuery } from '../dto/rate.dto';
import { validated } from '../validate';

/**
 * The monthly cancellation rate for the dashboard. Without shopId the only active shop is meant;
 * with several active shops shopId is required (400 naming it).
 */
export function rateRoutes(rates: RateService): Router {
  const router = Router();

  router.get('/cancel-rate', async (req, res) => {
    const query = validated(RateQuery, req.query, 'query');
    const shop = await rates.resolveShop(query.shopId);
    const report = await rates.monthlyRate(shop.id, query.month);
    res.json({ shop: { id: shop.id, name: shop.name }, ...rateReportToJson(report) });
  });

  router.get('/cancel-rate/history', async (req, res) => {
    const query = validated(RateHistoryQuery, req.query, 'query');
    const shop = await rates.resolveShop(query.shopId);
    res.json({ shop: { id: shop.id, name: shop.name }, months: rateHistoryToJson(await rates.history(shop.id, query.months)) });
  });

  router.get('/cancel-rate/cancels', async (req, res) => {
    const query = validated(CountedCancelsQuery, req.query, 'query');
    const shop = await rates.resolveShop(query.shopId);
    const page = await rates.countedCancels(shop.id, query.month, { limit: query.limit, cursor: query.cursor });
    res.json({
      shop: { id: shop.id, name: shop.name },
      month: page.month,
      items: page.items.map(countedCancelToJson),
      nextCursor: page.nextCursor,
    });
  });

  return router;
}
