import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Qoo10MalformedResponseError } from '../../src/qoo10/errors';
import {
  mapBulkResults,
  mapCertificationKey,
  mapClaimRow,
  mapShippingRow,
  mapSnapshotRow,
  parseInteger,
  parseOrderNo,
  parseResponseDate,
  parseStatusCode,
  resultRows,
} from '../../src/qoo10/mappers';

const M = 'Test.Method';

describe('parseStatusCode', () => {
  const cases: Array<[unknown, number | null | undefined]> = [
    [3, 3],
    ['3', 3],
    [' 1 ', 1],
    ['Seller confirm(3)', 3],
    ['On delivery(4)', 4],
    ['キャンセル要請(1)', 1],
    ['Cancel requested(1) ', 1],
    ['Return(11)', 11],
    ['', null],
    [null, null],
    [undefined, null],
    ['Seller confirm', undefined],
    ['(x)', undefined],
    [2.5, undefined],
    [true, undefined],
  ];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)} as ${String(expected)}`, () => {
      assert.equal(parseStatusCode(input), expected);
    });
  }
});

describe('parseInteger', () => {
  const cases: Array<[unknown, number | null | undefined]> = [
    [1980, 1980],
    ['1980', 1980],
    ['1,980', 1980],
    ['1980.00', 1980],
    ['-5', -5],
    [' ', null],
    [null, null],
    ['abc', undefined],
    ['12a', undefined],
    [Number.NaN, undefined],
    [{}, undefined],
  ];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)} as ${String(expected)}`, () => {
      assert.equal(parseInteger(input), expected);
    });
  }
});

describe('parseOrderNo', () => {
  const cases: Array<[unknown, string | undefined]> = [
    ['1234567890', '1234567890'],
    [' 9876543210 ', '9876543210'],
    ['123456789012345678', '123456789012345678'],
    [1234567890, '1234567890'],
    [2 ** 53 + 2, undefined],
    ['12-34', undefined],
    ['', undefined],
    [0, undefined],
    [null, undefined],
  ];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)} as ${String(expected)}`, () => {
      assert.equal(parseOrderNo(input), expected);
    });
  }
});

describe('parseResponseDate (JST without offset)', () => {
  const cases: Array<[unknown, string | null | undefined]> = [
    ['2026-11-20 12:00:00', '2026-11-20T03:00:00.000Z'],
    ['2026-11-01 00:30:00', '2026-10-31T15:30:00.000Z'],
    ['2026/11/20 12:00:00', '2026-11-20T03:00:00.000Z'],
    ['2026-11-20', '2026-11-19T15:00:00.000Z'],
    ['', null],
    [null, null],
    ['1900-01-01 00:00:00', null],
    ['2026-02-30 00:00:00', undefined],
    ['20261120', undefined],
    [20261120, undefined],
  ];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)}`, () => {
      const date = parseResponseDate(input);
      assert.equal(date instanceof Date ? date.toISOString() : date, expected);
    });
  }
});

describe('resultRows', () => {
  test('null, absent and [] are no rows', () => {
    assert.deepEqual(resultRows(null, M), []);
    assert.deepEqual(resultRows(undefined, M), []);
    assert.deepEqual(resultRows([], M), []);
  });
  test('a single object is one row', () => {
    assert.deepEqual(resultRows({ a: 1 }, M), [{ a: 1 }]);
  });
  const wrong: Array<[string, unknown]> = [
    ['a string', 'ERROR'],
    ['a number', 0],
    ['a boolean', true],
    ['an array of numbers', [1, 2]],
    ['an array with null', [{ a: 1 }, null]],
  ];
  for (const [what, value] of wrong) {
    test(`${what} is malformed, never "no rows"`, () => {
      assert.throws(() => resultRows(value, M), (e: unknown) => e instanceof Qoo10MalformedResponseError && e.retryable);
    });
  }
});

describe('mapClaimRow', () => {
  const row = {
    orderNo: '1234567890',
    packNo: 700000001,
    claimStatus: 'Cancel requested(1)',
    reason: '注文間違い',
    requestDate: '2026-11-20 11:00:00',
    cancelRefundDate: '',
    orderDate: '2026-11-20 09:00:00',
    itemCode: '912345001',
    sellerItemCode: 'COS-SERUM-30',
    itemTitle: '美容液',
    orderQty: '2',
    paymentAmount: '4,960',
    deliveryCompany: '',
    trackingNo: '',
  };
  test('maps a request row to a Claim', () => {
    assert.deepEqual(mapClaimRow(row), {
      orderNo: '1234567890',
      packNo: '700000001',
      claimStatus: 1,
      reason: '注文間違い',
      requestedAt: new Date('2026-11-20T02:00:00Z'),
      completedAt: null,
      orderedAt: new Date('2026-11-20T00:00:00Z'),
      itemNo: '912345001',
      sellerItemCode: 'COS-SERUM-30',
      itemTitle: '美容液',
      quantity: 2,
      paymentAmountYen: 4960,
      carrier: null,
      trackingNo: null,
    });
  });
  const variants: Array<[string, Record<string, unknown>, (c: ReturnType<typeof mapClaimRow>) => void]> = [
    ['a bare claimStatus code', { claimStatus: 3 }, (c) => assert.equal(c.claimStatus, 3)],
    ['a missing packNo (own cart)', { packNo: '' }, (c) => assert.equal(c.packNo, '1234567890')],
    [
      'a missing requestDate (falls back to completion)',
      { requestDate: '', cancelRefundDate: '2026-11-20 12:00:00' },
      (c) => assert.equal(c.requestedAt.toISOString(), '2026-11-20T03:00:00.000Z'),
    ],
  ];
  for (const [what, change, check] of variants) {
    test(`accepts ${what}`, () => check(mapClaimRow({ ...row, ...change })));
  }
  const broken: Array<[string, Record<string, unknown>]> = [
    ['no order number', { orderNo: '' }],
    ['a garbled claimStatus', { claimStatus: 'pending' }],
    ['no claimStatus', { claimStatus: '' }],
    ['no dates at all', { requestDate: '', cancelRefundDate: '' }],
    ['a garbled date', { requestDate: 'yesterday' }],
    ['a garbled amount', { paymentAmount: 'free' }],
  ];
  for (const [what, change] of broken) {
    test(`refuses a row with ${what}`, () => {
      assert.throws(() => mapClaimRow({ ...row, ...change }, M), Qoo10MalformedResponseError);
    });
  }
});

describe('mapShippingRow', () => {
  const row = {
    OrderNo: '1234567890',
    PackNo: '700000001',
    OrderDate: '2026-11-20 09:00:00',
    PaymentDate: '2026-11-20 09:01:00',
    EstimatedShippingDate: '2026-11-21',
    ShippingDate: '',
    DeliveredDate: '',
    ShippingStatus: 'Seller confirm(3)',
    ItemNo: '912345001',
    SellerItemCode: 'COS-SERUM-30',
    ItemTitle: '美容液',
    Option: '',
    OrderQty: '2',
    OrderPrice: 2480,
    Total: '4960',
    PaymentMethod: 'クレジットカード',
    DeliveryCompany: '',
    TrackingNo: '',
    Buyer: '佐藤 花子',
    BuyerEmail: 'buyer1@example.jp',
  };
  test('maps a row to an Order with the deadline as a JST day start', () => {
    const order = mapShippingRow(row);
    assert.equal(order.orderNo, '1234567890');
    assert.equal(order.shippingStatus, 3);
    assert.equal(order.shippingDeadline?.toISOString(), '2026-11-20T15:00:00.000Z');
    assert.equal(order.orderedAt.toISOString(), '2026-11-20T00:00:00.000Z');
    assert.equal(order.quantity, 2);
    assert.equal(order.unitPriceYen, 2480);
    assert.equal(order.totalYen, 4960);
    assert.equal(order.itemOption, null);
    assert.equal(order.buyerName, '佐藤 花子');
  });
  const cases: Array<[string, Record<string, unknown>, (o: ReturnType<typeof mapShippingRow>) => void]> = [
    ['a bare status', { ShippingStatus: '4' }, (o) => assert.equal(o.shippingStatus, 4)],
    ['status 0 as none', { ShippingStatus: 0 }, (o) => assert.equal(o.shippingStatus, null)],
    ['no Total (price × qty)', { Total: '' }, (o) => assert.equal(o.totalYen, 4960)],
    ['a deadline with a time', { EstimatedShippingDate: '2026-11-21 18:00:00' }, (o) => assert.equal(o.shippingDeadline?.toISOString(), '2026-11-20T15:00:00.000Z')],
    ['camelCase buyer fields', { Buyer: undefined, BuyerEmail: undefined, buyer: '田中 蓮', buyerEmail: 'x@example.jp' }, (o) => assert.equal(o.buyerName, '田中 蓮')],
  ];
  for (const [what, change, check] of cases) {
    test(`accepts ${what}`, () => check(mapShippingRow({ ...row, ...change })));
  }
  const broken: Array<[string, Record<string, unknown>]> = [
    ['a status outside 1-5', { ShippingStatus: 'Strange(9)' }],
    ['no OrderDate', { OrderDate: '' }],
    ['a numeric order number past 2^53', { OrderNo: 2 ** 53 + 2 }],
  ];
  for (const [what, change] of broken) {
    test(`refuses ${what}`, () => assert.throws(() => mapShippingRow({ ...row, ...change }, M), Qoo10MalformedResponseError));
  }
});

describe('mapSnapshotRow', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<ReturnType<typeof mapSnapshotRow>>]> = [
    [
      'an order with a pending request',
      { orderNo: '1234567890', packNo: '700000001', shippingStatus: '3', claimStatus: '1', reason: '注文間違い', requestDate: '2026-11-20 11:00:00' },
      { shippingStatus: 3, claimStatus: 1, claimReason: '注文間違い', claimRequestedAt: new Date('2026-11-20T02:00:00Z') },
    ],
    [
      'a shipped order without claim',
      { orderNo: '1234567890', shippingStatus: 'On delivery(4)', claimStatus: '', deliveryCompany: 'ヤマト宅急便', trackingNo: '400000000016', shippingDate: '2026-11-20 15:00:00' },
      { shippingStatus: 4, claimStatus: null, carrier: 'ヤマト宅急便', trackingNo: '400000000016', packNo: null },
    ],
    ['claimStatus 0 as no claim', { orderNo: '1234567890', shippingStatus: 3, claimStatus: 0 }, { claimStatus: null }],
  ];
  for (const [what, row, expected] of cases) {
    test(`maps ${what}`, () => {
      const snapshot = mapSnapshotRow(row);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(snapshot[key as keyof typeof snapshot], value, key);
      }
    });
  }
});

describe('mapBulkResults', () => {
  test('matches results to the rows sent, in input order, with partial failures', () => {
    const results = mapBulkResults(
      [
        { OrderNo: '2', result_cd: '-10004', result_msg: 'wrong state' },
        { OrderNo: '1', result_cd: 0, result_msg: 'SUCCESS' },
      ],
      ['1', '2', '3'],
      M,
    );
    assert.deepEqual(results, [
      { orderNo: '1', ok: true, code: 0, message: 'SUCCESS' },
      { orderNo: '2', ok: false, code: -10004, message: 'wrong state' },
      { orderNo: '3', ok: false, code: null, message: 'Qoo10 returned no result for this order' },
    ]);
  });
  test('accepts a single result object and camelCase names', () => {
    assert.deepEqual(mapBulkResults({ orderNo: 5, ResultCode: 0 }, ['5'], M), [{ orderNo: '5', ok: true, code: 0, message: 'SUCCESS' }]);
  });
  test('refuses a result without result_cd', () => {
    assert.throws(() => mapBulkResults([{ OrderNo: '1' }], ['1'], M), Qoo10MalformedResponseError);
  });
});

describe('mapCertificationKey', () => {
  test('returns the key string', () => assert.equal(mapCertificationKey(' abc ', M), 'abc'));
  for (const value of [null, '', 42, { key: 'x' }]) {
    test(`refuses ${JSON.stringify(value)}`, () => assert.throws(() => mapCertificationKey(value, M), Qoo10MalformedResponseError));
  }
});
