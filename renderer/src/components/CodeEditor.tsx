// A Monaco editor, lazy-loaded: the first editor on screen pulls Monaco in, with a plain
// placeholder meanwhile. Ctrl/Cmd+Enter and Ctrl/Cmd+S reach the view even inside the editor.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { useDarkMode } from '../lib/theme.ts';

export interface CodeEditorProps {
  value: string;
  language: string;
  onChange?: (value: string) => void;
  readOnly?: boolean;
  /** Ctrl/Cmd+Enter inside the editor. */
  onRun?: () => void;
  /** Ctrl/Cmd+S inside the editor. */
  onSave?: () => void;
  label?: string;
  minimap?: boolean;
}

const MonacoEditor = lazy(async () => {
  const [{ default: Editor }, { monaco }] = await Promise.all([import('@monaco-editor/react'), import('./monaco-setup.ts')]);
  function Loaded(props: CodeEditorProps & { dark: boolean }) {
    const handlers = useRef(props);
    handlers.current = props;
    return (
      <Editor
        value={props.value}
        language={props.language}
        theme={props.dark ? 'vs-dark' : 'vs'}
        onChange={(v) => handlers.current.onChange?.(v ?? '')}
        loading={<div className="editor-loading">Loading editor…</div>}
        options={{
          readOnly: props.readOnly ?? false,
          minimap: { enabled: props.minimap ?? false },
          fontSize: 13,
          scrollBeyondLastLine: false,
          automaticLayout: true,
          wordWrap: 'on',
          tabSize: 2,
          renderLineHighlight: 'line',
          ariaLabel: props.label ?? 'Editor',
          fixedOverflowWidgets: true,
        }}
        onMount={(editor) => {
          editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => handlers.current.onRun?.());
          editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => handlers.current.onSave?.());
        }}
      />
    );
  }
  return { default: Loaded };
});

export function CodeEditor(props: CodeEditorProps) {
  const dark = useDarkMode();
  const box = useRef<HTMLDivElement>(null);
  // Tests and screen readers find the editor by its label.
  useEffect(() => box.current?.setAttribute('data-language', props.language), [props.language]);
  return (
    <div className="code-editor" ref={box} aria-label={props.label}>
      <Suspense fallback={<div className="editor-loading">Loading editor…</div>}>
        <MonacoEditor {...props} dark={dark} />
      </Suspense>
    </div>
  );
}
