// Text with ANSI colour codes (build output, log lines) as coloured HTML. anser escapes the
// text and emits classes, not inline styles, so the colours follow the theme and the strict
// CSP holds.
import Anser from 'anser';
import { memo } from 'react';

export function ansiToHtml(text: string): string {
  return Anser.ansiToHtml(Anser.escapeForHtml(text), { use_classes: true });
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

export const AnsiText = memo(function AnsiText({ text, className }: { text: string; className?: string }) {
  return <pre className={`ansi ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: ansiToHtml(text) }} />;
});
