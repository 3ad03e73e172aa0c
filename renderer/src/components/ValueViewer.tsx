// Shows bytes with the viewer their content calls for: an image by its magic bytes, JSON
// pretty-printed, HTML rendered in a sandboxed iframe (no scripts) or as source, text, and a
// hex dump for anything binary. Every kind can also be seen as hex.
import { useMemo, useState } from 'react';
import { type ContentKind, detectContent, languageFor } from '../lib/content-kind.ts';
import { formatBytes } from '../lib/format.ts';
import { onTabListKeyDown, tabStop } from '../lib/tab-list-keyboard.ts';
import { CodeEditor } from './CodeEditor.tsx';
import { HexView } from './HexView.tsx';
import { ImagePreview } from './ImagePreview.tsx';

type Mode = 'pretty' | 'raw' | 'rendered' | 'source' | 'image' | 'hex' | 'text';

function modesFor(content: ContentKind): Mode[] {
  switch (content.kind) {
    case 'json':
      return ['pretty', 'raw', 'hex'];
    case 'html':
      return ['rendered', 'source', 'hex'];
    case 'image':
      return ['image', 'hex'];
    case 'text':
      return ['text', 'hex'];
    case 'binary':
      return ['hex'];
    case 'empty':
      return [];
  }
}

const MODE_LABEL: Record<Mode, string> = { pretty: 'Pretty', raw: 'Raw', rendered: 'Rendered', source: 'Source', image: 'Image', hex: 'Hex', text: 'Text' };

/** `rest` says where the rest of a cut value is (or why there is none), after "Showing the first …". */
export function ValueViewer({ bytes, contentType = '', name = '', totalSize, label, rest }: { bytes: Uint8Array; contentType?: string; name?: string; totalSize?: number; label?: string; rest?: string }) {
  const content = useMemo(() => detectContent(bytes, contentType), [bytes, contentType]);
  const modes = modesFor(content);
  // A choice holds for values of the same kind: hex picked for an image does not carry over to the next page.
  const [chosen, setChosen] = useState<{ kind: ContentKind['kind']; mode: Mode }>();
  const mode = chosen && chosen.kind === content.kind && modes.includes(chosen.mode) ? chosen.mode : modes[0];
  const cut = totalSize !== undefined && totalSize > bytes.length;

  return (
    <div className="value-viewer" data-kind={content.kind} aria-label={label ?? 'Value'}>
      <div className="viewer-bar">
        <span className="kind-badge" data-kind={content.kind}>
          {content.kind === 'image' ? content.mime : content.kind === 'binary' ? 'binary' : content.kind}
        </span>
        <span className="muted">{formatBytes(totalSize ?? bytes.length)}</span>
        {modes.length > 1 && (
          <div className="segmented" role="tablist" aria-label="Show as" onKeyDown={onTabListKeyDown}>
            {modes.map((m) => (
              <button key={m} role="tab" aria-selected={m === mode} tabIndex={tabStop(m === mode)} className={m === mode ? 'active' : ''} onClick={() => setChosen({ kind: content.kind, mode: m })}>
                {MODE_LABEL[m]}
              </button>
            ))}
          </div>
        )}
      </div>
      {cut && (
        <div className="notice" role="note">
          Showing the first {formatBytes(bytes.length)} of {formatBytes(totalSize)}.{rest ? ` ${rest}` : ''}
        </div>
      )}
      {mode === 'rendered' && (
        <div className="muted small viewer-note" role="note">
          A still preview: its scripts, forms and links do not run here. Open the page in a browser to use it.
        </div>
      )}
      <div className="viewer-body">
        {content.kind === 'empty' && <div className="muted pad">Empty (0 bytes).</div>}
        {mode === 'hex' && <HexView bytes={bytes} />}
        {mode === 'image' && content.kind === 'image' && <ImagePreview bytes={bytes} mime={content.mime} alt={name || 'image'} />}
        {mode === 'pretty' && content.kind === 'json' && <CodeEditor value={content.pretty} language="json" readOnly label={`${label ?? 'Value'} (JSON)`} />}
        {mode === 'raw' && content.kind === 'json' && <CodeEditor value={content.text} language="json" readOnly label={`${label ?? 'Value'} (raw)`} />}
        {mode === 'text' && content.kind === 'text' && <CodeEditor value={content.text} language={languageFor(name, contentType)} readOnly label={`${label ?? 'Value'} (text)`} />}
        {mode === 'source' && content.kind === 'html' && <CodeEditor value={content.text} language="html" readOnly label={`${label ?? 'Value'} (HTML source)`} />}
        {mode === 'rendered' && content.kind === 'html' && <iframe className="html-frame" title={`${label ?? 'Value'} rendered`} sandbox="" srcDoc={content.text} />}
      </div>
    </div>
  );
}
