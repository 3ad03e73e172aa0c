// A Monaco editor, lazy-loaded: the first editor on screen pulls Monaco in, with a plain
// placeholder meanwhile. Ctrl/Cmd+Enter and Ctrl/Cmd+S reach the view even inside the editor.
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
// Types only: Monaco itself loads lazily, below.
import type { editor as MonacoEditorApi } from 'monaco-editor';
import { useDarkMode } from '../lib/theme.ts';
import { editorTheme } from './editor-theme.ts';

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
  /** Problems to underline, at 1-based positions (a whole line when the column is unknown). */
  markers?: EditorMarker[];
}

export interface EditorMarker {
  line: number;
  column?: number;
  message: string;
  severity: 'error' | 'warning';
}

const MonacoEditor = lazy(async () => {
  const [{ default: Editor }, { monaco }] = await Promise.all([import('@monaco-editor/react'), import('./monaco-setup.ts')]);
  function Loaded(props: CodeEditorProps & { dark: boolean }) {
    const handlers = useRef(props);
    handlers.current = props;
    const [editor, setEditor] = useState<MonacoEditorApi.IStandaloneCodeEditor>();
    useEffect(() => {
      const model = editor?.getModel();
      if (!model) return;
      const markers = (props.markers ?? []).filter((m) => m.line <= model.getLineCount());
      monaco.editor.setModelMarkers(
        model,
        'studio',
        markers.map((m) => ({
          startLineNumber: m.line,
          startColumn: m.column ?? 1,
          endLineNumber: m.line,
          endColumn: model.getLineMaxColumn(m.line),
          message: m.message,
          severity: m.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        })),
      );
    }, [editor, props.markers, props.value]);
    return (
      <Editor
        value={props.value}
        language={props.language}
        theme={editorTheme(props.dark)}
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
        onMount={(mounted) => {
          // Actions, not addCommand: Monaco's commands are global, so the editor made last
          // would take the keys of every other one; an action's keys belong to its editor.
          // An editor without the handler leaves the key to the view's own shortcuts.
          const keys = [
            ...(handlers.current.onRun ? [mounted.addAction({ id: 'studio.run', label: 'Send', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter], run: () => handlers.current.onRun?.() })] : []),
            ...(handlers.current.onSave ? [mounted.addAction({ id: 'studio.save', label: 'Save', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS], run: () => handlers.current.onSave?.() })] : []),
          ];
          mounted.onDidDispose(() => keys.forEach((key) => key.dispose()));
          setEditor(mounted);
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
