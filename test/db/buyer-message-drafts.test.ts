import { ASSUMED_CAUSE_RULE } from '../../src/domain/buyer-messages';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationFailedError } from '../../src/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW, YAMATO } from '../helpers/domain-builders';
import { aCase, ACCEPT, aShop, messageWorld, REFUSE, STOCK_OUT, type MessageWorld } from './buyer-message-fixtures';

const HOUR = 3_600_000;
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

describe('BuyerMessageService.draftPending on PostgreSQL', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    // Each test starts with no shop, so every draft counted is its own.
    await db.dataSource.query('DELETE FROM shops');
  });

  test('writes one draft per settled decision, from the order and the decision', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    const refused = await aCase(world, db.dataSource, { shopId, decision: REFUSE, settledAt: minutesAgo(30) });
    const accepted = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(20) });
    const stockOut = await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(10) });

    const report = await world.service.draftPending(NOW);
    assert.deepEqual(report, { drafted: 3, needsPerson: 0, toSend: 0, failed: 0 });

    const refusal = (await world.service.draftOfRequest(refused.requestId)).draft;
    assert.equal(refusal.templateKey, 'refused-shipped');
    assert.equal(refusal.decisionId, refused.decisionId);
    assert.match(refusal.body ?? '', new RegExp(`追跡番号：${YAMATO.trackingNo}`));
    assert.match(refusal.body ?? '', /返品要請/);
    assert.match(refusal.body ?? '', /青空雑貨店/);

    const acceptance = (await world.service.draftOfRequest(accepted.requestId)).draft;
    assert.equal(acceptance.templateKey, 'accepted');
    assert.match(acceptance.body ?? '', /カード会社を通じてご請求を取り消します/, 'the card refund route is explained');
    assert.match(acceptance.body ?? '', /2,400円/);

    const fault = (await world.service.draftOfRequest(stockOut.requestId)).draft;
    assert.match(fault.subject ?? '', /^【重要】.*お詫び/);
    assert.equal(fault.needsPerson, false);
    // The shop did not choose email: nothing is sent, the dashboard shows the text to copy.
    assert.equal(fault.emailStatus, 'not_configured');
  });

  test('a second run writes nothing new', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5) });
    assert.equal((await world.service.draftPending(NOW)).drafted, 1);
    assert.equal((await world.service.draftPending(NOW)).drafted, 0);
    const [row] = await db.dataSource.query('SELECT count(*)::int AS n FROM buyer_messages');
    assert.equal(row.n, 1);
  });

  test('requests still open, and requests settled before the look-back window, get no draft', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5), status: 'acting' });
    await aCase(world, db.dataSource, { shopId, decision: { ...ACCEPT, kind: 'review' }, settledAt: minutesAgo(5), status: 'review' });
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: new Date(NOW.getTime() - 15 * 24 * HOUR) });
    assert.equal((await world.service.draftPending(NOW)).drafted, 0);
  });

  test('drafts more settled requests than one batch holds', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    const small = messageWorld(db.dataSource, { batchSize: 2 });
    for (let i = 0; i < 5; i += 1) await aCase(small, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(10 - i) });
    assert.equal((await small.service.draftPending(NOW)).drafted, 5);
  });

  test('a shop with no name gets a draft that needs a person, and nothing is emailed', async () => {
    const shopId = await aShop(db.dataSource, '  ', { sendByEmail: true });
    const { requestId } = await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(5) });
    assert.equal((await world.service.draftPending(NOW)).needsPerson, 1);
    const { draft } = await world.service.draftOfRequest(requestId);
    assert.equal(draft.needsPerson, true);
    assert.deepEqual(draft.missing, ['shopName', 'signature'], 'the signature falls back to the name');
    assert.equal(draft.subject, null);
    assert.equal(draft.emailStatus, 'held');
    assert.equal(draft.emailHeldReason, 'needs_person');
  });

  test('a seller-fault decision whose cause was only assumed apologises without stating a reason', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    const assumed = { ...STOCK_OUT, trail: [{ rule: ASSUMED_CAUSE_RULE, note: 'no cause named' }] };
    const { requestId } = await aCase(world, db.dataSource, { shopId, decision: assumed, settledAt: minutesAgo(5) });
    const { sellerFaultCause: _cause, ...noCause } = STOCK_OUT;
    const none = await aCase(world, db.dataSource, { shopId, decision: noCause, settledAt: minutesAgo(5) });
    await world.service.draftPending(NOW);
    for (const id of [requestId, none.requestId]) {
      const { draft } = await world.service.draftOfRequest(id);
      assert.equal(draft.needsPerson, false);
      assert.match(draft.body ?? '', /当店の不手際/);
      assert.doesNotMatch(draft.body ?? '', /在庫/, 'a stock-out nobody named is not told to the buyer');
      assert.match(draft.notes.join(' '), /cause is not known/);
    }
  });

  test('the shop settings shape the draft: own name, English buyers', async () => {
    const shopId = await aShop(db.dataSource, 'shop-42', { shopName: 'Blue Sky Goods', language: 'en' });
    const { requestId } = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5) });
    await world.service.draftPending(NOW);
    const { draft } = await world.service.draftOfRequest(requestId);
    assert.equal(draft.language, 'en');
    assert.match(draft.body ?? '', /Blue Sky Goods/);
    assert.doesNotMatch(draft.body ?? '', /shop-42/);
  });

  test('a draft that cannot be stored fails without the buyer’s text in the error', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    const { requestId, decisionId } = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5) });
    const error = await world.repository
      .insertDraft({
        shopId, requestId, decisionId, orderNo: 'x', purpose: 'decision', draftKey: `decision:${decisionId}`, templateKey: 'accepted',
        language: 'ja', subject: '山田太郎様へ', body: '山田太郎様', needsPerson: false, missing: [], problems: [], notes: [],
        callFirst: { call: false, reasons: [], outline: [], cartTotalYen: null },
        emailStatus: 'lost' as 'pending', emailHeldReason: null, createdAt: NOW,
      })
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.match(error.message, /violates check constraint/);
    assert.doesNotMatch(JSON.stringify({ ...error, message: error.message }), /山田/);
  });

  describe('email status', () => {
    const statusOf = async (world: MessageWorld, requestId: string) => {
      const { draft } = await world.service.draftOfRequest(requestId);
      return [draft.emailStatus, draft.emailHeldReason];
    };

    test('pending when the shop sends by email and the buyer address is known; the address is only shown masked', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true });
      const { requestId } = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5), order: { buyerEmail: 'taro.yamada@example.jp' } });
      assert.equal((await world.service.draftPending(NOW)).toSend, 1);
      const { draft } = await world.service.draftOfRequest(requestId);
      assert.equal(draft.emailStatus, 'pending');
      assert.equal(draft.recipientMasked, 't***@example.jp');
      assert.doesNotMatch(JSON.stringify(draft), /taro\.yamada/);
    });

    test('not_configured without an SMTP server, no_address without a buyer address', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true });
      const noSmtp = messageWorld(db.dataSource, { emailConfigured: false });
      const first = await aCase(noSmtp, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5) });
      await noSmtp.service.draftPending(NOW);
      assert.deepEqual(await statusOf(noSmtp, first.requestId), ['not_configured', null]);

      const second = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5), order: { buyerEmail: null } });
      await world.service.draftPending(NOW);
      assert.deepEqual(await statusOf(world, second.requestId), ['no_address', null]);
    });

    test('a high-value cart is held for a phone call first, with the talk outline', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true, callFirst: { highValueYen: 30_000 } });
      const cheap = await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(5), order: { totalYen: 29_999 } });
      const dear = await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(5), order: { totalYen: 30_000 } });
      await world.service.draftPending(NOW);
      assert.deepEqual(await statusOf(world, cheap.requestId), ['pending', null]);
      assert.deepEqual(await statusOf(world, dear.requestId), ['held', 'call_first']);
      const { draft } = await world.service.draftOfRequest(dear.requestId);
      assert.deepEqual(draft.callFirst.reasons, ['high_value']);
      assert.equal(draft.callFirst.cartTotalYen, 30_000);
      assert.ok(draft.callFirst.outline.length >= 4);
      assert.ok(draft.body, 'the written draft is still there for after the call');
    });

    test('a gift order is held for a call too', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true });
      const gift = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: minutesAgo(5), order: { itemOption: 'ラッピング:あり' } });
      await world.service.draftPending(NOW);
      assert.deepEqual(await statusOf(world, gift.requestId), ['held', 'call_first']);
    });

    test('a case settled more than a day ago is drafted but not emailed on its own', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true });
      const { requestId } = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: new Date(NOW.getTime() - 25 * HOUR) });
      await world.service.draftPending(NOW);
      assert.deepEqual(await statusOf(world, requestId), ['held', 'stale']);
    });
  });

  describe('call summaries', () => {
    test('are stored as a second draft of the request, once per identical summary, and emailed', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true, callFirst: { highValueYen: 1000 } });
      const { requestId } = await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: minutesAgo(30) });
      await world.service.draftPending(NOW);
      const input = { agreedPoints: ['全額をご返金します', ' 再入荷時にご連絡します '], calledAt: minutesAgo(10) };

      const first = await world.service.writeCallSummary(requestId, input, NOW);
      assert.equal(first.created, true);
      assert.equal(first.message.purpose, 'call_summary');
      assert.equal(first.message.templateKey, 'call-summary');
      assert.match(first.message.body ?? '', /・全額をご返金します\n・再入荷時にご連絡します/);
      assert.equal(first.message.emailStatus, 'pending', 'the summary is what goes out after the call');

      const again = await world.service.writeCallSummary(requestId, { ...input, calledAt: minutesAgo(9) }, NOW);
      assert.equal(again.created, false);
      assert.equal(again.message.id, first.message.id);

      const found = await world.service.messagesOfRequest(requestId);
      assert.equal(found.draft?.emailHeldReason, 'call_first');
      assert.deepEqual(found.callSummaries.map((m) => m.id), [first.message.id]);
    });

    test('an unknown request is a 404', async () => {
      await assert.rejects(world.service.writeCallSummary('999999', { agreedPoints: ['x'], calledAt: NOW }, NOW), { code: 'not_found' });
    });
  });

  describe('message settings', () => {
    test('are stored as sent and read back with the effective shop name', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店');
      const saved = await world.service.updateMessageSettings(shopId, { sendByEmail: true, coupon: { code: 'SORRY10', percent: 10, validityMonths: 3 } });
      assert.equal(saved.shopName, '青空雑貨店');
      assert.deepEqual(saved.settings, { sendByEmail: true, coupon: { code: 'SORRY10', percent: 10, validityMonths: 3 } });
    });

    test('a template with an unknown placeholder is refused, naming the field and the likely fix', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店');
      const body = '{{buyerNmae}}\n{{orderNo}} {{itemTitle}} {{refundAmount}}\n{{refundTiming}}';
      const error = await world.service
        .updateMessageSettings(shopId, { templates: { ja: { accepted: { subject: 'キャンセル完了', body } } } })
        .then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ValidationFailedError);
      assert.deepEqual(error.details, [
        {
          field: 'templates.ja.accepted.body',
          message: 'unknown placeholder {{buyerNmae}} (did you mean {{buyerName}}?)',
          code: 'unknown_placeholder',
          line: 1,
          column: 1,
        },
      ]);
      assert.deepEqual((await world.service.messageSettings(shopId)).settings, {}, 'nothing was stored');
    });

    test('a coupon with both an amount and a percent, or an impossible restock date, is refused', async () => {
      const shopId = await aShop(db.dataSource, '青空雑貨店');
      await assert.rejects(
        world.service.updateMessageSettings(shopId, {
          coupon: { code: 'X', amountYen: 500, percent: 10, validityMonths: 3 },
          restockDates: { 'MUG-BLUE': '2026-02-30' },
        }),
        (error: ValidationFailedError) => {
          assert.deepEqual((error.details as Array<{ field: string }>).map((d) => d.field), ['coupon', 'restockDates.MUG-BLUE']);
          return true;
        },
      );
    });
  });
});
