// Where the demo pipeline reads and writes, and the seeds and sizes every step uses. Committed outputs go to
// resources/demo/; intermediate files (the pre-training text, checkpoints) to the work folder, by default
// $TMPDIR/peft-lab-demo (override with PEFT_LAB_DEMO_WORK).
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_DIR = path.join(REPO, 'resources/demo');
export const MODEL_DIR = path.join(DEMO_DIR, 'model');
export const DATA_DIR = path.join(DEMO_DIR, 'data');
export const WORK_DIR = process.env.PEFT_LAB_DEMO_WORK ?? path.join(os.tmpdir(), 'peft-lab-demo');

export const SPLIT_SEED = 7;
export const SPLIT_SIZES = { validation: 160, review: 16, fineTuning: 1600 };
export const VOCAB_SIZE = 2048;
export const INIT_SEED = 11;
export const PRETRAIN_SEED = 13;

export const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'] as const;
