import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Point } from './api';

interface Series {
  pageviews: Point[];
  sessions: Point[];
  /** The previous period, bucket for bucket, when comparing. */
  compare?: { pageviews: Point[]; sessions: Point[] };
}

const bucketLabel = {
  hour: (d: Date) => d.toLocaleTimeString(undefined, { hour: 'numeric' }),
  day: (d: Date) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
  month: (d: Date) => d.toLocaleDateString(undefined, { month: 'short', year: 'numeric' }),
};

/** Pageviews and visitors per bucket, drawn with uPlot; `x` is the bucket's local start. */
export function SeriesChart({ series, unit }: { series: Series; unit: 'hour' | 'day' | 'month' }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { pageviews, sessions, compare } = series;
    const xs = pageviews.map((p) => new Date(p.x.replace(' ', 'T')).getTime() / 1000);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#aaa' : '#555', grid: { stroke: dark ? '#2c3340' : '#e3e6ec' } };
    // The previous period's buckets, aligned by position (a month may have a day more or less).
    const previous = compare ? xs.map((_, i) => compare.pageviews[i]?.y ?? null) : null;
    // The box's width inside its padding: clientWidth counts the padding, and a plot that wide stuck out of its card.
    const innerWidth = () => {
      const style = getComputedStyle(element);
      return Math.floor(element.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight));
    };
    const plot = new uPlot(
      {
        width: innerWidth(),
        height: 240,
        legend: { show: true },
        axes: [{ ...axis, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => bucketLabel[unit](new Date(t * 1000))) }, axis],
        series: [
          { value: (_u: uPlot, t: number) => (t == null ? '' : bucketLabel[unit](new Date(t * 1000))) },
          { label: 'Pageviews', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.12)', width: 2 },
          { label: 'Visitors', stroke: '#e0742f', width: 2 },
          ...(previous ? [{ label: 'Pageviews, previous period', stroke: '#8a93a6', width: 1.5, dash: [6, 4] }] : []),
        ],
      },
      [xs, pageviews.map((p) => p.y), sessions.map((p) => p.y), ...(previous ? [previous] : [])] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: innerWidth(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, unit]);
  return <div class="chart" ref={box} aria-label="Pageviews and visitors over time" role="img" />;
}
