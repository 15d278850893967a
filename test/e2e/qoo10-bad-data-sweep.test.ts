// The Qoo10-side bad-data sweep inside `npm test`, reduced to the fields that decide and the ones that
// carry buyer data (test/helpers/qoo10-bad-data-sweep.ts). `npm run chaos` runs every field × variant.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { qoo10BadDataSweep, REDUCED_CASES, type SweepResult } from '../helpers/qoo10-bad-data-sweep';
import { HOSTILE_VARIANTS } from '../../src/qoo10/simulator/hostile-data';

describe('Qoo10 bad-data sweep (reduced)', () => {
  let db: TestDatabase;
  let result: SweepResult;

  before(async () => {
    db = await createTestDatabase();
    result = await qoo10BadDataSweep(db.dataSource, { cases: REDUCED_CASES });
  });
  after(async () => {
    await db.drop();
  });

  test('every case ran, covering every hostile variant on each read method', () => {
    assert.equal(result.cases.length, REDUCED_CASES.length);
    for (const method of ['claims', 'orders', 'snapshot'] as const) {
      const variants = new Set(REDUCED_CASES.filter((c) => c.method === method).map((c) => c.variant));
      assert.ok(variants.size >= 5, `${method}: only ${[...variants].join(', ')}`);
    }
    assert.deepEqual(new Set(REDUCED_CASES.map((c) => c.variant)), new Set(HOSTILE_VARIANTS));
  });

  test('for each hostile variant the other requests are decided in the same cycle, nothing is closed silently, no buyer data is logged', () => {
    assert.deepEqual(result.violations, []);
  });

  test('hostile data that makes a request unreadable hands it to a person (the sweep is not vacuous)', () => {
    const toPerson = result.cases.filter((c) => c.victim.startsWith('review/'));
    assert.ok(toPerson.length >= 5, result.cases.map((c) => `${c.method}.${c.field} ${c.variant}: ${c.victim}`).join('\n'));
  });
});
