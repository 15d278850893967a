import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../helpers/test-app';

describe('admin HTTP app', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('/healthz answers without a token', async () => {
    const res = await request(t.services.app).get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('/readyz reports the database and the schema as current', async () => {
    const res = await request(t.services.app).get('/readyz');
    assert.equal(res.status, 200);
    assert.equal(res.body.ready, true);
    assert.equal(res.body.database, 'ok');
    assert.deepEqual(res.body.pendingMigrations, []);
    assert.equal(res.body.lastPollAt, null);
  });

  for (const [label, headers] of [
    ['no token', {}],
    ['a wrong token', { Authorization: 'Bearer not-the-token' }],
    ['the token without Bearer', { Authorization: TEST_ADMIN_TOKEN }],
  ] as const) {
    test(`/api answers 401 JSON with ${label}`, async () => {
      const res = await request(t.services.app).get('/api/shops').set(headers);
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'unauthorized');
    });
  }

  test('an unknown /api route without a token is still 401, not 404', async () => {
    const res = await request(t.services.app).get('/api/no-such-thing');
    assert.equal(res.status, 401);
  });

  test('with the token, /api answers and unknown routes are 404 JSON', async () => {
    const ok = await request(t.services.app).get('/api/shops').set(t.auth);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { shops: [] });
    const missing = await request(t.services.app).get('/api/no-such-thing').set(t.auth);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
  });

  test('a malformed JSON body is a 400, not a crash', async () => {
    const res = await request(t.services.app)
      .post('/api/shops')
      .set(t.auth)
      .set('Content-Type', 'application/json')
      .send('{"broken": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
  });
});
