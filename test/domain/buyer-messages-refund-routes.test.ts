import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LANGUAGES,
  REFUND_ROUTE_KINDS,
  paymentFamilyOf,
  paymentMethodLabel,
  paymentPartsOf,
  refundRouteOf,
  refundTimingText,
  type RefundRouteKind,
} from '../../src/domain/buyer-messages';

const cases: [string | null, RefundRouteKind][] = [
  ['クレジットカード', 'credit-card'],
  ['ｸﾚｼﾞｯﾄｶｰﾄﾞ', 'credit-card'],
  ['credit card', 'credit-card'],
  ['デビットカード', 'debit-card'],
  ['Visaデビット', 'debit-card'],
  ['Apple Pay', 'credit-card'],
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

  test('has its own wording for every kind and language, always naming Qoo10 and where to follow the refund', () => {
    for (const language of LANGUAGES) {
      const texts = REFUND_ROUTE_KINDS.map((kind) => refundTimingText(METHOD[kind], language));
      assert.equal(new Set(texts).size, texts.length, language);
      for (const text of texts) {
        assert.match(text, /Qoo10/);
        assert.match(text, language === 'ja' ? /MyQoo10の「購入履歴」/ : /My Qoo10/);
      }
    }
  });

  test('never promises a refund by the shop\'s own bank transfer (Qoo10 refunds)', () => {
    for (const method of ['コンビニ決済', '銀行振込', 'ペイジー', 'ATM']) {
      const ja = refundTimingText(method, 'ja');
      assert.match(ja, /Qoo10より返金されます/);
      assert.doesNotMatch(ja, /お振込みで返金|お振込先|別途ご案内/);
      assert.doesNotMatch(refundTimingText(method, 'en'), /paid into your bank account|ask separately/);
    }
  });

  test('tells a debit card apart from a credit card: the refund can take about a month', () => {
    assert.match(refundTimingText('デビットカード', 'ja'), /1か月ほど/);
    assert.doesNotMatch(refundTimingText('クレジットカード', 'ja'), /1か月ほど/);
    assert.match(refundTimingText('Visa debit', 'en'), /about a month/);
  });

  test('names both parts of a mixed payment, each with its own route', () => {
    const ja = refundTimingText('クレジットカード＋Qポイント', 'ja');
    assert.match(ja, /クレジットカードとQポイントの併用/);
    assert.match(ja, /・クレジットカードでお支払いの分は.*カード会社/);
    assert.match(ja, /・Qポイントでお支払いの分は.*Qoo10アカウント/);
    const en = refundTimingText('クレジットカード＋Qポイント', 'en');
    assert.match(en, /credit card and Qoo10 points \/ Qcash/);
    assert.deepEqual(paymentPartsOf('カード・Qポイント併用').map((p) => p.kind), ['credit-card', 'qoo10-balance']);
    assert.equal(paymentFamilyOf('銀行振込・ペイジー'), 'bank-transfer', 'one route written in two words is one part');
  });

  test('gives an unknown payment text the neutral wording, never a guess', () => {
    for (const method of ['代金引換', 'cash on delivery', '', null]) {
      assert.equal(refundTimingText(method, 'ja'), refundTimingText(null, 'ja'));
      assert.match(refundTimingText(method, 'ja'), /Qoo10の定めによります/);
    }
  });

  test('keeps Japanese out of the English payment label', () => {
    assert.equal(paymentMethodLabel('クレジットカード', 'en'), 'credit card');
    assert.equal(paymentMethodLabel('PayPay', 'en'), 'PayPay');
    assert.equal(paymentMethodLabel('代金引換', 'en'), 'the payment method chosen at checkout');
    assert.equal(paymentMethodLabel('代金引換', 'ja'), '代金引換');
  });
});

const METHOD: Record<RefundRouteKind, string | null> = {
  'credit-card': 'クレジットカード',
  'debit-card': 'デビットカード',
  'qoo10-balance': 'Qポイント',
  'bank-transfer': 'コンビニ決済',
  'carrier-billing': 'auかんたん決済',
  'e-wallet': 'PayPay',
  deferred: 'atone',
  unknown: null,
};
