import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pollReadWindows, SINGLE_WINDOW_MAX_MS } from '../../src/domain/poll-windows';

const HOUR_MS = 3_600_000;
/** 2026-11-01 00:00 JST. */
const NOV_1 = Date.parse('2026-10-31T15:00:00Z');
const iso = (w: { from: Date; to: Date }) => [w.from.toISOString(), w.to.toISOString()];

describe('pollReadWindows', () => {
  test('a range of at most one day is one window, even across JST midnight', () => {
    const from = new Date(NOV_1 + 23 * HOUR_MS);
    for (const to of [new Date(from.getTime() + 120_000), new Date(from.getTime() + SINGLE_WINDOW_MAX_MS)]) {
      assert.deepEqual(pollReadWindows(from, to), [{ from, to }]);
    }
  });

  test('a longer range is cut at JST midnights; the first and last windows are partial days', () => {
    const windows = pollReadWindows(new Date(NOV_1 + 10 * HOUR_MS), new Date(NOV_1 + 50 * HOUR_MS));
    assert.deepEqual(windows.map(iso), [
      ['2026-11-01T01:00:00.000Z', '2026-11-01T14:59:59.999Z'],
      ['2026-11-01T15:00:00.000Z', '2026-11-02T14:59:59.999Z'],
      ['2026-11-02T15:00:00.000Z', '2026-11-02T17:00:00.000Z'],
    ]);
  });

  test('a range ending on a JST midnight keeps that instant in a window of its own day', () => {
    const windows = pollReadWindows(new Date(NOV_1), new Date(NOV_1 + 48 * HOUR_MS));
    assert.deepEqual(windows.map(iso).at(-1), ['2026-11-02T15:00:00.000Z', '2026-11-02T15:00:00.000Z']);
    assert.equal(windows.length, 3);
  });

  test('windows cover the range in order, without gaps or overlap, each inside one JST day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * 24 * HOUR_MS }), fc.integer({ min: 0, max: 40 * 24 * HOUR_MS }), (offset, length) => {
        const from = new Date(NOV_1 + offset);
        const to = new Date(from.getTime() + length);
        const windows = pollReadWindows(from, to);
        assert.equal(windows[0]!.from.getTime(), from.getTime());
        assert.equal(windows.at(-1)!.to.getTime(), to.getTime());
        windows.forEach((w, i) => {
          assert.ok(w.from.getTime() <= w.to.getTime());
          if (i > 0) assert.equal(w.from.getTime(), windows[i - 1]!.to.getTime() + 1);
          if (windows.length > 1) {
            const day = (d: Date) => Math.floor((d.getTime() + 9 * HOUR_MS) / (24 * HOUR_MS));
            assert.equal(day(w.from), day(w.to));
          }
        });
      }),
    );
  });
});
