import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addJstMonths,
  buildBuyerMessage,
  DEFAULT_TEMPLATES,
  LANGUAGES,
  requestFromDecision,
  TEMPLATE_KEYS,
  validateTemplate,
  type BuyerMessage,
  type BuyerMessageRequest,
  type Language,
  type ShopMessageSettings,
} from '../../src/domain/buyer-messages';
import type { Decision, SellerFaultCause } from '../../src/domain/types';
import { anOrder, NOW, YAMATO } from '../helpers/domain-builders';

function aShop(overrides: Partial<ShopMessageSettings> = {}): ShopMessageSettings {
  return { shopName: 'マグ工房', english: { shopName: 'Mug Studio' }, ...overrides };
}

const stockOut = (cause: SellerFaultCause = 'out_of_stock'): BuyerMessageRequest => ({
  outcome: 'seller-fault',
  order: anOrder({ itemTitle: 'ブルーマグ', sellerItemCode: 'MUG-BLUE' }),
  cause,
});

function message(
  settings: ShopMessageSettings,
  language: Language = 'ja',
  request = stockOut(),
  now = NOW,
): BuyerMessage {
  const result = buildBuyerMessage(request, settings, { now, language });
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

describe('seller-fault offers', () => {
  test('offers nothing extra when the shop set no offers, without leaving gaps', () => {
    const { body, notes } = message(aShop());
    for (const heading of ['■ 代わりの商品', '■ 再入荷', '■ お詫びのクーポン']) assert.ok(!body.includes(heading));
    assert.ok(!body.includes('\n\n\n'));
    assert.deepEqual(notes, []);
  });

  test('offers the alternative listed for the item’s seller code, with its honest difference', () => {
    const settings = aShop({
      alternatives: {
        'MUG-BLUE': { itemTitle: 'ブルーマグ L', note: '容量が100ml増えます。', url: 'https://shop.example/l' },
      },
    });
    const ja = message(settings).body;
    assert.match(ja, /「ブルーマグ」の代わりとして、同等以上の仕様の「ブルーマグ L」をご用意しております/);
    assert.ok(ja.includes('容量が100ml増えます。') && ja.includes('https://shop.example/l'));
    // The order is cancelled: the buyer gets the alternative by a new order, never "arranged right away".
    assert.match(ja, /キャンセルとなった商品の代わりをご希望の場合は、お手数ですが新しいご注文としてお手続き/);
    assert.match(ja, /ご注文はこちらのページからお願いいたします：https:\/\/shop\.example\/l/);
    assert.doesNotMatch(ja, /すぐに手配/);
    const en = message(settings, 'en');
    assert.doesNotMatch(en.body, /ブルーマグ L/, 'a Japanese-only alternative is not offered in English');
    const withEnglish = aShop({
      alternatives: { 'MUG-BLUE': { itemTitle: 'ブルーマグ L', itemTitleEn: 'Blue mug L', qoo10ItemCode: '123456789' } },
    });
    const en2 = message(withEnglish, 'en').body;
    assert.match(en2, /we have “Blue mug L”, of equal or better specification/);
    assert.match(en2, /Search Qoo10 for item number 123456789 to order it\./);
    assert.match(message(withEnglish).body, /Qoo10で商品番号「123456789」を検索/);
    const noLink = message(aShop({ alternatives: { 'MUG-BLUE': { itemTitle: 'ブルーマグ L' } } })).body;
    assert.match(noLink, /ご注文いただける商品ページをお知らせいたします/);
  });

  test('tells the restock date with the default 7-day margin, as "around"', () => {
    const settings = aShop({ restockDates: { 'MUG-BLUE': '2026-11-20' } });
    assert.ok(message(settings).body.includes('「ブルーマグ」は2026年11月27日頃に再入荷する見込みです。'));
    assert.ok(message(settings, 'en').body.includes('back in stock around November 27, 2026'));
  });

  test('uses the shop’s own margin, across a month end', () => {
    assert.ok(
      message(aShop({ restockDates: { 'MUG-BLUE': '2026-11-20' }, restockMarginDays: 14 })).body.includes(
        '2026年12月4日頃',
      ),
    );
    assert.ok(
      message(aShop({ restockDates: { 'MUG-BLUE': '2026-11-20' }, restockMarginDays: 0 })).body.includes(
        '2026年11月20日頃',
      ),
    );
  });

  test('leaves out a stale or malformed restock date, tells the seller, and still offers a back-order', () => {
    const stale = message(aShop({ restockDates: { 'MUG-BLUE': '2026-11-01' }, offerBackOrder: true }));
    assert.ok(!stale.body.includes('2026年11月'), 'no date from the past');
    assert.match(stale.body, /入荷の時期はまだ決まっておりませんが、ご希望であれば、入荷した分からお客様の分をお取り置きし、入荷しだいご連絡いたします。お届けは改めてのご注文/);
    assert.deepEqual(stale.notes, ['restock date 2026-11-01 for MUG-BLUE is in the past; not mentioned']);
    const malformed = message(aShop({ restockDates: { 'MUG-BLUE': '2026-02-30' } }));
    assert.ok(!malformed.body.includes('再入荷'));
    assert.match(malformed.notes.join(), /not a YYYY-MM-DD date/);
  });

  test('offers a back-order next to a known restock date', () => {
    const { body } = message(aShop({ restockDates: { 'MUG-BLUE': '2026-12-01' }, offerBackOrder: true }), 'en');
    assert.match(body, /around December 8, 2026\.\nIf you like, we will set one aside for you/);
  });

  test('gives an apology coupon valid for months, with its end date in JST', () => {
    const settings = aShop({ coupon: { code: 'SORRY500', amountYen: 500, validityMonths: 6 } });
    const ja = message(settings).body;
    assert.ok(ja.includes('500円の割引クーポン') && ja.includes('クーポンコード：SORRY500'));
    assert.ok(ja.includes('有効期限：2027年5月10日まで（本日から6か月間）'));
    const en = message(aShop({ coupon: { code: 'SORRY10', percent: 10, validityMonths: 1 } }), 'en').body;
    assert.ok(
      en.includes('a coupon for 10% off your next order') &&
        en.includes('Valid until: December 10, 2026 (1 month from today)'),
    );
  });

  const badCoupons: [string, ShopMessageSettings['coupon']][] = [
    ['no validity', { code: 'X', amountYen: 500, validityMonths: 0 }],
    ['validity not in whole months', { code: 'X', amountYen: 500, validityMonths: 0.5 }],
    ['both amount and percent', { code: 'X', amountYen: 500, percent: 10, validityMonths: 3 }],
    ['neither amount nor percent', { code: 'X', validityMonths: 3 }],
    ['a percent over 100', { code: 'X', percent: 150, validityMonths: 3 }],
    ['no code', { code: ' ', amountYen: 500, validityMonths: 3 }],
  ];
  for (const [name, coupon] of badCoupons) {
    test(`leaves out a coupon with ${name} and tells the seller`, () => {
      const { body, notes } = message(aShop({ coupon }));
      assert.ok(!body.includes('クーポン'));
      assert.match(notes.join(), /apology coupon needs/);
    });
  }

  test('offers no alternative or restock for an undeliverable area, but still the coupon', () => {
    const settings = aShop({
      alternatives: { 'MUG-BLUE': { itemTitle: 'ブルーマグ L' } },
      restockDates: { 'MUG-BLUE': '2026-11-20' },
      offerBackOrder: true,
      coupon: { code: 'SORRY', amountYen: 300, validityMonths: 3 },
    });
    const { body } = message(settings, 'ja', stockOut('undeliverable_area'));
    assert.ok(!body.includes('代わりの商品') && !body.includes('再入荷'));
    assert.ok(body.includes('配送できない地域') && body.includes('SORRY'));
  });

  test('coupon end dates clamp to the month end', () => {
    assert.equal(addJstMonths('2026-11-30', 3), '2027-02-28');
    assert.equal(addJstMonths('2027-11-30', 3), '2028-02-29');
    assert.equal(addJstMonths('2026-01-31', 12), '2027-01-31');
  });
});

describe('templates and decisions', () => {
  for (const language of LANGUAGES) {
    for (const key of TEMPLATE_KEYS) {
      test(`the built-in ${language} ${key} template passes validation`, () => {
        assert.deepEqual(validateTemplate(key, DEFAULT_TEMPLATES[language][key]), { ok: true });
      });
    }
  }

  test('uses the shop’s own template for its language and the built-in one elsewhere', () => {
    const settings = aShop({
      templates: {
        ja: {
          accepted: {
            subject: '{{shopName}}：キャンセル完了（{{orderNo}}）',
            body: '{{buyerName}}\nキャンセルいたしました。{{orderNo}} {{itemTitle}}\n返金額 {{refundAmount}}\n{{refundTiming}}\n{{signature}}',
          },
        },
      },
    });
    const ja = message(settings, 'ja', { outcome: 'accepted', order: anOrder() });
    assert.equal(ja.subject, 'マグ工房：キャンセル完了（1000000001）');
    assert.match(ja.body, /^Buyer様\nキャンセルいたしました。1000000001 Blue mug\n返金額 2,400円\n/);
    const en = message(settings, 'en', { outcome: 'accepted', order: anOrder() });
    assert.equal(en.subject, 'Order 1000000001 has been cancelled');
  });

  test('writes the follow-up summary of a phone call', () => {
    const request: BuyerMessageRequest = {
      outcome: 'call-summary',
      order: anOrder(),
      calledAt: NOW,
      agreedPoints: ['全額返金', '再入荷時にご連絡'],
    };
    const { subject, body } = message(aShop(), 'ja', request);
    assert.ok(subject.includes('1000000001'));
    assert.ok(body.includes('2026年11月10日は、お忙しいところお電話で') && body.includes('・全額返金\n・再入荷時にご連絡'));
  });

  const decisionCases: [
    string,
    Pick<Decision, 'kind' | 'sellerFaultCause' | 'tracking'>,
    BuyerMessageRequest['outcome'] | null,
  ][] = [
    [
      'a refusal asks for the shipped message with its tracking',
      { kind: 'refuse', tracking: YAMATO },
      'refused-shipped',
    ],
    ['an acceptance asks for the confirmation', { kind: 'accept' }, 'accepted'],
    [
      'a seller-fault decision asks for the apology',
      { kind: 'seller-fault', sellerFaultCause: 'defect' },
      'seller-fault',
    ],
    ['a seller-fault decision without a cause still apologises, naming no reason', { kind: 'seller-fault' }, 'seller-fault'],
    ['a review sends nothing until a person decides', { kind: 'review' }, null],
  ];
  for (const [name, partial, outcome] of decisionCases) {
    test(name, () => {
      const decision: Decision = { code: 'x', reason: 'x', trail: [], ...partial };
      const request = requestFromDecision(decision, anOrder());
      assert.equal(request?.outcome ?? null, outcome);
      if (request?.outcome === 'refused-shipped') assert.deepEqual(request.tracking, YAMATO);
      if (request?.outcome === 'seller-fault') {
        assert.equal(request.cause, partial.sellerFaultCause ?? null);
        assert.equal(request.buyerRequested, true, 'every decision answers the buyer\'s own request');
      }
    });
  }
});
