import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../src/qoo10/backoff';
import { CallPacer } from '../../src/qoo10/call-pacer';
import {
  cancelReasonFor,
  cancelReasonTable,
  DEFAULT_CANCEL_REASONS,
  refusalSendingRows,
  type CancelCause,
} from '../../src/qoo10/decision-mapping';
import { Qoo10InvalidRequestError } from '../../src/qoo10/errors';
import { splitSearchWindow } from '../../src/qoo10/search-windows';

const DAY = 86_400_000;

describe('splitSearchWindow', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  test('keeps a range of 90 days or less in one window', () => {
    const to = new Date(from.getTime() + 90 * DAY - 1000);
    assert.deepEqual(splitSearchWindow(from, to, 90), [{ from, to }]);
  });
  test('splits 200 days into windows of at most 90 days that touch without overlapping', () => {
    const to = new Date(from.getTime() + 200 * DAY);
    const windows = splitSearchWindow(from, to, 90);
    assert.equal(windows.length, 3);
    assert.equal(windows[0].from.getTime(), from.getTime());
    assert.equal(windows[2].to.getTime(), to.getTime());
    for (let i = 0; i < windows.length; i += 1) {
      assert.ok(windows[i].to.getTime() - windows[i].from.getTime() <= 90 * DAY);
      if (i > 0) assert.equal(windows[i].from.getTime() - windows[i - 1].to.getTime(), 1000);
    }
  });
  test('a single instant is one window', () => {
    assert.equal(splitSearchWindow(from, from, 90).length, 1);
  });
  test('in days: windows of at most 90 JST calendar days, both ends included', () => {
    // 2026-01-01 12:00 JST to 2026-07-19 09:00 JST = 200 calendar days.
    const windows = splitSearchWindow(new Date('2026-01-01T03:00:00Z'), new Date('2026-07-19T00:00:00Z'), 90, 'date');
    assert.deepEqual(
      windows.map((w) => [w.from.toISOString(), w.to.toISOString()]),
      [
        ['2025-12-31T15:00:00.000Z', '2026-03-30T15:00:00.000Z'],
        ['2026-03-31T15:00:00.000Z', '2026-06-28T15:00:00.000Z'],
        ['2026-06-29T15:00:00.000Z', '2026-07-18T15:00:00.000Z'],
      ],
    );
  });
  test('refuses a range that ends before it starts', () => {
    assert.throws(() => splitSearchWindow(from, new Date(from.getTime() - 1000), 90), Qoo10InvalidRequestError);
  });
});

describe('backoffDelayMs (capped exponential, full jitter)', () => {
  const cases: Array<[number, number, number]> = [
    // attempt, random, expected with base 500 and cap 8000
    [0, 0.999, 499],
    [1, 0.999, 999],
    [3, 0.5, 2000],
    [4, 0.999, 7992],
    [10, 0.999, 7992],
    [2, 0, 0],
  ];
  for (const [attempt, random, expected] of cases) {
    test(`attempt ${attempt} with random ${random} waits ${expected} ms`, () => {
      assert.equal(backoffDelayMs(attempt, 500, 8000, () => random), expected);
    });
  }
});

describe('CallPacer', () => {
  test('spaces calls with the same key, also when they start together, and not across keys', async () => {
    let now = 1_000;
    const waits: Array<[string, number]> = [];
    let current = '';
    const pacer = new CallPacer(150, async (ms) => void waits.push([current, ms]), () => now);
    current = 'a1';
    await pacer.wait('a');
    current = 'a2';
    await pacer.wait('a');
    current = 'a3';
    await pacer.wait('a');
    current = 'b1';
    await pacer.wait('b');
    now += 1_000;
    current = 'a4';
    await pacer.wait('a');
    assert.deepEqual(waits, [
      ['a2', 150],
      ['a3', 300],
    ]);
  });
});

describe('decision mapping', () => {
  const cases: Array<[CancelCause, string]> = [
    ['buyer', '1'],
    ['out_of_stock', ''],
    ['undeliverable_area', '2'],
    ['shipping_delay', '3'],
    ['defect', ''],
  ];
  for (const [cause, code] of cases) {
    test(`books ${cause} with CancelReason "${code}"`, () => assert.equal(cancelReasonFor(cause), code));
  }
  test('never lets configuration send a buyer cancel blank (a stock-out)', () => {
    assert.throws(() => cancelReasonTable({ buyer: '' }), /blank/);
    assert.throws(() => cancelReasonTable({ defect: '9' as never }), /must be/);
    assert.equal(cancelReasonTable({ defect: '3' }).defect, '3');
    assert.equal(DEFAULT_CANCEL_REASONS.buyer, '1');
  });
  test('a refusal sends the tracking for every line of the cart, once each', () => {
    const rows = refusalSendingRows(['11', '12', '11'], { carrier: 'ヤマト宅急便', trackingNo: '400000000016' });
    assert.deepEqual(rows, [
      { orderNo: '11', carrier: 'ヤマト宅急便', trackingNo: '400000000016' },
      { orderNo: '12', carrier: 'ヤマト宅急便', trackingNo: '400000000016' },
    ]);
    assert.throws(() => refusalSendingRows([], { carrier: 'x', trackingNo: 'y' }));
  });
});
