/** The part catalogue: one definition per part id, and the parts (with points) a run grades. */
import { OptionError } from '../messages/errors';
import type { GradeOptions } from '../options';
import { backpropGradient } from './backprop-gradient';
import { feedforwardCost } from './feedforward-cost';
import { PART_IDS, PRESETS, type PartId } from './ids';
import { numericalGradient } from './numerical-gradient';
import { randomInit } from './random-init';
import { regularizedCost } from './regularized-cost';
import { regularizedGradient } from './regularized-gradient';
import { sigmoidGradientPart } from './sigmoid-gradient';
import type { PartDefinition } from './types';

export const PART_DEFINITIONS: Record<PartId, PartDefinition> = {
  'feedforward-cost': feedforwardCost,
  'regularized-cost': regularizedCost,
  'sigmoid-gradient': sigmoidGradientPart,
  'backprop-gradient': backpropGradient,
  'regularized-gradient': regularizedGradient,
  'numerical-gradient': numericalGradient,
  'random-init': randomInit,
};

/**
 * The parts of options.preset, in catalogue order, with their points (preset points overridden by
 * options.points). Throws for a point override of a part outside the preset or a bad number.
 */
export function selectParts(options: Pick<GradeOptions, 'preset' | 'points' | 'parts'>): { definition: PartDefinition; maxScore: number }[] {
  const preset = PRESETS[options.preset];
  if (!preset) throw new OptionError({ id: 'cli.option.preset', params: { preset: String(options.preset), known: Object.keys(PRESETS).join(', ') } });
  for (const [id, pts] of Object.entries(options.points)) {
    if (!(id in preset)) throw new OptionError({ id: 'cli.option.points-part', params: { part: id, preset: options.preset } });
    if (typeof pts !== 'number' || !Number.isFinite(pts) || pts < 0) throw new OptionError({ id: 'cli.option.points-value', params: { part: id, value: String(pts) } });
  }
  const only = options.parts ? new Set<string>(options.parts) : undefined;
  for (const id of only ?? []) {
    if (!(id in preset)) throw new OptionError({ id: 'cli.option.part', params: { part: id, preset: options.preset, parts: Object.keys(preset).join(', ') } });
  }
  return PART_IDS.filter((id) => preset[id] !== undefined && (!only || only.has(id))).map((id) => ({
    definition: PART_DEFINITIONS[id],
    maxScore: options.points[id] ?? (preset[id] as number),
  }));
}

export * from './ids';
export type * from './types';
