// An image from bytes, through a blob: URL, freed once the <img> no longer shows it (freed
// any earlier, an image still loading from it fails with ERR_FILE_NOT_FOUND).
import { useEffect, useState } from 'react';

export function ImagePreview({ bytes, mime, alt }: { bytes: Uint8Array; mime: string; alt: string }) {
  const [url, setUrl] = useState<string>();
  const [size, setSize] = useState<string>();
  useEffect(() => setUrl(URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }))), [bytes, mime]);
  // Runs when the next URL has replaced this one in the DOM, or when the preview goes.
  useEffect(() => (url ? () => URL.revokeObjectURL(url) : undefined), [url]);
  return (
    <figure className="image-preview">
      {url && <img src={url} alt={alt} onLoad={(e) => setSize(`${e.currentTarget.naturalWidth} × ${e.currentTarget.naturalHeight}`)} />}
      <figcaption className="muted">
        {mime}
        {size ? ` · ${size} px` : ''}
      </figcaption>
    </figure>
  );
}
