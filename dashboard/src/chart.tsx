import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Point } from './api';

/** Pageviews and visitors per bucket, drawn with uPlot; `x` is the bucket's local start. */
export function SeriesChart({ pageviews, visitors }: { pageviews: Point[]; visitors: Point[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const xs = pageviews.map((p) => new Date(p.x.replace(' ', 'T')).getTime() / 1000);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: 240,
        legend: { show: true },
        axes: [{ stroke: dark ? '#aaa' : '#555' }, { stroke: dark ? '#aaa' : '#555' }],
        series: [
          {},
          { label: 'Pageviews', stroke: '#2f6fde', fill: 'rgba(47,111,222,0.12)', width: 2 },
          { label: 'Visitors', stroke: '#e0742f', width: 2 },
        ],
      },
      [xs, pageviews.map((p) => p.y), visitors.map((p) => p.y)],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [pageviews, visitors]);
  return <div class="chart" ref={box} aria-label="Pageviews and visitors over time" role="img" />;
}
