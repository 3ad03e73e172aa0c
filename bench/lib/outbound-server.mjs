// The server of the outbound benchmark, in a process of its own so that both clients (the
// studio's outbound path and plain undici) call the same server the same way. Prints its
// port, then serves:
//   GET  /small            "ok"
//   GET  /download?bytes=N N bytes, written in 1 MiB pieces at the connection's pace
//   POST /upload           reads the body to its end, answers its size
import { createServer } from 'node:http';

const piece = Buffer.alloc(1 << 20, 7);

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/small') {
    res.end('ok');
  } else if (url.pathname === '/download') {
    const total = Number(url.searchParams.get('bytes'));
    res.writeHead(200, { 'content-length': String(total) });
    let sent = 0;
    const more = () => {
      while (sent < total) {
        const size = Math.min(piece.length, total - sent);
        sent += size;
        if (!res.write(size === piece.length ? piece : piece.subarray(0, size))) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  } else if (url.pathname === '/upload') {
    let received = 0;
    req.on('data', (chunk) => (received += chunk.length));
    req.on('end', () => res.end(String(received)));
  } else {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
