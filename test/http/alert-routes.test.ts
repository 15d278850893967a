import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import { silentLogger } from '../../src/logger';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { alertRoutes } from '../../src/http/routes/alert-routes';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { AlertService } from '../../src/services/alert-service';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, rateWorld } from '../db/rate-fixtures';

const TOKEN = 'alert-routes-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };

describe('GET /api/alerts', () => {
  let db: TestDatabase;
  let app: Express;
  let shopId: string;
  let otherShopId: string;
  before(async () => {
    db = await createTestDatabase();
    const repo = new AlertRepository(db.dataSource);
    // No SMTP configured: alerts are recorded as not_configured and shown here only.
    const alerts = new AlertService(repo, false, silentLogger());
    const world = rateWorld(db.dataSource, () => new Date());
    shopId = (await aShop(world, 'A')).id;
    otherShopId = (await aShop(world, 'B')).id;
    await alerts.raise({ shopId, kind: 'rate_level', dedupeKey: 'k1', severity: 'warning', subject: '【警告】一', body: '本文一' });
    await alerts.raise({ shopId: otherShopId, kind: 'rate_level', dedupeKey: 'k2', severity: 'warning', subject: '【警告】二', body: '本文二' });
    await alerts.raise({ shopId: null, kind: 'service', dedupeKey: 'k3', severity: 'critical', subject: '【緊急】三', body: '本文三' });

    app = express();
    const api = express.Router();
    api.use(requireAdminToken(TOKEN));
    api.use(alertRoutes(repo));
    app.use('/api', api);
    app.use(errorMiddleware(silentLogger()));
  });
  after(async () => {
    await db.drop();
  });

  test('answers 401 without the token', async () => {
    const res = await request(app).get('/api/alerts');
    assert.equal(res.status, 401);
  });

  test('lists recent alerts, newest first, with their email status', async () => {
    const res = await request(app).get('/api/alerts').set(AUTH);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.alerts.map((alert: { subject: string }) => alert.subject), ['【緊急】三', '【警告】二', '【警告】一']);
    assert.deepEqual(res.body.alerts[0].email, { status: 'not_configured', attempts: 0, lastError: null, sentAt: null, nextAttemptAt: null });
    assert.deepEqual(Object.keys(res.body.alerts[0]).sort(), ['body', 'createdAt', 'email', 'id', 'kind', 'payload', 'severity', 'shopId', 'subject']);
  });

  test('limit and shopId narrow the list', async () => {
    const limited = await request(app).get('/api/alerts?limit=1').set(AUTH);
    assert.equal(limited.body.alerts.length, 1);
    const forShop = await request(app).get('/api/alerts').query({ shopId }).set(AUTH);
    assert.deepEqual(forShop.body.alerts.map((alert: { subject: string }) => alert.subject), ['【警告】一']);
  });

  for (const limit of ['0', '201', 'x']) {
    test(`limit=${limit} is a 400 naming limit`, async () => {
      const res = await request(app).get('/api/alerts').query({ limit }).set(AUTH);
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'validation_failed');
      assert.equal(res.body.details[0].field, 'limit');
    });
  }
});
