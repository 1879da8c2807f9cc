// Every migration, in order. Append new ones at the end; never reorder, renumber or edit.
import type { Migration } from './types';
import { migration as m001 } from './001_init';
import { migration as m002 } from './002_review';
import { migration as m003 } from './003_run_base';
import { migration as m004 } from './004_review_study';
import { migration as m005 } from './005_metric_buckets';
import { migration as m006 } from './006_model_library';
import { migration as m007 } from './007_run_queue';

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;
