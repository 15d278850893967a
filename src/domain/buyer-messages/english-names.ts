// Carrier names for English messages, which carry no Japanese script: the carrier Qoo10 or the shop
// wrote in Japanese is translated, a Latin name is kept, and an unknown Japanese name is replaced by
// a pointer to the order page rather than printed.
import { carrierFromName } from '../carrier-names';
import { hasJapanese } from './refund-routes';

// Checked in order: services first, so ネコポス does not read as plain Yamato.
const NAMES: ReadonlyArray<[RegExp, string]> = [
  [/ネコポス/, 'Yamato Transport (Nekopos)'],
  [/DM便/, 'Yamato Transport (Kuroneko DM-bin)'],
  [/ゆうパケット/, 'Japan Post (Yu-Packet)'],
  [/ゆうパック/, 'Japan Post (Yu-Pack)'],
  [/クリックポスト/, 'Japan Post (Click Post)'],
  [/ゆうメール/, 'Japan Post (Yu-Mail)'],
  [/レターパック/, 'Japan Post (Letter Pack)'],
  [/福山/, 'Fukuyama Transporting'],
  [/西濃|カンガルー/, 'Seino Transportation'],
  [/名鉄/, 'Meitetsu Transportation'],
  [/トナミ/, 'Tonami Transportation'],
];

const BY_CARRIER = { yamato: 'Yamato Transport', sagawa: 'Sagawa Express', japanpost: 'Japan Post' } as const;

export const UNKNOWN_CARRIER_EN = 'the carrier shown on your Qoo10 order page';

export function englishCarrierName(name: string): string {
  const text = name.normalize('NFKC').trim();
  if (!hasJapanese(text)) return text;
  const named = NAMES.find(([pattern]) => pattern.test(text));
  if (named) return named[1];
  const carrier = carrierFromName(text);
  return carrier && carrier !== 'other' ? BY_CARRIER[carrier] : UNKNOWN_CARRIER_EN;
}
