// The slot a tick belongs to, and the job id every process derives from shop + slot: what keeps two
// processes from queueing one shop twice in one interval.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { slotJobId, slotOf } from '../../src/jobs/work-queue';

const at = (iso: string) => new Date(iso);

describe('schedule slots', () => {
  test('a tick, a late tick and a start 5 s later name the same slot; a clock 1 s early still does', () => {
    const schedule = '*/2 * * * *';
    const slot = slotOf(schedule, at('2026-12-01T10:02:00.004Z')).toISOString();
    assert.equal(slot, '2026-12-01T10:02:00.000Z');
    assert.equal(slotOf(schedule, at('2026-12-01T10:02:05Z')).toISOString(), slot);
    assert.equal(slotOf(schedule, at('2026-12-01T10:03:57Z')).toISOString(), slot);
    assert.equal(slotOf(schedule, at('2026-12-01T10:01:59Z')).toISOString(), slot, 'within the 2 s tolerance');
    assert.equal(slotOf(schedule, at('2026-12-01T10:01:57Z')).toISOString(), '2026-12-01T10:00:00.000Z');
  });

  test('seconds in the schedule (tests, benchmarks)', () => {
    assert.equal(slotOf('*/5 * * * * *', at('2026-12-01T10:02:07Z')).toISOString(), '2026-12-01T10:02:05.000Z');
  });

  test('job ids: the same for the same shop and slot, different otherwise, shaped as UUIDs', () => {
    const slot = at('2026-12-01T10:02:00Z');
    const id = slotJobId('shop-poll', 'shop-a', slot);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(slotJobId('shop-poll', 'shop-a', at('2026-12-01T10:02:00.000Z')), id);
    assert.notEqual(slotJobId('shop-poll', 'shop-b', slot), id);
    assert.notEqual(slotJobId('shop-poll', 'shop-a', at('2026-12-01T10:04:00Z')), id);
    assert.notEqual(slotJobId('follow-up', 'shop-a', slot), id);
  });
});
