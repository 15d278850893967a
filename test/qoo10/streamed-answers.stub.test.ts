// readOrders against a stub server that sends a large order list in scripted pieces (ADR 0024): the rows
// are handed over while the body is still arriving, the attempt's clock counts only the waits for Qoo10,
// and every way an answer can break is still an error that is retried, never "no rows".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Order } from '../../src/domain/types';
import { Qoo10AbortedError, Qoo10ApiError, Qoo10MalformedResponseError, Qoo10NetworkError, Qoo10TimeoutError } from '../../src/qoo10/errors';
import type { RowFault } from '../../src/qoo10/mappers';
import { ROW_BY_ROW_BYTES } from '../../src/qoo10/http-qoo10-client';
import { clientFor, NOW, DAY } from './qoo10-test-helpers';

interface Scripted {
  body: Buffer;
  /** Bytes per write (default: all at once). */
  piece?: number;
  /** Before writing the bytes from this offset on, wait for `gate` (or gateMs). */
  gateAt?: number;
  gate?: (res: ServerResponse) => Promise<unknown>;
  /** Stop writing at this offset and: 'drop' the connection, or 'stall' (send nothing more). */
  cutAt?: number;
  cut?: 'drop' | 'stall';
}

const ROWS = 3_000;
const KEY = 'SAK-streamed-TOPSECRET-1';
const query = { from: new Date(NOW.getTime() - DAY), to: NOW, condition: 1 } as const;

function row(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    OrderNo: String(3_000_000_000 + i),
    PackNo: String(700_000_000 + i),
    OrderDate: '2026-11-20 09:00:00',
    ShippingStatus: 'Seller confirm(3)',
    ItemNo: '912345001',
    // Multi-byte characters throughout, so pieces cut inside them.
    ItemTitle: `【公式】ビタミンC 美容液 "限定" \\ 🎉 ${i}`,
    OrderQty: '1',
    OrderPrice: 1980,
    Buyer: '山田 花子',
    BuyerEmail: 'hanako@example.jp',
    ...extra,
  };
}

function answerOf(rows: unknown[], envelope: Record<string, unknown> = { ResultCode: 0, ResultMsg: 'SUCCESS' }): Buffer {
  return Buffer.from(JSON.stringify({ ...envelope, ResultObject: rows }), 'utf8');
}

const allRows = Array.from({ length: ROWS }, (_, i) => row(i));
const good = answerOf(allRows);

let server: Server;
let baseUrl: string;
let script: Scripted[] = [];
let closedEarly = 0;

async function send(res: ServerResponse, next: Scripted): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(next.body.length) });
  const end = next.cutAt ?? next.body.length;
  const piece = next.piece ?? next.body.length;
  let gated = next.gateAt === undefined;
  for (let from = 0; from < end; ) {
    let to = Math.min(from + piece, end);
    if (!gated && to > next.gateAt!) {
      to = next.gateAt!;
      gated = true;
      res.write(next.body.subarray(from, to));
      await Promise.race([next.gate?.(res), delay(3_000)]);
      from = to;
      continue;
    }
    const written = res.write(next.body.subarray(from, to));
    from = to;
    if (!written) {
      await new Promise<void>((done) => {
        const go = () => {
          res.off('drain', go);
          res.off('close', go);
          done();
        };
        res.on('drain', go);
        res.on('close', go);
      });
    }
    if (res.destroyed) return;
  }
  if (next.cut === 'drop') res.socket?.destroy();
  else if (next.cut !== 'stall') res.end();
}

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.on('close', () => {
        if (!res.writableFinished) closedEarly += 1;
      });
      void send(res, script.shift() ?? { body: answerOf([]) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Holds the rest of the answer back until the client closes the connection. */
const untilClosed = (res: ServerResponse) => new Promise((done) => res.once('close', done));

function answer(...next: Scripted[]): void {
  script = next;
  closedEarly = 0;
}

async function readAll(overrides: Parameters<typeof clientFor>[2] = {}, take?: (orders: Order[]) => Promise<void>) {
  const batches: Order[][] = [];
  const faults: RowFault[] = [];
  const listed = await clientFor(baseUrl, KEY, overrides).readOrders({ ...query, onRowFault: (f) => faults.push(f) }, async (orders) => {
    batches.push(orders);
    await take?.(orders);
  });
  return { listed, batches, faults, orderNos: batches.flat().map((o) => o.orderNo) };
}

describe('readOrders: a large list read while it arrives', { timeout: 30_000 }, () => {
  test('hands the orders over in batches before the body has ended, whatever the pieces cut', async () => {
    assert.ok(good.length >= 2 * ROW_BY_ROW_BYTES);
    let taken!: () => void;
    const firstBatch = new Promise<void>((done) => (taken = done));
    answer({ body: good, piece: 997, gateAt: good.length - 1_000, gate: () => firstBatch });
    const read = await readAll({}, async () => taken());
    assert.equal(read.listed, ROWS);
    assert.deepEqual(read.batches.map((b) => b.length), [1_000, 1_000, 1_000]);
    // The same orders as the whole read (getOrders) of the same answer.
    answer({ body: good });
    const whole = await clientFor(baseUrl, KEY).getOrders(query);
    assert.deepEqual(read.batches.flat(), whole);
    assert.equal(read.batches[0]![5]!.orderNo, '3000000005');
  });

  test('a first batch is stored while the rest of the answer waits (the server held its end back until then)', async () => {
    let takenAt: number | null = null;
    let gateOpened = false;
    answer({
      body: good,
      piece: 4_096,
      gateAt: good.length - 10,
      gate: async () => {
        while (takenAt === null) await delay(5);
        gateOpened = true;
      },
    });
    await readAll({}, async () => {
      takenAt ??= Date.now();
    });
    assert.ok(gateOpened, 'the first batch was taken before the last bytes were sent');
  });

  test('storing slower than the timeout is not a timeout: the clock counts only the waits for Qoo10', async () => {
    answer({ body: good, piece: 16_384 });
    const read = await readAll({ timeoutMs: 300, maxRetries: 0 }, () => delay(400));
    assert.equal(read.listed, ROWS);
  });

  test('an answer that stalls mid-body times out and is retried; the retry hands every order over', async () => {
    answer({ body: good, piece: 16_384, cutAt: 400_000, cut: 'stall' }, { body: good, piece: 16_384 });
    const read = await readAll({ timeoutMs: 500, maxRetries: 1 });
    assert.equal(read.listed, ROWS);
    assert.equal(new Set(read.orderNos).size, ROWS);
    answer({ body: good, piece: 16_384, cutAt: 400_000, cut: 'stall' });
    await assert.rejects(readAll({ timeoutMs: 300, maxRetries: 0 }), Qoo10TimeoutError);
  });

  test('a connection dropped mid-body is a network error, retried', async () => {
    answer({ body: good, piece: 16_384, cutAt: 500_000, cut: 'drop' });
    await assert.rejects(readAll({ maxRetries: 0 }), Qoo10NetworkError);
    answer({ body: good, piece: 16_384, cutAt: 500_000, cut: 'drop' }, { body: good, piece: 16_384 });
    assert.equal((await readAll({ maxRetries: 1 })).listed, ROWS);
  });

  test('a row that is not JSON near the end makes the answer malformed and retried; row faults are reported once', async () => {
    const nul = allRows.map((r, i) => (i === 10 ? row(i, { OrderDate: '2026-11-20\u0000 09:00:00' }) : r));
    const broken = Buffer.from(answerOf(nul).toString('utf8').replace(/\}\]\}$/, '},{"OrderNo":tru}]}'), 'utf8');
    answer({ body: broken, piece: 8_192 }, { body: answerOf(nul), piece: 8_192 });
    const read = await readAll({ maxRetries: 1 });
    assert.equal(read.listed, ROWS - 1);
    assert.deepEqual(read.faults.map((f) => f.orderNo), ['3000000010']);
    // The first attempt's batches came before its end was found broken; storing is idempotent.
    assert.ok(read.batches.length > 3);
    answer({ body: broken, piece: 8_192 });
    await assert.rejects(readAll({ maxRetries: 0 }), (e: unknown) => e instanceof Qoo10MalformedResponseError && /ResultObject\[3000\] is not valid JSON/.test(e.message));
  });

  test('broken envelopes are malformed, never "no more rows"', async () => {
    const text = good.toString('utf8');
    for (const body of [
      good.subarray(0, good.length - 1),
      good.subarray(0, 600_000),
      Buffer.from(`${text} trailing`),
      Buffer.from(text.replace(/\]\}$/, '],"ResultObject":[]}')),
      Buffer.from(text.replace(/\}\]\}$/, '},]}')),
    ]) {
      answer({ body, piece: 32_768 });
      await assert.rejects(readAll({ maxRetries: 0 }), Qoo10MalformedResponseError);
    }
  });

  test('a ResultCode after the rows decides the answer, as in a whole parse', async () => {
    const body = Buffer.from(good.toString('utf8').replace(/\]\}$/, '],"ResultCode":-10001,"ResultMsg":"seller not found"}'));
    answer({ body, piece: 65_536 });
    const streamed = await readAll({ maxRetries: 0 }).catch((e: unknown) => e);
    answer({ body });
    const whole = await clientFor(baseUrl, KEY, { maxRetries: 0 }).getOrders(query).catch((e: unknown) => e);
    assert.ok(streamed instanceof Qoo10ApiError && whole instanceof Qoo10ApiError);
    assert.equal(streamed.message, whole.message);
  });

  test('odd shapes and small answers are read whole, as before', async () => {
    const late = Buffer.from(JSON.stringify({ ResultObject: allRows, ResultCode: 0 }));
    const bom = Buffer.concat([Buffer.from('\uFEFF'), good]);
    const small = answerOf(allRows.slice(0, 50));
    for (const body of [late, bom, small]) {
      answer({ body, piece: 10_000 });
      const read = await readAll();
      answer({ body });
      assert.deepEqual(read.batches.flat(), await clientFor(baseUrl, KEY).getOrders(query));
    }
    answer({ body: Buffer.from('{"ResultCode":-10001,"ResultMsg":"x","ResultObject":[]}') });
    await assert.rejects(readAll(), Qoo10ApiError);
  });

  test('a caller that aborts while storing stops the read: aborted, not retried, the connection closed', async () => {
    const controller = new AbortController();
    answer({ body: good, piece: 8_192, gateAt: good.length - 10, gate: untilClosed }, { body: good });
    const client = clientFor(baseUrl, KEY);
    await assert.rejects(
      client.readOrders(query, async () => controller.abort(), controller.signal),
      Qoo10AbortedError,
    );
    await delay(50);
    assert.equal(closedEarly, 1);
    assert.equal(script.length, 1, 'not retried');
  });

  test('a storing error ends the read at once, as it is, and closes the connection', async () => {
    answer({ body: good, piece: 8_192, gateAt: good.length - 10, gate: untilClosed }, { body: good });
    await assert.rejects(
      clientFor(baseUrl, KEY).readOrders(query, async () => {
        throw new Error('database refused');
      }),
      /database refused/,
    );
    await delay(50);
    assert.equal(closedEarly, 1);
    assert.equal(script.length, 1, 'not retried');
  });
});
