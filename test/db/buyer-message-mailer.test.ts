import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailDeliveryError, type Mailer, type OutgoingEmail } from '../../src/notifications/mailer';
import { maskEmail, maskEmailsIn } from '../../src/persistence/buyer-message-repository';
import { BuyerMailer } from '../../src/services/buyer-mailer';
import { silentLogger } from '../../src/logger';
import { BuyerMessageRepository } from '../../src/persistence/buyer-message-repository';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW } from '../helpers/domain-builders';
import { aCase, ACCEPT, aShop, buyerMailer, messageWorld, type MessageWorld } from './buyer-message-fixtures';

const MINUTE = 60_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

/** A hand-written mailer: records what it sends, fails while `failing` is set, can be slow. */
class FakeMailer implements Mailer {
  sent: OutgoingEmail[] = [];
  failing: string | null = null;
  delayMs = 0;
  async send(email: OutgoingEmail): Promise<void> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.failing) throw new MailDeliveryError(this.failing, 550);
    this.sent.push(email);
  }
  close(): void {}
}

describe('maskEmail', () => {
  for (const [address, masked] of [
    ['taro@example.com', 't***@example.com'],
    ['a@b.jp', 'a***@b.jp'],
    ['not-an-address', '***'],
    ['@example.com', '***'],
  ] as const) {
    test(`${address} → ${masked}`, () => assert.equal(maskEmail(address), masked));
  }

  test('masks every address quoted in an SMTP reply', () => {
    assert.equal(
      maskEmailsIn('550 5.1.1 <hanako.sato@example.jp>: Recipient address rejected (hanako.sato@example.jp)'),
      '550 5.1.1 <h***@example.jp>: Recipient address rejected (h***@example.jp)',
    );
  });
});

describe('BuyerMailer on PostgreSQL', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  let mailer: FakeMailer;
  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM shops');
    mailer = new FakeMailer();
  });

  /** A drafted acceptance waiting to be emailed; returns the request id. */
  async function pendingDraft(settings: Record<string, unknown> = {}, buyerEmail = 'taro@example.jp'): Promise<string> {
    const shopId = await aShop(db.dataSource, '青空雑貨店', { sendByEmail: true, ...settings });
    const { requestId } = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * MINUTE), order: { buyerEmail } });
    await world.service.draftPending(NOW);
    return requestId;
  }
  const draftOf = async (requestId: string) => (await world.service.draftOfRequest(requestId)).draft;

  test('sends a pending draft once, to the buyer, from the shop address, and marks it sent', async () => {
    const requestId = await pendingDraft({ fromAddress: 'shop@aozora.example' });
    const senders: string[] = [];
    const sender = new BuyerMailer(new BuyerMessageRepository(db.dataSource), (from) => (senders.push(from), mailer), 'default@example.test', silentLogger());
    assert.deepEqual(await sender.sendPending(NOW), { sent: 1, failed: 0, gaveUp: 0, withdrawn: 0 });
    assert.deepEqual(await sender.sendPending(at(MINUTE)), { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 });

    const draft = await draftOf(requestId);
    assert.equal(mailer.sent.length, 1);
    assert.deepEqual(mailer.sent[0]?.to, ['taro@example.jp']);
    assert.equal(mailer.sent[0]?.subject, draft.subject);
    assert.equal(mailer.sent[0]?.text, draft.body);
    assert.deepEqual(senders, ['shop@aozora.example']);
    assert.equal(draft.emailStatus, 'sent');
    assert.equal(draft.emailedAt?.toISOString(), NOW.toISOString());
  });

  test('replies go to the shop\'s replyTo, else to BUYER_EMAIL_REPLY_TO, never silently to the alert sender', async () => {
    await pendingDraft({ replyTo: 'support@aozora.example' });
    const sender = new BuyerMailer(new BuyerMessageRepository(db.dataSource), () => mailer, 'buyers@example.test', silentLogger(), {
      defaultReplyTo: 'help@example.test',
    });
    await sender.sendPending(NOW);
    await db.dataSource.query('DELETE FROM shops');
    await pendingDraft();
    await sender.sendPending(NOW);
    assert.deepEqual(mailer.sent.map((m) => m.replyTo), ['support@aozora.example', 'help@example.test']);
  });

  test('sends a person\'s edit of the draft, not the built text; a draft sent in QSM is never emailed', async () => {
    const requestId = await pendingDraft();
    await world.service.editDraft(requestId, { body: '山田様\n\nお電話ありがとうございました。' }, '佐藤', NOW);
    const other = await pendingDraft({}, 'hanako@example.jp');
    await world.service.markSent(other, '佐藤', NOW);
    const sender = buyerMailer(db.dataSource, mailer);
    assert.deepEqual(await sender.sendPending(NOW), { sent: 1, failed: 0, gaveUp: 0, withdrawn: 0 });
    assert.equal(mailer.sent[0]?.text, '山田様\n\nお電話ありがとうございました。');
    assert.deepEqual(mailer.sent[0]?.to, ['taro@example.jp']);
  });

  test('uses ALERT_EMAIL_FROM when the shop set no sender', async () => {
    await pendingDraft();
    const senders: string[] = [];
    const sender = new BuyerMailer(new BuyerMessageRepository(db.dataSource), (from) => (senders.push(from), mailer), 'default@example.test', silentLogger());
    await sender.sendPending(NOW);
    assert.deepEqual(senders, ['default@example.test']);
  });

  test('a refused message is retried with backoff, its error stored without the address, and given up after the last attempt', async () => {
    const requestId = await pendingDraft();
    mailer.failing = '550 5.1.1 <taro@example.jp>: Recipient address rejected';
    const sender = buyerMailer(db.dataSource, mailer, { maxAttempts: 3 });

    assert.deepEqual(await sender.sendPending(NOW), { sent: 0, failed: 1, gaveUp: 0, withdrawn: 0 });
    let draft = await draftOf(requestId);
    assert.equal(draft.emailStatus, 'failed');
    assert.equal(draft.emailLastError, '550 5.1.1 <t***@example.jp>: Recipient address rejected');
    assert.equal(draft.emailNextAttemptAt?.toISOString(), at(MINUTE).toISOString());

    assert.equal((await sender.sendPending(at(30_000))).failed, 0, 'not before the backoff has passed');
    assert.equal((await sender.sendPending(at(MINUTE))).failed, 1);
    assert.equal((await draftOf(requestId)).emailNextAttemptAt?.toISOString(), at(3 * MINUTE).toISOString(), 'the wait doubles');
    assert.equal((await sender.sendPending(at(3 * MINUTE))).gaveUp, 1);
    assert.equal((await sender.sendPending(at(60 * MINUTE))).gaveUp, 0, 'no attempt after the last');
    draft = await draftOf(requestId);
    assert.equal(draft.emailStatus, 'failed');
    assert.equal(draft.emailAttempts, 3);
    assert.equal(draft.emailNextAttemptAt, null);
    assert.equal(mailer.sent.length, 0);
  });

  test('a message that fails once goes out on the retry', async () => {
    const requestId = await pendingDraft();
    mailer.failing = 'ECONNECTION connect ECONNREFUSED 127.0.0.1:2525';
    const sender = buyerMailer(db.dataSource, mailer);
    await sender.sendPending(NOW);
    mailer.failing = null;
    assert.equal((await sender.sendPending(at(MINUTE))).sent, 1);
    assert.equal((await draftOf(requestId)).emailStatus, 'sent');
    assert.equal(mailer.sent.length, 1);
  });

  test('two senders running at the same moment send each message exactly once', async () => {
    for (let i = 0; i < 6; i += 1) await pendingDraft({}, `buyer${i}@example.jp`);
    mailer.delayMs = 30;
    const [a, b] = await Promise.all([
      buyerMailer(db.dataSource, mailer, { batchSize: 2 }).sendPending(NOW),
      buyerMailer(db.dataSource, mailer, { batchSize: 2 }).sendPending(NOW),
    ]);
    assert.equal(a.sent + b.sent, 6);
    assert.deepEqual(mailer.sent.map((m) => m.to[0]).sort(), [0, 1, 2, 3, 4, 5].map((i) => `buyer${i}@example.jp`));
  });

  test('a claim left by a stopped process is held for a person, never sent again', async () => {
    const requestId = await pendingDraft();
    const repository = new BuyerMessageRepository(db.dataSource);
    assert.equal((await repository.claimDueEmails(NOW, 86_400_000, 5, 10)).length, 1, 'the process claims it, then dies');

    const sender = buyerMailer(db.dataSource, mailer, { leaseMs: 10 * MINUTE });
    assert.deepEqual(await sender.sendPending(at(5 * MINUTE)), { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 }, 'still within the lease');
    assert.equal((await sender.sendPending(at(11 * MINUTE))).withdrawn, 1);
    const draft = await draftOf(requestId);
    assert.equal(draft.emailStatus, 'held');
    assert.equal(draft.emailHeldReason, 'interrupted');
    assert.equal(mailer.sent.length, 0);
  });

  test('a message not sent within a day, or of a shop that stopped email, is withdrawn', async () => {
    const late = await pendingDraft();
    const sender = buyerMailer(db.dataSource, mailer);
    assert.equal((await sender.sendPending(at(25 * 60 * MINUTE))).withdrawn, 1);
    assert.deepEqual([(await draftOf(late)).emailStatus, (await draftOf(late)).emailHeldReason], ['held', 'stale']);

    const optedOut = await pendingDraft();
    await db.dataSource.query(`UPDATE shops SET message_settings = '{"sendByEmail": false}'::jsonb`);
    assert.equal((await sender.sendPending(NOW)).sent, 0);
    assert.equal((await draftOf(optedOut)).emailStatus, 'not_configured');
    assert.equal(mailer.sent.length, 0);
  });

  test('without a mailer nothing is claimed or changed', async () => {
    const requestId = await pendingDraft();
    assert.deepEqual(await buyerMailer(db.dataSource, null).sendPending(NOW), { sent: 0, failed: 0, gaveUp: 0, withdrawn: 0 });
    assert.equal((await draftOf(requestId)).emailStatus, 'pending');
  });

  test('an aborted run claims nothing', async () => {
    const requestId = await pendingDraft();
    const controller = new AbortController();
    controller.abort();
    await buyerMailer(db.dataSource, mailer).sendPending(NOW, controller.signal);
    assert.equal((await draftOf(requestId)).emailStatus, 'pending');
  });
});
