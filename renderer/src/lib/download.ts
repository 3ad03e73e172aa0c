// Saves bytes or text as a file the way a browser does (an <a download> click), which Electron
// turns into a save dialog.
import mime from 'mime/lite';

export function downloadBlob(data: BlobPart | BlobPart[], fileName: string, type = 'application/octet-stream'): void {
  const blob = new Blob(Array.isArray(data) ? data : [data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function baseName(name: string): string {
  return name.split('/').filter(Boolean).pop() ?? name;
}

/** `base` with the extension of a media type (`image/png` → `base.png`), so the saved file opens in the right program. */
export function withExtension(base: string, contentType: string): string {
  const extension = contentType ? mime.getExtension(contentType) : null;
  return extension ? `${base}.${extension}` : base;
}
