// The pure parts of reaching the buyer: what the refusal may say about timing, the QSM plain text,
// English carrier names, the buyer's language, and the case-log CSV for Excel.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildBuyerMessage,
  caseLogCsv,
  CROSSING_WINDOW_HOURS,
  EMPTY_CASE_NOTES,
  englishCarrierName,
  QSM_MAX_CHARS,
  qsmText,
  shippingTimingOf,
  UNKNOWN_CARRIER_EN,
  type CaseLogEntry,
  type Language,
} from '../../src/domain/buyer-messages';
import { buyerLanguage } from '../../src/services/buyer-message-service';
import { anOrder, NOW, YAMATO } from '../helpers/domain-builders';

const HOUR = 3_600_000;
const REQUESTED = new Date('2026-11-10T01:00:00Z');
const shipped = (hours: number) => new Date(REQUESTED.getTime() + hours * HOUR);

describe('the refusal says the shipment and the request crossed only when the times show it', () => {
  for (const [hours, timing] of [
    [0, 'crossed'],
    [-CROSSING_WINDOW_HOURS, 'crossed'],
    [CROSSING_WINDOW_HOURS, 'crossed'],
    [CROSSING_WINDOW_HOURS + 1, 'shipped-after-request'],
    [-CROSSING_WINDOW_HOURS - 1, 'shipped-before-request'],
  ] as const) {
    test(`shipped ${hours} h from the request → ${timing}`, () => {
      assert.equal(shippingTimingOf(shipped(hours), REQUESTED), timing);
    });
  }

  test('without both times nothing is claimed', () => {
    assert.equal(shippingTimingOf(null, REQUESTED), 'unknown');
    assert.equal(shippingTimingOf(shipped(0), null), 'unknown');
    assert.equal(shippingTimingOf(new Date(Number.NaN), REQUESTED), 'unknown');
  });

  const body = (shippedAt: Date | null, language: Language) => {
    const result = buildBuyerMessage(
      { outcome: 'refused-shipped', order: anOrder({ shippedAt }), tracking: YAMATO, requestedAt: REQUESTED },
      { shopName: 'Mug Studio' },
      { now: NOW, language },
    );
    assert.ok(result.ok);
    return result.body;
  };
  test('「ほぼ同じ頃」「行き違い」 only for a crossing; a parcel shipped a day before is told as such', () => {
    assert.match(body(shipped(1), 'ja'), /ほぼ同じ頃に当店から商品を発送しており、行き違い/);
    assert.match(body(shipped(1), 'en'), /about the same time as your request arrived, so the two crossed/);
    const before = body(shipped(-30), 'ja');
    assert.doesNotMatch(before, /ほぼ同じ|行き違い/);
    assert.match(before, /ご依頼をいただいた時点で、商品はすでに配送業者へお渡ししておりました/);
    assert.doesNotMatch(body(null, 'ja'), /ほぼ同じ|行き違い/);
    assert.doesNotMatch(body(null, 'en'), /crossed|same time/);
  });
});

describe('qsmText', () => {
  test('puts the subject on the first line and keeps the Japanese text as written', () => {
    const q = qsmText('【重要】お詫び', '山田様\n\nご迷惑をおかけしました。');
    assert.equal(q.text, '【重要】お詫び\n\n山田様\n\nご迷惑をおかけしました。');
    assert.deepEqual([q.length, q.maxLength, q.fits], [26, QSM_MAX_CHARS, true]);
  });

  test('drops emoji and control characters, spells out platform-dependent characters', () => {
    const q = qsmText('お知らせ🙇', '①在庫\t確認\u0007\r\n㈱青空 №5　\n\n\n\n以上');
    assert.equal(q.text, 'お知らせ\n\n(1)在庫 確認\n(株)青空 No.5\n\n以上');
  });

  test('flags a text longer than QSM takes and never cuts it', () => {
    const long = 'あ'.repeat(QSM_MAX_CHARS);
    const q = qsmText('件名', long);
    assert.equal(q.fits, false);
    assert.ok(q.text.endsWith(long), 'nothing is cut');
    assert.equal(q.length, QSM_MAX_CHARS + 4);
  });
});

describe('English carrier names', () => {
  for (const [name, english] of [
    ['ヤマト宅急便', 'Yamato Transport'],
    ['ネコポス', 'Yamato Transport (Nekopos)'],
    ['佐川急便', 'Sagawa Express'],
    ['ゆうパック', 'Japan Post (Yu-Pack)'],
    ['クリックポスト', 'Japan Post (Click Post)'],
    ['日本郵便', 'Japan Post'],
    ['福山通運', 'Fukuyama Transporting'],
    ['DHL', 'DHL'],
    ['謎の運送', UNKNOWN_CARRIER_EN],
  ] as const) {
    test(`${name} → ${english}`, () => assert.equal(englishCarrierName(name), english));
  }
});

describe('the buyer\'s language', () => {
  for (const [country, shop, language] of [
    ['JP', 'ja', 'ja'],
    ['Japan', 'en', 'ja'],
    ['日本', 'ja', 'ja'],
    ['US', 'ja', 'en'],
    ['KR', 'ja', 'en'],
    [null, 'ja', 'ja'],
    ['', 'en', 'en'],
  ] as const) {
    test(`country ${JSON.stringify(country)} with a ${shop} shop → ${language}`, () => {
      assert.equal(buyerLanguage({ buyerCountry: country }, shop), language);
    });
  }
});

describe('caseLogCsv', () => {
  const entry = (overrides: Partial<CaseLogEntry> = {}): CaseLogEntry => ({
    itemKey: 'MUG-BLUE',
    itemTitle: '青いマグ, 大',
    orderNo: '1000000001',
    cause: 'out_of_stock',
    decidedAt: '2026-11-10 12:00',
    outcome: 'seller-fault',
    timeFromOrderHours: 26,
    handledIn: 'service',
    notes: EMPTY_CASE_NOTES,
    ...overrides,
  });

  test('starts with a UTF-8 BOM, ends lines with CRLF and quotes what needs quoting', () => {
    const csv = caseLogCsv([entry({ notes: { ...EMPTY_CASE_NOTES, buyerReaction: '「了承」と\n"ありがとう"', callMade: true } })]);
    assert.equal(csv.charCodeAt(0), 0xfeff);
    const lines = csv.slice(1).split('\r\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.match(lines[1] ?? '', /^2026-11-10 12:00,1000000001,MUG-BLUE,"青いマグ, 大",販売店都合キャンセル,在庫切れ,26\.0,cancel-guard,,,あり,,,"「了承」と\n""ありがとう""",$/);
    assert.deepEqual([...Buffer.from(csv, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  });

  test('defuses a formula in a free-text cell (CSV injection)', () => {
    const csv = caseLogCsv([entry({ notes: { ...EMPTY_CASE_NOTES, rootCause: '=HYPERLINK("http://x")' } })]);
    assert.match(csv, /,"'=HYPERLINK\(""http:\/\/x""\)"\r\n$/);
  });

  test('names a case handled by hand in QSM and one with an unknown cause', () => {
    const csv = caseLogCsv([entry({ handledIn: 'qsm', outcome: 'review', cause: 'undecided' }), entry({ cause: 'seller_fault' })]);
    assert.match(csv, /手動対応,未判定,26\.0,QSM（手動）/);
    assert.match(csv, /販売店都合（原因未記入）/);
  });
});
