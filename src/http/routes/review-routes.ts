import { Router } from 'express';
import type { ReviewService } from '../../services/review-service';
import { validated } from '../validate';
import { ApproveBody, OverrideBody, ShopQuery } from '../dto/review.dto';
import { presentRequestDetail, presentReviewItem } from '../presenters';

const DEFAULT_PERSON = 'admin';

/** The review queue and a person's decisions on it. */
export function reviewRoutes(review: ReviewService): Router {
  const router = Router();
  router.get('/review-queue', async (req, res) => {
    const query = validated(ShopQuery, req.query, 'query');
    res.json({ items: (await review.queue(query.shopId)).map(presentReviewItem) });
  });
  router.get('/cancel-requests/:id', async (req, res) => {
    res.json(presentRequestDetail(await review.detail(req.params.id)));
  });
  router.post('/cancel-requests/:id/approve', async (req, res) => {
    const body = validated(ApproveBody, req.body, 'body');
    const results = await review.approve(req.params.id, body.person ?? DEFAULT_PERSON, body.note ?? null);
    res.json({ results, ...presentRequestDetail(await review.detail(req.params.id)) });
  });
  router.post('/cancel-requests/:id/override', async (req, res) => {
    const body = validated(OverrideBody, req.body, 'body');
    const results = await review.override(req.params.id, body.kind, body.person ?? DEFAULT_PERSON, body.note);
    res.json({ results, ...presentRequestDetail(await review.detail(req.params.id)) });
  });
  router.post('/cancel-requests/:id/handled', async (req, res) => {
    const body = validated(ApproveBody, req.body, 'body');
    await review.markHandled(req.params.id, body.person ?? DEFAULT_PERSON, body.note ?? null);
    res.json(presentRequestDetail(await review.detail(req.params.id)));
  });
  router.post('/cancel-requests/:id/handled/undo', async (req, res) => {
    const body = validated(ApproveBody, req.body, 'body');
    await review.undoHandled(req.params.id, body.person ?? DEFAULT_PERSON);
    res.json(presentRequestDetail(await review.detail(req.params.id)));
  });
  return router;
}
