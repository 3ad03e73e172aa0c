// An error said as a sentence, with the hint that fixes it.
import { describeError } from '../api/api-error.ts';

export function ErrorNote({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const { message, hint, code } = describeError(error);
  return (
    <div className="error-note" role="alert">
      <div className="error-title">{title ?? message}</div>
      {title && <div className="error-message">{message}</div>}
      {hint && <div className="error-hint">{hint}</div>}
      <div className="error-foot">
        <code className="error-code">{code}</code>
        {onRetry && (
          <button className="btn btn-small" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}
