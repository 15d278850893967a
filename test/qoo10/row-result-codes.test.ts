// Which per-row answers of a bulk write may be sent again, and how long the sender waits between rounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRowResultCode } from '../../src/qoo10/row-result-codes';
import { rowRetryDelayMs } from '../../src/services/bulk-tracking-sender';

describe('bulk row result codes', () => {
  for (const [code, kind, why] of [
    [0, 'applied', 'success'],
    [-10000, 'call_level', 'check the key: the call, not the row'],
    [-90004, 'call_level', 'key expired'],
    [-90001, 'call_level', 'no such API'],
    [-10001, 'rejected', 'bad input'],
    [-10002, 'rejected', 'order not found'],
    [-10003, 'rejected', "another seller's order"],
    [-10004, 'rejected', 'wrong order state (shipped, cancelled)'],
    [-10005, 'transient', 'a code Qoo10 does not document (the simulator\'s temporary failure)'],
    [-99, 'transient', 'any other undocumented code'],
  ] as const) {
    test(`${code} is ${kind}: ${why}`, () => assert.equal(classifyRowResultCode(code), kind));
  }
});

describe('waits between retry rounds', () => {
  const policy = (random: number) => ({ baseDelayMs: 1000, maxDelayMs: 8000, random: () => random });

  test('half of a doubling ceiling is fixed, half random, capped', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((round) => rowRetryDelayMs(round, policy(0))), [500, 1000, 2000, 4000, 4000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((round) => rowRetryDelayMs(round, policy(0.999999))), [1000, 2000, 4000, 8000, 8000]);
  });
});
