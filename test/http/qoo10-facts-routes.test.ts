// GET /api/shops/:id/qoo10-facts on the composed app: the admin token, the path checked by its DTO, 404 for an
// unknown shop, every fact 'unknown' until verify-live settled it, and an unknown run not undoing a verdict.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { QOO10_FACTS } from '../../src/domain/qoo10-facts';
import type { Shop } from '../../src/domain/types';
import { Qoo10FactRepository } from '../../src/persistence/qoo10-fact-repository';
import { createTestApp, type TestApp } from '../helpers/test-app';

const AT = new Date('2026-11-20T03:00:00Z');

describe('GET /api/shops/:id/qoo10-facts', () => {
  let t: TestApp;
  let shop: Shop;
  let facts: Qoo10FactRepository;
  before(async () => {
    t = await createTestApp();
    shop = await t.services.shops.ensureShopForKey({ name: 'さくら雑貨店', sellerAuthKey: 'facts-route-key-0001', isDemo: false });
    facts = new Qoo10FactRepository(t.db.dataSource);
  });
  after(async () => {
    await t.close();
  });

  const get = (id: string) => request(t.services.app).get(`/api/shops/${id}/qoo10-facts`).set(t.auth);

  test('needs the admin token', async () => {
    assert.equal((await request(t.services.app).get(`/api/shops/${shop.id}/qoo10-facts`)).status, 401);
  });

  test('a path id that is not a uuid is a 400 naming the field; an unknown shop is a 404', async () => {
    const bad = await get('not-a-uuid');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'validation_failed');
    assert.equal(bad.body.details[0].field, 'id');
    assert.equal((await get('00000000-0000-4000-8000-000000000000')).status, 404);
  });

  test('lists every fact as unknown before verify-live ran', async () => {
    const res = await get(shop.id);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.shop, { id: shop.id, name: 'さくら雑貨店' });
    assert.deepEqual(res.body.facts.map((f: { fact: string }) => f.fact), [...QOO10_FACTS]);
    assert.ok(res.body.facts.every((f: { verdict: string; evidence: unknown }) => f.verdict === 'unknown' && f.evidence === null));
  });

  test('shows what a run settled; a later run that could not tell keeps it', async () => {
    await facts.recordVerification(shop.id, AT, 'guided', { any: 'report' }, [
      { fact: 'ship_confirm_ends_request', verdict: 'contradicted', evidence: '保留のままでした。' },
      { fact: 'claim_status_readable', verdict: 'confirmed', evidence: 'すべて読み取れました。', observed: { 'list:label': 2 } },
    ]);
    const later = new Date(AT.getTime() + 3_600_000);
    await facts.recordVerification(shop.id, later, 'read_only', { any: 'later' }, [
      { fact: 'ship_confirm_ends_request', verdict: 'unknown', evidence: '書き込みの確認は行っていません。' },
      { fact: 'claim_status_readable', verdict: 'contradicted', evidence: '読み取れない値がありました。' },
    ]);
    const res = await get(shop.id);
    const byFact = Object.fromEntries(res.body.facts.map((f: { fact: string }) => [f.fact, f]));
    assert.equal(byFact.ship_confirm_ends_request.verdict, 'contradicted');
    assert.equal(byFact.ship_confirm_ends_request.checkedAt, AT.toISOString());
    assert.equal(byFact.claim_status_readable.verdict, 'contradicted', 'a new answer replaces the old one');
    assert.equal(byFact.claim_status_readable.checkedAt, later.toISOString());
    assert.equal(byFact.search_window_90_days.verdict, 'unknown');
    assert.deepEqual((await facts.latestReport(shop.id))?.report, { any: 'later' });
    assert.equal(await t.services.verifiedFacts.shipConfirmEndsRequest(shop.id), false);
  });

  test('is in the OpenAPI document with its path parameter described by the DTO', async () => {
    const doc = (await request(t.services.app).get('/api/openapi.json').set(t.auth)).body;
    const op = doc.paths['/api/shops/{id}/qoo10-facts'].get;
    assert.deepEqual(op.parameters, [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }]);
    assert.ok(op.responses['404']);
  });
});
