// The typed confirmation of a verify-live write check, on streams as the CLI uses stdin and stderr.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { askTypedConfirmation } from '../../src/services/verify-live-prompt';

const preview = { check: 'accept' as const, orderNo: '1000000002', lines: ['注文 1000000002 をキャンセルします。'] };

function streams(input: string | null) {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let shown = '';
  stderr.on('data', (chunk) => (shown += String(chunk)));
  if (input === null) stdin.end();
  else stdin.write(input);
  return { stdin, stderr, shown: () => shown };
}

describe('askTypedConfirmation', () => {
  test('shows the preview and returns the line typed', async () => {
    const s = streams('1000000002\n');
    assert.equal(await askTypedConfirmation(preview, s.stdin, s.stderr), '1000000002');
    assert.match(s.shown(), /注文 1000000002 をキャンセルします。/);
    assert.match(s.shown(), /注文番号: /);
  });

  test('the end of input is no answer', async () => {
    const s = streams(null);
    assert.equal(await askTypedConfirmation(preview, s.stdin, s.stderr), null);
  });
});
