import express, { Router } from 'express';
import type { TrackingService } from '../../services/tracking-service';
import type { ShipmentInput } from '../../services/tracking-import';
import type { TrackingSubmission } from '../../persistence/tracking-repository';
import type { HeldShipment } from '../../persistence/held-shipment-repository';
import type { HeldTrackingService } from '../../services/tracking-held-service';
import { ValidationFailedError } from '../../errors';
import { validated, validatedParam } from '../validate';
import {
  DiscardHeldShipmentBody,
  ImportShipmentsQuery,
  ListHeldShipmentsQuery,
  ListShipmentsQuery,
  MAX_SHIPMENTS_PER_CALL,
  ResendShipmentBody,
  ShipmentBody,
  SubmitHeldShipmentBody,
  SubmitShipmentsQuery,
} from '../dto/tracking.dto';

const DEFAULT_PERSON = 'admin';

/** Largest label file accepted, bytes; a bigger upload is answered 413 JSON by the error middleware. */
export const MAX_LABEL_FILE = '20mb';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentSubmission(s: TrackingSubmission) {
  return {
    id: s.id,
    orderNo: s.orderNo,
    trackingNo: s.trackingNo,
    carrier: s.carrier,
    qoo10CarrierName: s.qoo10CarrierName,
    source: s.source,
    sourceRef: s.sourceRef,
    status: s.status,
    error: s.error,
    actionState: s.actionState,
    attempts: s.attempts,
    qoo10Response: s.qoo10Response,
    createdAt: iso(s.createdAt),
    submittedAt: iso(s.submittedAt),
    confirmedAt: iso(s.confirmedAt),
  };
}

/** A held row as the API shows it; values are the row's text as read (never recipient data). */
export function presentHeldShipment(h: HeldShipment) {
  return {
    id: h.id,
    shopId: h.shopId,
    source: h.source,
    sourceRef: h.sourceRef,
    orderNo: h.orderNo,
    carrier: h.carrier,
    service: h.service,
    trackingNo: h.trackingNo,
    reasons: h.reasons,
    status: h.status,
    correctedBy: h.correctedBy,
    resolvedBy: h.resolvedBy,
    result: h.result,
    createdAt: iso(h.createdAt),
    updatedAt: iso(h.updatedAt),
    resolvedAt: iso(h.resolvedAt),
  };
}

/** Validates one shipment or an array of them; a field error names its item (`[2].trackingNo`). */
function shipmentsOf(body: unknown): ShipmentInput[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new ValidationFailedError('Send one shipment or a non-empty array of shipments.', [{ field: 'body', message: 'empty array' }]);
  if (items.length > MAX_SHIPMENTS_PER_CALL) {
    throw new ValidationFailedError(`At most ${MAX_SHIPMENTS_PER_CALL} shipments per call; upload a file for more.`, [{ field: 'body', message: 'too many items' }]);
  }
  const details: Array<{ field: string; message: string }> = [];
  const valid = items.map((item, index) => {
    const prefix = Array.isArray(body) ? `[${index}]` : '';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      details.push({ field: prefix || 'body', message: 'must be an object with orderNo, carrier and trackingNo' });
      return null;
    }
    try {
      return validated(ShipmentBody, item, 'body');
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      for (const d of error.details as Array<{ field: string; message: string }>) details.push({ field: prefix ? `${prefix}.${d.field}` : d.field, message: d.message });
      return null;
    }
  });
  if (details.length > 0) throw new ValidationFailedError(`The request body is invalid: ${[...new Set(details.map((d) => d.field))].join(', ')}.`, details);
  return valid as ShipmentBody[];
}

/** Tracking numbers in: label files, WMS/3PL JSON, the dashboard; and what Qoo10 answered. */
export function trackingRoutes(tracking: TrackingService, held: HeldTrackingService): Router {
  const router = Router();
  // Rows held for a person (junk carrier or number): listed, corrected and submitted, or discarded.
  router.get('/shipments/held', async (req, res) => {
    const query = validated(ListHeldShipmentsQuery, req.query, 'query');
    res.json({ items: (await held.list(query)).map(presentHeldShipment) });
  });
  router.post('/shipments/held/:id', async (req, res) => {
    const id = validatedParam('id', req.params.id);
    const { person, ...correction } = validated(SubmitHeldShipmentBody, req.body, 'body');
    const submitted = await held.submit(id, person ?? DEFAULT_PERSON, correction);
    res.json({ held: presentHeldShipment(submitted.held), report: submitted.report });
  });
  router.post('/shipments/held/:id/discard', async (req, res) => {
    const id = validatedParam('id', req.params.id);
    const body = validated(DiscardHeldShipmentBody, req.body, 'body');
    res.json({ held: presentHeldShipment(await held.discard(id, body.person ?? DEFAULT_PERSON)) });
  });
  router.post('/shipments/:id/resend', async (req, res) => {
    const id = validatedParam('id', req.params.id);
    const { person, ...correction } = validated(ResendShipmentBody, req.body, 'body');
    res.json(await held.resendRejected(id, correction, person ?? DEFAULT_PERSON));
  });
  router.get('/shipments', async (req, res) => {
    const query = validated(ListShipmentsQuery, req.query, 'query');
    res.json({ shipments: (await tracking.listShipments(query)).map(presentSubmission) });
  });
  router.post('/shipments', async (req, res) => {
    const query = validated(SubmitShipmentsQuery, req.query, 'query');
    if (req.body === undefined || req.body === null || typeof req.body !== 'object') {
      throw new ValidationFailedError('Send the shipments as JSON (Content-Type application/json).', [{ field: 'body', message: 'missing or not JSON' }]);
    }
    res.json(await tracking.submitShipments(shipmentsOf(req.body), query.source ?? 'api'));
  });
  // The raw bytes: label software writes Shift_JIS, which a text parser would already have mangled.
  router.post('/shipments/import', express.raw({ type: ['text/csv', 'text/plain', 'application/octet-stream'], limit: MAX_LABEL_FILE }), async (req, res) => {
    const query = validated(ImportShipmentsQuery, req.query, 'query');
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new ValidationFailedError('Send the label file as the request body with Content-Type text/csv or application/octet-stream.', [
        { field: 'body', message: 'empty or not text/csv / application/octet-stream' },
      ]);
    }
    res.json(await tracking.importLabelFile({ file: req.body, fileName: query.filename ?? 'upload.csv', format: query.format, shopId: query.shopId, dryRun: query.dryRun === 'true' }));
  });
  return router;
}
