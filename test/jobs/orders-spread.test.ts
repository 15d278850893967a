// Orders polls come due at each shop's own offset in POLL_ORDERS_INTERVAL (a stable hash of the shop id),
// so a tick of the claims clock queues about one interval's share of the shops, not all of them at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ordersOffsetMs, ordersSlotOf } from '../../src/jobs/tasks/poll-orders';

const TEN_MINUTES = 600_000;
const TWO_MINUTES = 120_000;

describe('orders polls spread over their interval', () => {
  test('2,000 shops: every 2-minute slot of a 10-minute interval starts a fifth of the orders polls (± a third)', () => {
    const shops = Array.from({ length: 2_000 }, () => randomUUID());
    const perSlot = [0, 0, 0, 0, 0];
    for (const shop of shops) perSlot[Math.floor(ordersOffsetMs(shop, TEN_MINUTES) / TWO_MINUTES)]! += 1;
    for (const n of perSlot) assert.ok(n > 400 * (2 / 3) && n < 400 * (4 / 3), `slot counts ${perSlot.join(', ')}`);
  });

  test('a shop\'s orders slot is stable between ticks, moves on once per interval, and is the same in every process', () => {
    const shop = 'b3c1f7a2-0000-4000-8000-000000000001';
    const at = new Date('2026-12-01T10:00:00Z');
    const slot = ordersSlotOf(shop, TEN_MINUTES, at);
    assert.ok(slot.getTime() <= at.getTime() + 2_000 && slot.getTime() > at.getTime() - TEN_MINUTES);
    assert.equal((slot.getTime() - ordersOffsetMs(shop, TEN_MINUTES)) % TEN_MINUTES, 0);
    // Every tick up to the next slot names the same slot; the tick after it names the next one.
    const next = slot.getTime() + TEN_MINUTES;
    for (let t = slot.getTime(); t < next - 2_000; t += TWO_MINUTES) assert.equal(ordersSlotOf(shop, TEN_MINUTES, new Date(t)).getTime(), slot.getTime());
    assert.equal(ordersSlotOf(shop, TEN_MINUTES, new Date(next)).getTime(), next);
    assert.equal(ordersSlotOf(shop, TEN_MINUTES, new Date(next - 1_000)).getTime(), next, 'a clock 1 s early names the coming slot');
  });
});
