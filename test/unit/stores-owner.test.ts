// One process owns a store root: a second live one is refused by name, a dead one (exited,
// a zombie, or a pid reused by another program) is taken over; and nothing is created on disk
// before the first write.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { currentProcess, processRunning } from '../../runtime/stores/process-identity.ts';
import { parseOwner, storeRootOwner } from '../../runtime/stores/store-owner.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { StoreError } from '../../runtime/stores/store-error.ts';
import { fails } from '../helpers/store-assertions.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-owner-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const linux = process.platform === 'linux';

function folder(): string {
  const root = join(scratch, `root-${counter++}`);
  mkdirSync(root);
  return root;
}

/** The start time /proc gives a running process, as owner files record it. */
function startTimeOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
}

/**
 * A process that has exited but was not reaped: its parent (a shell exec'd into sleep) never
 * waits. The child outlives the exec by a moment; one that ended before it could be reaped by
 * the shell, and there would be no zombie.
 */
async function zombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  while (readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]![0] !== 'Z') await new Promise((r) => setTimeout(r, 10));
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe('store ownership', () => {
  it('refuses a key-value root another live process owns, naming that process', { skip: !linux && 'start times are read from /proc' }, () => {
    const root = folder();
    // The parent of this test process is alive: it stands for another studio.
    writeFileSync(join(root, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid)} 12345\n`);
    fails(() => new KeyValueStore(root, { locks: new StoreLocks() }), 'in-use', new RegExp(`in use by process ${process.ppid}`));
  });

  it('refuses a root whose owner file another program wrote over, naming the file to delete; an empty one is taken over', () => {
    // The owner it held may still be writing: taking over could have its writes undone by a replay.
    const root = folder();
    writeFileSync(join(root, '.cs-owner'), 'garbage \u0000\u0007 not an owner');
    const store = () => new KeyValueStore(root, { locks: new StoreLocks() });
    assert.throws(store, (error: unknown) => {
      assert.ok(error instanceof StoreError && error.code === 'in-use', String(error));
      assert.ok(error.message.includes(`in use by a process its owner file ${join(root, '.cs-owner')} does not name`), error.message);
      assert.ok(error.hint?.includes(`delete ${join(root, '.cs-owner')} and retry`), error.hint);
      return true;
    });
    writeFileSync(join(root, '.cs-owner'), '');
    const taken = store();
    taken.set('b', 'k', Buffer.from('v'));
    taken.close();
  });

  it('puts back an owner file another program deleted at the next write, and refuses writes once another live process claimed the folder meanwhile', { skip: !linux && 'start times are read from /proc' }, () => {
    const root = folder();
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    try {
      store.set('b', 'k', Buffer.from('1'));
      rmSync(join(root, '.cs-owner'));
      store.set('b', 'k', Buffer.from('2'));
      assert.equal(parseOwner(readFileSync(join(root, '.cs-owner'), 'utf8'))?.pid, process.pid, 'claimed again');
      // A second studio started while the file was gone, and owns the folder now: this one's
      // writes would be undone by that one's replay after a crash, so none is acknowledged.
      rmSync(join(root, '.cs-owner'));
      writeFileSync(join(root, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid)} 12345\n`);
      fails(() => store.set('b', 'k', Buffer.from('3')), 'in-use', new RegExp(`in use by process ${process.ppid}`));
      assert.equal(Buffer.from(store.get('b', 'k')!).toString(), '2');
      rmSync(join(root, '.cs-owner')); // the other one let it go
    } finally {
      store.close();
    }
  });

  it('writes nothing when the folder changes under a store that owns it already, so a full disk does not refuse its writes', async () => {
    const root = folder();
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    const seen: string[] = [];
    const watcher = watch(root, (_event, name) => seen.push(String(name)));
    try {
      store.set('b', 'k', Buffer.from('1'));
      const owner = readFileSync(join(root, '.cs-owner'), 'utf8');
      // Another program's file in the root moves the folder's times: the next write looks again.
      writeFileSync(join(root, 'notes.txt'), 'hello');
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen.length = 0;
      store.set('b', 'k', Buffer.from('2'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(seen.filter((name) => name.startsWith('.cs-owner')), [], 'an owner file was written');
      assert.equal(readFileSync(join(root, '.cs-owner'), 'utf8'), owner);
    } finally {
      watcher.close();
      store.close();
    }
  });

  it('reads an owner file whose folder id is past 2^53 (NTFS ids are), exactly, rather than taking it for garbage', () => {
    assert.deepEqual(parseOwner('4242 17 99 18446744073709551557\n'), { pid: 4242, started: 17, token: 99, folder: '18446744073709551557' });
    assert.deepEqual(parseOwner('4242 99'), { pid: 4242, started: undefined, token: 99, folder: undefined });
    assert.equal(parseOwner('4242 17 99 1.8e19'), undefined);
    const root = folder();
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    store.set('b', 'k', new Uint8Array([1]));
    assert.equal(parseOwner(readFileSync(join(root, '.cs-owner'), 'utf8'))?.folder, String(statSync(root, { bigint: true }).ino));
    store.close();
  });

  it('refuses a blob root another live process owns', () => {
    const root = folder();
    writeFileSync(join(root, '.cs-owner'), `${process.ppid} 12345\n`);
    fails(() => new BlobStore(root, { locks: new StoreLocks() }), 'in-use', new RegExp(`in use by process ${process.ppid}`));
  });

  it('takes over a root whose owner is a zombie (killed but not yet reaped)', { skip: !linux && 'zombies are told apart through /proc' }, async () => {
    const dead = await zombie();
    try {
      assert.equal(processRunning(dead.pid), false);
      const root = folder();
      writeFileSync(join(root, '.cs-owner'), `${dead.pid} 12345\n`);
      const store = new KeyValueStore(root, { locks: new StoreLocks() });
      store.set('b', 'k', Buffer.from('v'));
      assert.match(readFileSync(join(root, '.cs-owner'), 'utf8'), new RegExp(`^${process.pid} `));
      store.close();
    } finally {
      dead.stop();
    }
  });

  it('takes over a root whose owner file was copied from another folder (cp -r while its studio ran)', { skip: !linux && 'start times are read from /proc' }, () => {
    const root = folder();
    const original = folder();
    // A live owner, but of the original folder: its inode is recorded, and this copy has another.
    writeFileSync(join(root, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid)} 12345 ${statSync(original).ino}\n`);
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    store.set('b', 'k', Buffer.from('v'));
    assert.match(readFileSync(join(root, '.cs-owner'), 'utf8'), new RegExp(`^${process.pid} \\d+ \\d+ ${statSync(root).ino}\\n$`));
    store.close();
    // The original's own owner file still refuses a second studio there.
    writeFileSync(join(original, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid)} 12345 ${statSync(original).ino}\n`);
    fails(() => new KeyValueStore(original, { locks: new StoreLocks() }), 'in-use', new RegExp(`in use by process ${process.ppid}`));
    // Asked who owns them, without claiming: the original's owner, and nobody for the copy.
    assert.equal(storeRootOwner(original), process.ppid);
    writeFileSync(join(root, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid)} 12345 ${statSync(original).ino}\n`);
    assert.equal(storeRootOwner(root), undefined);
  });

  it('takes over a root whose owner pid now belongs to a process that started later', { skip: !linux && 'start times are read from /proc' }, () => {
    const root = folder();
    writeFileSync(join(root, '.cs-owner'), `${process.ppid} ${startTimeOf(process.ppid) - 1} 12345\n`);
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    store.close();
  });

  it('refuses a second StoreLocks on the same root in one process', () => {
    const root = folder();
    const first = new KeyValueStore(root, { locks: new StoreLocks() });
    try {
      fails(() => new KeyValueStore(root, { locks: new StoreLocks() }), 'in-use', /this process, through another StoreLocks/);
    } finally {
      first.close();
    }
  });

  it('lets the root go on close, so the next process opens it without a stale owner', () => {
    const root = folder();
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    store.set('b', 'k', Buffer.from('v'));
    store.close();
    assert.equal(existsSync(join(root, '.cs-owner')), false);
    const again = new KeyValueStore(root, { locks: new StoreLocks() });
    assert.equal(Buffer.from(again.get('b', 'k')!).toString(), 'v');
    again.close();
  });

  it('describes this process with its start time where the system has one', () => {
    const self = currentProcess();
    assert.equal(self.pid, process.pid);
    if (linux) assert.equal(self.started, startTimeOf(process.pid));
    assert.equal(processRunning(process.pid, self.started), true);
    const exited = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    assert.equal(processRunning(Number(exited.stdout.trim())), false);
  });
});

describe('stores create nothing before the first write', () => {
  it('a key-value store on a missing folder reads as empty and leaves the disk alone', () => {
    const root = join(scratch, `missing-${counter++}`, 'data', 'keyvalue');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    assert.deepEqual(store.buckets(), []);
    assert.equal(store.get('b', 'k'), undefined);
    assert.equal(store.exists('b', 'k'), false);
    assert.equal(store.bucketExists('b'), false);
    store.checkpoint();
    assert.equal(existsSync(join(root, '..')), false);
    store.set('b', 'k', Buffer.from('v'));
    assert.deepEqual(readdirSync(root).sort(), ['.cs-journal', '.cs-owner', 'b']);
    store.close();
  });

  it('an existing folder without data gets no journal until something is written', () => {
    const root = folder();
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    assert.equal(existsSync(join(root, '.cs-journal')), false);
    store.createBucket('b');
    assert.equal(existsSync(join(root, '.cs-journal')), true);
    store.close();
  });

  it('a project\'s data folder is not made again once the project folder is gone (moved or deleted)', () => {
    const project = folder();
    const root = join(project, '.wash', 'data', 'keyvalue');
    rmSync(project, { recursive: true });
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    fails(() => store.set('b', 'k', Buffer.from('v')), 'io', /the project folder .* is gone \(moved or deleted\)/);
    assert.equal(existsSync(project), false, 'the project folder came back');
    store.close();
    // A folder of the user's choice, not inside a project's .wash/data, is made with its parents.
    const chosen = join(scratch, `chosen-${counter++}`, 'nested', 'keyvalue');
    const other = new KeyValueStore(chosen, { locks: new StoreLocks() });
    other.set('b', 'k', Buffer.from('v'));
    other.close();
  });

  it('a blob store on a missing folder reads as empty until a container is created', () => {
    const root = join(scratch, `missing-${counter++}`, 'blobstore');
    const store = new BlobStore(root, { locks: new StoreLocks() });
    assert.deepEqual(store.containers(), []);
    assert.equal(store.containerExists('c'), false);
    assert.equal(existsSync(root), false);
    store.createContainer('c');
    assert.deepEqual(readdirSync(root).sort(), ['.cs-owner', 'c']);
    store.close();
    assert.deepEqual(readdirSync(root), ['c']);
  });
});
