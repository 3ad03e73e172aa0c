// A throwaway copy of the project's data folders, for replays and checks that should not
// change the data: a snapshot is taken before the work, restored after it (whatever the work
// wrote is gone), and both the snapshot and the "before restoring" one the restore keeps are
// deleted. It goes through the snapshot commands, the stores' public way to do this, so the
// browsers hear of the restore like of any other.
import type { DevSession } from '../session/dev-session.ts';
import type { DataSandbox } from '../traffic/check-run.ts';
import { SnapshotCommands, type SnapshotHandlers } from './snapshot-commands.ts';

export function dataSandbox(snapshots: () => Pick<SnapshotHandlers, 'snapshots.save' | 'snapshots.restore' | 'snapshots.delete'>): DataSandbox {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    // One copy at a time: a second would restore over the first one's work.
    const next = queue.then(async () => {
      const handlers = snapshots();
      const name = `traffic-sandbox-${Date.now()}`;
      await handlers['snapshots.save']({ name, note: 'The data before replays or checks that ran on a throwaway copy; restored after them.' });
      try {
        return await work();
      } finally {
        const { before } = await handlers['snapshots.restore']({ name });
        await handlers['snapshots.delete']({ name: before.name });
        await handlers['snapshots.delete']({ name });
      }
    });
    queue = next.catch(() => {});
    return next;
  };
}

/**
 * Gives a session with no studio UI (headless `dev`, `check`) its throwaway copies, through
 * snapshot commands of its own; the UI gives its sessions theirs. Close it with the session.
 */
export function sandboxWithoutUi(session: DevSession): { close(): void } {
  const snapshots = new SnapshotCommands(() => session, () => {});
  session.traffic.sandbox = dataSandbox(() => snapshots.handlers());
  return snapshots;
}
