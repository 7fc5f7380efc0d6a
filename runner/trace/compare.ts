/** Where the kernel's walk and the model's prediction part (issue 12). Pure. */
import type { Walk, WalkDifference } from '../model/trace.ts';

export function compareWalks(kernel: Walk, model: Walk): WalkDifference[] {
  void kernel; void model;
  return [];
}
