// "2 min ago", kept current by the shared clock (lib/clock.ts): for lists and lines that show
// when something happened.
import { useAgo } from '../lib/clock.ts';

export function Ago({ at }: { at: number }) {
  return <>{useAgo(at)}</>;
}
