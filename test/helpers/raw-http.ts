// HTTP as bytes on a socket, for tests that check what reaches the wire: pipelined requests,
// framing, connections the server closes.
import { connect } from 'node:net';

/**
 * Opens a connection, writes `text` (then shuts down its sending side, with `halfClose`), and
 * resolves with all it read once the server closed it (or `waitMs` passed).
 */
export function exchangeRaw(port: number, text: string, waitMs = 5000, { halfClose = false } = {}): Promise<{ closed: boolean; received: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (halfClose ? socket.end(text) : socket.write(text)));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, received });
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, received });
    });
  });
}
