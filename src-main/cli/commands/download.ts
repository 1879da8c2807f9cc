// `peft-lab download REPO_ID`: a model from the Hugging Face Hub (only the files a run needs) into the cache shared
// with Python, resumable and checked, then registered in the model library.
import type { Command } from 'commander';
import type { DownloadCliOptions } from '../actions/download';

export function registerDownload(program: Command): void {
  program
    .command('download')
    .description('download a model from the Hugging Face Hub into the shared cache and register it (config, tokenizer, safetensors only)')
    .argument('<repo>', 'Hub repository id, e.g. meta-llama/Llama-3.2-1B')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--token <token>', 'token for a gated or private model (default: $HF_TOKEN, then the token file of `hf auth login`)')
    .option('--cache-dir <dir>', 'Hub cache folder (default: $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub)')
    .option('--data-dir <dir>', 'PEFT Lab data folder (the model library); default $PEFT_LAB_DATA or ~/.peft-lab')
    .option('--endpoint <url>', 'Hub URL (default: $HF_ENDPOINT or https://huggingface.co)')
    .option('--name <name>', 'name in the model library (default: the repo id)')
    .option('--dry-run', 'only list the files and the total size')
    .option('--json', 'print the registered model (or the plan) as JSON')
    .action(async (repo: string, o: DownloadCliOptions) => (await import('../actions/download')).download(repo, o));
}
