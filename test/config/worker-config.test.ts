import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, cronForInterval, loadConfig } from '../../src/config/config';

describe('worker settings', () => {
  test('defaults: 48 jobs at once on a pool of 18, 30 s shop leases, 2 s idle polling, no deprecation warnings', () => {
    const config = loadConfig({});
    assert.equal(config.workerConcurrency, 48);
    assert.equal(config.shopLeaseMs, 30_000);
    assert.equal(config.workerPollIntervalMs, 2_000);
    assert.equal(config.databasePoolSize, 18);
    assert.deepEqual(config.deprecations, []);
  });

  test('the pool grows slowly with the concurrency and stops at 20', () => {
    assert.equal(loadConfig({ WORKER_CONCURRENCY: '4' }).databasePoolSize, 7);
    assert.equal(loadConfig({ WORKER_CONCURRENCY: '256' }).databasePoolSize, 20);
  });

  test('POLL_CONCURRENCY still works, with a warning naming WORKER_CONCURRENCY', () => {
    const config = loadConfig({ POLL_CONCURRENCY: '24' });
    assert.equal(config.workerConcurrency, 24);
    assert.equal(config.databasePoolSize, 12);
    assert.equal(config.deprecations.length, 1);
    assert.match(config.deprecations[0]!, /POLL_CONCURRENCY is deprecated.*WORKER_CONCURRENCY/);
  });

  test('WORKER_CONCURRENCY wins over the old name, and the old name is reported as ignored', () => {
    const config = loadConfig({ WORKER_CONCURRENCY: '8', POLL_CONCURRENCY: '24' });
    assert.equal(config.workerConcurrency, 8);
    assert.match(config.deprecations[0]!, /ignored because WORKER_CONCURRENCY is set/);
  });

  test('bad values are named, old name included', () => {
    try {
      loadConfig({ WORKER_CONCURRENCY: '0', POLL_CONCURRENCY: 'many', SHOP_LEASE_SECONDS: '1', WORKER_POLL_INTERVAL_MS: '10' });
      assert.fail('expected the configuration to be rejected');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.equal(error.problems.length, 4, text);
      assert.match(text, /WORKER_CONCURRENCY must be a whole number of jobs from 1 to 256/);
      assert.match(text, /POLL_CONCURRENCY \(deprecated: use WORKER_CONCURRENCY\)/);
      assert.match(text, /SHOP_LEASE_SECONDS must be a whole number of seconds from 2 to 600/);
      assert.match(text, /WORKER_POLL_INTERVAL_MS must be a whole number of milliseconds from 500/);
    }
  });
});

describe('poll intervals', () => {
  test('claims every 2 minutes and orders every 10 by default', () => {
    const config = loadConfig({});
    assert.equal(config.claimsSchedule, '0 */2 * * * *');
    assert.equal(config.ordersIntervalMs, 10 * 60_000);
  });

  test('POLL_CLAIMS_INTERVAL becomes the cron clock whose ticks every process names alike', () => {
    assert.equal(cronForInterval('30s'), '*/30 * * * * *');
    assert.equal(cronForInterval('5m'), '0 */5 * * * *');
    assert.equal(cronForInterval('60m'), '0 0 * * * *');
    assert.equal(cronForInterval('6h'), '0 0 */6 * * *');
    assert.equal(cronForInterval('7m'), null, 'does not divide the hour');
    assert.equal(loadConfig({ POLL_CLAIMS_INTERVAL: '1m', POLL_ORDERS_INTERVAL: '15m' }).claimsSchedule, '0 */1 * * * *');
    assert.equal(loadConfig({ POLL_ORDERS_INTERVAL: '15m' }).ordersIntervalMs, 15 * 60_000);
  });

  test('POLL_SCHEDULE still sets the claims clock, with a warning naming POLL_CLAIMS_INTERVAL; the new name wins', () => {
    const old = loadConfig({ POLL_SCHEDULE: '*/5 * * * *' });
    assert.equal(old.claimsSchedule, '*/5 * * * *');
    assert.match(old.deprecations.join('\n'), /POLL_SCHEDULE is deprecated: set POLL_CLAIMS_INTERVAL/);
    const both = loadConfig({ POLL_SCHEDULE: '*/5 * * * *', POLL_CLAIMS_INTERVAL: '1m' });
    assert.equal(both.claimsSchedule, '0 */1 * * * *');
    assert.match(both.deprecations.join('\n'), /POLL_SCHEDULE is deprecated and ignored because POLL_CLAIMS_INTERVAL is set/);
  });

  test('intervals that cannot be slots are named', () => {
    try {
      loadConfig({ POLL_CLAIMS_INTERVAL: '7m', POLL_ORDERS_INTERVAL: '2h' });
      assert.fail('expected the configuration to be rejected');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /POLL_CLAIMS_INTERVAL must be a duration that divides the minute, hour or day.*"7m"/);
      assert.match(text, /POLL_ORDERS_INTERVAL must be a duration from 10s to 60m.*"2h"/);
    }
  });
});
