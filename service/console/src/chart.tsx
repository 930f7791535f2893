import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export interface Series {
  label: string;
  color: string;
  values: number[];
}

/**
 * A line chart of values over time (seconds since the epoch), drawn by uPlot on a canvas that follows the width
 * of its container. The same figures are offered as a table next to it, for screen readers.
 */
export function TimeChart({ title, times, series }: { title: string; times: number[]; series: Series[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        title,
        width: width(),
        height: 240,
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true } })),
        ],
        // One run is one point: show the hour around it rather than uPlot's years of padding.
        scales: {
          x: { time: true, range: (_u, min, max) => (min === max ? [min - 1800, max + 1800] : [min, max]) },
        },
        axes: [{}, { size: 56, values: (_u, splits) => splits.map((v) => COMPACT.format(v)) }],
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const resized = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [title, times, series]);
  return (
    <div
      ref={box}
      class="chart"
      role="img"
      aria-label={`${title}: ${series.map((s) => s.label).join(', ')}`}
    />
  );
}
