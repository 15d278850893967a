// The slot a tick belongs to, and the job id every process derives from shop + slot: what keeps two
// processes from queueing one shop twice in one interval.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shopPhase, shopSlotBoundsAt, shopSlotEnd, shopSlotsAt, SLOT_TOLERANCE_MS, slotJobId, slotOf, tickScheduleFor } from '../../src/jobs/work-queue';

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

describe('each shop\'s own claims slot (ADR 0027)', () => {
  const schedule = '0 */2 * * * *';
  const shops = Array.from({ length: 2_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  test('2,000 shops spread over the 2-minute interval: each 10 s of it starts about a twelfth of them', () => {
    const now = at('2026-12-01T10:03:59Z').getTime();
    const slots = shopSlotsAt(schedule, new Date(now));
    const perTenSeconds = Array.from({ length: 12 }, () => 0);
    for (const shop of shops) {
      const slot = slots(shop).getTime();
      // The slot the moment falls in (2 s of tolerance: a slot about to begin is named already).
      assert.ok(slot <= now + SLOT_TOLERANCE_MS && slot > now + SLOT_TOLERANCE_MS - 120_000);
      perTenSeconds[Math.floor(((slot % 120_000) + 120_000) % 120_000 / 10_000)]! += 1;
    }
    for (const n of perTenSeconds) assert.ok(n > 2_000 / 12 / 2 && n < (2_000 / 12) * 1.5, `per 10 s: ${perTenSeconds.join(', ')}`);
  });

  test('a shop\'s slot: stable between ticks, every 2 minutes at its phase, the same in every process; its end is its next slot', () => {
    const shop = shops[7]!;
    const phaseMs = Math.floor(shopPhase(shop) * 120_000);
    const slot = shopSlotsAt(schedule, at('2026-12-01T10:05:00Z'))(shop).getTime();
    assert.equal((slot - phaseMs) % 120_000, 0);
    assert.ok(slot <= at('2026-12-01T10:05:00Z').getTime() + SLOT_TOLERANCE_MS && slot > at('2026-12-01T10:05:00Z').getTime() - 120_000);
    for (let t = slot; t < slot + 120_000 - SLOT_TOLERANCE_MS; t += 5_000) assert.equal(shopSlotsAt(schedule, new Date(t))(shop).getTime(), slot);
    assert.equal(shopSlotsAt(schedule, new Date(slot + 120_000 - 1_000))(shop).getTime(), slot + 120_000, 'a clock 1 s early names the coming slot');
    assert.equal(shopSlotEnd(schedule, shop, new Date(slot)).getTime(), slot + 120_000);
    // The end a job carries is the same, on either side of the shop's phase.
    for (const shopId of shops.slice(0, 200)) {
      for (const t of ['2026-12-01T10:02:00.500Z', '2026-12-01T10:03:10Z', '2026-12-01T10:03:59Z']) {
        const { slot: s, end } = shopSlotBoundsAt(schedule, at(t))(shopId);
        assert.equal(end.getTime(), shopSlotEnd(schedule, shopId, s).getTime());
        assert.equal(s.getTime(), shopSlotsAt(schedule, at(t))(shopId).getTime());
      }
    }
  });

  test('the tick: every 5 s for 2-minute slots, every second for slots of seconds, at most every 30 s', () => {
    assert.equal(tickScheduleFor('0 */2 * * * *'), '*/5 * * * * *');
    assert.equal(tickScheduleFor('*/5 * * * * *'), '*/1 * * * * *');
    assert.equal(tickScheduleFor('0 0 * * * *'), '*/30 * * * * *');
  });
});
