// Every migration, in order. Append new ones at the end; never reorder, renumber or edit.
import type { Migration } from './types';
import { migration as m001 } from './001_init';
import { migration as m002 } from './002_review';

export const MIGRATIONS: readonly Migration[] = [m001, m002];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;
