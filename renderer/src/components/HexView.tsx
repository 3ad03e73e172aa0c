// Binary as a hex dump (offset, bytes, ASCII), virtualized so a multi-megabyte value scrolls
// as smoothly as a small one. Rows hold 16 bytes where the pane is wide enough, else 8 or 4,
// so a narrow pane never scrolls sideways.
import { useVirtualizer } from '@tanstack/react-virtual';
import { type RefObject, useLayoutEffect, useRef, useState } from 'react';

const ROW = 20;

/** Characters a row of `perRow` bytes takes: offset, gaps and padding, hex (3 a byte and the middle gap), text. */
const rowChars = (perRow: number) => 8 + 4 + 3 * perRow + 1 + 4 + perRow + 3;

function hexRow(bytes: Uint8Array, offset: number, perRow: number): { hex: string; ascii: string } {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < perRow; i++) {
    const b = bytes[offset + i];
    // A short last row keeps the middle gap too, or its text would start a column early.
    hex += (b === undefined ? '  ' : b.toString(16).padStart(2, '0')) + (i === perRow / 2 - 1 ? '  ' : ' ');
    if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return { hex, ascii };
}

/** 16, 8 or 4: the most bytes a row of `element` shows whole. */
function useBytesPerRow(element: RefObject<HTMLDivElement | null>): number {
  const [perRow, setPerRow] = useState(16);
  useLayoutEffect(() => {
    const box = element.current;
    if (!box) return;
    const probe = document.createElement('span');
    probe.textContent = '0'.repeat(20);
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
    box.appendChild(probe);
    const ch = probe.getBoundingClientRect().width / 20 || 7.2;
    probe.remove();
    const fit = () => {
      const chars = box.clientWidth / ch;
      setPerRow(chars >= rowChars(16) ? 16 : chars >= rowChars(8) ? 8 : 4);
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(box);
    return () => observer.disconnect();
  }, [element]);
  return perRow;
}

export function HexView({ bytes, note }: { bytes: Uint8Array; note?: string }) {
  const parent = useRef<HTMLDivElement>(null);
  const perRow = useBytesPerRow(parent);
  const rows = Math.ceil(bytes.length / perRow);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  return (
    <div className="hex-view" ref={parent} aria-label="Hex view">
      {note && <div className="notice">{note}</div>}
      <div className="hex-rows" style={{ height: virtualizer.getTotalSize(), minWidth: `${rowChars(perRow)}ch` }}>
        {virtualizer.getVirtualItems().map((row) => {
          const { hex, ascii } = hexRow(bytes, row.index * perRow, perRow);
          return (
            <div key={row.index} className="hex-row" style={{ transform: `translateY(${row.start}px)`, height: ROW }}>
              <span className="hex-offset">{(row.index * perRow).toString(16).padStart(8, '0')}</span>
              <span className="hex-bytes">{hex}</span>
              <span className="hex-ascii">{ascii}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
