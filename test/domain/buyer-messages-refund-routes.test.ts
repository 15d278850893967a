import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LANGUAGES,
  REFUND_ROUTE_KINDS,
  refundRouteOf,
  refundTimingText,
  type RefundRouteKind,
} from '../../src/domain/buyer-messages';

const cases: [string | null, RefundRouteKind][] = [
  ['クレジットカード', 'card'],
  ['ｸﾚｼﾞｯﾄｶｰﾄﾞ', 'card'],
  ['credit card', 'card'],
  ['デビットカード', 'card'],
  ['Apple Pay', 'card'],
  ['Qoo10ポイント', 'qoo10-balance'],
  ['Qoo10 ポイント', 'qoo10-balance'],
  ['Qcash', 'qoo10-balance'],
  ['Q-Cash', 'qoo10-balance'],
  ['ポイント', 'qoo10-balance'],
  ['銀行振込', 'bank-transfer'],
  ['コンビニ決済', 'bank-transfer'],
  ['Pay-easy', 'bank-transfer'],
  ['ATM', 'bank-transfer'],
  ['ドコモ払い', 'carrier-billing'],
  ['au かんたん決済', 'carrier-billing'],
  ['ソフトバンクまとめて支払い', 'carrier-billing'],
  ['PayPay', 'e-wallet'],
  ['PayPayポイント', 'e-wallet'],
  ['au PAY', 'e-wallet'],
  ['d払い', 'e-wallet'],
  ['LINE Pay', 'e-wallet'],
  ['PayPal', 'e-wallet'],
  ['atone', 'deferred'],
  ['atone（翌月後払い）', 'deferred'],
  ['コンビニ後払い', 'deferred'],
  ['NP後払い', 'deferred'],
  ['Paidy', 'deferred'],
  ['cash on delivery', 'unknown'],
  ['', 'unknown'],
  [null, 'unknown'],
];

describe('payment method → refund route', () => {
  for (const [method, kind] of cases) {
    test(`maps ${JSON.stringify(method)} to ${kind}`, () => {
      assert.equal(refundRouteOf(method), kind);
    });
  }

  test('has its own wording for every kind, language and fault', () => {
    for (const language of LANGUAGES) {
      for (const context of ['buyer-reason', 'seller-fault'] as const) {
        const texts = REFUND_ROUTE_KINDS.map((kind) => refundTimingText(kind, language, context));
        assert.equal(new Set(texts).size, texts.length, `${language}/${context}`);
        assert.ok(texts.every((t) => t.length > 20));
      }
    }
  });

  test('promises a fee-free bank refund only when the shop caused the cancel', () => {
    assert.match(
      refundTimingText('bank-transfer', 'ja', 'seller-fault'),
      /振込手数料をお客様にご負担いただくことはございません/,
    );
    assert.doesNotMatch(refundTimingText('bank-transfer', 'ja', 'buyer-reason'), /手数料/);
    assert.match(refundTimingText('bank-transfer', 'en', 'seller-fault'), /no transfer fee/);
    assert.doesNotMatch(refundTimingText('bank-transfer', 'en', 'buyer-reason'), /fee/);
  });

  test('tells card buyers the reversal can take until a later statement', () => {
    assert.match(refundTimingText('card', 'ja', 'seller-fault'), /次回、または次々回/);
    assert.match(refundTimingText('card', 'en', 'seller-fault'), /next statement or the one after/);
  });
});
