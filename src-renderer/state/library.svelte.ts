// Registered models and datasets: listed from the host, refreshed when it says they changed.
import type { DatasetRecord, ModelRecord } from '../../src-shared/domain/records';
import type { Host } from '../lib/host';

export class LibraryState {
  models = $state.raw<ModelRecord[]>([]);
  datasets = $state.raw<DatasetRecord[]>([]);
  loaded = $state(false);
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
  ) {
    this.unsubscribe = [
      host.on('models/changed', () => void this.loadModels()),
      host.on('datasets/changed', () => void this.loadDatasets()),
    ];
  }

  async load(): Promise<void> {
    await Promise.all([this.loadModels(), this.loadDatasets()]);
    this.loaded = true;
  }

  model(id: number | null): ModelRecord | undefined {
    return this.models.find((m) => m.id === id);
  }

  dataset(id: number | null): DatasetRecord | undefined {
    return this.datasets.find((d) => d.id === id);
  }

  async registerModel(path: string): Promise<ModelRecord> {
    const rec = await this.host.request('models/register', { path });
    this.models = upsert(this.models, rec);
    return rec;
  }

  async registerDataset(path: string): Promise<DatasetRecord> {
    const rec = await this.host.request('datasets/register', { path });
    this.datasets = upsert(this.datasets, rec);
    return rec;
  }

  async removeModel(id: number): Promise<void> {
    await this.host.request('models/remove', { id });
    this.models = this.models.filter((m) => m.id !== id);
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
  }

  private async loadModels(): Promise<void> {
    try {
      this.models = await this.host.request('models/list', {});
    } catch (err) {
      this.onError(err);
    }
  }

  private async loadDatasets(): Promise<void> {
    try {
      this.datasets = await this.host.request('datasets/list', {});
    } catch (err) {
      this.onError(err);
    }
  }
}

function upsert<T extends { id: number }>(list: T[], rec: T): T[] {
  return list.some((x) => x.id === rec.id) ? list.map((x) => (x.id === rec.id ? rec : x)) : [...list, rec];
}
