import express, { Router } from 'express';
import type { FactsService } from '../../services/facts-service';
import { ValidationFailedError } from '../../errors';
import { validated, validatedParam } from '../validate';
import { MadeToOrderBody, OrderFactBody, StockBody, StockImportQuery } from '../dto/facts.dto';
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
    const code = validatedParam('sellerItemCode', req.params.code);
    const body = validated(StockBody, req.body, 'body');
    await facts.setStock(body.shopId, code, body.available);
    res.json({ sellerItemCode: code, available: body.available });
  });
  router.put('/items/:code/made-to-order', async (req, res) => {
    const code = validatedParam('sellerItemCode', req.params.code);
    const body = validated(MadeToOrderBody, req.body, 'body');
    await facts.setMadeToOrder(body.shopId, code, body.madeToOrder);
    res.json({ sellerItemCode: code, madeToOrder: body.madeToOrder });
  });
  // A stock file as exported by the shop's inventory tool: `seller_item_code,available` lines.
  // Raw bytes, so a Shift_JIS export arrives intact and is decoded like a label file. Integrations keep
  // the old behaviour (every code accepted); the dashboard and the CLI send allowUnknown=false.
  router.post('/stock/import', express.raw({ type: ['text/csv', 'text/plain'], limit: '20mb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new ValidationFailedError('Send the stock CSV as the body with Content-Type text/csv.', [{ field: 'body', message: 'empty or not text/csv' }]);
    }
    const query = validated(StockImportQuery, req.query, 'query');
    res.json(await facts.importStock(query.shopId, req.body, { dryRun: query.dryRun === 'true', allowUnknown: query.allowUnknown !== 'false' }));
  });
  router.post('/orders/:orderNo/facts', async (req, res) => {
    const orderNo = validatedParam('orderNo', req.params.orderNo);
    const body = validated(OrderFactBody, req.body, 'body');
    await facts.recordOrderFact(body.shopId, orderNo, body, now());
    res.json({ orderNo, recorded: true });
  });
  return router;
}
