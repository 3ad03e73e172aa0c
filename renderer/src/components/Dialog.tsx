// A modal dialog: Escape or a click outside closes it. Focus moves in once, when it opens
// (later renders of the parent, such as a log line arriving, must not move it back onto the
// dialog's action), stays inside while it is open, and goes back where it was when it closes.
import { type KeyboardEvent as ReactKeyboardEvent, type ReactNode, useEffect, useRef } from 'react';
import { useFocusableWhileScrolling } from '../lib/scroll-focus.ts';

const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** Open dialogs, the newest last: Escape closes only the newest one that is shown. */
const open: HTMLElement[] = [];

/** True while a dialog is shown: the app's view shortcuts must not act behind it. */
export function dialogShown(): boolean {
  return open.some(shown);
}

function shown(element: HTMLElement): boolean {
  return element.isConnected && element.getClientRects().length > 0;
}

function focusables(dialog: HTMLElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(shown);
}

export function Dialog({ title, onClose, children, footer, wide }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  useFocusableWhileScrolling(body);
  // Callers pass a new function on every render; the effect below must run once.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    open.push(dialog);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || open.filter(shown).at(-1) !== dialog) return;
      e.stopPropagation();
      close.current();
    };
    window.addEventListener('keydown', onKey, true);
    const first = dialog.querySelector<HTMLElement>('[data-autofocus], input, textarea, select, button.btn-primary') ?? focusables(dialog)[0];
    first?.focus();
    return () => {
      window.removeEventListener('keydown', onKey, true);
      open.splice(open.indexOf(dialog), 1);
      // Back to what opened it, unless focus has moved on to something else meanwhile.
      const lost = !document.activeElement || document.activeElement === document.body || dialog.contains(document.activeElement);
      if (lost && opener && shown(opener)) opener.focus();
    };
  }, []);
  const trapTab = (e: ReactKeyboardEvent) => {
    if (e.key !== 'Tab') return;
    const items = focusables(ref.current!);
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = e.shiftKey ? (at <= 0 ? items.length - 1 : at - 1) : at === items.length - 1 ? 0 : at + 1;
    e.preventDefault();
    items[next]!.focus();
  };
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog ${wide ? 'dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={ref} onKeyDown={trapTab}>
        <header className="dialog-header">
          <h2>{title}</h2>
          <button className="icon-btn" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ✕
          </button>
        </header>
        <div className="dialog-body" ref={body}>
          {children}
        </div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>
  );
}

/**
 * The usual footer: Cancel, then the dialog's action. A dangerous action never has the first
 * focus: Enter pressed as the dialog opens (a key held, a double press) must not destroy
 * anything, so Cancel has it, as file managers and system dialogs do.
 */
export function DialogActions({ label, onConfirm, onCancel, danger = false }: { label: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) {
  return (
    <>
      <button className="btn" data-autofocus={danger || undefined} onClick={onCancel}>
        Cancel
      </button>
      <button className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} onClick={onConfirm}>
        {label}
      </button>
    </>
  );
}

/** An error shown inside a dialog or form, announced to screen readers. */
export function ErrorNotice({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="notice notice-error" role="alert" data-testid={testId}>
      {children}
    </div>
  );
}

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, danger = true }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) {
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      footer={<DialogActions label={confirmLabel} onConfirm={onConfirm} onCancel={onCancel} danger={danger} />}
    >
      {children}
    </Dialog>
  );
}

/** Asks for one line of text (a key name, a container name). */
export function PromptDialog({ title, label, placeholder, initial = '', confirmLabel, validate, onSubmit, onCancel, children }: { title: string; label: string; placeholder?: string; initial?: string; confirmLabel: string; validate?: (value: string) => string | undefined; onSubmit: (value: string) => void; onCancel: () => void; children?: ReactNode }) {
  const input = useRef<HTMLInputElement>(null);
  const submit = () => {
    const value = input.current?.value ?? '';
    const problem = validate?.(value);
    const el = input.current?.parentElement?.querySelector('.field-error');
    if (problem) {
      if (el) el.textContent = problem;
      return;
    }
    onSubmit(value);
  };
  return (
    <Dialog
      title={title}
      onClose={onCancel}
      footer={<DialogActions label={confirmLabel} onConfirm={submit} onCancel={onCancel} />}
    >
      <label className="field">
        <span>{label}</span>
        <input ref={input} className="input" placeholder={placeholder} defaultValue={initial} data-autofocus onKeyDown={(e) => e.key === 'Enter' && submit()} />
        <span className="field-error" role="alert" />
      </label>
      {children}
    </Dialog>
  );
}
