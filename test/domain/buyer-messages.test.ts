import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildBuyerMessage,
  LANGUAGES,
  REFUND_ROUTE_KINDS,
  hasJapanese,
  type BuyerMessage,
  type BuyerMessageRequest,
  type BuyerMessageResult,
  type Language,
  type RefundRouteKind,
  type ShopMessageSettings,
} from '../../src/domain/buyer-messages';
import type { Order, SellerFaultCause } from '../../src/domain/types';
import { anOrder, NOW, YAMATO } from '../helpers/domain-builders';

function aShop(overrides: Partial<ShopMessageSettings> = {}): ShopMessageSettings {
  return {
    shopName: 'マグ工房',
    signature: 'マグ工房 お客様窓口',
    english: { shopName: 'Mug Studio', signature: 'Mug Studio Customer Care' },
    ...overrides,
  };
}

/** A Qoo10 payment-method text for every refund-route kind. */
const METHOD_OF: Record<RefundRouteKind, string | null> = {
  'credit-card': 'クレジットカード',
  'debit-card': 'デビットカード',
  'qoo10-balance': 'Qoo10ポイント',
  'bank-transfer': 'コンビニ決済',
  'carrier-billing': 'ドコモ払い',
  'e-wallet': 'PayPay',
  deferred: 'atone',
  unknown: null,
};

/** Words only that kind's refund wording uses. */
const REFUND_WORDS: Record<Language, Record<RefundRouteKind, string>> = {
  ja: {
    'credit-card': 'ご利用明細',
    'debit-card': 'デビットカードはクレジットカードと仕組みが異なり',
    'qoo10-balance': 'Qoo10アカウントへ戻されます',
    'bank-transfer': '口座情報をお伺いすることはございません',
    'carrier-billing': '携帯電話会社を通じて',
    'e-wallet': '決済サービスを通じて',
    deferred: '後払いサービスへのご請求',
    unknown: 'ご注文時のお支払い方法に応じて',
  },
  en: {
    'credit-card': 'later statement',
    'debit-card': 'about a month',
    'qoo10-balance': 'goes back to your Qoo10 account',
    'bank-transfer': 'never ask you for your bank details',
    'carrier-billing': 'through your phone company',
    'e-wallet': 'through that payment service',
    deferred: 'pay-later invoice',
    unknown: 'according to the payment method used',
  },
};

/** On Qoo10 the shop never refunds by bank transfer itself: no promise of a transfer or a follow-up request. */
const SHOP_REFUND_PROMISES = ['お振込みで返金', 'お振込先', '別途ご案内', 'paid into your bank account', 'we will ask separately'];
/** Spoken register or blunt words a careful shop does not write. */
const IMPOLITE = ['落ち度です', 'ちゃう', 'けど', 'じゃない', 'すぐに手配いたします'];

const CAUSES: SellerFaultCause[] = ['out_of_stock', 'defect', 'undeliverable_area', 'shipping_delay'];

function build(
  request: BuyerMessageRequest,
  language: Language,
  settings: ShopMessageSettings = aShop(),
): BuyerMessageResult {
  return buildBuyerMessage(request, settings, { now: NOW, language });
}

function expectMessage(result: BuyerMessageResult): BuyerMessage {
  assert.ok(result.ok, `expected a message, got ${JSON.stringify(result)}`);
  return result;
}

/** What every message must satisfy: nothing unfilled, nothing leaked, polite form. */
function assertWellFormed(message: BuyerMessage, language: Language): void {
  for (const text of [message.subject, message.body]) {
    for (const leak of ['{{', '}}', 'undefined', 'null', 'NaN', '[object']) {
      assert.ok(!text.includes(leak), `"${leak}" in:\n${text}`);
    }
  }
  assert.ok(!message.subject.includes('\n'));
  assert.ok(!message.body.includes('\n\n\n'), 'no empty gap where an offer was left out');
  assert.equal(message.language, language);
  if (language === 'ja') {
    assert.match(message.body, /様/);
    assert.match(message.body, /ございます/);
    for (const word of IMPOLITE) assert.ok(!message.body.includes(word), `"${word}" in:\n${message.body}`);
  } else {
    assert.match(message.body, /^Dear /);
    assert.match(message.body, /Kind regards,\nMug Studio Customer Care$/);
    // Item titles and the buyer's name are quoted as Qoo10 gives them; everything we write is English.
    let ours = `${message.subject}\n${message.body}`;
    for (const data of ['山田 花子', 'ブルーマグ', '白いソーサー', '木のプレート']) ours = ours.split(data).join('');
    assert.ok(!hasJapanese(ours), `Japanese script in an English message:\n${ours}`);
  }
  for (const promise of SHOP_REFUND_PROMISES) assert.ok(!message.body.includes(promise), `"${promise}" in:\n${message.body}`);
}

function assertRefundWording(body: string, language: Language, kind: RefundRouteKind): void {
  assert.ok(body.includes(REFUND_WORDS[language][kind]), `${kind} wording missing:\n${body}`);
  for (const other of REFUND_ROUTE_KINDS.filter((k) => k !== kind)) {
    assert.ok(!body.includes(REFUND_WORDS[language][other]), `${other} wording in a ${kind} message`);
  }
  assert.ok(body.includes(language === 'ja' ? 'MyQoo10の「購入履歴」' : 'My Qoo10'), 'says where the buyer follows the refund');
}

const mug = (overrides: Partial<Order> = {}): Order =>
  anOrder({ itemTitle: 'ブルーマグ', buyerName: '山田 花子', ...overrides });
const saucer = (overrides: Partial<Order> = {}): Order =>
  anOrder({
    orderNo: '1000000002',
    itemNo: '900002',
    sellerItemCode: 'SAUCER',
    itemTitle: '白いソーサー',
    totalYen: 1980,
    ...overrides,
  });
const plate = (overrides: Partial<Order> = {}): Order =>
  anOrder({
    orderNo: '1000000003',
    itemNo: '900003',
    sellerItemCode: 'PLATE',
    itemTitle: '木のプレート',
    totalYen: 800,
    quantity: 2,
    ...overrides,
  });

describe('buyer messages: every outcome × payment-method kind × language', () => {
  for (const language of LANGUAGES) {
    const yen = (n: string): string => (language === 'ja' ? `${n}円` : `¥${n}`);

    for (const kind of REFUND_ROUTE_KINDS) {
      const paymentMethod = METHOD_OF[kind];

      test(`[${language}/${kind}] refused because shipped: crossing apology, carrier, tracking, return request`, () => {
        const message = expectMessage(
          build({ outcome: 'refused-shipped', order: mug({ paymentMethod }), tracking: YAMATO }, language),
        );
        assertWellFormed(message, language);
        assert.equal(message.templateKey, 'refused-shipped');
        const facts =
          language === 'ja'
            ? ['1000000001', 'ブルーマグ', YAMATO.carrier, YAMATO.trackingNo, '返品要請']
            : ['1000000001', 'ブルーマグ', 'Yamato Transport', YAMATO.trackingNo, 'return request'];
        for (const fact of facts) assert.ok(message.body.includes(fact), `${fact} missing`);
        assert.ok(message.subject.includes('1000000001'));
        // No shipping time is known here, so the text claims no crossing.
        assert.doesNotMatch(message.body, /行き違い|ほぼ同じ|crossed|same time/);
        assert.match(message.body, language === 'ja' ? /深くお詫び申し上げます/ : /sorry we could not/);
        assert.match(message.body, language === 'ja' ? /キャンセルをお受けすることができませんでした/ : /unable to cancel the order/);
        assert.match(message.body, language === 'ja' ? /ご返信ください/ : /reply to this message/);
      });

      test(`[${language}/${kind}] accepted: confirmation, amount and the ${kind} refund route`, () => {
        const message = expectMessage(build({ outcome: 'accepted', order: mug({ paymentMethod }) }, language));
        assertWellFormed(message, language);
        for (const fact of ['1000000001', 'ブルーマグ', yen('2,400')])
          assert.ok(message.body.includes(fact), `${fact} missing`);
        assert.ok(
          !message.subject.includes(language === 'ja' ? 'お詫び' : 'apolog'),
          'a buyer-requested cancel needs no apology subject',
        );
        assertRefundWording(message.body, language, kind);
      });

      for (const cause of CAUSES) {
        test(`[${language}/${kind}] seller fault (${cause}): お詫び subject, plain admission, ${kind} refund`, () => {
          const message = expectMessage(
            build({ outcome: 'seller-fault', order: mug({ paymentMethod }), cause, buyerRequested: true }, language),
          );
          assertWellFormed(message, language);
          assert.match(
            message.subject,
            language === 'ja' ? /^【重要】.*お詫び.*1000000001/ : /^\[Important\] Our apologies.*1000000001/,
          );
          for (const fact of ['1000000001', 'ブルーマグ', yen('2,400')])
            assert.ok(message.body.includes(fact), `${fact} missing`);
          assert.match(message.body, language === 'ja' ? /深くお詫び申し上げます/ : /very sorry/);
          assert.match(message.body, language === 'ja' ? /キャンセルのご依頼をいただきました件/ : /received your request to cancel/);
          for (const excuse of ['システム', 'メーカー', '仕入', 'system', 'supplier', 'maker', 'manufacturer']) {
            assert.ok(!message.body.toLowerCase().includes(excuse), `blames "${excuse}"`);
          }
          assertRefundWording(message.body, language, kind);
        });
      }

      for (const cause of ['buyer', 'out_of_stock'] as const) {
        test(`[${language}/${kind}] partial cancel (${cause}): both lists, refund of the cancelled lines only`, () => {
          const request: BuyerMessageRequest = {
            outcome: 'partial-cancel',
            cancelled: [mug({ paymentMethod }), saucer({ paymentMethod })],
            continuing: [plate({ paymentMethod })],
            cause,
          };
          const message = expectMessage(build(request, language));
          assertWellFormed(message, language);
          assert.equal(message.templateKey, cause === 'buyer' ? 'partial-accepted' : 'partial-seller-fault');
          assert.ok(message.subject.includes('2000000001'), 'the cart number names the order');
          for (const fact of [
            'ブルーマグ × 1',
            '白いソーサー × 1',
            '木のプレート × 2',
            '1000000001',
            '1000000002',
            '1000000003',
            yen('4,380'),
          ]) {
            assert.ok(message.body.includes(fact), `${fact} missing`);
          }
          assert.ok(!message.body.includes(yen('5,180')), 'the continuing line is not refunded');
          const cancelledAt = message.body.indexOf('白いソーサー');
          const continuingAt = message.body.indexOf('木のプレート');
          assert.ok(cancelledAt < continuingAt, 'cancelled lines are listed before the lines still shipping');
          assert.equal(/お詫び|apolog/i.test(message.subject), cause !== 'buyer');
          assertRefundWording(message.body, language, kind);
        });
      }
    }
  }
});
