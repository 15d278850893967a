import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildBuyerMessage,
  LANGUAGES,
  type BuyerMessage,
  type BuyerMessageRequest,
  type BuyerMessageResult,
  type Language,
  type ShopMessageSettings,
} from '../../src/domain/buyer-messages';
import type { Order } from '../../src/domain/types';
import { anOrder, NOW, YAMATO } from '../helpers/domain-builders';

function aShop(overrides: Partial<ShopMessageSettings> = {}): ShopMessageSettings {
  return { shopName: 'マグ工房', signature: 'マグ工房 お客様窓口', english: { shopName: 'Mug Studio', signature: 'Mug Studio Support' }, ...overrides };
}

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

const mug = (overrides: Partial<Order> = {}): Order =>
  anOrder({ itemTitle: 'ブルーマグ', buyerName: '山田 花子', ...overrides });
const plate = (overrides: Partial<Order> = {}): Order =>
  anOrder({
    orderNo: '1000000003',
    itemNo: '900003',
    itemTitle: '木のプレート',
    totalYen: 800,
    quantity: 2,
    ...overrides,
  });

describe('buyer messages: filling from the order', () => {
  test('falls back to a neutral salutation when the buyer name is unknown', () => {
    const ja = expectMessage(build({ outcome: 'accepted', order: mug({ buyerName: null }) }, 'ja'));
    const en = expectMessage(build({ outcome: 'accepted', order: mug({ buyerName: '  ' }) }, 'en'));
    assert.match(ja.body, /^お客様\n/);
    assert.match(en.body, /^Dear Customer,\n/);
  });

  test('never doubles the honorific when Qoo10 already sent one', () => {
    const message = expectMessage(build({ outcome: 'accepted', order: mug({ buyerName: '山田 花子 様' }) }, 'ja'));
    assert.match(message.body, /^山田 花子様\n/);
  });

  test('shows the chosen option with the item and the order date in JST', () => {
    // 2026-11-09T16:30Z is already 2026-11-10 01:30 in Japan.
    const order = mug({ itemOption: 'カラー：青', orderedAt: new Date('2026-11-09T16:30:00Z') });
    const message = expectMessage(build({ outcome: 'accepted', order }, 'ja'));
    assert.ok(message.body.includes('ブルーマグ（カラー：青）'));
    assert.ok(message.body.includes('ご注文日：2026年11月10日'));
  });

  test('uses the order’s own tracking when the request carries none', () => {
    const order = mug({ carrier: '佐川急便', trackingNo: '400000000013' });
    const message = expectMessage(build({ outcome: 'refused-shipped', order }, 'ja'));
    assert.ok(message.body.includes('配送業者：佐川急便'));
    assert.ok(message.body.includes('追跡番号：400000000013'));
  });

  test('signs with the shop name when no signature is set', () => {
    const message = expectMessage(
      build({ outcome: 'accepted', order: mug() }, 'en', aShop({ signature: undefined, english: { shopName: 'Mug Studio' } })),
    );
    assert.match(message.body, /Kind regards,\nMug Studio$/);
    const ja = expectMessage(build({ outcome: 'accepted', order: mug() }, 'ja', aShop({ signature: undefined })));
    assert.match(ja.body, /\nマグ工房$/);
  });
});

describe('buyer messages: missing facts go to a person', () => {
  const cases: { name: string; request: BuyerMessageRequest; settings?: ShopMessageSettings; missing: string[] }[] = [
    {
      name: 'shipped message without any tracking',
      request: { outcome: 'refused-shipped', order: mug() },
      missing: ['carrier', 'trackingNo'],
    },
    {
      name: 'shipped message whose carrier is blank',
      request: { outcome: 'refused-shipped', order: mug(), tracking: { carrier: ' ', trackingNo: '123456789013' } },
      missing: ['carrier'],
    },
    {
      name: 'no shop name',
      request: { outcome: 'accepted', order: mug() },
      settings: aShop({ shopName: '', english: {} }),
      missing: ['shopName'],
    },
    {
      name: 'no shop name even with a signature',
      request: { outcome: 'refused-shipped', order: mug(), tracking: YAMATO },
      settings: aShop({ shopName: '  ', signature: 'Support', english: {} }),
      missing: ['shopName'],
    },
    {
      name: 'an amount that is not whole yen',
      request: { outcome: 'seller-fault', order: mug({ totalYen: Number.NaN }), cause: 'out_of_stock' },
      missing: ['refundAmount'],
    },
    { name: 'no item title', request: { outcome: 'accepted', order: mug({ itemTitle: '' }) }, missing: ['itemTitle'] },
    {
      name: 'no order time',
      request: { outcome: 'accepted', order: mug({ orderedAt: new Date(Number.NaN) }) },
      missing: ['orderDate'],
    },
    {
      name: 'a partial cancel with nothing left to ship',
      request: { outcome: 'partial-cancel', cancelled: [mug()], continuing: [], cause: 'buyer' },
      missing: ['continuingItems'],
    },
    {
      name: 'a partial cancel with nothing cancelled',
      request: { outcome: 'partial-cancel', cancelled: [], continuing: [mug()], cause: 'defect' },
      missing: ['cancelledItems'],
    },
    {
      name: 'a call summary with no agreed points',
      request: { outcome: 'call-summary', order: mug(), calledAt: NOW, agreedPoints: [' ', ''] },
      missing: ['agreedPoints'],
    },
  ];
  for (const c of cases) {
    for (const language of LANGUAGES) {
      test(`[${language}] ${c.name} → needsPerson, missing ${c.missing.join(', ')}`, () => {
        const result = build(c.request, language, c.settings);
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.needsPerson);
        assert.deepEqual(!result.ok && [...result.missing].sort(), [...c.missing].sort());
        assert.ok(!('body' in result), 'no half-filled text is handed out');
      });
    }
  }

  test('requires the shop name even when the shop’s template does not print it', () => {
    const body = '{{buyerName}}\n{{orderNo}} {{itemTitle}} {{refundAmount}}\n{{refundTiming}}\n{{signature}}';
    const settings = aShop({
      shopName: '',
      signature: 'Support',
      english: {},
      templates: { en: { accepted: { subject: '{{orderNo}}', body } } },
    });
    const result = build({ outcome: 'accepted', order: mug() }, 'en', settings);
    assert.ok(!result.ok);
    assert.deepEqual(result.missing, ['shopName']);
  });

  test('refuses to mix lines from two carts', () => {
    const result = build(
      { outcome: 'partial-cancel', cancelled: [mug()], continuing: [plate({ packNo: '2000000999' })], cause: 'buyer' },
      'ja',
    );
    assert.ok(!result.ok);
    assert.match(result.problems.join('\n'), /different carts \(2000000001, 2000000999\)/);
  });

  test('a broken shop template stops the message and names the bad placeholder', () => {
    const settings = aShop({
      templates: {
        ja: {
          accepted: {
            subject: 'キャンセル {{orderNo}}',
            body: '{{buyerNmae}}\n{{orderNo}} {{itemTitle}} {{refundAmount}}\n{{refundTiming}}',
          },
        },
      },
    });
    const result = build({ outcome: 'accepted', order: mug() }, 'ja', settings);
    assert.ok(!result.ok);
    assert.match(
      result.problems.join('\n'),
      /unknown placeholder \{\{buyerNmae\}\} \(did you mean \{\{buyerName\}\}\?\)/,
    );
  });
});
