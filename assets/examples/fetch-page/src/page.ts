// The example's one page: a URL field and a Fetch button; the answer of GET /fetch is shown
// below it. Inline CSS and JS, light and dark.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(defaultUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fetch-page</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
  form { display: flex; gap: .5rem; }
  input { flex: 1; font: inherit; padding: .4rem .6rem; }
  button { font: inherit; padding: .4rem 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
  dt { opacity: .7; }
  .error { color: #c33; }
</style>
</head>
<body>
<h1>fetch-page</h1>
<p>The component fetches the page with <code>fetch()</code>; the studio makes the call. With
<code>outbound.offline</code> on in <code>.wash/studio.yaml</code>, only its stand-ins answer.</p>
<form id="form">
  <input id="url" name="url" value="${escapeHtml(defaultUrl)}" aria-label="URL to fetch">
  <button>Fetch</button>
</form>
<div id="out" aria-live="polite"></div>
<script>
  const out = document.getElementById('out');
  const text = (value) => String(value ?? '—').replace(/[&<>]/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const row = (name, value) => '<dt>' + name + '</dt><dd>' + text(value) + '</dd>';
  document.getElementById('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    out.textContent = 'Fetching…';
    const res = await fetch('/fetch?url=' + encodeURIComponent(document.getElementById('url').value));
    const found = await res.json();
    out.innerHTML = found.error
      ? '<p class="error">' + text(found.error) + '</p>'
      : '<dl>' + row('status', found.status) + row('type', found.contentType) + row('size', found.bytes + ' bytes') + row('title', found.title) + row('time', found.ms + ' ms') + '</dl>';
  });
</script>
</body>
</html>
`;
}
