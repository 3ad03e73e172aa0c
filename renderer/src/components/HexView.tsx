// Binary as a hex dump (offset, 16 bytes, ASCII), virtualized so a multi-megabyte value scrolls
// as smoothly as a small one.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';

const ROW = 20;

function hexRow(bytes: Uint8Array, offset: number): { hex: string; ascii: string } {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < 16; i++) {
    const b = bytes[offset + i];
    if (b === undefined) {
      hex += '   ';
      continue;
    }
    hex += b.toString(16).padStart(2, '0') + (i === 7 ? '  ' : ' ');
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return { hex, ascii };
}

export function HexView({ bytes, note }: { bytes: Uint8Array; note?: string }) {
  const parent = useRef<HTMLDivElement>(null);
  const rows = Math.ceil(bytes.length / 16);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 20 });
  return (
    <div className="hex-view" ref={parent} aria-label="Hex view">
      {note && <div className="notice">{note}</div>}
      <div className="hex-rows" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const { hex, ascii } = hexRow(bytes, row.index * 16);
          return (
            <div key={row.index} className="hex-row" style={{ transform: `translateY(${row.start}px)`, height: ROW }}>
              <span className="hex-offset">{(row.index * 16).toString(16).padStart(8, '0')}</span>
              <span className="hex-bytes">{hex}</span>
              <span className="hex-ascii">{ascii}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
