// Public surface of the label-export parsers.
export { parseLabelCsv } from './parse-label-csv';
export type { HeldLabelRow, LabelFileProblem, LabelRecipient, LabelRow, ParsedLabelFile, ParseLabelCsvOptions } from './parse-label-csv';
export { LABEL_FORMATS, LABEL_LAYOUTS, detectLayout, normalizeHeader } from './label-layouts';
export type { LabelFormat, LabelLayout } from './label-layouts';
export { decodeLabelFile } from './decode-label-file';
export type { LabelFileEncoding } from './decode-label-file';
