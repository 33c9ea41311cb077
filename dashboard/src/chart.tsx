import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Point } from './api';
import { compactNumber, countTicks, isIncomplete, labelledBuckets } from './chart-axes';
import { formatNumber } from './format';

interface Series {
  pageviews: Point[];
  sessions: Point[];
  /** The previous period, bucket for bucket, when comparing. */
  compare?: { pageviews: Point[]; sessions: Point[] };
  /** The imported days' part of the buckets that hold some (`imported=true`): those buckets are shaded. */
  imported?: { pageviews: Point[] };
}

const bucketLabel = {
  hour: (d: Date) => d.toLocaleTimeString(undefined, { hour: 'numeric' }),
  day: (d: Date) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
  month: (d: Date) => d.toLocaleDateString(undefined, { month: 'short', year: 'numeric' }),
};

const noAnnotations: readonly { date: string; note: string }[] = [];

/** The axes' text, set on uPlot and measured with the same font. */
const axisFont = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
let measuring: CanvasRenderingContext2D | null = null;
const textWidth = (text: string) => {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (!measuring) return text.length * 7;
  measuring.font = axisFont;
  return Math.ceil(measuring.measureText(text).width);
};

/**
 * Pageviews and visitors per bucket, drawn with uPlot; `x` is the bucket's local start. The y
 * axis starts at 0 in whole-number steps with compact labels; the x axis names as many buckets
 * as fit, the latest always; the bucket still running is drawn dashed (it is not a drop), and
 * buckets still to come are not drawn. Until hovered, the legend shows the period's totals
 * (`totals`, from the stats: visitors are unique over the period, not a sum of days). Buckets
 * holding imported days are shaded and named in the legend.
 */
export function SeriesChart({
  series,
  unit,
  totals,
  annotations = noAnnotations,
}: {
  series: Series;
  unit: 'hour' | 'day' | 'month';
  totals: { pageviews: number; visitors: number };
  /** Dated notes, drawn as dashed vertical lines at their time (a day's note at its local midnight). */
  annotations?: readonly { date: string; note: string }[];
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { pageviews, sessions, compare, imported } = series;
    const now = Date.now();
    const xs = pageviews.map((p) => new Date(p.x.replace(' ', 'T')).getTime() / 1000);
    const labels = xs.map((t) => bucketLabel[unit](new Date(t * 1000)));
    const last = xs.length - 1;
    const running = last >= 0 && isIncomplete(xs[last]! * 1000, unit, now) ? last : xs.findIndex((t) => isIncomplete(t * 1000, unit, now));
    // What is drawn: nothing after now; up to the running bucket solid, that one dashed (the draw hook).
    const drawn = (ys: (number | null)[]) => ys.map((y, i) => (xs[i]! * 1000 > now || (running >= 0 && i >= running) ? null : y));
    const pv = pageviews.map((p) => p.y);
    const visitors = sessions.map((p) => p.y);
    // The previous period's buckets, aligned by position (a month may have a day more or less).
    const previous = compare ? xs.map((_, i) => compare.pageviews[i]?.y ?? null) : null;
    // A little headroom, so that the highest point does not graze the top of the plot.
    const ticks = countTicks(1.06 * Math.max(0, ...pv, ...visitors, ...(previous ?? []).map((y) => y ?? 0)));
    const labelWidth = Math.max(0, ...labels.map(textWidth));
    const yAxisWidth = Math.max(...ticks.map((t) => textWidth(compactNumber(t)))) + 18;
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#aaa' : '#555', grid: { stroke: dark ? '#2c3340' : '#e3e6ec' }, font: axisFont };
    // The box's width inside its padding: clientWidth counts the padding, and a plot that wide stuck out of its card.
    const innerWidth = () => {
      const style = getComputedStyle(element);
      return Math.floor(element.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight));
    };
    const plotWidth = (u: uPlot) => u.bbox.width / uPlot.pxRatio;
    const shown = (u: uPlot) => labelledBuckets(xs.length, plotWidth(u), labelWidth).map((i) => xs[i]!);
    const legendValue = (ys: (number | null)[], total: number) => (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
      idx == null ? formatNumber(total) : ys[idx] == null ? '–' : formatNumber(ys[idx]!);
    const runningDashed = (u: uPlot) => {
      if (running < 1) return;
      const ctx = u.ctx;
      ctx.save();
      ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
      ctx.lineWidth = 2 * uPlot.pxRatio;
      for (const [ys, color] of [
        [pv, '#2f6fde'],
        [visitors, '#e0742f'],
      ] as const) {
        ctx.strokeStyle = color;
        ctx.beginPath();
        ctx.moveTo(u.valToPos(xs[running - 1]!, 'x', true), u.valToPos(ys[running - 1]!, 'y', true));
        ctx.lineTo(u.valToPos(xs[running]!, 'x', true), u.valToPos(ys[running]!, 'y', true));
        ctx.stroke();
      }
      ctx.restore();
    };
    // For the layout test (e2e/chart-layout.test.ts): where the axis labels were drawn, in CSS
    // pixels from the chart box's left edge; the canvas keeps no text to measure.
    const publishLabels = (u: uPlot) => {
      const plotLeft = u.over.getBoundingClientRect().left - element.getBoundingClientRect().left;
      element.dataset.xLabels = JSON.stringify(
        shown(u).map((t) => {
          const text = bucketLabel[unit](new Date(t * 1000));
          const [centre, half] = [plotLeft + u.valToPos(t, 'x'), textWidth(text) / 2];
          return { text, left: centre - half, right: centre + half };
        }),
      );
      element.dataset.yTicks = JSON.stringify(
        ticks.map((t) => ({ value: t, text: compactNumber(t), width: textWidth(compactNumber(t)), room: yAxisWidth - 8 })),
      );
    };
    const importedAt = new Set((imported?.pageviews ?? []).map((p) => p.x));
    const importedBuckets = pageviews.flatMap((p, i) => (importedAt.has(p.x) ? [i] : []));
    // Each imported bucket's band reaches halfway to its neighbours.
    const shadeImported = (u: uPlot) => {
      if (importedBuckets.length === 0) return;
      const ctx = u.ctx;
      const at = (i: number) => u.valToPos(xs[i]!, 'x', true);
      const half = (i: number, side: -1 | 1) =>
        xs[i + side] === undefined ? (side < 0 ? u.bbox.left : u.bbox.left + u.bbox.width) : (at(i) + at(i + side)) / 2;
      ctx.save();
      ctx.fillStyle = dark ? 'rgba(160,170,190,0.14)' : 'rgba(110,120,140,0.12)';
      for (const i of importedBuckets) ctx.fillRect(half(i, -1), u.bbox.top, half(i, 1) - half(i, -1), u.bbox.height);
      ctx.restore();
      element.dataset.imported = JSON.stringify(importedBuckets.map((i) => pageviews[i]!.x));
    };
    const marks = annotations.map((a) => ({ t: Date.parse(a.date) / 1000, note: a.note })).filter((m) => xs.length > 0 && m.t >= xs[0]! && m.t <= xs.at(-1)!);
    const drawAnnotations = (u: uPlot) => {
      const ctx = u.ctx;
      ctx.save();
      ctx.setLineDash([3 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
      ctx.lineWidth = uPlot.pxRatio;
      ctx.strokeStyle = dark ? '#d6b84a' : '#a07c00';
      for (const mark of marks) {
        const x = u.valToPos(mark.t, 'x', true);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
      }
      ctx.restore();
      // For the e2e test: where each note's line was drawn, in CSS pixels from the plot's left.
      element.dataset.annotations = JSON.stringify(marks.map((m) => ({ note: m.note, left: u.valToPos(m.t, 'x') })));
    };
    const plot = new uPlot(
      {
        width: innerWidth(),
        height: 240,
        // Room on the right for half of the last label (it sits on the last bucket).
        padding: [12, Math.ceil(labelWidth / 2) + 4, 0, 0],
        legend: { show: true },
        scales: { y: { range: () => [0, ticks.at(-1)!] } },
        axes: [
          { ...axis, splits: shown, values: (_u: uPlot, splits: number[]) => splits.map((t) => bucketLabel[unit](new Date(t * 1000))) },
          { ...axis, size: yAxisWidth, splits: () => ticks, values: (_u: uPlot, splits: number[]) => splits.map(compactNumber) },
        ],
        series: [
          { label: 'Period', value: (_u: uPlot, t: number | null) => (t == null ? 'all' : bucketLabel[unit](new Date(t * 1000))) },
          { label: 'Pageviews', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.12)', width: 2, value: legendValue(pv, totals.pageviews) },
          { label: 'Visitors', stroke: '#e0742f', width: 2, value: legendValue(visitors, totals.visitors) },
          ...(previous
            ? [
                {
                  label: 'Pageviews, previous period',
                  stroke: '#8a93a6',
                  width: 1.5,
                  dash: [6, 4],
                  value: legendValue(
                    previous,
                    previous.reduce<number>((a, b) => a + (b ?? 0), 0),
                  ),
                },
              ]
            : []),
        ],
        hooks: { drawAxes: [shadeImported], draw: [runningDashed, drawAnnotations, publishLabels] },
      },
      [xs, drawn(pv), drawn(visitors), ...(previous ? [previous] : [])] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: innerWidth(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, unit, totals, annotations]);
  return <div class="chart" ref={box} aria-label="Pageviews and visitors over time" role="img" />;
}
