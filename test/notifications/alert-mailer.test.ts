import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/logger';
import { MailDeliveryError, type Mailer, type OutgoingEmail } from '../../src/notifications/mailer';
import { AlertRepository, type NewAlert } from '../../src/persistence/alert-repository';
import { createDataSource } from '../../src/persistence/data-source';
import { AlertMailer, emailRetryDelayMs, DEFAULT_ALERT_MAILER_OPTIONS } from '../../src/services/alert-mailer';
import { AlertService } from '../../src/services/alert-service';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const NOW = new Date('2026-11-15T03:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const MINUTE = 60_000;

/** A hand-written mailer: records what it sends, fails while `failing` is set, can be slow. */
class FakeMailer implements Mailer {
  sent: OutgoingEmail[] = [];
  failing = false;
  delayMs = 0;
  async send(email: OutgoingEmail): Promise<void> {
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.failing) throw new MailDeliveryError('ECONNECTION connect ECONNREFUSED 127.0.0.1:2525');
    this.sent.push(email);
  }
  close(): void {}
}

let seq = 0;
function anAlert(overrides: Partial<NewAlert> = {}): NewAlert {
  seq += 1;
  return { shopId: null, kind: 'test', dedupeKey: `test:${process.pid}:${seq}`, severity: 'warning', subject: `件名 ${seq}`, body: `本文 ${seq}`, ...overrides };
}

describe('emailRetryDelayMs', () => {
  for (const [attempts, expected] of [
    [1, 1 * MINUTE],
    [2, 2 * MINUTE],
    [3, 4 * MINUTE],
    [5, 16 * MINUTE],
    [7, 60 * MINUTE],
    [40, 60 * MINUTE],
  ] as const) {
    test(`waits ${expected / MINUTE} min after ${attempts} failed attempt(s)`, () => {
      assert.equal(emailRetryDelayMs(attempts, DEFAULT_ALERT_MAILER_OPTIONS), expected);
    });
  }
});

describe('AlertMailer on PostgreSQL', () => {
  let db: TestDatabase;
  let repo: AlertRepository;
  let alerts: AlertService;
  let mailer: FakeMailer;
  before(async () => {
    db = await createTestDatabase();
    repo = new AlertRepository(db.dataSource);
    alerts = new AlertService(repo, true, silentLogger());
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    // Each test starts with no alert waiting, so counts are about its own alerts.
    await db.dataSource.query(`DELETE FROM alerts`);
    mailer = new FakeMailer();
  });

  const statusOf = async (id: string) => (await repo.recentAlerts(500)).find((alert) => alert.id === id)!;

  test('sends a pending alert once and marks it sent', async () => {
    const alert = (await alerts.raise(anAlert({ subject: '【警告】テスト', body: '本文です' })))!;
    const sender = new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger());
    assert.deepEqual(await sender.sendPending(NOW), { sent: 1, failed: 0, gaveUp: 0 });
    assert.deepEqual(mailer.sent, [{ to: ['ops@example.test'], subject: '【警告】テスト', text: '本文です' }]);
    assert.deepEqual(await sender.sendPending(at(MINUTE)), { sent: 0, failed: 0, gaveUp: 0 });
    const stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'sent');
    assert.equal(stored.emailAttempts, 1);
    assert.equal(stored.emailedAt?.toISOString(), NOW.toISOString());
  });

  test('a failure is stored and retried after the backoff, then sent once', async () => {
    const alert = (await alerts.raise(anAlert()))!;
    const sender = new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger());
    mailer.failing = true;
    assert.deepEqual(await sender.sendPending(NOW), { sent: 0, failed: 1, gaveUp: 0 });
    let stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'failed');
    assert.equal(stored.emailAttempts, 1);
    assert.match(stored.emailLastError ?? '', /ECONNREFUSED/);
    assert.equal(stored.emailNextAttemptAt?.toISOString(), at(MINUTE).toISOString());

    mailer.failing = false;
    assert.deepEqual(await sender.sendPending(at(30_000)), { sent: 0, failed: 0, gaveUp: 0 }, 'not before the backoff');
    assert.deepEqual(await sender.sendPending(at(MINUTE)), { sent: 1, failed: 0, gaveUp: 0 });
    assert.deepEqual(await sender.sendPending(at(10 * MINUTE)), { sent: 0, failed: 0, gaveUp: 0 });
    stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'sent');
    assert.equal(stored.emailAttempts, 2);
    assert.equal(stored.emailLastError, null);
    assert.equal(mailer.sent.length, 1);
  });

  test('gives up after the last allowed attempt and leaves the alert failed', async () => {
    const alert = (await alerts.raise(anAlert()))!;
    const sender = new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger(), { maxAttempts: 3 });
    mailer.failing = true;
    const reports = [];
    for (const minutes of [0, 1, 3, 7, 60]) reports.push(await sender.sendPending(at(minutes * MINUTE)));
    assert.deepEqual(
      reports.map((report) => [report.failed, report.gaveUp]),
      [[1, 0], [1, 0], [0, 1], [0, 0], [0, 0]],
    );
    const stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'failed');
    assert.equal(stored.emailAttempts, 3);
    assert.equal(stored.emailNextAttemptAt, null);
  });

  test('two processes sending at once send every alert exactly once', async () => {
    for (let i = 0; i < 30; i += 1) await alerts.raise(anAlert());
    const otherSource = createDataSource(db.url, { poolSize: 3 });
    await otherSource.initialize();
    try {
      mailer.delayMs = 5;
      const first = new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger(), { batchSize: 4 });
      const second = new AlertMailer(new AlertRepository(otherSource), mailer, ['ops@example.test'], silentLogger(), { batchSize: 4 });
      const [a, b] = await Promise.all([first.sendPending(NOW), second.sendPending(NOW)]);
      assert.equal(a.sent + b.sent, 30);
      assert.ok(a.sent > 0 && b.sent > 0, `both processes took part (${a.sent} + ${b.sent})`);
      const subjects = mailer.sent.map((email) => email.subject);
      assert.equal(subjects.length, 30);
      assert.equal(new Set(subjects).size, 30);
    } finally {
      await otherSource.destroy();
    }
  });

  test('a claim left by a stopped process is retried after the lease', async () => {
    const alert = (await alerts.raise(anAlert()))!;
    await db.dataSource.query(`UPDATE alerts SET email_status = 'sending', email_attempts = 1, email_claimed_at = $2 WHERE id = $1`, [
      alert.id,
      at(-5 * MINUTE),
    ]);
    const sender = new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger());
    assert.equal((await sender.sendPending(NOW)).sent, 0, 'a fresh claim is left alone');
    assert.equal((await sender.sendPending(at(6 * MINUTE))).sent, 1);
    const stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'sent');
    assert.equal(stored.emailAttempts, 2);
  });

  test('without SMTP alerts are recorded as not configured and never sent', async () => {
    const unconfigured = new AlertService(repo, false, silentLogger());
    const alert = (await unconfigured.raise(anAlert()))!;
    assert.equal(alert.emailStatus, 'not_configured');
    assert.deepEqual(await new AlertMailer(repo, null, [], silentLogger()).sendPending(NOW), { sent: 0, failed: 0, gaveUp: 0 });
    assert.deepEqual(await new AlertMailer(repo, mailer, ['ops@example.test'], silentLogger()).sendPending(NOW), { sent: 0, failed: 0, gaveUp: 0 });
    assert.equal((await statusOf(alert.id)).emailStatus, 'not_configured');
  });

  test('an error that is not a MailDeliveryError is stored without its message', async () => {
    const alert = (await alerts.raise(anAlert()))!;
    const leaky: Mailer = {
      send: async () => {
        throw new Error('connect failed for smtp://user:hunter2-secret@mail.example.test');
      },
      close: () => undefined,
    };
    await new AlertMailer(repo, leaky, ['ops@example.test'], silentLogger()).sendPending(NOW);
    const stored = await statusOf(alert.id);
    assert.equal(stored.emailStatus, 'failed');
    assert.doesNotMatch(stored.emailLastError ?? '', /hunter2/);
  });
});
