import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { caseLogEntry, sellerFaultItemReport, type CaseLogEntry } from '../../src/domain/buyer-messages';
import type { Decision } from '../../src/domain/types';
import { anOrder, NOW } from '../helpers/domain-builders';

type DecisionPart = Pick<Decision, 'kind' | 'sellerFaultCause'>;

describe('caseLogEntry', () => {
  const cases: [DecisionPart, CaseLogEntry['cause']][] = [
    [{ kind: 'accept' }, 'buyer'],
    [{ kind: 'refuse' }, 'already_shipped'],
    [{ kind: 'seller-fault', sellerFaultCause: 'out_of_stock' }, 'out_of_stock'],
    [{ kind: 'seller-fault' }, 'seller_fault'],
    [{ kind: 'review' }, 'undecided'],
  ];
  for (const [decision, cause] of cases) {
    test(`logs a ${decision.kind}${decision.sellerFaultCause ? ` (${decision.sellerFaultCause})` : ''} as cause ${cause}`, () => {
      assert.deepEqual(caseLogEntry(decision, anOrder(), NOW), {
        itemKey: 'MUG-BLUE',
        itemTitle: 'Blue mug',
        orderNo: '1000000001',
        cause,
        decidedAt: '2026-11-10 12:00',
        outcome: decision.kind,
        timeFromOrderHours: 26,
      });
    });
  }

  test('keys an item without a seller code by its Qoo10 item number', () => {
    assert.equal(caseLogEntry({ kind: 'accept' }, anOrder({ sellerItemCode: ' ' }), NOW).itemKey, 'item:900001');
  });

  test('rounds the time from the order down, so the 6-hour window never looks crossed early', () => {
    const orderedAt = new Date(NOW.getTime() - (5 * 60 + 58) * 60_000);
    assert.equal(caseLogEntry({ kind: 'accept' }, anOrder({ orderedAt }), NOW).timeFromOrderHours, 5.9);
    assert.equal(
      caseLogEntry({ kind: 'accept' }, anOrder({ orderedAt: new Date(Number.NaN) }), NOW).timeFromOrderHours,
      null,
    );
  });

  test('writes the decision time in JST even across midnight UTC', () => {
    assert.equal(
      caseLogEntry({ kind: 'accept' }, anOrder(), new Date('2026-11-30T15:30:00Z')).decidedAt,
      '2026-12-01 00:30',
    );
  });
});

describe('sellerFaultItemReport', () => {
  function entry(itemKey: string, decidedAt: string, overrides: Partial<CaseLogEntry> = {}): CaseLogEntry {
    return {
      itemKey,
      itemTitle: itemKey,
      orderNo: '1',
      cause: 'out_of_stock',
      decidedAt,
      outcome: 'seller-fault',
      timeFromOrderHours: 3,
      ...overrides,
    };
  }

  test('ranks items by seller-fault count, then by the latest case', () => {
    const report = sellerFaultItemReport([
      entry('MUG', '2026-11-01 09:00', { itemTitle: 'Mug (old title)' }),
      entry('MUG', '2026-11-05 09:00', { cause: 'defect', itemTitle: 'Mug' }),
      entry('MUG', '2026-11-03 09:00', { itemTitle: 'Mug (older title)' }),
      entry('PLATE', '2026-11-02 10:00'),
      entry('PLATE', '2026-11-09 10:00'),
      entry('CUP', '2026-11-04 10:00'),
      entry('CUP', '2026-11-06 10:00', { cause: 'shipping_delay' }),
      entry('BOWL', '2026-11-08 10:00', { outcome: 'accept', cause: 'buyer' }),
      entry('BOWL', '2026-11-08 11:00', { outcome: 'refuse', cause: 'already_shipped' }),
    ]);
    assert.equal(report.totalSellerFault, 7);
    assert.deepEqual(
      report.items.map((row) => [row.itemKey, row.count, Number(row.share.toFixed(3)), row.lastAt]),
      [
        ['MUG', 3, 0.429, '2026-11-05 09:00'],
        ['PLATE', 2, 0.286, '2026-11-09 10:00'],
        ['CUP', 2, 0.286, '2026-11-06 10:00'],
      ],
    );
    assert.equal(report.items[0]?.itemTitle, 'Mug', 'the latest title is shown');
    assert.deepEqual(report.items[0]?.byCause, { out_of_stock: 2, defect: 1 });
    assert.deepEqual(report.items[2]?.byCause, { out_of_stock: 1, shipping_delay: 1 });
  });

  test('breaks full ties by item key so the order is stable', () => {
    const report = sellerFaultItemReport([entry('B', '2026-11-01 09:00'), entry('A', '2026-11-01 09:00')]);
    assert.deepEqual(
      report.items.map((row) => row.itemKey),
      ['A', 'B'],
    );
  });

  test('is empty when no case was the seller’s fault', () => {
    assert.deepEqual(
      sellerFaultItemReport([entry('BOWL', '2026-11-08 10:00', { outcome: 'accept', cause: 'buyer' })]),
      { totalSellerFault: 0, items: [] },
    );
    assert.deepEqual(sellerFaultItemReport([]), { totalSellerFault: 0, items: [] });
  });
});
