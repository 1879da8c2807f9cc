#!/usr/bin/env node
// The `peft-lab` command. Runs the TypeScript sources directly through tsx so that it works in a fresh
// checkout right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
