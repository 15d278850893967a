import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulatorCommand } from '../../src/qoo10/simulator/run-simulator-command';
import type { SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { validateScenario } from '../../src/qoo10/simulator/scenario';
import { NOW, ORDERS, SHOP_A_KEY, SHOP_B_KEY, smallScenario } from './qoo10-test-helpers';

function output() {
  const chunks: string[] = [];
  return { out: { write: (t: string) => chunks.push(t) }, text: () => chunks.join('') };
}

/** Runs the command until it listens, lets `use` talk to it, then stops it like Ctrl+C would. */
async function whileServing(argv: string[], use: (url: string, text: string) => Promise<void>): Promise<string> {
  const { out, text } = output();
  const controller = new AbortController();
  let listening!: (sim: SimulatorHandle) => void;
  const started = new Promise<SimulatorHandle>((resolve) => (listening = resolve));
  const exit = runSimulatorCommand(argv, out, { signal: controller.signal, onListening: listening, now: () => NOW });
  await Promise.race([started, exit.then((code) => Promise.reject(new Error(`exited ${code}: ${text()}`)))]);
  const url = /base URL: (\S+)/.exec(text())?.[1];
  assert.ok(url, text());
  try {
    await use(url, text());
  } finally {
    controller.abort();
  }
  assert.equal(await exit, 0);
  return text();
}

describe('runSimulatorCommand', () => {
  test('serves a scenario file: a POST to the real path answers, and the shop keys are printed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qoo10-sim-'));
    const file = join(dir, 'scenario.json');
    await writeFile(file, JSON.stringify(smallScenario()));
    try {
      const printed = await whileServing(['--scenario', file, '--port', '0'], async (url, text) => {
        assert.ok(text.includes(SHOP_A_KEY) && text.includes(SHOP_B_KEY));
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/GMKT\.INC\.Front\.QAPIService\/ebayjapan\.qapi$/);
        const res = await fetch(`${url}/ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
            GiosisCertificationKey: SHOP_A_KEY,
            QAPIVersion: '1.0',
          },
          body: new URLSearchParams({ returnType: 'application/json', OrderNo: ORDERS.requested }).toString(),
        });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { ResultCode: number; ResultObject: { orderNo: string; claimStatus: string } };
        assert.equal(body.ResultCode, 0);
        assert.equal(body.ResultObject.orderNo, ORDERS.requested);
        assert.equal(body.ResultObject.claimStatus, '1');
      });
      assert.match(printed, /stopped/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--generate with a seed serves a generated month and can write it out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qoo10-sim-'));
    const file = join(dir, 'generated.json');
    try {
      await whileServing(['--generate', '--seed', '9', '--orders-per-month', '300', '--shops', '2', '--out', file, '--port', '0'], async (_url, text) => {
        assert.ok(text.includes('sim-sak-9-1') && text.includes('sim-sak-9-2'));
      });
      const written = validateScenario(JSON.parse(await readFile(file, 'utf8')));
      assert.equal(written.shops.length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--faults starts with faults from a file (a cancel applied, its answer dropped); a bad faults file exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qoo10-sim-'));
    const scenarioFile = join(dir, 'scenario.json');
    const faultsFile = join(dir, 'faults.json');
    const badFile = join(dir, 'bad-faults.json');
    await writeFile(scenarioFile, JSON.stringify(smallScenario()));
    await writeFile(faultsFile, JSON.stringify({ lostAnswers: [{ kind: 'drop', methods: ['Claim.SetCancelProcess'] }] }));
    await writeFile(badFile, JSON.stringify({ lostAnswers: [{ kind: 'drop', rate: 2 }] }));
    try {
      let probe: Promise<{ dropped: boolean; cancelled: boolean; answer: string | undefined }> | undefined;
      const { out, text } = output();
      const controller = new AbortController();
      const exit = runSimulatorCommand(['--scenario', scenarioFile, '--faults', faultsFile, '--port', '0'], out, {
        signal: controller.signal,
        now: () => NOW,
        onListening: (sim) => {
          const body = new URLSearchParams({ returnType: 'application/json', ContrNo: ORDERS.requested, CancelReason: '1' }).toString();
          probe = fetch(`${sim.url}/Claim.SetCancelProcess`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', GiosisCertificationKey: SHOP_A_KEY }, body })
            .then((res) => res.text().then(() => false), () => true)
            .then((dropped) => ({ dropped, cancelled: Boolean(sim.state.order(ORDERS.requested)?.cancelledAt), answer: sim.writes[0]?.answer }))
            .finally(() => controller.abort());
        },
      });
      assert.equal(await exit, 0, text());
      assert.deepEqual(await probe, { dropped: true, cancelled: true, answer: 'drop' });
      const bad = output();
      assert.equal(await runSimulatorCommand(['--scenario', scenarioFile, '--faults', badFile], bad.out), 2);
      assert.match(bad.text(), /lostAnswers\[0\]\.rate must be within \[0, 1\]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--help prints usage; bad options and invalid scenarios exit 2 with the reason', async () => {
    const help = output();
    assert.equal(await runSimulatorCommand(['--help'], help.out), 0);
    assert.match(help.text(), /Usage: cancel-guard simulator/);

    const bad = output();
    assert.equal(await runSimulatorCommand(['--port'], bad.out), 2);
    assert.match(bad.text(), /--port needs a value/);

    const dir = await mkdtemp(join(tmpdir(), 'qoo10-sim-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify({ shops: [{ name: 'x', orders: [], claims: [] }] }));
    try {
      const invalid = output();
      assert.equal(await runSimulatorCommand(['--scenario', file], invalid.out), 2);
      assert.match(invalid.text(), /shops\[0\]\.sellerAuthKey: is required/);
      const missing = output();
      assert.equal(await runSimulatorCommand(['--scenario', join(dir, 'none.json')], missing.out), 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
