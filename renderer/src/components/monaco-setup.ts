// Loads Monaco from the local monaco-editor package (never a CDN) with its web workers bundled
// by Vite, and hands that instance to @monaco-editor/react's loader. Imported lazily, so the
// few MB of Monaco load only when a view first shows an editor.
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import HtmlWorker from 'monaco-editor/languages/features/html/html.worker?worker';
import JsonWorker from 'monaco-editor/languages/features/json/json.worker?worker';
import { DARK_EDITOR_THEME } from './editor-theme.ts';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'html' || label === 'handlebars' || label === 'razor') return new HtmlWorker();
    return new EditorWorker();
  },
};

loader.config({ monaco });

// #6a9955 on vs-dark's #1e1e1e: about 5:1.
monaco.editor.defineTheme(DARK_EDITOR_THEME, { base: 'vs-dark', inherit: true, rules: [{ token: 'comment', foreground: '6a9955' }], colors: {} });

export { monaco };
