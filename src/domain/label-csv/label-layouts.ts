// The one table that says how each label-software export looks. Every header name here comes from
// public layouts and integrations (../shared/carriers.md), not from files we have seen
// ourselves: the exact export layouts are UNCONFIRMED. When a real file disagrees, fix the entry
// here; nothing else in the parser knows column names.
import type { CarrierId } from '../types';

export const LABEL_FORMATS = [
  'yamato-b2',
  'sagawa-ehiden2',
  'sagawa-ehiden3',
  'japanpost-yupri',
  'clickpost',
  'generic',
] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

/** The values a parser reads from a row; each maps to one column of the file, if present. */
export type LabelColumn =
  | 'reference'
  | 'tracking'
  | 'carrier'
  | 'service'
  | 'recipientName'
  | 'recipientPostcode'
  | 'recipientPhone';

export interface LabelLayout {
  format: LabelFormat;
  /** What sellers call the software, for messages. */
  software: string;
  /** Carrier of every row, or 'per-row' when a carrier column names it (generic files). */
  carrier: CarrierId | 'per-row';
  /**
   * Header names characteristic of the layout. Detection picks the layout with the most of them
   * present (at least MIN_MARKERS), so a file missing one key column is still recognised and the
   * seller is told which column is missing.
   */
  markers: readonly string[];
  /** Accepted header spellings per value; the first is the one named in messages. */
  columns: { readonly [C in LabelColumn]?: readonly string[] };
  /** Columns the header must contain. */
  required: readonly LabelColumn[];
  /** True when a row without a reference is an error; false leaves it to recipient matching. */
  referenceRequired: boolean;
  /** Code in the service column → service name (the keys of carrier-names.ts). */
  serviceCodes?: Readonly<Record<string, string>>;
  /** Service of every row when the file does not say. */
  defaultService: string | null;
}

export const MIN_MARKERS = 2;

// e飛伝 spells the tracking column in several ways across versions and documents (問合せ / 問い合せ
// / 問い合わせ; No. / NO / № all fold to one key in normalizeHeader); all are accepted for both versions. Ⅱ and Ⅲ are told apart by their other
// columns: Ⅱ has お客様管理ナンバー, 住所録コード, お届け先JISコード; Ⅲ has お客様管理番号,
// お届け先コード取得区分, 荷札品名, 出荷場印字区分.
const SAGAWA_TRACKING = ['お問合せ送り状No.', 'お問い合せ送り状No.', 'お問い合わせ送り状No.'];

export const LABEL_LAYOUTS: readonly LabelLayout[] = [
  {
    format: 'yamato-b2',
    software: 'B2クラウド (Yamato)',
    carrier: 'yamato',
    markers: ['お客様管理番号', '送り状種別', 'クール区分', '伝票番号', '出荷予定日', 'お届け予定（指定）日', '配達時間帯', 'お届け先名', 'ご依頼主名', 'コレクト代金引換額（税込）'],
    columns: {
      reference: ['お客様管理番号'],
      tracking: ['伝票番号'],
      service: ['送り状種別'],
      recipientName: ['お届け先名'],
      recipientPostcode: ['お届け先郵便番号'],
      recipientPhone: ['お届け先電話番号'],
    },
    required: ['reference', 'tracking'],
    referenceRequired: false,
    serviceCodes: {
      '0': '宅急便',
      '2': '宅急便コレクト',
      '3': 'DM便',
      '4': '宅急便タイムサービス',
      '5': '宅急便着払',
      '6': 'メール便速達',
      '7': 'ネコポス',
      '8': '宅急便コンパクト',
      '9': '宅急便コンパクトコレクト',
    },
    defaultService: null,
  },
  {
    format: 'sagawa-ehiden2',
    software: 'e飛伝Ⅱ (Sagawa)',
    carrier: 'sagawa',
    markers: ['お客様管理ナンバー', 'お問合せ送り状No.', '住所録コード', 'お届け先JISコード', 'グループ名', '出荷日時', '荷姿コード', '便種（スピードで選択）', '便種（商品）', '営業店止め', '削除区分'],
    columns: {
      reference: ['お客様管理ナンバー'],
      tracking: SAGAWA_TRACKING,
      recipientName: ['お届け先名称1'],
      recipientPostcode: ['お届け先郵便番号'],
      recipientPhone: ['お届け先電話番号'],
    },
    required: ['reference', 'tracking'],
    referenceRequired: false,
    defaultService: null,
  },
  {
    format: 'sagawa-ehiden3',
    software: 'e飛伝Ⅲ (Sagawa)',
    carrier: 'sagawa',
    markers: ['お客様管理番号', 'お問い合せ送り状No.', 'お届け先コード取得区分', '部署ご担当者コード取得区分', '荷札荷姿', '荷札品名1', 'スピード指定', 'クール便指定', '営業所受取', '出荷場印字区分', '集約解除指定', '出荷日'],
    columns: {
      reference: ['お客様管理番号'],
      tracking: SAGAWA_TRACKING,
      recipientName: ['お届け先名称1'],
      recipientPostcode: ['お届け先郵便番号'],
      recipientPhone: ['お届け先電話番号'],
    },
    required: ['reference', 'tracking'],
    referenceRequired: false,
    defaultService: null,
  },
  {
    format: 'japanpost-yupri',
    software: 'ゆうプリR (Japan Post)',
    carrier: 'japanpost',
    // The shipping-history export holds only the first columns and the status ones; the full
    // issued-data export also has 郵便種別 and the recipient block.
    markers: ['お客様側管理番号', 'お問い合わせ番号', '郵便種別', '発送予定日', '発送予定時間区分', '仮引受確定作業年月日', '配送完了作業年月日', '配達ステータス集約コード', '配達ステータス明細コード'],
    columns: {
      reference: ['お客様側管理番号'],
      tracking: ['お問い合わせ番号', 'お問合せ番号', '追跡番号'],
      service: ['郵便種別'],
      recipientName: ['お届け先 名称１', 'お届け先名称', 'お届け先名'],
      recipientPostcode: ['お届け先 郵便番号'],
      recipientPhone: ['お届け先 電話番号'],
    },
    required: ['reference', 'tracking'],
    referenceRequired: false,
    serviceCodes: { '0': 'ゆうパック', '1': 'ゆうメール', '9': 'ゆうパケット' },
    defaultService: null,
  },
  {
    format: 'clickpost',
    software: 'クリックポスト (Japan Post)',
    carrier: 'japanpost',
    // Click Post exports carry no management number of ours; rows are matched on the recipient.
    markers: ['お問い合わせ番号', '追跡番号', 'お届け先氏名', 'お届け先敬称', 'お届け先住所1行目', '内容品'],
    columns: {
      reference: ['管理番号', '注文番号', 'お客様管理番号'],
      tracking: ['お問い合わせ番号', '追跡番号', 'お問合せ番号'],
      recipientName: ['お届け先氏名', 'お届け先名'],
      recipientPostcode: ['お届け先郵便番号'],
    },
    required: ['tracking'],
    referenceRequired: false,
    defaultService: 'クリックポスト',
  },
  {
    // Our own layout for WMS/3PL exports and hand-made files: header `order_no,carrier,tracking_no`
    // (any order, optional `service` column), carrier as free text (ヤマト, 佐川急便, ゆうパック, 福山通運...).
    format: 'generic',
    software: 'generic CSV (order_no,carrier,tracking_no)',
    carrier: 'per-row',
    markers: ['order_no', 'carrier', 'tracking_no', 'service'],
    columns: { reference: ['order_no'], carrier: ['carrier'], tracking: ['tracking_no'], service: ['service'] },
    required: ['reference', 'carrier', 'tracking'],
    referenceRequired: true,
    defaultService: null,
  },
];

/**
 * Header cells are compared after NFKC (full-width digits/brackets, № → No), without spaces or
 * dots, in lower case: exports and Excel round-trips vary in exactly these details.
 */
export function normalizeHeader(cell: string): string {
  return cell.normalize('NFKC').replace(/[\s.]/g, '').toLowerCase();
}

export function layoutFor(format: LabelFormat): LabelLayout {
  const layout = LABEL_LAYOUTS.find((candidate) => candidate.format === format);
  if (!layout) throw new RangeError(`Unknown label format ${format}`);
  return layout;
}

/** The layout whose markers the header matches best, or null when none reaches MIN_MARKERS. */
export function detectLayout(header: readonly string[]): LabelLayout | null {
  const present = new Set(header.map(normalizeHeader));
  let best: LabelLayout | null = null;
  let bestScore = MIN_MARKERS - 1;
  for (const layout of LABEL_LAYOUTS) {
    const score = new Set(layout.markers.map(normalizeHeader).filter((marker) => present.has(marker))).size;
    // Strictly greater: on a tie the earlier, more specific layout in the table wins.
    if (score > bestScore) {
      best = layout;
      bestScore = score;
    }
  }
  return best;
}

export interface ResolvedColumns {
  /** Column index per value found in the header. */
  indexes: { [C in LabelColumn]?: number };
  /** Display names of required columns the header lacks. */
  missing: string[];
}

export function resolveColumns(layout: LabelLayout, header: readonly string[]): ResolvedColumns {
  const positions = new Map<string, number>();
  header.forEach((cell, index) => {
    const key = normalizeHeader(cell);
    // The first occurrence wins, as a duplicated header name is most likely a copy at the end.
    if (key !== '' && !positions.has(key)) positions.set(key, index);
  });
  const indexes: ResolvedColumns['indexes'] = {};
  const missing: string[] = [];
  for (const [column, spellings] of Object.entries(layout.columns) as Array<[LabelColumn, readonly string[]]>) {
    const found = spellings.map((name) => positions.get(normalizeHeader(name))).find((i) => i !== undefined);
    if (found !== undefined) indexes[column] = found;
    else if (layout.required.includes(column)) missing.push(spellings[0]);
  }
  return { indexes, missing };
}

/** "yamato-b2 (B2クラウド (Yamato)), ..." for the unknown-format message. */
export function describeAcceptedFormats(): string {
  return LABEL_LAYOUTS.map((layout) => `${layout.format} (${layout.software})`).join(', ');
}
