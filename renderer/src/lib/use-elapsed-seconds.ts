// Whole seconds since a moment, ticking once a second: a build running, a request waiting.
import { useEffect, useState } from 'react';

/** Whole seconds since `since` (an epoch time), ticking once a second; 0 while `since` is undefined. */
export function useElapsedSeconds(since: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return since === undefined ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}
