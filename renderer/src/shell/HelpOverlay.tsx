import { Dialog } from '../components/Dialog.tsx';
import { useUi } from '../stores/ui-store.ts';
import { SHORTCUTS } from './shortcuts.ts';

export function HelpOverlay() {
  const close = () => useUi.getState().setHelpOpen(false);
  return (
    <Dialog title="Keyboard shortcuts" onClose={close}>
      <table className="shortcut-table">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys + s.where}>
              <td>
                {s.keys.split('+').map((k, i) => (
                  <span key={i}>
                    {i > 0 && '+'}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
              <td className="muted">{s.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
