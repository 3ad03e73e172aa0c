// Two versions of a value side by side, with the viewer their content calls for (as the
// browsers pick one): text and JSON in Monaco's diff editor (JSON pretty-printed first),
// images next to each other, hex dumps for anything binary. A missing side says so.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { detectContent } from '../lib/content-kind.ts';
import { formatBytes } from '../lib/format.ts';
import { useDarkMode } from '../lib/theme.ts';
import { editorTheme } from './editor-theme.ts';
import { HexView } from './HexView.tsx';
import { ImagePreview } from './ImagePreview.tsx';

export interface DiffSide {
  label: string;
  /** Undefined when the value is not there on this side. */
  bytes: Uint8Array | undefined;
  size: number;
}

const MonacoDiff = lazy(async () => {
  const [{ DiffEditor }] = await Promise.all([import('@monaco-editor/react'), import('./monaco-setup.ts')]);
  function Loaded({ before, after, language, dark }: { before: string; after: string; language: string; dark: boolean }) {
    const editor = useRef<{ getModel(): { original: { dispose(): void }; modified: { dispose(): void } } | null; setModel(model: null): void }>(null);
    // New values in the same editor go to their first change too, once Monaco has diffed them.
    const reveal = useRef(true);
    useEffect(() => {
      reveal.current = true;
    }, [before, after]);
    // The library disposes its text models before the diff widget lets go of them, which
    // Monaco reports as an error; it keeps them instead, and they are let go of here in order.
    useEffect(
      () => () => {
        const current = editor.current;
        const models = current?.getModel();
        try {
          current?.setModel(null);
        } finally {
          models?.original.dispose();
          models?.modified.dispose();
        }
      },
      [],
    );
    return (
      <DiffEditor
        keepCurrentOriginalModel
        keepCurrentModifiedModel
        onMount={(mounted) => {
          editor.current = mounted;
          // A long value that differs in one line opens on that line, not on line 1. Later
          // diffs of the same values (an edit elsewhere in the editor) leave the scroll alone.
          mounted.onDidUpdateDiff(() => {
            if (!reveal.current) return;
            reveal.current = false;
            const change = mounted.getLineChanges()?.[0];
            if (change) mounted.getModifiedEditor().revealLineInCenter(Math.max(1, change.modifiedStartLineNumber));
          });
        }}
        original={before}
        modified={after}
        language={language}
        theme={editorTheme(dark)}
        loading={<div className="editor-loading">Loading editor…</div>}
        options={{ readOnly: true, renderSideBySide: true, minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, automaticLayout: true, wordWrap: 'on' }}
      />
    );
  }
  return { default: Loaded };
});

/** The text a side shows in a text diff: JSON pretty-printed, so a change in one field is one line. */
function textOf(bytes: Uint8Array | undefined): { text: string; json: boolean } | undefined {
  if (!bytes) return { text: '', json: false };
  const content = detectContent(bytes);
  if (content.kind === 'json') return { text: content.pretty, json: true };
  if (content.kind === 'text' || content.kind === 'html') return { text: content.text, json: false };
  if (content.kind === 'empty') return { text: '', json: false };
  return undefined;
}

function Missing({ side }: { side: DiffSide }) {
  return <div className="muted pad">Not in {side.label}.</div>;
}

export function ValueDiff({ before, after }: { before: DiffSide; after: DiffSide }) {
  const dark = useDarkMode();
  const kinds = [before, after].map((s) => (s.bytes ? detectContent(s.bytes) : undefined));
  const cut = [before, after].some((s) => s.bytes !== undefined && s.size > s.bytes.length);
  const header = (
    <div className="diff-labels">
      {[before, after].map((side) => (
        <span key={side.label}>
          <strong>{side.label}</strong> <span className="muted">{side.bytes ? formatBytes(side.size) : 'absent'}</span>
        </span>
      ))}
    </div>
  );
  const a = textOf(before.bytes);
  const b = textOf(after.bytes);
  let body;
  if (kinds.some((k) => k?.kind === 'image')) {
    // An image on either side: pictures next to each other (a side that is no image as hex).
    body = (
      <div className="diff-split" data-diff="image">
        {[before, after].map((side, i) => {
          const kind = kinds[i];
          return <div key={side.label}>{side.bytes ? kind?.kind === 'image' ? <ImagePreview bytes={side.bytes} mime={kind.mime} alt={side.label} /> : <HexView bytes={side.bytes} /> : <Missing side={side} />}</div>;
        })}
      </div>
    );
  } else if (a && b) {
    body = (
      <div className="diff-text" data-diff={a.json || b.json ? 'json' : 'text'} aria-label="Text diff">
        <Suspense fallback={<div className="editor-loading">Loading editor…</div>}>
          <MonacoDiff before={a.text} after={b.text} language={a.json || b.json ? 'json' : 'plaintext'} dark={dark} />
        </Suspense>
      </div>
    );
  } else {
    body = (
      <div className="diff-split" data-diff="hex">
        {[before, after].map((side) => (
          <div key={side.label}>{side.bytes ? <HexView bytes={side.bytes} /> : <Missing side={side} />}</div>
        ))}
      </div>
    );
  }
  return (
    <div className="value-diff">
      {header}
      {cut && <div className="notice">Showing the first 2 MiB of each side.</div>}
      {body}
    </div>
  );
}
