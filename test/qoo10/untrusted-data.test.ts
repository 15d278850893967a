// Issue 13: data from Qoo10 is untrusted input. Text is cleaned at the boundary (defect 1), numbers and
// codes are parsed strictly (defect 8), and a fresh read that cannot say whether a request is pending is
// "unknown", never "withdrawn" (defect 3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanText, REPLACEMENT, TEXT_LIMITS } from '../../src/qoo10/sanitise';
import { mapClaimRow, mapShippingRow, mapSnapshotRow, parseInteger } from '../../src/qoo10/mappers';
import { readEnvelope } from '../../src/qoo10/envelope';
import { Qoo10MalformedResponseError } from '../../src/qoo10/errors';

const M = 'Test.Method';
const read = { method: 'ShippingBasic.GetClaimInfo_V3', isWrite: false, scrub: (t: string) => t };

const claimRow = {
  orderNo: '1234567890',
  packNo: '700000001',
  claimStatus: 'Cancel requested(1)',
  reason: '注文間違い',
  requestDate: '2026-11-20 11:00:00',
  orderDate: '2026-11-20 09:00:00',
  itemCode: '912345001',
  itemTitle: '美容液',
  orderQty: '2',
  paymentAmount: '4,960',
};

const shippingRow = {
  OrderNo: '1234567890',
  PackNo: '700000001',
  OrderDate: '2026-11-20 09:00:00',
  ShippingStatus: 'Seller confirm(3)',
  ItemNo: '912345001',
  ItemTitle: '美容液',
  OrderQty: '1',
  OrderPrice: 1980,
  Buyer: '山田 花子',
  BuyerEmail: 'hanako@example.jp',
};

/** No character PostgreSQL text refuses or a log line should carry. */
function assertStorable(text: string | null): void {
  if (text === null) return;
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(text, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/);
  assert.equal(Buffer.from(text, 'utf8').toString('utf8'), text, 'valid UTF-16 (no lone surrogate)');
}

describe('cleanText (defect 1)', () => {
  const cases: Array<[string, string, string]> = [
    ['removes NUL', 'A\u0000B', 'AB'],
    ['removes other C0 controls, DEL and C1', 'a\u0001b\u001Bc\u007Fd\u0085e', 'abcde'],
    ['keeps tabs and line breaks inside', '一行目\n二行目\tです', '一行目\n二行目\tです'],
    ['replaces a lone high surrogate', 'x\uD83Dy', `x${REPLACEMENT}y`],
    ['replaces a lone low surrogate', 'x\uDE00y', `x${REPLACEMENT}y`],
    ['keeps a valid pair', 'ok 😀', 'ok 😀'],
    ['trims', '  spaced  ', 'spaced'],
  ];
  for (const [what, input, expected] of cases) test(what, () => assert.equal(cleanText(input, 100), expected));

  test('bounds the length in code points and never splits a surrogate pair', () => {
    const cut = cleanText('😀'.repeat(50), 10);
    assert.equal(Array.from(cut).length, 10);
    assert.ok(cut.endsWith('…'));
    assertStorable(cut);
  });
});

describe('mappers clean every text field from Qoo10 (defect 1)', () => {
  test('a NUL in the buyer reason, the title and the buyer name never reaches the domain', () => {
    const claim = mapClaimRow({ ...claimRow, reason: '間違えて\u0000注文しました', itemTitle: '美容液\u0000' }, M);
    assert.equal(claim.reason, '間違えて注文しました');
    assert.equal(claim.itemTitle, '美容液');
    const order = mapShippingRow({ ...shippingRow, Buyer: '山田\u0000花子', BuyerEmail: 'hanako@example.jp\u0000' }, M);
    assert.equal(order.buyerName, '山田花子');
    assert.equal(order.buyerEmail, 'hanako@example.jp');
  });

  test('a huge reason is cut to its bound, a lone surrogate replaced', () => {
    const claim = mapClaimRow({ ...claimRow, reason: `\uD800${'あ'.repeat(100_000)}` }, M);
    assert.ok(claim.reason !== null && Array.from(claim.reason).length === TEXT_LIMITS.reason);
    assert.ok(claim.reason.startsWith(REPLACEMENT));
    assertStorable(claim.reason);
  });

  test('a NUL in an order number or a date is refused, not cleaned into another value', () => {
    assert.throws(() => mapClaimRow({ ...claimRow, orderNo: '12345\u00006789' }, M), Qoo10MalformedResponseError);
    assert.throws(() => mapClaimRow({ ...claimRow, requestDate: '2026-11-20\u0000 11:00:00' }, M), Qoo10MalformedResponseError);
  });
});

describe('strict parsing (defect 8)', () => {
  const numbers: Array<[unknown, number | null | undefined]> = [
    ['1.5', undefined],
    [1.5, undefined],
    ['0.4', undefined],
    [0.4, undefined],
    ['1980.00', 1980],
    ['1,980', 1980],
    ['1,98,0', undefined],
    ['99999999999999999999', undefined],
    [Number.POSITIVE_INFINITY, undefined],
    ['1e3', undefined],
  ];
  for (const [input, expected] of numbers) {
    test(`parseInteger(${JSON.stringify(input)}) is ${String(expected)}`, () => assert.equal(parseInteger(input), expected));
  }

  test('a quantity of "1.5" is an error, not 2', () => {
    assert.throws(() => mapShippingRow({ ...shippingRow, OrderQty: '1.5' }, M), Qoo10MalformedResponseError);
    assert.throws(() => mapClaimRow({ ...claimRow, orderQty: 1.5 }, M), Qoo10MalformedResponseError);
  });

  for (const code of ['"0.4"', '0.4', '"-0.2"', '"0x0"', '"0e1"']) {
    test(`ResultCode ${code} is not success`, () => {
      assert.throws(() => readEnvelope(200, `{"ResultCode":${code},"ResultObject":[]}`, read), Qoo10MalformedResponseError);
    });
  }

  test('ResultMsg is cleaned before it goes into an error', () => {
    assert.throws(
      () => readEnvelope(200, '{"ResultCode":-10002,"ResultMsg":"bad\\u0000 date"}', read),
      (error: unknown) => error instanceof Error && !error.message.includes('\u0000'),
    );
  });
});

describe('a fresh read without a usable claimStatus is unknown, never "withdrawn" (defect 3)', () => {
  const base = { orderNo: '1234567890', shippingStatus: '3', reason: '', requestDate: '' };
  const unknown: Array<[string, Record<string, unknown>]> = [
    ['no claimStatus field', base],
    ['claimStatus null', { ...base, claimStatus: null }],
    ['claimStatus garbled', { ...base, claimStatus: 'pending' }],
    ['claimStatus outside the contract', { ...base, claimStatus: 99 }],
    ['claimStatus of the wrong type', { ...base, claimStatus: { code: 1 } }],
    ['claimStatus renamed', { ...base, ClaimStat: '1' }],
  ];
  for (const [what, row] of unknown) {
    test(`${what} throws rather than reading as no claim`, () => {
      assert.throws(() => mapSnapshotRow(row), Qoo10MalformedResponseError);
    });
  }
  for (const [what, row] of [
    ['no shippingStatus', { orderNo: '1234567890', claimStatus: '1' }],
    ['an empty shippingStatus', { orderNo: '1234567890', claimStatus: '1', shippingStatus: '' }],
    ['shippingStatus 0', { orderNo: '1234567890', claimStatus: '1', shippingStatus: 0 }],
  ] as Array<[string, Record<string, unknown>]>) {
    test(`${what} in a fresh read is unknown, never "not shipped"`, () => {
      assert.throws(() => mapSnapshotRow(row), Qoo10MalformedResponseError);
    });
  }
  test('an empty claimStatus still means the order carries no claim', () => {
    assert.equal(mapSnapshotRow({ ...base, claimStatus: '' }).claimStatus, null);
  });
});
