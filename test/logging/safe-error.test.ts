// The one place errors are made safe for logs (src/safe-error.ts), through the real logger: a database
// error's statement, values and failing row, and an HTTP error's headers and body, never reach a line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { createLogger } from '../../src/logger';
import { safeErrorMessage, scrubMessage } from '../../src/safe-error';

const BUYER = '山田 花子';
const EMAIL = 'hanako@buyer.invalid';

function captured(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => { lines.push(String(chunk)); done(); } }));
  return { lines, logger };
}

function pgError(): QueryFailedError {
  const driverError = Object.assign(new Error(`invalid input syntax for type integer: "${BUYER}"`), {
    code: '22P02', severity: 'ERROR', detail: `Failing row contains (1, ${BUYER}, ${EMAIL}).`, table: 'orders', column: 'quantity',
  });
  return new QueryFailedError('INSERT INTO orders (buyer_name, buyer_email) VALUES ($1, $2)', [BUYER, EMAIL], driverError);
}

describe('errors in logs', () => {
  for (const key of ['err', 'error', 'cause']) {
    test(`a QueryFailedError under "${key}" is logged by SQLSTATE and table, without query, values, row or quoted value`, () => {
      const { lines, logger } = captured();
      logger.error({ [key]: pgError() }, 'ingest failed');
      assert.equal(lines.length, 1);
      assert.doesNotMatch(lines[0]!, new RegExp(`${BUYER}|${EMAIL}|INSERT INTO|Failing row`));
      assert.match(lines[0]!, /22P02/);
      assert.match(lines[0]!, /orders/);
    });
  }

  test('an error passed alone keeps its stack frames but not its values', () => {
    const { lines, logger } = captured();
    logger.error(pgError());
    assert.doesNotMatch(lines[0]!, new RegExp(`${BUYER}|${EMAIL}`));
  });

  test('an HTTP client error loses its request headers and body', () => {
    const { lines, logger } = captured();
    const error = Object.assign(new Error('Request failed with status code 500'), {
      config: { headers: { GiosisCertificationKey: 'seller-key-0001' }, data: `Buyer=${BUYER}` },
      response: { data: EMAIL },
    });
    logger.warn({ err: error }, 'call failed');
    assert.doesNotMatch(lines[0]!, new RegExp(`seller-key-0001|${BUYER}|${EMAIL}`));
    assert.match(lines[0]!, /status code 500/);
  });

  test('a stored run message of a database error names its SQLSTATE only', () => {
    assert.equal(safeErrorMessage(pgError()), 'database error 22P02: invalid input syntax for type integer: "…"');
  });

  test('scrubMessage removes quoted values and key details', () => {
    assert.equal(scrubMessage(`duplicate key value: Key (order_no)=(123) already exists, name 'x'`), `duplicate key value: Key (order_no)=(…) already exists, name '…'`);
  });
});
