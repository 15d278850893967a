import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readEnvelope } from '../../src/qoo10/envelope';
import {
  Qoo10ApiError,
  Qoo10AuthError,
  Qoo10KeyExpiredError,
  Qoo10MalformedResponseError,
  Qoo10ServerError,
  Qoo10WrongStateError,
} from '../../src/qoo10/errors';

const read = { method: 'ShippingBasic.GetClaimInfo_V3', isWrite: false, scrub: (t: string) => t };
const write = { method: 'Claim.SetCancelProcess', isWrite: true, scrub: (t: string) => t };

describe('readEnvelope', () => {
  const successes: Array<[string, string, unknown]> = [
    ['rows', '{"ResultCode":0,"ResultMsg":"SUCCESS","ResultObject":[{"a":1}]}', [{ a: 1 }]],
    ['a string ResultCode "0"', '{"ResultCode":"0","ResultObject":null}', null],
    ['a write without ResultObject', '{"ResultCode":0,"ResultMsg":"SUCCESS"}', undefined],
  ];
  for (const [what, body, resultObject] of successes) {
    test(`returns the ResultObject of ${what}`, () => {
      assert.deepEqual(readEnvelope(200, body, read).resultObject, resultObject);
    });
  }

  const failures: Array<[string, number, string, typeof read, new (...a: never[]) => Error, boolean, number | null]> = [
    ['plain text', 200, 'The resource cannot be found.', read, Qoo10MalformedResponseError, true, null],
    ['HTML', 200, '<html>busy</html>', read, Qoo10MalformedResponseError, true, null],
    ['truncated JSON', 200, '{"ResultCode":0,"ResultObject":[', read, Qoo10MalformedResponseError, true, null],
    ['a JSON array', 200, '[1,2]', read, Qoo10MalformedResponseError, true, null],
    ['JSON without any code', 200, '{"Result":"OK"}', read, Qoo10MalformedResponseError, true, null],
    ['a non-numeric ResultCode', 200, '{"ResultCode":"OK"}', read, Qoo10MalformedResponseError, true, null],
    ['HTTP 500', 500, 'Internal Server Error', read, Qoo10ServerError, true, null],
    ['HTTP 429', 429, '', read, Qoo10ServerError, true, null],
    ['HTTP 404', 404, 'Not Found', read, Qoo10ApiError, false, null],
    ['{ErrorCode: -90001}', 200, '{"ErrorCode":-90001,"ErrorMsg":"No such API"}', read, Qoo10ApiError, false, -90001],
    ['{ErrorCode: "-10000"}', 200, '{"ErrorCode":"-10000","ErrorMsg":"check key"}', read, Qoo10AuthError, false, -10000],
    ['{ErrorCode: -90003}', 200, '{"ErrorCode":-90003}', read, Qoo10AuthError, false, -90003],
    ['ResultCode -90002', 200, '{"ResultCode":-90002,"ResultMsg":"no"}', read, Qoo10AuthError, false, -90002],
    ['ResultCode -90004', 200, '{"ResultCode":-90004,"ResultMsg":"expired"}', read, Qoo10KeyExpiredError, false, -90004],
    ['ErrorCode -90005', 200, '{"ErrorCode":-90005,"ErrorMsg":"expired"}', read, Qoo10KeyExpiredError, false, -90005],
    ['-10004 on a write', 200, '{"ResultCode":-10004,"ResultMsg":"state"}', write, Qoo10WrongStateError, false, -10004],
    ['-10004 on a read', 200, '{"ResultCode":-10004,"ResultMsg":"?"}', read, Qoo10ApiError, false, -10004],
    ['-10003 (range over 90 days)', 200, '{"ResultCode":-10003,"ResultMsg":"range"}', read, Qoo10ApiError, false, -10003],
  ];
  for (const [what, status, body, context, errorClass, retryable, code] of failures) {
    test(`turns ${what} into ${errorClass.name}`, () => {
      assert.throws(
        () => readEnvelope(status, body, context),
        (e: unknown) => e instanceof errorClass && (e as Qoo10ApiError).retryable === retryable && (e as Qoo10ApiError).qoo10Code === code,
      );
    });
  }

  test('error codes are stable snake_case', () => {
    assert.throws(() => readEnvelope(200, '{"ResultCode":-10004}', write), { code: 'qoo10_wrong_state' });
    assert.throws(() => readEnvelope(200, 'x', read), { code: 'qoo10_malformed_response' });
    assert.throws(() => readEnvelope(200, '{"ErrorCode":-90004}', read), { code: 'qoo10_key_expired' });
  });

  test('scrubs Qoo10 message text before it reaches the error', () => {
    const context = { ...read, scrub: (t: string) => t.replace('SECRET', '[redacted]') };
    assert.throws(() => readEnvelope(200, '{"ErrorCode":-90002,"ErrorMsg":"bad key SECRET"}', context), (e: unknown) => {
      return e instanceof Error && !e.message.includes('SECRET') && e.message.includes('[redacted]');
    });
  });
});
