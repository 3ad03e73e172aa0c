// What the dock or taskbar shows for the newest build: a progress bar while it runs (an
// indeterminate one: a build does not know its length) and a badge while the last one failed.
import type { BuildOutcome } from '../runtime/studio/api.ts';

export function buildIndicator(outcome: BuildOutcome | undefined): { progress: number; badge: number } {
  switch (outcome) {
    case 'running':
      return { progress: 2, badge: 0 }; // > 1: indeterminate
    case 'failed':
      return { progress: -1, badge: 1 };
    default:
      return { progress: -1, badge: 0 };
  }
}
