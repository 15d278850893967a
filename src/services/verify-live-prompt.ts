// The typed confirmation of a verify-live write check: the preview goes to `out` (stderr, so --json output stays
// clean) and the seller types the order number on `input`. End of input or anything else means no.
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';
import type { WritePreview } from './verify-live-service';

export async function askTypedConfirmation(preview: WritePreview, input: Readable, out: Writable): Promise<string | null> {
  out.write(`\n${preview.lines.join('\n')}\n`);
  const rl = createInterface({ input, output: out, terminal: false });
  try {
    const answer = await Promise.race([
      rl.question('注文番号: '),
      new Promise<null>((resolve) => rl.once('close', () => resolve(null))),
    ]);
    return answer;
  } finally {
    rl.close();
  }
}
