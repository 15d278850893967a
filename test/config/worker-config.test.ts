import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('worker settings', () => {
  test('defaults: 16 jobs at once, 30 s shop leases, 2 s idle polling, no deprecation warnings', () => {
    const config = loadConfig({});
    assert.equal(config.workerConcurrency, 16);
    assert.equal(config.shopLeaseMs, 30_000);
    assert.equal(config.workerPollIntervalMs, 2_000);
    assert.equal(config.databasePoolSize, 2 * 16 + 6);
    assert.deepEqual(config.deprecations, []);
  });

  test('POLL_CONCURRENCY still works, with a warning naming WORKER_CONCURRENCY', () => {
    const config = loadConfig({ POLL_CONCURRENCY: '24' });
    assert.equal(config.workerConcurrency, 24);
    assert.equal(config.databasePoolSize, 2 * 24 + 6);
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
      assert.match(text, /WORKER_CONCURRENCY must be a whole number of jobs from 1 to 64/);
      assert.match(text, /POLL_CONCURRENCY \(deprecated: use WORKER_CONCURRENCY\)/);
      assert.match(text, /SHOP_LEASE_SECONDS must be a whole number of seconds from 2 to 600/);
      assert.match(text, /WORKER_POLL_INTERVAL_MS must be a whole number of milliseconds from 500/);
    }
  });
});
