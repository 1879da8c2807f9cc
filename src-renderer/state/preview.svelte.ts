// The dataset preview: a model (its tokenizer), a dataset, a template and a max length in; the first examples out,
// exactly as the model will see them.
import type { DatasetPreview } from '../../src-shared/protocol/api';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';
import { LatestRequest } from '../lib/latest-request';
import type { TemplateDraft } from '../lib/template-draft';
import { defaultTemplateDraft, templateSpecOf } from '../lib/template-draft';

export class PreviewState {
  modelId = $state<number | null>(null);
  datasetId = $state<number | null>(null);
  template = $state<TemplateDraft>(defaultTemplateDraft());
  maxLength = $state(256);
  count = $state(5);
  result = $state.raw<DatasetPreview | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  private readonly latest = new LatestRequest<DatasetPreview>(0);

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
  ) {}

  get ready(): boolean {
    return this.modelId !== null && this.datasetId !== null && Number.isInteger(this.maxLength) && this.maxLength >= 2;
  }

  run(): void {
    const { modelId, datasetId } = this;
    if (modelId === null || datasetId === null) return;
    const params = {
      modelId, datasetId, template: templateSpecOf($state.snapshot(this.template)),
      sequence: { maxLength: this.maxLength }, count: this.count,
    };
    this.latest.schedule((signal) => this.host.request('datasets/preview', params, { signal }), {
      onStart: () => {
        this.busy = true;
        this.error = null;
      },
      onResult: (r) => {
        this.busy = false;
        this.result = r;
      },
      onError: (err) => {
        this.busy = false;
        this.result = null;
        this.error = errorMessage(err);
        this.onError(err);
      },
    });
  }

  dispose(): void {
    this.latest.cancel();
  }
}
