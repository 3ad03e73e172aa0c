// An image from bytes, through a blob: URL (freed when the bytes change or the view goes).
import { useEffect, useState } from 'react';

export function ImagePreview({ bytes, mime, alt }: { bytes: Uint8Array; mime: string; alt: string }) {
  const [url, setUrl] = useState<string>();
  const [size, setSize] = useState<string>();
  useEffect(() => {
    const u = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [bytes, mime]);
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
