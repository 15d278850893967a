// The shape of a headline figure, so run-all can print one summary table with the targets beside it.

export interface BenchFigure {
  bench: string;
  figure: string;
  value: string;
  target: string;
  /** Whether the target is met; null for figures given for information. */
  met: boolean | null;
  note?: string;
}

export function figureTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => `| ${f.figure} | ${f.value} | ${f.target} | ${f.met === null ? '–' : f.met ? 'met' : '**missed**'} |`);
  return ['| figure | measured | target | |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
