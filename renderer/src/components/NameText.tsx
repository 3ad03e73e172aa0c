// A key's or an object's name as it really is (lib/visible-text.ts): a character that would
// reorder or hide part of it shows by its code point, and whitespace at its ends as a mark,
// each with what it stands for in its title. Inline, so it sits in a row, a heading or a dialog.
import { memo } from 'react';
import { nameParts } from '../lib/visible-text.ts';

export const NameText = memo(function NameText({ name }: { name: string }) {
  return (
    <>
      {nameParts(name).map((part, i) =>
        part.mark ? (
          <span key={i} className="hidden-char" title={part.mark}>
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </>
  );
});
