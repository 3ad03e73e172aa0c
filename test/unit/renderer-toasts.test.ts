// Toasts: a newer one on the same topic takes the place of the older (a failed build's notice
// goes when the next build reloads), others stack up to four.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

// The store reads the view from the address at load; Node has no address bar.
(globalThis as { location?: { hash: string } }).location ??= { hash: '' };
const { useUi } = await import('../../renderer/src/stores/ui-store.ts');

describe('toasts', () => {
  after(() => {
    for (const t of useUi.getState().toasts) useUi.getState().dismiss(t.id);
  });

  it('replace an older toast of the same topic, and leave the others', () => {
    const ui = useUi.getState();
    ui.toast({ tone: 'info', title: 'Copied' });
    ui.toast({ tone: 'error', title: 'Build 3 failed', topic: 'build' }, 8000);
    ui.toast({ tone: 'success', title: 'Reloaded: build 4', topic: 'build' });
    assert.deepEqual(
      useUi.getState().toasts.map((t) => t.title),
      ['Copied', 'Reloaded: build 4'],
    );
  });
});
