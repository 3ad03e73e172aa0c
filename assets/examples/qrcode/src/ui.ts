// The page served at GET /: type text, get its QR code, download it as PNG.
// Self-contained (inline CSS and JS, no external resources) so it works offline.

export const uiPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>QR code generator</title>
<style>
  :root {
    --bg: #f6f7f9; --card: #ffffff; --text: #1d2330; --muted: #5d6678;
    --border: #d5dae3; --accent: #2f6fde; --accent-text: #ffffff; --error: #b42318;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      --bg: #14171d; --card: #1d222b; --text: #e6e9ef; --muted: #9aa3b5;
      --border: #343b48; --accent: #6c9cf0; --accent-text: #0d1117; --error: #f97066;
    }
  }
  * { box-sizing: border-box; }
  body {
    margin: 0; min-height: 100vh; display: grid; place-items: center;
    background: var(--bg); color: var(--text);
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  }
  main {
    width: min(28rem, calc(100vw - 2rem)); padding: 1.75rem;
    background: var(--card); border: 1px solid var(--border); border-radius: 14px;
    box-shadow: 0 8px 30px rgb(0 0 0 / 0.08);
  }
  h1 { margin: 0 0 0.25rem; font-size: 1.35rem; }
  p.lead { margin: 0 0 1.25rem; color: var(--muted); font-size: 0.95rem; }
  form { display: flex; gap: 0.5rem; }
  input {
    flex: 1; min-width: 0; padding: 0.6rem 0.75rem; font: inherit; color: inherit;
    background: transparent; border: 1px solid var(--border); border-radius: 8px;
  }
  input:focus { outline: 2px solid var(--accent); outline-offset: 1px; border-color: transparent; }
  button, a.button {
    padding: 0.6rem 1rem; font: inherit; font-weight: 600; border-radius: 8px; cursor: pointer;
    border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text);
    text-decoration: none; text-align: center;
  }
  button:disabled { opacity: 0.6; cursor: progress; }
  a.button.secondary { background: transparent; color: var(--accent); }
  a.button[aria-disabled="true"] { opacity: 0.45; pointer-events: none; }
  .result {
    margin-top: 1.25rem; display: grid; justify-items: center; gap: 0.9rem;
  }
  .frame {
    width: 100%; aspect-ratio: 1; display: grid; place-items: center;
    border: 1px dashed var(--border); border-radius: 10px; color: var(--muted);
    font-size: 0.9rem; overflow: hidden;
  }
  /* QR codes stay dark-on-white in dark mode: scanners need the contrast. */
  .frame img { width: 100%; height: 100%; object-fit: contain; background: #fff; image-rendering: pixelated; }
  .status { min-height: 1.5em; margin: 0; font-size: 0.9rem; color: var(--muted); }
  .status.error { color: var(--error); }
</style>
</head>
<body>
<main>
  <h1>QR code generator</h1>
  <p class="lead">Type text or a link; the component turns it into a PNG.</p>
  <form id="form">
    <input id="payload" name="payload" type="text" placeholder="https://wasmcloud.com"
      autocomplete="off" required autofocus aria-label="Text to encode">
    <button id="generate" type="submit">Generate</button>
  </form>
  <div class="result">
    <div class="frame" id="frame"><span id="placeholder">Your QR code appears here</span></div>
    <p class="status" id="status" role="status"></p>
    <a class="button secondary" id="download" download="qrcode.png" href="#" aria-disabled="true">Download PNG</a>
  </div>
</main>
<script>
  const form = document.getElementById('form');
  const input = document.getElementById('payload');
  const button = document.getElementById('generate');
  const frame = document.getElementById('frame');
  const status = document.getElementById('status');
  const download = document.getElementById('download');
  let imageUrl = null;

  function showStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const payload = input.value;
    if (!payload) return;
    button.disabled = true;
    showStatus('Generating…');
    try {
      const response = await fetch('/qrcode', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payload }),
      });
      if (!response.ok) {
        throw new Error((await response.text()).trim() || 'HTTP ' + response.status);
      }
      const blob = await response.blob();
      if (imageUrl) URL.revokeObjectURL(imageUrl);
      imageUrl = URL.createObjectURL(blob);
      const image = new Image();
      image.alt = 'QR code for ' + payload;
      image.src = imageUrl;
      frame.replaceChildren(image);
      download.href = imageUrl;
      download.setAttribute('aria-disabled', 'false');
      showStatus('');
    } catch (error) {
      showStatus('Could not generate: ' + error.message, true);
    } finally {
      button.disabled = false;
    }
  });
</script>
</body>
</html>
`;
