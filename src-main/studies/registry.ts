// The study presets, by id, in the order they are listed.
import type { StudyPresetId } from '../../src-shared/domain/study-preset';
import { STUDY_PRESET_IDS } from '../../src-shared/domain/study-preset';
import { PeftLabError } from '../../src-shared/errors';
import { moraMemorisation } from './presets/mora-memorisation';
import { rankSaturation } from './presets/rank-saturation';
import { softPrompts } from './presets/soft-prompts';
import { whichRModules } from './presets/which-r-modules';
import type { StudyPreset } from './types';

export const STUDY_PRESETS: readonly StudyPreset[] = [whichRModules, moraMemorisation, rankSaturation, softPrompts];

export function studyPreset(id: string): StudyPreset {
  const p = STUDY_PRESETS.find((x) => x.info.id === id);
  if (!p) {
    throw new PeftLabError('BAD_ARGUMENT', `there is no study preset "${id}"; choose one of ${STUDY_PRESET_IDS.join(', ')} (peft-lab study list)`);
  }
  return p;
}

export function isStudyPresetId(id: string): id is StudyPresetId {
  return (STUDY_PRESET_IDS as readonly string[]).includes(id);
}
