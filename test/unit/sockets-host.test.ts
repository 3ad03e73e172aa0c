// What wasi:sockets answers before anything reaches the main thread: the WIT's errors for
// calls out of order or with bad arguments, IP literals resolved on the spot, and the
// versions the studio accepts. (What needs the sockets service runs on real components in
// test/integration/sockets.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingImports } from '../../runtime/host/index.ts';
import { socketsImports } from '../../runtime/host/sockets.ts';

const imports = socketsImports({ componentName: 'test', config: new Map(), environment: [], log: () => {}, atRequestEnd: () => {} });
const network = imports['wasi:sockets/instance-network'].instanceNetwork();
const tcp = () => imports['wasi:sockets/tcp-create-socket'].createTcpSocket('ipv4');
const udp = () => imports['wasi:sockets/udp-create-socket'].createUdpSocket('ipv4');
const v4 = (address: number[], port: number) => ({ tag: 'ipv4' as const, val: { port, address } });
const v6 = (address: number[], port: number) => ({ tag: 'ipv6' as const, val: { port, flowInfo: 0, address, scopeId: 0 } });

/** The error-code a call throws (jco passes it to the component as the result's err). */
function codeOf(call: () => unknown): unknown {
  try {
    call();
  } catch (thrown) {
    return thrown;
  }
  return 'no error';
}

describe('a TCP socket before it talks to the host', () => {
  it('answers not-in-progress for a finish without its start', () => {
    const socket = tcp();
    assert.equal(codeOf(() => socket.finishBind()), 'not-in-progress');
    assert.equal(codeOf(() => socket.finishConnect()), 'not-in-progress');
    assert.equal(codeOf(() => socket.finishListen()), 'not-in-progress');
  });

  it('answers invalid-state for what its state does not allow', () => {
    const socket = tcp();
    assert.equal(codeOf(() => socket.startListen()), 'invalid-state', 'listen without a bind');
    assert.equal(codeOf(() => socket.accept()), 'invalid-state', 'accept without listening');
    assert.equal(codeOf(() => socket.shutdown('both')), 'invalid-state', 'shutdown unconnected');
    assert.equal(codeOf(() => socket.localAddress()), 'invalid-state', 'no local address before a bind');
    assert.equal(codeOf(() => socket.remoteAddress()), 'invalid-state', 'no remote address before a connect');
    assert.equal(socket.isListening(), false);
    assert.equal(socket.addressFamily(), 'ipv4');
  });

  it('refuses destinations that cannot be connected to with invalid-argument', () => {
    for (const [what, address] of [
      ['any-address', v4([0, 0, 0, 0], 80)],
      ['port 0', v4([127, 0, 0, 1], 0)],
      ['broadcast', v4([255, 255, 255, 255], 80)],
      ['multicast', v4([224, 0, 0, 1], 80)],
      ['the other family', v6([0, 0, 0, 0, 0, 0, 0, 1], 80)],
    ] as const) {
      assert.equal(codeOf(() => tcp().startConnect(network, address)), 'invalid-argument', what);
    }
  });

  it('refuses an IPv4-mapped address on an IPv6 socket, and an address of the other family in a bind', () => {
    const six = imports['wasi:sockets/tcp-create-socket'].createTcpSocket('ipv6');
    assert.equal(codeOf(() => six.startConnect(network, v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], 80))), 'invalid-argument');
    assert.equal(codeOf(() => tcp().startBind(network, v6([0, 0, 0, 0, 0, 0, 0, 1], 80))), 'invalid-argument');
  });

  it('refuses 0 for the options the WIT says must be positive, and keeps what it is given otherwise', () => {
    const socket = tcp();
    assert.equal(codeOf(() => socket.setListenBacklogSize(0n)), 'invalid-argument');
    assert.equal(codeOf(() => socket.setKeepAliveIdleTime(0n)), 'invalid-argument');
    assert.equal(codeOf(() => socket.setHopLimit(0)), 'invalid-argument');
    assert.equal(codeOf(() => socket.setReceiveBufferSize(0n)), 'invalid-argument');
    socket.setKeepAliveEnabled(true);
    socket.setKeepAliveCount(3);
    assert.equal(socket.keepAliveEnabled(), true);
    assert.equal(socket.keepAliveCount(), 3);
  });

  it('has a pollable that is ready when no operation is in progress', () => {
    assert.equal(tcp().subscribe().readiness.ready(), true);
  });

  it('refuses an unknown address family with not-supported', () => {
    assert.equal(codeOf(() => imports['wasi:sockets/tcp-create-socket'].createTcpSocket('ipv5')), 'not-supported');
  });
});

describe('a UDP socket before it talks to the host', () => {
  it('needs a bind before its streams, and a finish needs its start', () => {
    const socket = udp();
    assert.equal(codeOf(() => socket.stream(undefined)), 'invalid-state');
    assert.equal(codeOf(() => socket.finishBind()), 'not-in-progress');
    assert.equal(codeOf(() => socket.remoteAddress()), 'invalid-state');
  });
});

describe('name lookup', () => {
  const resolveAll = (name: string) => {
    const stream = imports['wasi:sockets/ip-name-lookup'].resolveAddresses(network, name);
    const found = [];
    for (let next = stream.resolveNextAddress(); next; next = stream.resolveNextAddress()) found.push(next);
    return found;
  };

  it('returns an IP address as it is, without asking anyone', () => {
    assert.deepEqual(resolveAll('127.0.0.1'), [{ tag: 'ipv4', val: [127, 0, 0, 1] }]);
    assert.deepEqual(resolveAll('::1'), [{ tag: 'ipv6', val: [0, 0, 0, 0, 0, 0, 0, 1] }]);
  });

  it('refuses what is no host name with invalid-argument', () => {
    for (const name of ['', 'a b', 'host:80', 'http://example.com', '[::1]', `${'a'.repeat(64)}.com`, 'a..b']) {
      assert.equal(codeOf(() => resolveAll(name)), 'invalid-argument', JSON.stringify(name));
    }
  });
});

describe('the versions the studio accepts', () => {
  it('takes every wasi:sockets interface at 0.2.0 to 0.2.x, and refuses 0.3', () => {
    const names = ['network', 'instance-network', 'tcp', 'tcp-create-socket', 'udp', 'udp-create-socket', 'ip-name-lookup'];
    assert.deepEqual(missingImports(names.flatMap((n) => [`wasi:sockets/${n}@0.2.0`, `wasi:sockets/${n}@0.2.12`])), []);
    assert.deepEqual(missingImports(['wasi:sockets/tcp@0.3.0']), [{ name: 'wasi:sockets/tcp@0.3.0', provided: 'wasi:sockets/tcp@0.2.0 to 0.2.x' }]);
  });
});
