import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callFirst, isGiftOrder, type CallFirstSettings, DEFAULT_CALL_FIRST_YEN } from '../../src/domain/buyer-messages';
import { anOrder } from '../helpers/domain-builders';

const shop = (callFirstSettings: CallFirstSettings | undefined) => ({ callFirst: callFirstSettings });
const threshold = shop({ highValueYen: 30_000 });

describe('callFirst: high-value orders', () => {
  const cases: [string, number[], boolean][] = [
    ['a line just under the threshold', [29_999], false],
    ['a line exactly at the threshold', [30_000], true],
    ['a cart whose lines only together reach it', [20_000, 10_000], true],
    ['a cart below it', [20_000, 9_999], false],
  ];
  for (const [name, totals, expected] of cases) {
    test(`${expected ? 'calls' : 'does not call'} for ${name}`, () => {
      const lines = totals.map((totalYen, i) => anOrder({ orderNo: `100000000${i}`, totalYen }));
      const advice = callFirst(lines, threshold);
      assert.equal(advice.call, expected);
      assert.deepEqual(advice.reasons, expected ? ['high_value'] : []);
      assert.equal(
        advice.cartTotalYen,
        totals.reduce((a, b) => a + b, 0),
      );
    });
  }

  test('never calls for value when the shop switched the check off (null)', () => {
    assert.equal(callFirst(anOrder({ totalYen: 1_000_000 }), shop({ highValueYen: null })).call, false);
  });

  test('uses the default threshold (30,000 yen) when the shop set none', () => {
    assert.equal(DEFAULT_CALL_FIRST_YEN, 30_000);
    assert.equal(callFirst(anOrder({ totalYen: 30_000 }), shop(undefined)).call, true);
    assert.equal(callFirst(anOrder({ totalYen: 29_999 }), shop(undefined)).call, false);
    assert.equal(callFirst(anOrder({ totalYen: 30_000 }), shop({})).call, true);
  });

  test('cannot judge the value of a line without a usable amount', () => {
    const advice = callFirst(anOrder({ totalYen: Number.NaN }), threshold);
    assert.deepEqual([advice.call, advice.cartTotalYen], [false, null]);
  });
});

describe('callFirst: gift orders', () => {
  const options: [string | null, boolean][] = [
    ['ラッピング:あり', true],
    ['ギフト包装：希望する', true],
    ['のし：御祝', true],
    ['熨斗あり', true],
    ['Gift wrap: yes', true],
    ['カラー:青 / ギフトラッピング:あり', true],
    ['ギフトバッグ:不要、のし:あり', true],
    ['ラッピング:なし', false],
    ['ギフト包装:無し', false],
    ['のし不要', false],
    ['Gift wrap: no', false],
    ['カラー:たのしいピンク', false],
    ['サイズ:M', false],
    [null, false],
  ];
  for (const [option, gift] of options) {
    test(`reads ${JSON.stringify(option)} as ${gift ? 'a gift' : 'not a gift'}`, () => {
      assert.equal(isGiftOrder({ itemOption: option }), gift);
      assert.deepEqual(callFirst(anOrder({ itemOption: option }), threshold).reasons, gift ? ['gift'] : []);
    });
  }

  test('also recognises the shop’s own gift words', () => {
    assert.equal(isGiftOrder({ itemOption: '御祝メッセージ:あり' }), false);
    assert.equal(
      callFirst(anOrder({ itemOption: '御祝メッセージ:あり' }), shop({ highValueYen: null, extraGiftWords: ['御祝'] }))
        .call,
      true,
    );
  });

  test('gives both reasons for a high-value gift', () => {
    assert.deepEqual(callFirst(anOrder({ totalYen: 50_000, itemOption: 'ラッピング:あり' }), threshold).reasons, [
      'high_value',
      'gift',
    ]);
  });
});

describe('callFirst: talk outline', () => {
  test('has no outline when no call is advised', () => {
    assert.deepEqual(callFirst(anOrder(), threshold).outline, []);
  });

  test('covers apology, options, refund, agreement and the written follow-up for a seller-fault call', () => {
    const outline = callFirst(anOrder({ totalYen: 40_000 }), threshold).outline.join('\n');
    for (const point of ['お詫び', '代替品', '返金', '復唱', '書面', '留守番電話'])
      assert.ok(outline.includes(point), point);
    assert.ok(!outline.includes('贈り物'), 'the gift point only for gifts');
  });

  test('asks about the gift’s date for a gift order', () => {
    const outline = callFirst(anOrder({ itemOption: 'のし:あり' }), threshold, 'seller-fault').outline;
    assert.ok(outline.some((point) => point.includes('贈り物') && point.includes('日付')));
  });

  test('explains the return request when the parcel already shipped, in English on request', () => {
    const outline = callFirst(anOrder({ totalYen: 40_000 }), threshold, 'refused-shipped', 'en').outline.join('\n');
    assert.match(outline, /crossed/);
    assert.match(outline, /return request \(返品要請\)/);
    assert.doesNotMatch(outline, /alternative/);
  });
});
