// chart.js, registered once with only the parts the app's line charts use (tree-shaken), and the base options every
// chart shares: no animation (stable screenshots, less work on every update), a linear x axis.
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';
import type { ChartDataset, ChartOptions } from 'chart.js';
import type { ChartLine } from '../lib/chart-series';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Tooltip, Legend, Filler);

export { Chart };

export type LineDataset = ChartDataset<'line', { x: number; y: number }[]>;

export function datasetOf(line: ChartLine): LineDataset {
  return {
    label: line.label,
    data: line.points,
    borderColor: line.colour,
    backgroundColor: line.colour,
    borderWidth: line.width,
    borderDash: line.dashed ? [6, 4] : [],
    pointRadius: line.markers ? 2.5 : 0,
    pointHoverRadius: 4,
    pointHitRadius: line.tooltip ? 6 : 0,
    tension: 0,
    spanGaps: true,
    parsing: false,
    normalized: true,
  };
}

export interface AxisTitles {
  x: string;
  y: string;
}

export function baseOptions(titles: AxisTitles, logY: boolean, tooltipFilter: (datasetIndex: number) => boolean): ChartOptions<'line'> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'xy' },
    plugins: {
      legend: { display: false },
      tooltip: {
        filter: (item) => tooltipFilter(item.datasetIndex),
        callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${Number(item.parsed.y).toPrecision(5)}` },
      },
    },
    scales: {
      x: { type: 'linear', title: { display: true, text: titles.x }, ticks: { maxTicksLimit: 8 } },
      y: { type: logY ? 'logarithmic' : 'linear', title: { display: true, text: titles.y }, ticks: { maxTicksLimit: 7 } },
    },
  };
}
