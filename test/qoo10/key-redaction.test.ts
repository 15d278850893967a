// Keys never appear in error messages, serialised errors, log output or the simulator's call record,
// whatever goes wrong (the simulator even echoes an unknown key in its error text, as a careless gateway
// might).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Qoo10Error } from '../../src/qoo10/errors';
import { HttpQoo10Client } from '../../src/qoo10/http-qoo10-client';
import type { SimulatorFaults } from '../../src/qoo10/simulator/faults';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { captureLogger, DAY, NOW, ORDERS, SHOP_A_CREDENTIALS, SHOP_A_KEY, smallScenario } from './qoo10-test-helpers';

const UNKNOWN_KEY = 'SAK-unknown-TOPSECRET-0000';
const SECRETS = [SHOP_A_KEY, UNKNOWN_KEY, SHOP_A_CREDENTIALS.apiKey, SHOP_A_CREDENTIALS.password];

let sim: SimulatorHandle;
let logs: string[];
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
  logs = [];
});
afterEach(async () => {
  await sim.close();
});

function client(key: string, extra: { timeoutMs?: number; baseUrl?: string } = {}): HttpQoo10Client {
  const { logger, lines } = captureLogger();
  logs = lines;
  return new HttpQoo10Client({
    baseUrl: extra.baseUrl ?? sim.url,
    sellerAuthKey: key,
    logger,
    timeoutMs: extra.timeoutMs ?? 1_000,
    minIntervalMs: 0,
    maxRetries: 1,
    sleep: async () => undefined,
  });
}

async function failure(call: () => Promise<unknown>): Promise<Qoo10Error> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof Qoo10Error, `expected a Qoo10Error, got ${String(error)}`);
    return error;
  }
  throw new Error('expected the call to fail');
}

function assertNoSecret(error: Qoo10Error): void {
  const texts = [error.message, JSON.stringify(error), String(error.stack), logs.join('\n'), JSON.stringify(sim.calls)];
  for (const secret of SECRETS) {
    for (const text of texts) assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 200)}`);
  }
}

const query = { claimStatus: 1, from: new Date(NOW.getTime() - DAY), to: NOW, condition: 2 } as const;

describe('no key in errors, logs or the call record', () => {
  test('an unknown key (echoed back by the server)', async () => {
    const error = await failure(() => client(UNKNOWN_KEY).getClaims(query));
    assert.equal(error.code, 'qoo10_auth_failed');
    assert.match(error.message, /\[redacted\]/, 'the echoed key was scrubbed');
    assertNoSecret(error);
  });

  const faults: Array<[string, SimulatorFaults]> = [
    ['an expired key', { expiredKey: true }],
    ['HTTP 500', { http500Rate: 1 }],
    ['a malformed answer', { malformedRate: 1 }],
    ['an ErrorCode answer', { errorCodeShapeRate: 1 }],
    ['a timeout', { timeoutRate: 1 }],
  ];
  for (const [what, fault] of faults) {
    test(what, async () => {
      sim.setFaults(fault);
      assertNoSecret(await failure(() => client(SHOP_A_KEY, { timeoutMs: 80 }).getClaims(query)));
    });
  }

  test('a wrong-state write', async () => {
    assertNoSecret(await failure(() => client(SHOP_A_KEY).cancelOrder({ orderNo: ORDERS.shipped, cause: 'buyer', memo: '' })));
  });

  test('a network failure', async () => {
    assertNoSecret(await failure(() => client(SHOP_A_KEY, { baseUrl: 'http://127.0.0.1:1/x' }).getClaims(query)));
  });

  test('CreateCertificationKey with a wrong password or API key', async () => {
    assertNoSecret(await failure(() => client('unused').createCertificationKey({ ...SHOP_A_CREDENTIALS, apiKey: 'API-KEY-a-TOPSECRET-123x' })));
    assertNoSecret(await failure(() => client('unused').createCertificationKey({ ...SHOP_A_CREDENTIALS, userId: 'other' })));
  });
});
