// Issue 13, defect 4: a database error during order ingest once logged 1,436 buyer names and 1,263
// e-mails in one line (the driver's error carries the statement's values and the failing row). Here the
// database refuses the ingest on purpose and every log line, stored run message and alert is scanned.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { BUYER_DOMAIN, createHostileWorld, type HostileWorld } from '../helpers/hostile-world';

describe('a database error during order ingest never puts buyer data in a log line', () => {
  let db: TestDatabase;
  let w: HostileWorld;

  before(async () => {
    db = await createTestDatabase();
    w = await createHostileWorld(db.dataSource);
  });
  after(async () => {
    await w.close();
    await db.drop();
  });

  /** Stored text a person or an API can read: run errors, alerts, decisions. */
  async function storedTextWithBuyerData(): Promise<string[]> {
    const rows: Array<{ text: string | null }> = await db.dataSource.query(
      `SELECT error AS text FROM job_runs UNION ALL SELECT subject || body || payload::text FROM alerts
       UNION ALL SELECT reason || trail::text FROM decisions`,
    );
    return rows.map((r) => r.text ?? '').filter((text) => text.includes(BUYER_DOMAIN) || text.includes('購入者テスト'));
  }

  test('a constraint refusing one buyer’s row: logged without the row, the other requests still decided', async () => {
    const s = await w.newShop();
    // PostgreSQL reports a check violation with "Failing row contains (…every column…)".
    await db.dataSource.query(`ALTER TABLE orders ADD CONSTRAINT refuse_victim CHECK (buyer_email IS DISTINCT FROM '${s.buyers[0]!.email}')`);
    try {
      const report = await w.services.pipeline.runShop(s.shop);
      assert.equal(report.status, 'ok', report.error);
    } finally {
      await db.dataSource.query('ALTER TABLE orders DROP CONSTRAINT refuse_victim');
    }
    for (const orderNo of s.bystanders) assert.equal((await w.request(s.shop, orderNo))?.status, 'done', `bystander ${orderNo}`);
    assert.ok(w.logs.some((line) => line.includes('23514')), 'the refusal itself is logged, by its SQLSTATE');
    assert.deepEqual(w.linesWithBuyerData(s.buyers), []);
    assert.deepEqual(await storedTextWithBuyerData(), []);
  });

  test('a trigger refusing every order row with the buyer in its detail: nothing of it reaches a log line', async () => {
    const s = await w.newShop();
    await db.dataSource.query(`
      CREATE FUNCTION refuse_ingest() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ingest refused for "%"', NEW.buyer_name USING DETAIL = 'buyer ' || coalesce(NEW.buyer_email, '-'), ERRCODE = 'P0001';
      END $$;
      CREATE TRIGGER refuse_ingest BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_ingest();`);
    try {
      await w.services.pipeline.runShop(s.shop);
    } finally {
      await db.dataSource.query('DROP TRIGGER refuse_ingest ON orders; DROP FUNCTION refuse_ingest()');
    }
    assert.ok(w.logs.some((line) => line.includes('P0001')), 'the refusal is logged');
    assert.deepEqual(w.linesWithBuyerData(s.buyers), []);
    assert.deepEqual(await storedTextWithBuyerData(), []);

    // Once the database accepts rows again, the next cycle decides every request: nothing was lost.
    const report = await w.services.pipeline.runShop(s.shop);
    assert.equal(report.status, 'ok', report.error);
    for (const orderNo of [s.victim, ...s.bystanders]) assert.equal((await w.request(s.shop, orderNo))?.status, 'done', orderNo);
  });
});
