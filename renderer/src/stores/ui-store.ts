// What the shell shows: the current view, the help overlay, toasts. Views persist across
// switches (they stay mounted), so switching never loses a half-typed request.
import { create } from 'zustand';

export const VIEWS = [
  { id: 'workloads', label: 'Workloads', icon: '◧' },
  { id: 'http', label: 'HTTP', icon: '⇄' },
  { id: 'logs', label: 'Logs', icon: '≡' },
  { id: 'kv', label: 'Key-value', icon: '⚷' },
  { id: 'blobs', label: 'Blobs', icon: '▤' },
  { id: 'settings', label: 'Settings', icon: '⚙' },
  { id: 'deploy', label: 'Deploy', icon: '⇪' },
  { id: 'data', label: 'Data', icon: '◫' },
  { id: 'traffic', label: 'Traffic', icon: '⇅' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  title: string;
  detail?: string;
  /** Optional action button. */
  action?: { label: string; run: () => void };
  /** What it is news of: a newer toast of the same topic takes the place of an older one (a build that failed, then one that reloaded). */
  topic?: string;
}

interface UiState {
  view: ViewId;
  helpOpen: boolean;
  buildOutputOpen: boolean;
  toasts: Toast[];
  setView(view: ViewId): void;
  setHelpOpen(open: boolean): void;
  setBuildOutputOpen(open: boolean): void;
  toast(toast: Omit<Toast, 'id'>, ttlMs?: number): void;
  dismiss(id: number): void;
  /** Keeps a toast up while the pointer or the focus is on it; it goes its usual while after both left. */
  holdToast(id: number, by: 'pointer' | 'focus', held: boolean): void;
}

let nextToast = 1;
/** Each shown toast's time, its dismissal (while nothing holds it), and what holds it. */
const toastLife = new Map<number, { ttlMs: number; timer?: ReturnType<typeof setTimeout>; holds: Set<'pointer' | 'focus'> }>();

/** The view an address's hash names (`#logs`); no hash is the first view, Workloads, and an unknown one none. */
export function viewOfHash(hash: string): ViewId | undefined {
  const id = hash.replace(/^#\/?/, '');
  return id === '' ? 'workloads' : VIEWS.find((v) => v.id === id)?.id;
}

export const useUi = create<UiState>((set, get) => ({
  view: viewOfHash(location.hash) ?? 'workloads',
  helpOpen: false,
  buildOutputOpen: false,
  toasts: [],
  setView(view) {
    // Each switch is an entry in the tab's history, so the browser's Back and Forward move
    // between views (the shell follows them on 'hashchange') instead of leaving the studio.
    if (viewOfHash(location.hash) !== view) history.pushState(null, '', `#${view}`);
    set({ view });
  },
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  setBuildOutputOpen: (buildOutputOpen) => set({ buildOutputOpen }),
  toast(toast, ttlMs = 4000) {
    if (toast.topic !== undefined) for (const old of get().toasts) if (old.topic === toast.topic) get().dismiss(old.id);
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), { ...toast, id }] });
    toastLife.set(id, { ttlMs, timer: setTimeout(() => get().dismiss(id), ttlMs), holds: new Set() });
  },
  dismiss(id) {
    clearTimeout(toastLife.get(id)?.timer);
    toastLife.delete(id);
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  holdToast(id, by, held) {
    const life = toastLife.get(id);
    if (!life) return;
    if (held) life.holds.add(by);
    else life.holds.delete(by);
    clearTimeout(life.timer);
    life.timer = life.holds.size === 0 ? setTimeout(() => get().dismiss(id), life.ttlMs) : undefined;
  },
}));

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = isMac ? '⌘' : 'Ctrl';

/** True while the view is the one on screen: views' own shortcuts act only then. */
export function useIsActive(view: ViewId): boolean {
  return useUi((s) => s.view === view);
}
