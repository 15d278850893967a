// The simulator's admin path /__sim/…, for a demo driven from a shell or a browser (JSON in, JSON out).
// It is not Qoo10's API and needs no key: the simulator listens on 127.0.0.1 only by default.
//   GET  /__sim/shops                       shops with counts (keys shown as fingerprints)
//   POST /__sim/orders          {shop, …}   add an order (ScenarioOrder fields; itemTitle required)
//   POST /__sim/cancel-requests {orderNo, reason?}  the buyer asks to cancel
//   POST /__sim/shipments       {orderNo, carrier?, trackingNo?}  the seller ships out of band
//   POST /__sim/clock           {advanceMinutes} | {set: ISO date}
//   POST /__sim/faults          SimulatorFaults (replaces the current faults; lostAnswers: write-faults.ts)
import { keyFingerprint } from '../key-fingerprint';
import { parseScenarioDate } from './scenario';
import type { SimulatorHandle } from './start-simulator';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;

const bad = (message: string): AdminAnswer => ({ status: 400, body: { error: message } });

export function handleAdminRequest(method: string, action: string, rawBody: string, sim: SimulatorHandle): AdminAnswer {
  let body: Body = {};
  if (method === 'POST') {
    try {
      body = rawBody.trim() === '' ? {} : (JSON.parse(rawBody) as Body);
    } catch {
      return bad('body must be JSON');
    }
  }
  try {
    return route(method, action, body, sim);
  } catch (error) {
    return bad(error instanceof Error ? error.message : String(error));
  }
}

function route(method: string, action: string, body: Body, sim: SimulatorHandle): AdminAnswer {
  const { state, clock } = sim;
  const key = `${method} ${action}`;
  switch (key) {
    case 'GET shops':
      return {
        status: 200,
        body: {
          now: clock.now().toISOString(),
          shops: state.shops.map((shop) => ({
            name: shop.name,
            key: keyFingerprint(shop.sellerAuthKey),
            orders: shop.orders.size,
            openCancelRequests: shop.claims.filter((c) => c.claimStatus === 1 && c.withdrawnAt === null).length,
          })),
        },
      };
    case 'POST orders': {
      const shop = state.shopByName(String(body.shop ?? ''));
      if (!shop) return bad('unknown shop (give its name)');
      if (typeof body.itemTitle !== 'string') return bad('itemTitle is required');
      const fields: Body = { ...body };
      delete fields.shop;
      return { status: 200, body: state.addOrder(shop, fields as Parameters<typeof state.addOrder>[1]) };
    }
    case 'POST cancel-requests':
      return {
        status: 200,
        body: state.requestCancel(String(body.orderNo ?? ''), typeof body.reason === 'string' ? body.reason : undefined),
      };
    case 'POST shipments': {
      const tracking =
        typeof body.carrier === 'string' && typeof body.trackingNo === 'string'
          ? { carrier: body.carrier, trackingNo: body.trackingNo }
          : undefined;
      return { status: 200, body: state.shipOrder(String(body.orderNo ?? ''), tracking) };
    }
    case 'POST clock': {
      if (typeof body.advanceMinutes === 'number') clock.advance(body.advanceMinutes * 60_000);
      else if (typeof body.set === 'string') {
        const at = parseScenarioDate(body.set);
        if (!at) return bad('set must be a date');
        clock.set(at);
      } else return bad('give advanceMinutes or set');
      return { status: 200, body: { now: clock.now().toISOString() } };
    }
    case 'POST faults':
      sim.setFaults(body);
      return { status: 200, body: { faults: body } };
    default:
      return { status: 404, body: { error: `no admin action ${key}` } };
  }
}
