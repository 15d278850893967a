import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDataSource } from '../../src/persistence/data-source';
import { pendingMigrations, runMigrations } from '../../src/persistence/migrations';
import { silentLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

describe('migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await db.drop();
  });

  test('two processes migrating at once apply each migration exactly once', async () => {
    const other = createDataSource(db.url, { poolSize: 2 });
    await other.initialize();
    try {
      const [first, second] = await Promise.all([
        runMigrations(db.dataSource, silentLogger()),
        runMigrations(other, silentLogger()),
      ]);
      // Each migration is applied by exactly one of them (under a transaction-scoped lock, in file order).
      const both = [...first, ...second];
      assert.ok(both.length > 0);
      assert.equal(new Set(both).size, both.length, 'no migration applied by both');
      const rows = await db.dataSource.query('SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version');
      assert.equal(rows.length, both.length, 'every migration applied');
      assert.ok(rows.every((row: { n: number }) => row.n === 1));
    } finally {
      await other.destroy();
    }
  });

  test('a second run applies nothing and nothing is pending', async () => {
    assert.deepEqual(await runMigrations(db.dataSource, silentLogger()), []);
    assert.deepEqual(await pendingMigrations(db.dataSource), []);
  });

  test('creates the tables the mission needs', async () => {
    const rows = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    const names = rows.map((row: { table_name: string }) => row.table_name);
    for (const table of ['shops', 'orders', 'cancel_requests', 'decisions', 'actions', 'tracking_numbers',
      'item_facts', 'order_facts', 'cancels', 'monthly_order_counts', 'alerts', 'job_runs']) {
      assert.ok(names.includes(table), `missing table ${table}`);
    }
  });

  test('the outbox refuses a second action with the same idempotency key', async () => {
    const [shop] = await db.dataSource.query(`INSERT INTO shops (name) VALUES ('s') RETURNING id`);
    const insert = () =>
      db.dataSource.query(
        `INSERT INTO actions (shop_id, kind, order_no, idempotency_key, request) VALUES ($1, 'cancel', '1', 'cancel:1', '{}')`,
        [shop.id],
      );
    await insert();
    await assert.rejects(insert, /duplicate key/);
  });
});
