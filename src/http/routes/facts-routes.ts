import express, { Router } from 'express';
import type { FactsService } from '../../services/facts-service';
import { ValidationFailedError } from '../../errors';
import { validated } from '../validate';
import { MadeToOrderBody, OrderFactBody, StockBody } from '../dto/facts.dto';
import { ShopQuery } from '../dto/review.dto';
import { presentItemFact } from '../presenters';

/** Stock, made-to-order flags and order facts: what the shop knows that Qoo10 does not. */
export function factsRoutes(facts: FactsService, now: () => Date): Router {
  const router = Router();
  router.get('/items', async (req, res) => {
    const query = validated(ShopQuery, req.query, 'query');
    res.json({ items: (await facts.listItems(query.shopId)).map(presentItemFact) });
  });
  router.put('/items/:code/stock', async (req, res) => {
    const body = validated(StockBody, req.body, 'body');
    await facts.setStock(body.shopId, req.params.code, body.available);
    res.json({ sellerItemCode: req.params.code, available: body.available });
  });
  router.put('/items/:code/made-to-order', async (req, res) => {
    const body = validated(MadeToOrderBody, req.body, 'body');
    await facts.setMadeToOrder(body.shopId, req.params.code, body.madeToOrder);
    res.json({ sellerItemCode: req.params.code, madeToOrder: body.madeToOrder });
  });
  // A stock file as exported by the shop's inventory tool: `seller_item_code,available` lines.
  router.post('/stock/import', express.text({ type: ['text/csv', 'text/plain'], limit: '20mb' }), async (req, res) => {
    if (typeof req.body !== 'string' || req.body.trim() === '') {
      throw new ValidationFailedError('Send the stock CSV as the body with Content-Type text/csv.', [{ field: 'body', message: 'empty or not text/csv' }]);
    }
    const query = validated(ShopQuery, req.query, 'query');
    res.json(await facts.importStock(query.shopId, req.body));
  });
  router.post('/orders/:orderNo/facts', async (req, res) => {
    const body = validated(OrderFactBody, req.body, 'body');
    await facts.recordOrderFact(body.shopId, req.params.orderNo, body, now());
    res.json({ orderNo: req.params.orderNo, recorded: true });
  });
  return router;
}
