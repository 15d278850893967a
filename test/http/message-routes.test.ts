import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express, { type Express } from 'express';
import request from 'supertest';
import { silentLogger } from '../../src/logger';
import { requireAdminToken } from '../../src/http/auth';
import { errorMiddleware } from '../../src/http/error-middleware';
import { messageRoutes } from '../../src/http/routes/message-routes';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW } from '../helpers/domain-builders';
import { aCase, ACCEPT, aShop, messageWorld, STOCK_OUT, type MessageWorld } from '../db/buyer-message-fixtures';

const TOKEN = 'message-routes-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** The routes mounted the way createApp mounts every API router (compose.ts does not wire them yet). */
function messageApp(world: MessageWorld): Express {
  const app = express();
  const api = express.Router();
  api.use(requireAdminToken(TOKEN));
  api.use(express.json({ limit: '1mb' }));
  api.use(messageRoutes(world.service, () => NOW));
  app.use('/api', api);
  app.use(errorMiddleware(silentLogger()));
  return app;
}

describe('message routes', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  let app: Express;
  let shopId: string;
  let settled: string;
  let highValue: string;
  let open: string;

  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
    app = messageApp(world);
    shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true, callFirst: { highValueYen: 50_000 } });
    const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
    settled = (await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(30), order: { buyerEmail: 'taro@example.jp', buyerName: '山田太郎' } })).requestId;
    highValue = (await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(20), order: { totalYen: 80_000, sellerItemCode: 'LAMP' } })).requestId;
    open = (await aCase(world, db.dataSource, { shopId, decision: { ...ACCEPT, kind: 'review' }, settledAt: minutesAgo(10), status: 'review' })).requestId;
    await world.service.draftPending(NOW);
  });
  after(async () => {
    await db.drop();
  });

  const routes: Array<[string, string]> = [
    ['get', '/api/cancel-requests/1/message'],
    ['post', '/api/cancel-requests/1/call-summary'],
    ['get', '/api/messages'],
    ['get', '/api/message-templates'],
    ['get', '/api/shops/00000000-0000-0000-0000-000000000000/message-settings'],
    ['put', '/api/shops/00000000-0000-0000-0000-000000000000/message-settings'],
    ['get', '/api/case-log'],
    ['get', '/api/reports/seller-fault-items'],
  ];
  for (const [method, path] of routes) {
    test(`${method.toUpperCase()} ${path} answers 401 without the admin token`, async () => {
      const res = await (request(app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path);
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
    });
  }

  describe('GET /api/cancel-requests/:id/message', () => {
    test('answers the draft with the call-first advice and the masked recipient, never the address or the name', async () => {
      const res = await request(app).get(`/api/cancel-requests/${settled}/message`).set(auth);
      assert.equal(res.status, 200);
      assert.equal(res.body.requestId, settled);
      assert.equal(res.body.language, 'ja');
      assert.match(res.body.subject, /キャンセル手続き完了/);
      assert.match(res.body.body, /山田太郎様/, 'the text is addressed to the buyer and shown to copy');
      assert.equal(res.body.needsPerson, false);
      assert.deepEqual(res.body.missing, []);
      assert.deepEqual(res.body.callFirst, { call: false, reasons: [], outline: [], cartTotalYen: 2400, phone: null });
      assert.deepEqual(res.body.email, { status: 'pending', heldReason: null, to: 't***@example.jp', attempts: 0, lastError: null, sentAt: null, nextAttemptAt: null });
      assert.deepEqual(res.body.callSummaries, []);
      assert.doesNotMatch(JSON.stringify(res.body), /taro@/);
    });

    test('a high-value order carries the talk outline and waits for the call', async () => {
      const res = await request(app).get(`/api/cancel-requests/${highValue}/message`).set(auth);
      assert.equal(res.status, 200);
      assert.equal(res.body.callFirst.call, true);
      assert.deepEqual(res.body.callFirst.reasons, ['high_value']);
      assert.ok(res.body.callFirst.outline.every((line: unknown) => typeof line === 'string'));
      assert.equal(res.body.email.status, 'held');
      assert.equal(res.body.email.heldReason, 'call_first');
    });

    test('404 for a request not settled yet, 404 for an unknown one, 400 naming id for a bad id', async () => {
      const notYet = await request(app).get(`/api/cancel-requests/${open}/message`).set(auth);
      assert.equal(notYet.status, 404);
      assert.equal(notYet.body.code, 'message_not_drafted');
      assert.equal((await request(app).get('/api/cancel-requests/987654/message').set(auth)).status, 404);
      const bad = await request(app).get('/api/cancel-requests/abc/message').set(auth);
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.details.map((d: { field: string }) => d.field), ['id']);
    });
  });

  describe('POST /api/cancel-requests/:id/call-summary', () => {
    test('stores the summary as a second draft (201), the same summary again is 200 and not stored twice', async () => {
      const body = { agreedPoints: ['全額返金', '同等品のご案内を後日お送りする'], calledAt: '2026-11-10T02:00:00Z' };
      const first = await request(app).post(`/api/cancel-requests/${highValue}/call-summary`).set(auth).send(body);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.created, true);
      assert.equal(first.body.purpose, 'call_summary');
      assert.match(first.body.body, /・全額返金/);
      assert.match(first.body.body, /2026年11月10日/);
      const again = await request(app).post(`/api/cancel-requests/${highValue}/call-summary`).set(auth).send(body);
      assert.equal(again.status, 200);
      assert.equal(again.body.id, first.body.id);
      const draft = await request(app).get(`/api/cancel-requests/${highValue}/message`).set(auth);
      assert.deepEqual(draft.body.callSummaries.map((m: { id: string }) => m.id), [first.body.id]);
    });

    for (const [name, body, field] of [
      ['no points', { agreedPoints: [] }, 'agreedPoints'],
      ['a blank point', { agreedPoints: ['ok', '  '] }, 'agreedPoints'],
      ['a bad instant', { agreedPoints: ['ok'], calledAt: 'yesterday' }, 'calledAt'],
      ['a future call', { agreedPoints: ['ok'], calledAt: '2026-12-01T00:00:00Z' }, 'calledAt'],
      ['an unknown language', { agreedPoints: ['ok'], language: 'fr' }, 'language'],
      ['an unknown field', { agreedPoints: ['ok'], phone: '090' }, 'phone'],
    ] as const) {
      test(`400 naming ${field} for ${name}`, async () => {
        const res = await request(app).post(`/api/cancel-requests/${highValue}/call-summary`).set(auth).send(body);
        assert.equal(res.status, 400);
        assert.equal(res.body.code, 'validation_failed');
        assert.ok(res.body.details.some((d: { field: string }) => d.field === field), JSON.stringify(res.body.details));
      });
    }
  });

  describe('GET /api/messages', () => {
    test('lists drafts newest first, filtered by email status', async () => {
      const all = await request(app).get('/api/messages').set(auth);
      assert.equal(all.status, 200);
      assert.ok(all.body.messages.length >= 2);
      const held = await request(app).get('/api/messages').query({ status: 'held', limit: 10 }).set(auth);
      assert.equal(held.status, 200);
      assert.deepEqual(held.body.messages.map((m: { requestId: string }) => m.requestId), [highValue]);
      const pending = await request(app).get('/api/messages').query({ status: 'pending', shopId }).set(auth);
      assert.ok(pending.body.messages.some((m: { requestId: string }) => m.requestId === settled));
    });

    test('400 naming status or limit', async () => {
      const res = await request(app).get('/api/messages').query({ status: 'lost', limit: 0 }).set(auth);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details.map((d: { field: string }) => d.field).sort(), ['limit', 'status']);
    });
  });

  describe('message settings and templates', () => {
    test('GET /api/message-templates lists every template key with its defaults and documented placeholders', async () => {
      const res = await request(app).get('/api/message-templates').set(auth);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.languages, ['ja', 'en']);
      const accepted = res.body.templates.find((t: { key: string }) => t.key === 'accepted');
      assert.match(accepted.defaults.ja.body, /\{\{refundTiming\}\}/);
      const refund = accepted.placeholders.find((p: { name: string }) => p.name === 'refundAmount');
      assert.equal(refund.required, true);
      assert.equal(typeof refund.ja, 'string');
      assert.equal(res.body.templates.length, 6);
    });

    test('PUT stores valid settings and GET reads them back', async () => {
      const settings = {
        signature: '青空雑貨店 サポート係',
        coupon: { code: 'SORRY500', amountYen: 500, validityMonths: 6 },
        alternatives: { LAMP: { itemTitle: 'LEDランプ 改良版', url: 'https://example.jp/lamp2' } },
        callFirst: { highValueYen: 50_000, extraGiftWords: ['のし紙'] },
        sendByEmail: true,
        fromAddress: 'support@aozora.example',
      };
      const put = await request(app).put(`/api/shops/${shopId}/message-settings`).set(auth).send(settings);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const got = await request(app).get(`/api/shops/${shopId}/message-settings`).set(auth);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, { shopId, shopName: '青空雑貨店', settings });
    });

    test('PUT answers 400 naming the unknown placeholder', async () => {
      const body = '{{buyerNmae}}\n{{orderNo}} {{itemTitle}} {{refundAmount}}\n{{refundTiming}}';
      const res = await request(app)
        .put(`/api/shops/${shopId}/message-settings`)
        .set(auth)
        .send({ templates: { ja: { accepted: { subject: 'キャンセル完了', body } } } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details, [
        { field: 'templates.ja.accepted.body', message: 'unknown placeholder {{buyerNmae}} (did you mean {{buyerName}}?)', code: 'unknown_placeholder', line: 1, column: 1 },
      ]);
    });

    for (const [name, body, field] of [
      ['a template key that does not exist', { templates: { ja: { welcome: { subject: 's', body: 'b' } } } }, 'templates.ja.welcome'],
      ['a subject missing from a template', { templates: { en: { accepted: { body: '{{orderNo}}' } } } }, 'templates.en.accepted.subject'],
      ['a threshold that is not yen', { callFirst: { highValueYen: 12.5 } }, 'callFirst.highValueYen'],
      ['a bad alternative', { alternatives: { LAMP: { note: 'no title' } } }, 'alternatives.LAMP.itemTitle'],
      ['a bad sender', { fromAddress: 'not an address' }, 'fromAddress'],
      ['a blank shop name', { shopName: ' ' }, 'shopName'],
    ] as const) {
      test(`PUT answers 400 naming ${field} for ${name}`, async () => {
        const res = await request(app).put(`/api/shops/${shopId}/message-settings`).set(auth).send(body);
        assert.equal(res.status, 400);
        assert.ok(res.body.details.some((d: { field: string }) => d.field === field), JSON.stringify(res.body.details));
      });
    }

    test('a bad shop id is 400 naming id, an unknown shop 404', async () => {
      const bad = await request(app).get('/api/shops/nope/message-settings').set(auth);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.details[0].field, 'id');
      const unknown = await request(app).put('/api/shops/00000000-0000-4000-8000-000000000000/message-settings').set(auth).send({});
      assert.equal(unknown.status, 404);
    });
  });

  describe('case log and seller-fault items', () => {
    test('GET /api/case-log answers the month’s cases', async () => {
      const res = await request(app).get('/api/case-log').query({ month: '2026-11' }).set(auth);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.shop, { id: shopId, name: '青空雑貨店' });
      assert.equal(res.body.month, '2026-11');
      assert.deepEqual(res.body.entries.map((e: { requestId: string; cause: string }) => [e.requestId, e.cause]), [
        [settled, 'buyer'],
        [highValue, 'out_of_stock'],
      ]);
    });

    test('GET /api/reports/seller-fault-items ranks the items', async () => {
      const res = await request(app).get('/api/reports/seller-fault-items').query({ shopId, month: '2026-11' }).set(auth);
      assert.equal(res.status, 200);
      assert.equal(res.body.totalSellerFault, 1);
      assert.equal(res.body.items[0].itemKey, 'LAMP');
    });

    test('400 naming month or shopId', async () => {
      const res = await request(app).get('/api/case-log').query({ month: '2026-13', shopId: 'x' }).set(auth);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details.map((d: { field: string }) => d.field).sort(), ['month', 'shopId']);
      const report = await request(app).get('/api/reports/seller-fault-items').query({ month: '11/2026' }).set(auth);
      assert.equal(report.status, 400);
      assert.equal(report.body.details[0].field, 'month');
    });
  });
});
