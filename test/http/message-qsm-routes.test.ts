// The message API the dashboard's QSM copy button and 「送信済みにする」 use, the one-draft edit, the
// case notes and the case-log CSV: real routes over supertest on a real PostgreSQL.
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

const TOKEN = 'message-qsm-routes-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

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

/** supertest's binary parser: the raw bytes, to see the byte-order mark. */
function bytes(res: request.Response & { body: Buffer }): Buffer {
  return res.body;
}
const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('message routes for QSM, edits, case notes and the CSV', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  let app: Express;
  let shopId: string;
  let emailed: string;
  let plain: string;
  let cross: string;
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
    app = messageApp(world);
    shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true, english: { shopName: 'Aozora Goods' } });
    emailed = (await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(30), order: { buyerEmail: 'taro@example.jp', buyerName: '山田太郎', paymentMethod: 'コンビニ決済' } })).requestId;
    plain = (await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(20), order: { buyerEmail: null, itemTitle: '青いマグ' } })).requestId;
    cross = (await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(10), order: { buyerEmail: null, buyerCountry: 'US', buyerName: 'Jane Roe', itemTitle: 'Blue mug', paymentMethod: 'クレジットカード' } })).requestId;
    await world.service.draftPending(NOW);
  });
  after(async () => {
    await db.drop();
  });

  for (const [method, path] of [
    ['put', '/api/cancel-requests/1/message'],
    ['post', '/api/cancel-requests/1/message/sent'],
    ['get', '/api/cancel-requests/1/case-notes'],
    ['put', '/api/cancel-requests/1/case-notes'],
    ['get', '/api/case-log.csv'],
  ] as const) {
    test(`${method.toUpperCase()} ${path} answers 401 without the admin token`, async () => {
      const res = await request(app)[method](path);
      assert.equal(res.status, 401);
    });
  }

  test('every draft carries qsmText: the subject line, a blank line and the body, as plain text QSM takes', async () => {
    const res = await request(app).get(`/api/cancel-requests/${plain}/message`).set(auth);
    assert.equal(res.status, 200);
    assert.equal(res.body.qsmText, `${res.body.subject}\n\n${res.body.body}`);
    assert.equal(res.body.qsm.fits, true);
    assert.equal(res.body.qsm.length, [...res.body.qsmText].length);
    assert.equal(res.body.qsm.sentAt, null);
    assert.equal(res.body.email.status, 'no_address', 'no email address: QSM is the only way to reach this buyer');
    assert.match(res.body.qsmText, /MyQoo10の「購入履歴」/);
  });

  test('a buyer whose delivery country is abroad is written to in English, with no Japanese we wrote', async () => {
    const res = await request(app).get(`/api/cancel-requests/${cross}/message`).set(auth);
    assert.equal(res.body.language, 'en');
    assert.match(res.body.body, /^Dear Jane Roe,/);
    assert.match(res.body.body, /Payment method: credit card/);
    assert.doesNotMatch(res.body.qsmText, /[\u3040-\u30ff\u4e00-\u9fff]/);
    const ja = await request(app).get(`/api/cancel-requests/${plain}/message`).set(auth);
    assert.equal(ja.body.language, 'ja', 'a buyer without a foreign country keeps the shop language');
  });

  test('a person edits one draft: the edit is what QSM and email carry, the built text stays as original', async () => {
    const before = await request(app).get(`/api/cancel-requests/${emailed}/message`).set(auth);
    const personal = `${before.body.body}\n\n追伸：いつもご利用いただき、本当にありがとうございます。`;
    const res = await request(app).put(`/api/cancel-requests/${emailed}/message`).set(auth).send({ body: personal, person: '佐藤' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.body, personal);
    assert.equal(res.body.subject, before.body.subject, 'a subject left out is kept');
    assert.equal(res.body.original.body, before.body.body);
    assert.deepEqual(res.body.edited, { at: NOW.toISOString(), by: '佐藤' });
    assert.match(res.body.qsmText, /追伸：いつもご利用いただき/);
    const claimed = await world.repository.claimDueEmails(NOW, 86_400_000, 5, 10);
    assert.equal(claimed.find((m) => m.requestId === emailed)?.body, personal, 'the email sends the edited text');
    await db.dataSource.query(`UPDATE buyer_messages SET email_status = 'pending', email_claimed_at = NULL, email_attempts = 0 WHERE request_id = $1`, [emailed]);
  });

  for (const [name, body, field] of [
    ['a blank body', { body: '   ' }, 'body'],
    ['a two-line subject', { subject: 'a\nb' }, 'subject'],
    ['left-over placeholders', { body: '{{buyerName}} 様' }, 'body'],
    ['an unknown field', { text: 'x' }, 'text'],
  ] as const) {
    test(`PUT message with ${name} is 400 naming ${field}`, async () => {
      const res = await request(app).put(`/api/cancel-requests/${plain}/message`).set(auth).send(body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(res.body.details.some((d: { field: string }) => d.field === field), JSON.stringify(res.body.details));
    });
  }

  test('「送信済みにする」 records the QSM send once, withdraws the waiting email and notes QSM in the case log', async () => {
    const first = await request(app).post(`/api/cancel-requests/${emailed}/message/sent`).set(auth).send({ person: '佐藤' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.qsm.sentAt, NOW.toISOString());
    assert.equal(first.body.qsm.sentBy, '佐藤');
    assert.deepEqual([first.body.email.status, first.body.email.heldReason], ['held', 'sent_by_hand']);
    assert.deepEqual(await world.repository.claimDueEmails(NOW, 86_400_000, 5, 10), [], 'the buyer does not get it twice');
    const again = await request(app).post(`/api/cancel-requests/${emailed}/message/sent`).set(auth).send({ person: '鈴木' });
    assert.equal(again.status, 200);
    assert.equal(again.body.qsm.sentBy, '佐藤', 'a second click keeps the first record');
    const notes = await request(app).get(`/api/cancel-requests/${emailed}/case-notes`).set(auth);
    assert.deepEqual([notes.body.contactChannel, notes.body.contactedAt], ['qsm', NOW.toISOString()]);
    const edit = await request(app).put(`/api/cancel-requests/${emailed}/message`).set(auth).send({ body: 'changed' });
    assert.equal(edit.status, 409);
    assert.equal(edit.body.code, 'message_already_sent');
  });

  test('mark sent without a body works (the dashboard sends none); unknown request is 404', async () => {
    const res = await request(app).post(`/api/cancel-requests/${plain}/message/sent`).set(auth);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.qsm.sentBy, 'admin');
    assert.equal((await request(app).post('/api/cancel-requests/987654/message/sent').set(auth)).status, 404);
  });

  test('a call summary sent in QSM is marked by its id; a message of another request is 404', async () => {
    const summary = await request(app).post(`/api/cancel-requests/${cross}/call-summary`).set(auth).send({ agreedPoints: ['A full refund'], calledAt: '2026-11-10T02:00:00Z' });
    assert.equal(summary.status, 201, JSON.stringify(summary.body));
    const res = await request(app).post(`/api/cancel-requests/${cross}/message/sent`).set(auth).send({ messageId: summary.body.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.marked, summary.body.id);
    assert.equal(res.body.qsm.sentAt, null, 'the decision draft itself is not marked');
    assert.equal(res.body.callSummaries[0].qsm.sentAt, NOW.toISOString());
    const other = await request(app).post(`/api/cancel-requests/${plain}/message/sent`).set(auth).send({ messageId: summary.body.id });
    assert.equal(other.status, 404);
  });

  test('the shop settings take an English name and signature, a Reply-To and an alternative\'s Qoo10 item number', async () => {
    const settings = {
      english: { shopName: 'Aozora Goods', signature: 'Aozora Goods Support' },
      replyTo: 'support@aozora.example',
      alternatives: { 'MUG-BLUE': { itemTitle: '青いマグ（大）', itemTitleEn: 'Blue mug, large', qoo10ItemCode: '1234567890' } },
      callFirst: {},
    };
    const put = await request(app).put(`/api/shops/${shopId}/message-settings`).set(auth).send(settings);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.settings, settings);
    for (const [body, field] of [
      [{ replyTo: 'nobody' }, 'replyTo'],
      [{ alternatives: { 'MUG-BLUE': { itemTitle: 'x', qoo10ItemCode: 'no spaces allowed' } } }, 'alternatives.MUG-BLUE.qoo10ItemCode'],
      [{ english: { shopName: 5 } }, 'english.shopName'],
    ] as const) {
      const bad = await request(app).put(`/api/shops/${shopId}/message-settings`).set(auth).send(body);
      assert.equal(bad.status, 400);
      assert.deepEqual([...new Set(bad.body.details.map((d: { field: string }) => d.field))], [field]);
    }
  });

  test('case notes: a person records the call, offers, reaction and root cause; fields left out are kept', async () => {
    const put = await request(app)
      .put(`/api/cancel-requests/${plain}/case-notes`)
      .set(auth)
      .send({ callMade: true, callSummary: '代替品をご希望', offered: ['alternative', 'coupon'], buyerReaction: '了承いただいた', rootCause: '実店舗と在庫が二重に売れた' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.contactChannel, 'qsm', 'the QSM send noted before is kept');
    assert.deepEqual(put.body.offered, ['alternative', 'coupon']);
    const bad = await request(app).put(`/api/cancel-requests/${plain}/case-notes`).set(auth).send({ offered: ['refund'], contactChannel: 'fax' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.details.map((d: { field: string }) => d.field).sort(), ['contactChannel', 'offered']);
  });

  test('GET /api/case-log.csv is UTF-8 with a BOM, CRLF lines and the notes, for Excel', async () => {
    const res = await request(app).get('/api/case-log.csv?month=2026-11').set(auth).buffer(true).parse(binary as unknown as Parameters<request.Test['parse']>[0]);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="case-log-2026-11.csv"/);
    const raw = bytes(res as request.Response & { body: Buffer });
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = raw.subarray(3).toString('utf8').split('\r\n');
    assert.match(lines[0] ?? '', /^判定日時\(JST\),注文番号,商品コード,商品名,結果,原因/);
    assert.equal(lines.length, 3 + 1 + 1, 'header, three cases, and the final line end');
    const row = lines.find((line) => line.includes('青いマグ')) ?? '';
    assert.match(row, /販売店都合キャンセル,在庫切れ/);
    assert.match(row, /QSM,2026-11-10 12:00,あり,代替品をご希望,代替品・クーポン,了承いただいた,実店舗と在庫が二重に売れた$/);
  });
});
