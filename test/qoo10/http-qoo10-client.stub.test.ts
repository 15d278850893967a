// The client against a tiny stub HTTP server that answers whatever the test scripts: each documented
// error shape must become the right typed error, and the request must look like QAPI expects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Qoo10AbortedError,
  Qoo10ApiError,
  Qoo10AuthError,
  Qoo10KeyExpiredError,
  Qoo10MalformedResponseError,
  Qoo10UnknownOutcomeError,
  Qoo10NetworkError,
  Qoo10ServerError,
  Qoo10TimeoutError,
  Qoo10WrongStateError,
} from '../../src/qoo10/errors';
import { clientFor, NOW, DAY } from './qoo10-test-helpers';

interface Scripted {
  status?: number;
  body: string;
  contentType?: string;
  delayMs?: number;
}

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let baseUrl: string;
let script: Scripted[] = [];
const received: Received[] = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const next = script.shift() ?? { body: '{"ResultCode":0,"ResultObject":null}' };
      setTimeout(() => {
        res.writeHead(next.status ?? 200, { 'Content-Type': next.contentType ?? 'application/json' });
        res.end(next.body);
      }, next.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/GMKT.INC.Front.QAPIService/ebayjapan.qapi/`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const claimsQuery = { claimStatus: 1, from: new Date(NOW.getTime() - DAY), to: NOW, condition: 2 } as const;

function answer(...bodies: Array<string | Scripted>): void {
  script = bodies.map((b) => (typeof b === 'string' ? { body: b } : b));
  received.length = 0;
}

describe('HttpQoo10Client against a stub server', () => {
  test('posts form-encoded UTF-8 to {base}/{Class}.{Method} with the QAPI headers', async () => {
    answer('{"ResultCode":0,"ResultMsg":"SUCCESS"}');
    await clientFor(baseUrl, 'the-key').setSendingInfo({ orderNo: '1234567890', carrier: 'ヤマト宅急便', trackingNo: '400000000016' });
    const [req] = received;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/GMKT.INC.Front.QAPIService/ebayjapan.qapi/ShippingBasic.SetSendingInfo');
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.equal(req.headers.giosiscertificationkey, 'the-key');
    assert.equal(req.headers.qapiversion, '1.0');
    const form = new URLSearchParams(req.body);
    assert.equal(form.get('returnType'), 'application/json');
    assert.equal(form.get('OrderNo'), '1234567890');
    assert.equal(form.get('ShippingCorp'), 'ヤマト宅急便');
    assert.ok(req.body.includes('%E3%83%A4%E3%83%9E%E3%83%88'), 'Japanese is percent-encoded UTF-8');
  });

  test('sends request dates as JST days (yyyyMMdd) by default', async () => {
    answer('{"ResultCode":0,"ResultObject":[]}');
    await clientFor(baseUrl, 'k').getClaims(claimsQuery);
    const form = new URLSearchParams(received[0].body);
    assert.equal(form.get('search_Sdate'), '20261119');
    assert.equal(form.get('search_Edate'), '20261120');
    assert.equal(form.get('ClaimStat'), '1');
    assert.equal(form.get('search_condition'), '2');
  });

  test('sends request dates as JST yyyyMMddHHmmss when configured', async () => {
    answer('{"ResultCode":0,"ResultObject":[]}');
    await clientFor(baseUrl, 'k', { searchDateFormat: 'datetime' }).getOrders({ from: claimsQuery.from, to: NOW, condition: 1 });
    const form = new URLSearchParams(received[0].body);
    assert.equal(form.get('SearchStartDate'), '20261119120000');
    assert.equal(form.get('SearchEndDate'), '20261120120000');
    assert.equal(form.get('ShippingStatus'), '');
  });

  const shapes: Array<[string, Scripted, new (...a: never[]) => Error, number | null]> = [
    ['a plain-text body', { body: 'The resource cannot be found.', contentType: 'text/plain' }, Qoo10MalformedResponseError, null],
    ['{ErrorCode: -90001}', { body: '{"ErrorCode":-90001,"ErrorMsg":"No such API"}' }, Qoo10ApiError, -90001],
    ['{ErrorCode: -10000}', { body: '{"ErrorCode":-10000,"ErrorMsg":"check key"}' }, Qoo10AuthError, -10000],
    ['{ErrorCode: -90002}', { body: '{"ErrorCode":-90002,"ErrorMsg":"not authorised"}' }, Qoo10AuthError, -90002],
    ['{ResultCode: -90004}', { body: '{"ResultCode":-90004,"ResultMsg":"expired"}' }, Qoo10KeyExpiredError, -90004],
    ['{ResultCode: -90005}', { body: '{"ResultCode":-90005,"ResultMsg":"expired"}' }, Qoo10KeyExpiredError, -90005],
    ['{ResultCode: -10003}', { body: '{"ResultCode":-10003,"ResultMsg":"over 90 days"}' }, Qoo10ApiError, -10003],
    ['HTTP 503', { status: 503, body: 'busy', contentType: 'text/plain' }, Qoo10ServerError, null],
    ['ResultObject as a string', { body: '{"ResultCode":0,"ResultObject":"none"}' }, Qoo10MalformedResponseError, null],
  ];
  for (const [what, scripted, errorClass, code] of shapes) {
    test(`turns ${what} into ${errorClass.name}`, async () => {
      answer(scripted);
      await assert.rejects(clientFor(baseUrl, 'k', { maxRetries: 0 }).getClaims(claimsQuery), (e: unknown) => {
        assert.ok(e instanceof errorClass, `got ${String(e)}`);
        assert.equal((e as Qoo10ApiError).qoo10Code, code);
        return true;
      });
    });
  }

  test('-10004 on a write is Qoo10WrongStateError and is not retried', async () => {
    answer('{"ResultCode":-10004,"ResultMsg":"already shipped"}', '{"ResultCode":0}');
    await assert.rejects(
      clientFor(baseUrl, 'k').cancelOrder({ orderNo: '1234567890', cause: 'buyer', memo: '' }),
      Qoo10WrongStateError,
    );
    assert.equal(received.length, 1);
  });

  test('reads every empty shape as no rows and a single object as one row', async () => {
    const row = '{"orderNo":"1","claimStatus":"1","requestDate":"2026-11-20 10:00:00"}';
    answer('{"ResultCode":0,"ResultObject":null}', '{"ResultCode":0,"ResultObject":[]}', '{"ResultCode":0}', `{"ResultCode":0,"ResultObject":${row}}`);
    const client = clientFor(baseUrl, 'k');
    assert.deepEqual(await client.getClaims(claimsQuery), []);
    assert.deepEqual(await client.getClaims(claimsQuery), []);
    assert.deepEqual(await client.getClaims(claimsQuery), []);
    assert.equal((await client.getClaims(claimsQuery)).length, 1);
  });

  test('retries a malformed answer and then succeeds', async () => {
    answer('<html>oops</html>', '{"ResultCode":0,"ResultObject":[]}');
    assert.deepEqual(await clientFor(baseUrl, 'k').getClaims(claimsQuery), []);
    assert.equal(received.length, 2);
  });

  test('a write answered with success and a scalar ResultObject is a success', async () => {
    answer('{"ResultCode":0,"ResultObject":0}', '{"ResultCode":0,"ResultMsg":"SUCCESS","ResultObject":"OK"}', '{"ResultCode":0,"ResultObject":true}');
    const client = clientFor(baseUrl, 'k', { maxRetries: 0 });
    await client.confirmOrder({ orderNo: '1', estimatedShipDate: NOW, delayType: 1, memo: '' });
    await client.cancelOrder({ orderNo: '1234567890', cause: 'buyer', memo: '' });
    await client.setSendingInfo({ orderNo: '1234567890', carrier: 'ヤマト宅急便', trackingNo: '123456789012' });
    assert.equal(received.length, 3);
  });

  const unclear: Array<[string, Scripted, string]> = [
    ['HTTP 503', { status: 503, body: 'busy', contentType: 'text/plain' }, 'qoo10_server_error'],
    ['a plain-text body', { body: '<html>oops</html>', contentType: 'text/html' }, 'qoo10_malformed_response'],
    ['a slow answer', { body: '{"ResultCode":0}', delayMs: 2_000 }, 'qoo10_timeout'],
  ];
  for (const [what, scripted, seen] of unclear) {
    test(`a write answered with ${what} is sent once and its outcome is unknown`, async () => {
      answer(scripted, '{"ResultCode":0}', '{"ResultCode":0}');
      await assert.rejects(
        // Generous retries: a write must not use them.
        clientFor(baseUrl, 'k', { maxRetries: 3, timeoutMs: 500, sleep: async () => undefined }).cancelOrder({ orderNo: '1234567890', cause: 'buyer', memo: '' }),
        (e: unknown) => e instanceof Qoo10UnknownOutcomeError && e.seen === seen && !e.retryable,
      );
      assert.equal(received.length, 1, 'the write went out exactly once');
    });
  }

  test('a read answered with HTTP 503 is retried', async () => {
    answer({ status: 503, body: 'busy', contentType: 'text/plain' }, '{"ResultCode":0,"ResultObject":[]}');
    assert.deepEqual(await clientFor(baseUrl, 'k', { sleep: async () => undefined }).getClaims(claimsQuery), []);
    assert.equal(received.length, 2);
  });

  test('a write aborted while on the wire is unknown, not refused; aborted before sending it is not sent', async () => {
    answer({ body: '{"ResultCode":0}', delayMs: 2_000 });
    const controller = new AbortController();
    const pending = clientFor(baseUrl, 'k').setSendingInfo({ orderNo: '1234567890', carrier: 'ヤマト宅急便', trackingNo: '123456789012' }, controller.signal);
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof Qoo10UnknownOutcomeError && e.seen === 'qoo10_aborted');

    const before = new AbortController();
    before.abort();
    await assert.rejects(
      clientFor(baseUrl, 'k').cancelOrder({ orderNo: '1234567890', cause: 'buyer', memo: '' }, before.signal),
      Qoo10AbortedError,
    );
    assert.equal(received.length, 1, 'the second write never left');
  });

  test('a snapshot answered for another order is refused', async () => {
    answer('{"ResultCode":0,"ResultObject":{"orderNo":"999","shippingStatus":"3"}}');
    await assert.rejects(clientFor(baseUrl, 'k', { maxRetries: 0 }).getOrderSnapshot('123'), Qoo10MalformedResponseError);
  });

  test('a slow answer becomes Qoo10TimeoutError', async () => {
    answer({ body: '{"ResultCode":0}', delayMs: 300 });
    await assert.rejects(clientFor(baseUrl, 'k', { timeoutMs: 50, maxRetries: 0 }).getClaims(claimsQuery), Qoo10TimeoutError);
  });

  test('the caller aborting becomes Qoo10AbortedError, without retries', async () => {
    answer({ body: '{"ResultCode":0}', delayMs: 300 }, { body: '{"ResultCode":0}' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(clientFor(baseUrl, 'k').getClaims(claimsQuery, controller.signal), Qoo10AbortedError);
    assert.equal(received.length, 1);
  });

  test('an unreachable server is Qoo10NetworkError after the retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const waits: number[] = [];
    const client = clientFor(`http://127.0.0.1:${port}/x`, 'k', { maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
    await assert.rejects(client.getClaims(claimsQuery), (e: unknown) => e instanceof Qoo10NetworkError && e.retryable);
    assert.equal(waits.length, 2, 'two backoff waits for two retries');
  });
});
