// How loss charts are drawn (smoothing, log scale, x axis): one setting for the app, kept across screens.
import type { XAxis } from '../lib/chart-series';

export class ChartPrefs {
  smoothing = $state(0.6);
  logY = $state(false);
  xAxis = $state<XAxis>('step');

  get options(): { smoothing: number; logY: boolean; xAxis: XAxis } {
    return { smoothing: Number(this.smoothing), logY: this.logY, xAxis: this.xAxis };
  }
}
