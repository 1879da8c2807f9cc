// tfjs variable names are global to the engine; several adapters (or several models in one test process) may
// hold the same PEFT key, so each variable gets a unique suffix.
let counter = 0;

export function uniqueVariableName(key: string): string {
  counter += 1;
  return `${key}#${counter}`;
}
