// `peft-lab models list|register|remove|relocate|refresh`: the model library from the command line (the same host
// handlers the app uses).
import type { Command } from 'commander';
import { positiveInt } from '../options';
import type { ModelsCliOptions } from '../actions/models';

const DATA_HELP = 'PEFT Lab data folder (the model library); default $PEFT_LAB_DATA or ~/.peft-lab';

export function registerModels(program: Command): void {
  const models = program.command('models').description('the model library: list, register, remove, relocate, refresh');
  const act = async () => import('../actions/models');
  models.command('list').description('list registered models (a folder that changed since registration is flagged)')
    .option('--data-dir <dir>', DATA_HELP).option('--json', 'print JSON')
    .action(async (o: ModelsCliOptions) => (await act()).listModels(o));
  models.command('register').description('register a Hugging Face model folder').argument('<path>', 'model folder')
    .option('--name <name>', 'name in the library').option('--data-dir <dir>', DATA_HELP).option('--json', 'print JSON')
    .action(async (p: string, o: ModelsCliOptions & { name?: string }) => (await act()).registerModelCli(p, o));
  models.command('remove').description('remove a model from the library (its files stay on disk)').argument('<id>', 'model id', positiveInt)
    .option('--data-dir <dir>', DATA_HELP)
    .action(async (id: number, o: ModelsCliOptions) => (await act()).removeModel(id, o));
  models.command('relocate').description('point a model at the folder it moved to').argument('<id>', 'model id', positiveInt).argument('<path>', 'new folder')
    .option('--data-dir <dir>', DATA_HELP).option('--json', 'print JSON')
    .action(async (id: number, p: string, o: ModelsCliOptions) => (await act()).relocateModel(id, p, o));
  models.command('refresh').description('read a changed folder again and store what it holds now').argument('<id>', 'model id', positiveInt)
    .option('--data-dir <dir>', DATA_HELP).option('--json', 'print JSON')
    .action(async (id: number, o: ModelsCliOptions) => (await act()).refreshModel(id, o));
  for (const c of models.commands) c.exitOverride().showHelpAfterError('(add --help for usage)');
}
