// Full-text snapshots of every built-in template as a buyer reads it: each outcome × payment family ×
// language (plus the refusal's timing variants and each seller-fault cause). The files under
// test/snapshots/buyer-messages were read by eye once; any change of wording shows up in review as a
// diff of those files. To accept a deliberate change: UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs snapshots
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildBuyerMessage,
  hasJapanese,
  LANGUAGES,
  qsmText,
  type BuyerMessageRequest,
  type Language,
  type ShopMessageSettings,
} from '../../src/domain/buyer-messages';
import type { Order } from '../../src/domain/types';
import { anOrder, NOW, YAMATO } from '../helpers/domain-builders';

// Tests run compiled from dist/test/domain; the snapshots stay in the source tree.
const DIR = [path.resolve(__dirname, '../../../test/snapshots/buyer-messages'), path.resolve('test/snapshots/buyer-messages')].find(
  (dir) => existsSync(path.dirname(dir)),
) as string;
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

export const PAYMENT_FAMILIES: Record<string, string | null> = {
  'credit-card': 'クレジットカード',
  'debit-card': 'デビットカード',
  'qoo10-balance': 'Qポイント',
  'bank-transfer': 'コンビニ決済',
  'carrier-billing': 'auかんたん決済',
  'e-wallet': 'PayPay',
  deferred: 'atone（翌月後払い）',
  mixed: 'クレジットカード＋Qポイント',
  unknown: null,
};

const SHOP: ShopMessageSettings = {
  shopName: '青空雑貨店',
  signature: '青空雑貨店 カスタマーサポート\n受付時間：平日 10:00〜17:00',
  english: { shopName: 'Aozora Goods', signature: 'Aozora Goods Customer Support\nWeekdays 10:00-17:00 (Japan time)' },
  coupon: { code: 'SORRY500', amountYen: 500, validityMonths: 3 },
  alternatives: {
    'MUG-BLUE': {
      itemTitle: '青いマグカップ（大）',
      itemTitleEn: 'Blue mug, large',
      note: '容量が350mlから450mlに増えます。',
      noteEn: 'It holds 450 ml instead of 350 ml.',
      url: 'https://www.qoo10.jp/g/123456789',
    },
  },
  restockDates: { 'MUG-BLUE': '2026-11-20' },
  offerBackOrder: true,
};

const mug = (payment: string | null, overrides: Partial<Order> = {}): Order =>
  anOrder({ itemTitle: '青いマグカップ', buyerName: '山田 花子', paymentMethod: payment, ...overrides });
const plate = (payment: string | null): Order =>
  anOrder({ orderNo: '1000000002', itemNo: '900002', sellerItemCode: 'PLATE', itemTitle: '木のプレート', totalYen: 1600, quantity: 2, paymentMethod: payment });

/** name → request: every case a shop can send. */
function cases(language: Language): Array<[string, BuyerMessageRequest]> {
  const all: Array<[string, BuyerMessageRequest]> = [];
  for (const [family, payment] of Object.entries(PAYMENT_FAMILIES)) {
    all.push([`accepted.${family}`, { outcome: 'accepted', order: mug(payment) }]);
    all.push([`seller-fault.${family}`, { outcome: 'seller-fault', order: mug(payment), cause: 'out_of_stock', buyerRequested: true }]);
    all.push([`partial-accepted.${family}`, { outcome: 'partial-cancel', cancelled: [mug(payment)], continuing: [plate(payment)], cause: 'buyer' }]);
    all.push([
      `partial-seller-fault.${family}`,
      { outcome: 'partial-cancel', cancelled: [mug(payment)], continuing: [plate(payment)], cause: 'out_of_stock' },
    ]);
  }
  for (const cause of ['defect', 'undeliverable_area', 'shipping_delay'] as const) {
    all.push([`seller-fault-cause.${cause}`, { outcome: 'seller-fault', order: mug('クレジットカード'), cause, buyerRequested: true }]);
  }
  all.push(['seller-fault-cause.unknown', { outcome: 'seller-fault', order: mug('クレジットカード'), cause: null, buyerRequested: true }]);
  const requestedAt = new Date('2026-11-10T01:00:00Z');
  const timings: Array<[string, Date | null]> = [
    ['crossed', new Date('2026-11-10T00:30:00Z')],
    ['shipped-after-request', new Date('2026-11-11T06:00:00Z')],
    ['shipped-before-request', new Date('2026-11-09T03:00:00Z')],
    ['unknown', null],
  ];
  for (const [timing, shippedAt] of timings) {
    all.push([`refused-shipped.${timing}`, { outcome: 'refused-shipped', order: mug('クレジットカード', { shippedAt }), tracking: YAMATO, requestedAt }]);
  }
  all.push(['call-summary', { outcome: 'call-summary', order: mug('クレジットカード'), calledAt: NOW, agreedPoints: language === 'ja' ? ['全額返金でお受けする', '再入荷したらQSMでお知らせする'] : ['A full refund', 'We tell you through Qoo10 when the item is back'] }]);
  return all;
}

function render(request: BuyerMessageRequest, language: Language): string {
  const result = buildBuyerMessage(request, SHOP, { now: NOW, language });
  assert.ok(result.ok, `expected a message, got ${JSON.stringify(result)}`);
  const qsm = qsmText(result.subject, result.body);
  return [
    `Subject: ${result.subject}`,
    '',
    result.body,
    '',
    `--- QSM: ${qsm.length} of ${qsm.maxLength} characters${qsm.fits ? '' : ' (TOO LONG)'}; notes: ${result.notes.join(' | ') || '-'}`,
    '',
  ].join('\n');
}

describe('buyer message snapshots (every outcome × payment family × language)', () => {
  const written = new Set<string>();
  for (const language of LANGUAGES) {
    for (const [name, request] of cases(language)) {
      const file = path.join(DIR, language, `${name}.txt`);
      written.add(path.relative(DIR, file));
      test(`${language}/${name} reads exactly as its reviewed snapshot`, () => {
        const text = render(request, language);
        if (language === 'en') {
          // Item titles and the buyer's name are Qoo10's data; everything else is English.
          const ours = text.replace(/青いマグカップ|木のプレート|山田 花子/g, '');
          assert.ok(!hasJapanese(ours), `Japanese script in an English message:\n${ours}`);
        }
        if (UPDATE || !existsSync(file)) {
          assert.ok(UPDATE, `no snapshot ${file}: run with UPDATE_SNAPSHOTS=1, read it, commit it`);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, text);
          return;
        }
        assert.equal(text, readFileSync(file, 'utf8'), `${language}/${name} differs from its snapshot`);
      });
    }
  }

  test('keeps no snapshot of a case that no longer exists', () => {
    const onDisk = LANGUAGES.flatMap((language) =>
      existsSync(path.join(DIR, language)) ? readdirSync(path.join(DIR, language)).map((f) => path.join(language, f)) : [],
    );
    assert.deepEqual(onDisk.filter((f) => !written.has(f)), []);
    assert.ok(written.size >= 90, `${written.size} snapshots`);
  });
});
