import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { silentLogger } from '../../src/logger';
import { SmtpMailer } from '../../src/notifications/smtp-mailer';
import { BuyerMessageRepository, type StoredMessageSettings } from '../../src/persistence/buyer-message-repository';
import { CaseLogRepository } from '../../src/persistence/case-log-repository';
import { BuyerMailer } from '../../src/services/buyer-mailer';
import { BuyerMessageService } from '../../src/services/buyer-message-service';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';
import { headerOf, startTestSmtpServer, textBodyOf, type TestSmtpServer } from '../notifications/smtp-test-server';

const SHOP_ADDRESS = 'support@aozora.example';

/** The message services as compose.ts will build them (it does not wire them yet). */
function messageServices(f: PipelineFixture, smtp: TestSmtpServer | null) {
  const { dataSource } = f.t.db;
  const repository = new BuyerMessageRepository(dataSource);
  const service = new BuyerMessageService(
    repository,
    new CaseLogRepository(dataSource),
    f.t.services.requests,
    f.t.services.orders,
    f.t.services.shops,
    silentLogger(),
    { emailConfigured: smtp !== null },
  );
  const mailer = () =>
    new BuyerMailer(repository, smtp ? (from) => new SmtpMailer(smtp.url(), from) : null, f.t.config.email.from, silentLogger());
  return { service, mailer };
}

async function setMessageSettings(dataSource: DataSource, shopId: string, settings: StoredMessageSettings): Promise<void> {
  await dataSource.query('UPDATE shops SET message_settings = $2::jsonb WHERE id = $1', [shopId, JSON.stringify(settings)]);
}

async function requestIdOf(f: PipelineFixture, orderNo: string): Promise<string> {
  const [row] = await f.t.db.dataSource.query(`SELECT id, status FROM cancel_requests WHERE order_no = $1`, [orderNo]);
  assert.equal(row?.status, 'done', `request on ${orderNo} is settled`);
  return String(row.id);
}

describe('buyer messages for the requests a poll cycle settled', () => {
  let f: PipelineFixture;
  let smtp: TestSmtpServer;
  let messages: ReturnType<typeof messageServices>;
  const orders: Record<string, string> = {};

  before(async () => {
    smtp = await startTestSmtpServer();
    f = await createPipelineFixture({ AUTO_DECISIONS: 'accept,refuse,seller-fault' });
    messages = messageServices(f, smtp);
    await setMessageSettings(f.t.db.dataSource, f.shop.id, { sendByEmail: true, fromAddress: SHOP_ADDRESS, callFirst: { highValueYen: 5000 } });
    await f.t.services.facts.importStock(undefined, Buffer.from('seller_item_code,available\nIN-STOCK,9\nSOLD-OUT,0\nCART,4\n'));
    orders.accepted = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    orders.stockOut = f.confirmedOrder({ sellerItemCode: 'SOLD-OUT' });
    orders.refused = f.confirmedOrder({ sellerItemCode: 'CART', packNo: '77000001' });
    // Three units at 1,980 yen: over the shop's 5,000-yen call-first threshold.
    orders.highValue = f.confirmedOrder({ sellerItemCode: 'IN-STOCK', quantity: 3 });
    for (const [key, orderNo] of Object.entries(orders)) {
      const order = f.sim.state.order(orderNo)!;
      order.buyerEmail = `${key}@buyers.example`;
      order.buyerName = key === 'accepted' ? '山田 太郎' : null;
    }
    await f.handedOver(orders.refused!, 'ヤマト宅急便', '123456789016');
    // Here ship-confirm ends a pending request, so the refusal is settled within the cycle (the other
    // behaviour makes it a QSM task first: refusal-flow.test.ts).
    f.simShop.behaviour.shipConfirmEndsRequest = true;
    for (const orderNo of Object.values(orders)) f.sim.state.requestCancel(orderNo);

    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);
    const drafted = await messages.service.draftPending(new Date());
    assert.deepEqual(drafted, { drafted: 4, needsPerson: 0, toSend: 3, failed: 0 });
  });
  after(async () => {
    await f.close();
    await smtp.close();
  });

  test('the refusal’s draft gives the tracking number and the return-request route', async () => {
    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orders.refused!));
    assert.equal(draft.templateKey, 'refused-shipped');
    assert.match(draft.body ?? '', /配送業者：ヤマト宅急便\n追跡番号：123456789016/);
    assert.match(draft.body ?? '', /返品要請/);
    assert.match(draft.body ?? '', /テスト雑貨店/, 'signed with the shop’s name');
  });

  test('the acceptance’s draft states the refund amount and the card refund route', async () => {
    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orders.accepted!));
    assert.equal(draft.templateKey, 'accepted');
    assert.match(draft.body ?? '', /^山田 太郎様/);
    assert.match(draft.body ?? '', /ご返金額：1,980円/);
    assert.match(draft.body ?? '', /お支払い方法：クレジットカード/);
    assert.match(draft.body ?? '', /Qoo10がカード会社を通じてご請求を取り消します/);
  });

  test('the stock-out’s draft admits the shop’s fault under an 【重要】 subject', async () => {
    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orders.stockOut!));
    assert.equal(draft.templateKey, 'seller-fault');
    assert.match(draft.subject ?? '', /^【重要】.*お詫び/);
    assert.match(draft.body ?? '', /当店の/);
    assert.match(draft.body ?? '', /^お客様/, 'no name known: the buyer is addressed politely all the same');
  });

  test('the high-value order waits for a call, with its outline', async () => {
    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orders.highValue!));
    assert.deepEqual([draft.emailStatus, draft.emailHeldReason], ['held', 'call_first']);
    assert.deepEqual(draft.callFirst.reasons, ['high_value']);
    assert.equal(draft.callFirst.cartTotalYen, 5940);
  });

  test('two senders at once email each waiting message exactly once, from the shop, to the buyer', async () => {
    const now = new Date();
    const a = messages.mailer();
    const b = messages.mailer();
    try {
      const [first, second] = await Promise.all([a.sendPending(now), b.sendPending(now)]);
      assert.equal(first.sent + second.sent, 3);
      assert.equal(first.failed + second.failed, 0);
      assert.deepEqual(await a.sendPending(new Date()), { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 });
    } finally {
      a.close();
      b.close();
    }
    assert.equal(smtp.messages.length, 3);
    const recipients = smtp.messages.map((raw) => headerOf(raw, 'To')).sort();
    assert.deepEqual(recipients, ['accepted@buyers.example', 'refused@buyers.example', 'stockOut@buyers.example']);
    assert.ok(smtp.messages.every((raw) => headerOf(raw, 'From') === SHOP_ADDRESS));
    const refusal = smtp.messages.find((raw) => headerOf(raw, 'To') === 'refused@buyers.example')!;
    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orders.refused!));
    assert.equal(headerOf(refusal, 'Subject'), draft.subject);
    assert.equal(textBodyOf(refusal).replace(/\r\n/g, '\n').trim(), draft.body);
    assert.equal(draft.emailStatus, 'sent');
  });

  test('after the call, the written summary goes out by email', async () => {
    const requestId = await requestIdOf(f, orders.highValue!);
    const { message, created } = await messages.service.writeCallSummary(
      requestId,
      { agreedPoints: ['全額をご返金します', '同等品の入荷をメールでお知らせします'], calledAt: new Date() },
      new Date(),
    );
    assert.equal(created, true);
    assert.equal(message.emailStatus, 'pending');
    const sender = messages.mailer();
    try {
      assert.equal((await sender.sendPending(new Date())).sent, 1);
    } finally {
      sender.close();
    }
    const summary = smtp.messages.find((raw) => headerOf(raw, 'To') === 'highValue@buyers.example');
    assert.ok(summary, 'the summary reached the buyer');
    assert.match(textBodyOf(summary), /全額をご返金します/);
    assert.equal(smtp.messages.filter((raw) => headerOf(raw, 'To') === 'highValue@buyers.example').length, 1, 'the held draft itself was not sent');
  });

  test('the case log has one line per settled request', async () => {
    const log = await messages.service.caseLog(f.shop.id, undefined, new Date());
    assert.deepEqual(log.entries.map((e) => e.cause).sort(), ['already_shipped', 'buyer', 'buyer', 'out_of_stock']);
    const { report } = await messages.service.sellerFaultItems(f.shop.id, undefined, new Date());
    assert.deepEqual(report.items.map((item) => [item.itemKey, item.count]), [['SOLD-OUT', 1]]);
  });
});

describe('a shop without a name', () => {
  let f: PipelineFixture;
  let smtp: TestSmtpServer;

  before(async () => {
    smtp = await startTestSmtpServer();
    f = await createPipelineFixture({ AUTO_DECISIONS: 'accept,refuse,seller-fault' });
    await f.t.db.dataSource.query(`UPDATE shops SET name = '' WHERE id = $1`, [f.shop.id]);
    await setMessageSettings(f.t.db.dataSource, f.shop.id, { sendByEmail: true });
  });
  after(async () => {
    await f.close();
    await smtp.close();
  });

  test('gets a stock-out draft that needs a person, and nothing is emailed', async () => {
    const messages = messageServices(f, smtp);
    await f.t.services.facts.setStock(undefined, 'GONE', 0);
    const orderNo = f.confirmedOrder({ sellerItemCode: 'GONE' });
    f.sim.state.order(orderNo)!.buyerEmail = 'someone@buyers.example';
    f.sim.state.requestCancel(orderNo);
    await f.t.services.pipeline.runCycle();
    assert.deepEqual(await messages.service.draftPending(new Date()), { drafted: 1, needsPerson: 1, toSend: 0, failed: 0 });

    const { draft } = await messages.service.draftOfRequest(await requestIdOf(f, orderNo));
    assert.equal(draft.needsPerson, true);
    assert.deepEqual(draft.missing, ['shopName', 'signature']);
    assert.deepEqual([draft.emailStatus, draft.emailHeldReason], ['held', 'needs_person']);
    const sender = messages.mailer();
    try {
      assert.equal((await sender.sendPending(new Date())).sent, 0);
    } finally {
      sender.close();
    }
    assert.equal(smtp.messages.length, 0);
  });
});
