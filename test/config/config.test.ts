import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, QOO10_JP_BASE_URL } from '../../src/config/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  test('gives documented defaults when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.qoo10.baseUrl, QOO10_JP_BASE_URL);
    assert.equal(config.qoo10.sellerAuthKey, null);
    assert.equal(config.claimsSchedule, '0 */2 * * * *');
    assert.equal(config.ordersIntervalMs, 600_000);
    assert.deepEqual(config.policy.autoDecisions, ['accept', 'refuse']);
    assert.equal(config.rate.limit, 0.07);
    assert.deepEqual(config.rate.alertLevels, [0.05, 0.06, 0.07]);
    assert.equal(config.rate.exclusionHours, 6);
    assert.equal(config.logLevel, 'info');
  });

  test('parses lists and numbers from their text form', () => {
    const config = loadConfig({
      PORT: '8080',
      AUTO_DECISIONS: 'accept, seller-fault',
      CANCEL_RATE_ALERT_LEVELS: '0.07,0.05',
      CANCEL_RATE_LIMIT: '0.08',
      ALERT_EMAIL_TO: 'a@example.com, b@example.com',
    });
    assert.equal(config.port, 8080);
    assert.deepEqual(config.policy.autoDecisions, ['accept', 'seller-fault']);
    assert.deepEqual(config.rate.alertLevels, [0.05, 0.07]);
    assert.equal(config.rate.limit, 0.08);
    assert.deepEqual(config.email.to, ['a@example.com', 'b@example.com']);
  });

  test('buyer emails: BUYER_EMAIL_FROM defaults to ALERT_EMAIL_FROM, Reply-To to none, escalation to 4 h', () => {
    const defaults = loadConfig({ ALERT_EMAIL_FROM: 'alerts@example.com' });
    assert.deepEqual(defaults.buyerEmail, { from: 'alerts@example.com', replyTo: null, callFirstEscalateHours: 4 });
    const set = loadConfig({ BUYER_EMAIL_FROM: 'Aozora <shop@example.com>', BUYER_EMAIL_REPLY_TO: 'support@example.com', BUYER_CALL_FIRST_ESCALATE_HOURS: '2' });
    assert.deepEqual(set.buyerEmail, { from: 'Aozora <shop@example.com>', replyTo: 'support@example.com', callFirstEscalateHours: 2 });
    const text = problemsOf({ BUYER_EMAIL_FROM: 'nobody', BUYER_EMAIL_REPLY_TO: 'x', BUYER_CALL_FIRST_ESCALATE_HOURS: '24' }).join('\n');
    assert.match(text, /BUYER_EMAIL_FROM must be an email address/);
    assert.match(text, /BUYER_EMAIL_REPLY_TO must be an email address/);
    assert.match(text, /BUYER_CALL_FIRST_ESCALATE_HOURS must be a whole number of hours from 1 to 23/);
  });

  test('an empty AUTO_DECISIONS means every decision waits for a person', () => {
    assert.deepEqual(loadConfig({ AUTO_DECISIONS: '' }).policy.autoDecisions, []);
  });

  test('the rate cohort defaults to cancels completed in the period and accepts the paid cohort', () => {
    assert.equal(loadConfig({}).rate.cohort, 'completed_in_period');
    assert.equal(loadConfig({ CANCEL_RATE_COHORT: 'paid_cohort' }).rate.cohort, 'paid_cohort');
    assert.match(problemsOf({ CANCEL_RATE_COHORT: 'carts' }).join('\n'), /CANCEL_RATE_COHORT must be one of: completed_in_period, paid_cohort/);
  });

  test('names every bad variable at once, with what it expects', () => {
    const problems = problemsOf({ CANCEL_RATE_LIMIT: 'abc', PORT: '-1', POLL_SCHEDULE: 'often', AUTO_DECISIONS: 'accept,review' });
    const text = problems.join('\n');
    assert.equal(problems.length, 4);
    assert.match(text, /CANCEL_RATE_LIMIT must be a fraction.*"abc"/);
    assert.match(text, /PORT must be a whole number.*"-1"/);
    assert.match(text, /POLL_SCHEDULE \(deprecated: use POLL_CLAIMS_INTERVAL\) must be a cron expression/);
    assert.match(text, /AUTO_DECISIONS must be a comma list/);
  });

  test('never echoes a secret value back in an error', () => {
    const problems = problemsOf({ ADMIN_TOKEN: 'short-secret', QOO10_SELLER_AUTH_KEY: 'abc' });
    const text = problems.join('\n');
    assert.match(text, /ADMIN_TOKEN/);
    assert.match(text, /QOO10_SELLER_AUTH_KEY/);
    assert.doesNotMatch(text, /short-secret/);
  });

  test('requires CREDENTIALS_SECRET in production', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://db/x', QOO10_SELLER_AUTH_KEY: 'a-real-looking-key' });
    assert.match(problems.join('\n'), /CREDENTIALS_SECRET is required/);
  });

  test('returns a frozen object', () => {
    const config = loadConfig({});
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.ok(Object.isFrozen(config.rate.alertLevels));
  });
});
