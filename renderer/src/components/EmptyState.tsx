// What a view shows when it has nothing yet: what this place is for and what to do next.
import type { ReactNode } from 'react';

export function EmptyState({ title, children, icon = '◌', actions }: { title: string; children?: ReactNode; icon?: string; actions?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <div className="empty-icon" aria-hidden>
        {icon}
      </div>
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
      {actions && <div className="empty-actions">{actions}</div>}
    </div>
  );
}
