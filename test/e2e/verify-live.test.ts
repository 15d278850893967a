// `cancel-guard verify-live` against the simulator over real HTTP, on a real database: each probe's verdict in
// each simulated behaviour, the guided write checks (sent only after the typed order number), nothing written in
// read-only mode (the simulator's call log), and the key never in the report, the logs or the database.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FactVerdict, Qoo10Fact } from '../../src/domain/qoo10-facts';
import type { Shop } from '../../src/domain/types';
import { ShopLock } from '../../src/persistence/shop-lock';
import { Qoo10FactRepository } from '../../src/persistence/qoo10-fact-repository';
import { PROBE_READ_METHODS } from '../../src/qoo10/qoo10-probe-reader';
import { qoo10Behaviour, type Qoo10Behaviour } from '../../src/qoo10/simulator/qoo10-behaviour';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { VerifiedFacts } from '../../src/services/verified-facts';
import { formatVerifyLiveReport } from '../../src/services/verify-live-report';
import { VerifyLiveService, type VerifyLiveReport, type WriteCheckRequest, type WritePreview } from '../../src/services/verify-live-service';
import { captureLogger, clientFor, NOW, ORDERS, SHOP_A_KEY, smallScenario } from '../qoo10/qoo10-test-helpers';
import { createTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let shop: Shop;
let sim: SimulatorHandle;
let logs: string[];
let previews: WritePreview[];

before(async () => {
  t = await createTestApp();
  shop = await t.services.shops.ensureShopForKey({ name: 'Shop A', sellerAuthKey: SHOP_A_KEY, isDemo: false });
});
after(async () => {
  await t.close();
});
beforeEach(async () => {
  sim = await startSimulator({ scenario: smallScenario(), now: () => NOW });
  previews = [];
});
afterEach(async () => {
  await sim.close();
});

const factsRepository = () => new Qoo10FactRepository(t.db.dataSource);

function service(): VerifyLiveService {
  const captured = captureLogger();
  logs = captured.lines;
  return new VerifyLiveService({
    shops: t.services.shops,
    facts: factsRepository(),
    shopLock: new ShopLock(t.db.dataSource),
    qoo10Clients: async () => clientFor(sim.url, SHOP_A_KEY, { logger: captured.logger }),
    baseUrl: () => sim.url,
    timeoutMs: 2_000,
    minIntervalMs: 0,
    logger: captured.logger,
    now: () => NOW,
  });
}

function behave(behaviour: Partial<Qoo10Behaviour>): void {
  sim.state.shopByKey(SHOP_A_KEY)!.behaviour = qoo10Behaviour(behaviour);
}

/** Runs verify-live; `typed` is what the seller types at each confirmation (default: the order number). */
async function verify(writes?: WriteCheckRequest, typed?: string): Promise<VerifyLiveReport> {
  return service().run({
    shopId: shop.id,
    writes,
    confirm: async (preview) => {
      previews.push(preview);
      return typed ?? preview.orderNo;
    },
  });
}

const verdictOf = (report: VerifyLiveReport, fact: Qoo10Fact) => report.findings.find((f) => f.fact === fact)!;
const verdicts = (report: VerifyLiveReport) => Object.fromEntries(report.findings.map((f) => [f.fact, f.verdict]));
const WRITE_METHODS = /SetCancelProcess|SetSendingInfo|SetSellerCheck|CreateCertificationKey/i;
const writesSent = () => sim.calls.filter((c) => WRITE_METHODS.test(c.method));
const claimOf = (orderNo: string) => sim.state.shopByKey(SHOP_A_KEY)!.claims.filter((c) => c.orderNo === orderNo).at(-1);

describe('verify-live, read-only (the default)', () => {
  test('settles every read fact on the documented behaviour and sends reads only', async () => {
    const report = await verify();
    assert.deepEqual(verdicts(report), {
      claim_status_readable: 'confirmed',
      completion_time_on_reads: 'confirmed',
      search_dates_to_second: 'confirmed',
      fresh_read_fields: 'confirmed',
      search_window_90_days: 'confirmed',
      no_throttling_at_our_pace: 'confirmed',
      accept_keeps_buyer_reason: 'unknown',
      ship_confirm_ends_request: 'unknown',
    });
    assert.equal(report.mode, 'read_only');
    assert.deepEqual(report.writes, []);
    assert.ok(sim.calls.length >= 10);
    assert.deepEqual(sim.calls.filter((c) => !(PROBE_READ_METHODS as readonly string[]).includes(c.method)), [], 'only the three read methods');
    assert.deepEqual(writesSent(), []);
    assert.deepEqual(verdictOf(report, 'claim_status_readable').observed, { 'list:label': 3, 'fresh_read:code': 1 });
    assert.match(verdictOf(report, 'search_dates_to_second').evidence, /2026-11-20 09:00:00/);
    assert.ok(report.observations.envelopes.includes('ShippingBasic.GetClaimInfo_V3: ResultObject array'));
    assert.ok(report.observations.envelopes.includes('ShippingBasic.GetClaimInfo_V3: ResultObject one object'));
  });

  test('write checks named without the typed order number send nothing', async () => {
    const report = await verify(
      { accept: { orderNo: ORDERS.requested }, shipConfirm: { orderNo: ORDERS.cartRequested, carrier: 'ヤマト宅急便', trackingNo: '400000000023' } },
      'yes',
    );
    assert.equal(previews.length, 2, 'each check showed its preview');
    assert.deepEqual(writesSent(), []);
    assert.equal(report.mode, 'read_only');
    assert.deepEqual(report.writes.map((w) => w.sent), [false, false]);
    assert.equal(verdictOf(report, 'accept_keeps_buyer_reason').verdict, 'unknown');
    assert.equal(sim.state.order(ORDERS.requested)?.cancelledAt, null);
    assert.equal(sim.state.order(ORDERS.cartRequested)?.shippingStatus, 3);
  });

  const variants: Array<[string, Partial<Qoo10Behaviour>, Qoo10Fact, FactVerdict, RegExp?]> = [
    ['claimStatus as bare codes', { claimStatusShape: 'code' }, 'claim_status_readable', 'confirmed', /list:code/],
    ['claimStatus as labels without a code', { claimStatusShape: 'label_without_code' }, 'claim_status_readable', 'contradicted', /読み取れない/],
    ['no completion time on completed cancels', { completionTimeFields: false }, 'completion_time_on_reads', 'contradicted', /1 行で完了日時が空/],
    ['search dates honoured to the day only', { searchDatesToSecond: false }, 'search_dates_to_second', 'contradicted', /日付単位/],
    ['a fresh read without requestDate', { freshReadOmits: ['requestDate'] }, 'fresh_read_fields', 'contradicted', /requestDate/],
    ['no search window limit', { maxSearchDays: null }, 'search_window_90_days', 'contradicted', /91 日 ok/],
    ['a 60-day search window limit', { maxSearchDays: 60 }, 'search_window_90_days', 'contradicted', /90 日 refused/],
    ['throttling after 4 calls a minute', { throttle: { maxCalls: 4, perSeconds: 60 } }, 'no_throttling_at_our_pace', 'contradicted', /流量制限/],
  ];
  for (const [what, behaviour, fact, expected, evidence] of variants) {
    test(`${what}: ${fact} is ${expected}`, async () => {
      behave(behaviour);
      const finding = verdictOf(await verify(), fact);
      assert.equal(finding.verdict, expected, finding.evidence);
      if (evidence) assert.match(finding.evidence + JSON.stringify(finding.observed ?? {}), evidence);
      assert.deepEqual(writesSent(), []);
    });
  }

  test('throttled calls leave the facts they hid unknown, not contradicted', async () => {
    behave({ throttle: { maxCalls: 2, perSeconds: 60 } });
    const report = await verify();
    for (const fact of ['search_dates_to_second', 'fresh_read_fields', 'search_window_90_days'] as const) {
      assert.equal(verdictOf(report, fact).verdict, 'unknown', fact);
    }
    assert.ok(report.observations.failures.some((f) => /code -90020/.test(f)));
  });

  test('a shop with nothing to read leaves the facts that need rows unknown', async () => {
    sim.state.shopByKey(SHOP_A_KEY)!.orders.clear();
    sim.state.shopByKey(SHOP_A_KEY)!.claims.length = 0;
    const report = await verify();
    for (const fact of ['claim_status_readable', 'completion_time_on_reads', 'search_dates_to_second', 'fresh_read_fields'] as const) {
      assert.equal(verdictOf(report, fact).verdict, 'unknown', fact);
    }
    assert.equal(verdictOf(report, 'search_window_90_days').verdict, 'confirmed');
    assert.ok(report.observations.envelopes.includes('ShippingBasic.GetShippingInfo_v3: ResultObject []'));
  });
});

describe('verify-live, guided write checks', () => {
  test('accepting a buyer request: one SetCancelProcess with CancelReason 1; the reason kept is confirmed', async () => {
    const report = await verify({ accept: { orderNo: ORDERS.requested } });
    assert.equal(verdictOf(report, 'accept_keeps_buyer_reason').verdict, 'confirmed');
    assert.deepEqual(writesSent().map((c) => [c.method, c.params.ContrNo, c.params.CancelReason]), [['Claim.SetCancelProcess', ORDERS.requested, '1']]);
    assert.equal(claimOf(ORDERS.requested)?.claimStatus, 3);
    assert.equal(report.mode, 'guided');
    assert.match(previews[0].lines.join('\n'), /CancelReason=1/);
  });

  test('accepting a buyer request where Qoo10 replaces the reason: contradicted, the buyer\'s text not shown', async () => {
    behave({ acceptKeepsBuyerReason: false });
    const finding = verdictOf(await verify({ accept: { orderNo: ORDERS.requested } }), 'accept_keeps_buyer_reason');
    assert.equal(finding.verdict, 'contradicted');
    assert.match(finding.evidence, /「注文変更」/);
    assert.doesNotMatch(finding.evidence, /注文間違い/, 'the buyer\'s reason text stays out of the report');
  });

  test('an accept check on an order without a pending request sends nothing', async () => {
    const report = await verify({ accept: { orderNo: ORDERS.shipped } });
    assert.deepEqual(writesSent(), []);
    assert.equal(previews.length, 0, 'no preview: the order does not qualify');
    assert.match(report.writes[0].note, /保留中のキャンセル要請/);
  });

  test('ship-confirm where the request stays pending (documented): contradicted; キャンセル拒否 in QSM then ends it', async () => {
    const report = await verify({ shipConfirm: { orderNo: ORDERS.requested, carrier: '佐川急便', trackingNo: '360000000012' } });
    const finding = verdictOf(report, 'ship_confirm_ends_request');
    assert.equal(finding.verdict, 'contradicted', finding.evidence);
    assert.deepEqual(writesSent().map((c) => [c.method, c.params.OrderNo, c.params.TrackingNo]), [['ShippingBasic.SetSendingInfo', ORDERS.requested, '360000000012']]);
    assert.equal(claimOf(ORDERS.requested)?.claimStatus, 1);
    sim.state.refuseInQsm(ORDERS.requested);
    assert.equal(claimOf(ORDERS.requested)?.endedBy, 'qsm_refusal');
  });

  test('ship-confirm where Qoo10 ends the request: confirmed, and the service then knows it', async () => {
    behave({ shipConfirmEndsRequest: true });
    const report = await verify({ shipConfirm: { orderNo: ORDERS.requested, carrier: '佐川急便', trackingNo: '360000000012' } });
    assert.equal(verdictOf(report, 'ship_confirm_ends_request').verdict, 'confirmed');
    const facts = new VerifiedFacts(factsRepository());
    assert.equal(await facts.shipConfirmEndsRequest(shop.id), true);

    // A later read-only run cannot tell, and does not undo what was seen.
    await verify();
    assert.equal(await facts.verdict(shop.id, 'ship_confirm_ends_request'), 'confirmed');
    assert.equal(await facts.shipConfirmEndsRequest(shop.id), true);
  });

  test('ship-confirm without a carrier and tracking number sends nothing', async () => {
    const report = await verify({ shipConfirm: { orderNo: ORDERS.requested } });
    assert.deepEqual(writesSent(), []);
    assert.match(report.writes[0].note, /--carrier/);
  });
});

describe('verify-live keeps the key secret and stores each run', () => {
  test('the key is in neither the report, the text, the logs nor the database', async () => {
    const report = await verify({ accept: { orderNo: ORDERS.requested } });
    const stored = await t.db.dataSource.query('SELECT report::text AS r FROM qoo10_verifications');
    const facts = await t.db.dataSource.query('SELECT evidence, observed::text AS o FROM qoo10_facts');
    const everything = [JSON.stringify(report), formatVerifyLiveReport(report), ...logs, JSON.stringify(stored), JSON.stringify(facts)].join('\n');
    assert.ok(logs.some((l) => /verify-live finished/.test(l)), 'the logs were captured');
    assert.ok(!everything.includes(SHOP_A_KEY));
    assert.ok(!everything.includes('TOPSECRET'));
  });

  test('an unknown key (which the gateway echoes) leaves it out too, and every fact unknown', async () => {
    const other = await t.services.shops.ensureShopForKey({ name: 'Shop X', sellerAuthKey: 'SAK-unknown-TOPSECRET-0000', isDemo: false });
    const captured = captureLogger();
    const report = await new VerifyLiveService({
      shops: t.services.shops, facts: factsRepository(), shopLock: new ShopLock(t.db.dataSource),
      qoo10Clients: async () => clientFor(sim.url, 'SAK-unknown-TOPSECRET-0000'), baseUrl: () => sim.url,
      timeoutMs: 2_000, minIntervalMs: 0, logger: captured.logger, now: () => NOW,
    }).run({ shopId: other.id });
    assert.ok(report.findings.every((f) => f.verdict === 'unknown'), JSON.stringify(verdicts(report)));
    assert.ok(report.observations.failures.some((f) => /-90002/.test(f)));
    assert.ok(!`${JSON.stringify(report)}${captured.lines.join('')}`.includes('TOPSECRET'));
  });

  test('the report text names every fact with its verdict in Japanese', async () => {
    behave({ searchDatesToSecond: false });
    const text = formatVerifyLiveReport(await verify());
    assert.match(text, /\[食い違い\] 検索日時 yyyyMMddHHmmss が秒単位で扱われる/);
    assert.match(text, /\[確認済み\] claimStatus/);
    assert.match(text, /\[不明\] 発送処理/);
    assert.match(text, /何も書き込んでいません/);
  });
});
