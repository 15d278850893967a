// Issue 13, defect 8: a crafted paging cursor (year 0000, a month 13, a day that does not exist, NUL)
// is a 400 naming `cursor`, never a 500 from the database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/test-app';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('crafted paging cursors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await t.services.shops.ensureShopForKey({ name: 'カーソル店', sellerAuthKey: 'cursor-shop-key-0001', isDemo: false });
  });
  after(async () => {
    await t.close();
  });

  const requestCursors: Array<[string, unknown]> = [
    ['year 0000', ['0000-01-01T00:00:00.000000Z', '1']],
    ['month 13', ['2026-13-01T00:00:00.000000Z', '1']],
    ['30 February', ['2026-02-30T00:00:00.000000Z', '1']],
    ['hour 25', ['2026-11-01T25:00:00.000000Z', '1']],
    ['year 9999 with a bigint id', ['9999-12-31T23:59:59.999999Z', '9223372036854775807']],
    ['NUL in the time', ['2026-11-01T00:00:00.000000Z\u0000', '1']],
    ['NUL in the id', ['2026-11-01T00:00:00.000000Z', '1\u0000']],
  ];
  for (const [what, value] of requestCursors) {
    test(`/api/cancel-requests: ${what} is a 400 naming cursor`, async () => {
      const res = await request(t.services.app).get('/api/cancel-requests').query({ cursor: encode(value) }).set(t.auth);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.details?.[0]?.field, 'cursor');
    });
  }

  const cancelCursors: Array<[string, unknown]> = [
    ['year 0000', ['0000-01-01T00:00:00.000Z', '1000000001']],
    ['year 275760', ['+275760-09-13T00:00:00.000Z', '1000000001']],
    ['NUL in the order number', ['2026-11-01T00:00:00.000Z', '100\u00000001']],
    ['a 10 KB order number', ['2026-11-01T00:00:00.000Z', '1'.repeat(10_000)]],
  ];
  for (const [what, value] of cancelCursors) {
    test(`/api/cancel-rate/cancels: ${what} is a 400 naming cursor`, async () => {
      const res = await request(t.services.app).get('/api/cancel-rate/cancels').query({ cursor: encode(value) }).set(t.auth);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.details?.[0]?.field, 'cursor');
    });
  }
});
