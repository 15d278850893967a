// The month's chart, drawn with uPlot (served from its npm package): daily counted cancels as bars
// coloured by that day's status, the month-to-date total against the limit line (their gap is the
// headroom), and dotted month-end projections at the current pace.
'use strict';

window.CancelGuardChart = (function () {
  const STATUS_COLOURS = { ok: '#2f9e44', watch: '#e0a100', danger: '#e8590c', over: '#c92a2a', unknown: '#667085' };
  const LIMIT_COLOUR = '#c92a2a';
  const HEIGHT = 260;
  let plot = null;
  let resizeBound = false;

  /** Straight line from (from, a) to (to, b), null outside: the month end at today's pace. */
  function projection(length, from, to, a, b) {
    return Array.from({ length }, (_, i) => {
      if (i < from || to <= from) return null;
      return Math.round((a + ((b - a) * (i - from)) / (to - from)) * 10) / 10;
    });
  }

  /**
   * The projections are always drawn, from today to the month's last day: at the current pace when
   * there is one, else flat (nothing more expected). On the month's last day they are one point.
   */
  function seriesData(rate, days) {
    const x = days.map((_, i) => i + 1);
    const past = (pick) => days.map((day) => (day.future ? null : pick(day)));
    const today = days.reduce((last, day, i) => (day.future ? last : i), 0);
    const end = days.length - 1;
    const last = days[today];
    const projectedCounted = Math.max(last.cumulativeCounted, rate.projectedCountedCancels ?? last.cumulativeCounted);
    const monthEndAllowance = Math.max(last.allowance, Math.floor(rate.limit * (rate.projectedOrders ?? last.cumulativeOrders) + 1e-9));
    const line = (a, b) => (today === end ? x.map((_, i) => (i === end ? a : null)) : projection(days.length, today, end, a, b));
    return [
      x,
      past((day) => day.countedCancels),
      past((day) => day.cumulativeCounted),
      past((day) => day.allowance),
      line(last.cumulativeCounted, projectedCounted),
      line(last.allowance, monthEndAllowance),
    ];
  }

  function options(el, rate, days, t) {
    const limit = `${Number((rate.limit * 100).toFixed(2))}%`;
    // With one or two days of data a line has no length: draw the points too.
    const pastDays = days.filter((day) => !day.future).length;
    const points = { show: pastDays <= 2, size: 7 };
    const statusColour = rate.rateDefined ? STATUS_COLOURS[rate.status] || STATUS_COLOURS.ok : STATUS_COLOURS.unknown;
    const barColours = days.map((day) => STATUS_COLOURS[day.status] || STATUS_COLOURS.ok);
    const maxDaily = Math.max(1, ...days.map((day) => day.countedCancels));
    return {
      width: Math.max(280, el.clientWidth),
      height: HEIGHT,
      scales: {
        x: { time: false, range: [0.5, days.length + 0.5] },
        n: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil((max || 0) * 1.1))] },
        // Bars use the lower part of the plot so the lines above stay readable.
        d: { range: [0, maxDaily * 2.5] },
      },
      axes: [
        { scale: 'x', label: t('chart.axisDay'), labelSize: 20, incrs: [1, 2, 5, 7, 10], values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        { scale: 'n', label: t('chart.axisTotal'), labelSize: 20, size: 44 },
        { scale: 'd', side: 1, label: t('chart.axisDaily'), labelSize: 20, size: 36, grid: { show: false }, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) && v <= maxDaily ? String(v) : '')) },
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: t('chart.date'), value: (_u, v) => (v == null ? '—' : t('chart.day', { d: v })) },
        {
          label: t('chart.daily'),
          scale: 'd',
          width: 0,
          fill: STATUS_COLOURS.ok,
          points: { show: false },
          paths: window.uPlot.paths.bars({ size: [0.65, 28], disp: { fill: { unit: 3, values: () => barColours } } }),
        },
        { label: t('chart.cumulative'), scale: 'n', stroke: statusColour, width: 2.5, points: { ...points, fill: statusColour } },
        { label: t('chart.allowance', { limit }), scale: 'n', stroke: LIMIT_COLOUR, width: 1.5, dash: [6, 4], points: { ...points, fill: LIMIT_COLOUR } },
        { label: t('chart.projected'), scale: 'n', stroke: statusColour, width: 1.5, dash: [2, 4], points: { show: false } },
        { label: t('chart.projectedAllowance'), scale: 'n', stroke: '#e59a9a', width: 1.5, dash: [2, 4], points: { show: false } },
      ],
    };
  }

  function render(el, rate, days, t) {
    if (plot) plot.destroy();
    plot = null;
    el.textContent = '';
    if (!window.uPlot || !rate || days.length === 0) return;
    plot = new window.uPlot(options(el, rate, days, t), seriesData(rate, days), el);
    if (!resizeBound) {
      resizeBound = true;
      window.addEventListener('resize', () => {
        if (plot && plot.root.parentElement) plot.setSize({ width: Math.max(280, plot.root.parentElement.clientWidth), height: HEIGHT });
      });
    }
  }

  return { render, STATUS_COLOURS };
})();
