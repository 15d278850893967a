import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimStatusShapeOf,
  judgeAcceptReason,
  judgeDatesToSecond,
  judgeShipConfirm,
  judgeThrottling,
  looksThrottled,
} from '../../src/domain/qoo10-facts';

describe('claimStatusShapeOf', () => {
  const cases: Array<[unknown, string]> = [
    ['1', 'code'], [3, 'code'], [' 1 ', 'code'], ['Cancel requested(1)', 'label'], ['キャンセル要請 ( 1 )', 'label'],
    ['Cancel requested', 'unreadable'], ['', 'unreadable'], [null, 'unreadable'], [1.5, 'unreadable'], ['(1) Cancel', 'unreadable'],
  ];
  for (const [value, shape] of cases) test(`${JSON.stringify(value)} is ${shape}`, () => assert.equal(claimStatusShapeOf(value), shape));
});

describe('looksThrottled', () => {
  test('HTTP 429/503 and error texts about too many calls, never a success', () => {
    assert.equal(looksThrottled({ httpStatus: 429, code: null, message: '' }), true);
    assert.equal(looksThrottled({ httpStatus: 200, code: -90020, message: 'Too many requests.' }), true);
    assert.equal(looksThrottled({ httpStatus: 200, code: -1, message: '呼び出し回数の制限を超えました' }), true);
    assert.equal(looksThrottled({ httpStatus: 200, code: -10003, message: 'The search range cannot exceed 90 days' }), false);
    assert.equal(looksThrottled({ httpStatus: 200, code: 0, message: 'Too many requests' }), false);
  });
});

describe('judging the write checks', () => {
  test('ship-confirm: pending after → contradicted, gone → confirmed, not shipped or cancelled → unknown', () => {
    assert.equal(judgeShipConfirm('1', { shippingStatus: 4, claimStatus: 1, reason: 'x' }).verdict, 'contradicted');
    assert.equal(judgeShipConfirm('1', { shippingStatus: 4, claimStatus: null, reason: null }).verdict, 'confirmed');
    assert.equal(judgeShipConfirm('1', { shippingStatus: 3, claimStatus: null, reason: null }).verdict, 'unknown');
    assert.equal(judgeShipConfirm('1', { shippingStatus: 4, claimStatus: 3, reason: null }).verdict, 'unknown');
    assert.equal(judgeShipConfirm('1', null).verdict, 'unknown');
  });

  test('accept: kept → confirmed, replaced → contradicted without the buyer text, not cancelled → unknown', () => {
    assert.equal(judgeAcceptReason('1', '気が変わった', { shippingStatus: 3, claimStatus: 3, reason: '気が変わった' }).verdict, 'confirmed');
    const replaced = judgeAcceptReason('1', '気が変わった', { shippingStatus: 3, claimStatus: 3, reason: '別の理由' });
    assert.equal(replaced.verdict, 'contradicted');
    assert.doesNotMatch(replaced.evidence, /気が変わった|別の理由/);
    assert.equal(judgeAcceptReason('1', '気が変わった', { shippingStatus: 3, claimStatus: 1, reason: '気が変わった' }).verdict, 'unknown');
    assert.equal(judgeAcceptReason('1', '', { shippingStatus: 3, claimStatus: 3, reason: '' }).verdict, 'unknown');
  });
});

describe('judging the reads', () => {
  const sample = { method: 'm', at: '2026-11-20 09:00:00' };
  test('dates: seconds honoured only when the row stays out of both neighbouring windows and shows in the control', () => {
    assert.equal(judgeDatesToSecond(sample, { control: true, afterSample: false, beforeSample: false }).verdict, 'confirmed');
    assert.equal(judgeDatesToSecond(sample, { control: true, afterSample: true, beforeSample: false }).verdict, 'contradicted');
    assert.equal(judgeDatesToSecond(sample, { control: false, afterSample: false, beforeSample: false }).verdict, 'unknown');
    assert.equal(judgeDatesToSecond(sample, { control: true, afterSample: null, beforeSample: false }).verdict, 'unknown');
    assert.equal(judgeDatesToSecond(null, null).verdict, 'unknown');
  });

  test('throttling: any throttled answer contradicts; all calls failing tells nothing', () => {
    assert.equal(judgeThrottling([{ ms: 5, throttled: false, ok: true }, { ms: 9, throttled: true, ok: false }], 150).verdict, 'contradicted');
    const fine = judgeThrottling([{ ms: 5, throttled: false, ok: true }, { ms: 9, throttled: false, ok: true }, { ms: 7, throttled: false, ok: true }], 150);
    assert.equal(fine.verdict, 'confirmed');
    assert.deepEqual(fine.observed, { calls: 3, throttled: 0, minIntervalMs: 150, msMin: 5, msMedian: 7, msMax: 9 });
    assert.equal(judgeThrottling([{ ms: 5, throttled: false, ok: false }], 150).verdict, 'unknown');
    assert.equal(judgeThrottling([], 150).verdict, 'unknown');
  });
});
