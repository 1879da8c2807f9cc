// The exact prompt texts of the built-in instruction templates, written in this project's `{field}` placeholder
// syntax (see placeholders.ts). Do not "tidy" these strings: a model fine-tuned on one of them expects it byte for byte.
//
// Alpaca — Stanford Alpaca, github.com/tatsu-lab/stanford_alpaca, train.py `PROMPT_DICT` ("prompt_input",
//   "prompt_no_input") and the README's "### Response:" section, which is followed by a newline and then the
//   output (the form tloen/alpaca-lora templates/alpaca.json also uses). The with-input variant is chosen when the
//   record's `input` is non-empty (train.py: `example.get("input", "") != ""`).
// Dolly — Databricks Dolly, github.com/databrickslabs/dolly, training/consts.py `INTRO_BLURB`, `INSTRUCTION_KEY`,
//   `INPUT_KEY` ("Input:", without ###), `RESPONSE_KEY`, `END_KEY`, `PROMPT_WITH_INPUT_FORMAT` and
//   `PROMPT_NO_INPUT_FORMAT`; training/trainer.py `load_training_dataset` picks the with-input format when the
//   record's `context` is non-empty. The prompt is everything up to and including `RESPONSE_KEY_NL`
//   ("### Response:\n", where Dolly's completion-only collator starts the loss); the response is
//   "{response}\n\n### End".

export interface BuiltinTemplate {
  /** Prompt used when the record's `inputField` is non-empty. */
  promptWithInput: string;
  /** Prompt used when the record's `inputField` is missing or empty. */
  promptNoInput: string;
  /** The training target that follows the prompt. */
  response: string;
  /** The field whose emptiness selects the prompt variant. */
  inputField: string;
  /** Fields every record must have (the response field is needed for training only). */
  promptFields: string[];
  responseFields: string[];
}

const ALPACA_INTRO_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. ' +
  'Write a response that appropriately completes the request.\n\n';
const ALPACA_INTRO_NO_INPUT =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n';

export const ALPACA_TEMPLATE: BuiltinTemplate = {
  promptWithInput:
    ALPACA_INTRO_WITH_INPUT + '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
  promptNoInput: ALPACA_INTRO_NO_INPUT + '### Instruction:\n{instruction}\n\n### Response:\n',
  response: '{output}',
  inputField: 'input',
  promptFields: ['instruction'],
  responseFields: ['output'],
};

const DOLLY_INTRO =
  'Below is an instruction that describes a task. Write a response that appropriately completes the request.';

export const DOLLY_TEMPLATE: BuiltinTemplate = {
  promptWithInput: DOLLY_INTRO + '\n\n### Instruction:\n{instruction}\n\nInput:\n{context}\n\n### Response:\n',
  promptNoInput: DOLLY_INTRO + '\n\n### Instruction:\n{instruction}\n\n### Response:\n',
  response: '{response}\n\n### End',
  inputField: 'context',
  promptFields: ['instruction'],
  responseFields: ['response'],
};

export const BUILTIN_TEMPLATES = { alpaca: ALPACA_TEMPLATE, dolly: DOLLY_TEMPLATE } as const;
