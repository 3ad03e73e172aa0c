import { useUi } from '../stores/ui-store.ts';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismiss);
  const hold = useUi((s) => s.holdToast);
  return (
    <div className="toasts">
      {toasts.map((t) => (
        // Held while pointed at or focused: a toast's button must not vanish under the user.
        <div
          key={t.id}
          className="toast"
          data-tone={t.tone}
          role={t.tone === 'error' ? 'alert' : 'status'}
          onMouseEnter={() => hold(t.id, 'pointer', true)}
          onMouseLeave={() => hold(t.id, 'pointer', false)}
          onFocus={() => hold(t.id, 'focus', true)}
          onBlur={(e) => !e.currentTarget.contains(e.relatedTarget) && hold(t.id, 'focus', false)}
        >
          <div className="toast-text">
            <div className="toast-title">{t.title}</div>
            {t.detail && <div className="toast-detail">{t.detail}</div>}
          </div>
          {t.action && (
            <button
              className="btn btn-small"
              onClick={() => {
                t.action!.run();
                dismiss(t.id);
              }}
            >
              {t.action.label}
            </button>
          )}
          <button className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
