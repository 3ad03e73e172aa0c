// Terminal text (build output) as a coloured, preformatted block; lib/ansi.ts turns it into
// HTML (colours as classes, http/https OSC 8 hyperlinks as links, other escapes dropped).
import { memo } from 'react';
import { ansiToHtml } from '../lib/ansi.ts';

export const AnsiText = memo(function AnsiText({ text, className }: { text: string; className?: string }) {
  return <pre className={`ansi ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: ansiToHtml(text) }} />;
});
