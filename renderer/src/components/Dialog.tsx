// A modal dialog: Escape or a click outside closes it, focus starts inside.
import { type ReactNode, useEffect, useRef } from 'react';

export function Dialog({ title, onClose, children, footer, wide }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, true);
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus], input, textarea, select, button.btn-primary');
    first?.focus();
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog ${wide ? 'dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <header className="dialog-header">
          <h2>{title}</h2>
          <button className="icon-btn" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ✕
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>
  );
}

/** The usual footer: Cancel, then the dialog's action. */
export function DialogActions({ label, onConfirm, onCancel, danger = false, focus = false }: { label: string; onConfirm: () => void; onCancel: () => void; danger?: boolean; focus?: boolean }) {
  return (
    <>
      <button className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} data-autofocus={focus || undefined} onClick={onConfirm}>
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
      footer={<DialogActions label={confirmLabel} onConfirm={onConfirm} onCancel={onCancel} danger={danger} focus />}
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
