import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { AuthContext, AuthenticationType, Connection, SFTPWrapper } from 'ssh2';
import { fingerprintOf, generateSshKey } from './keys.js';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

/** Who may log in: a password, a public key (an OpenSSH `type base64` line), or both. */
export type SftpUser = { password?: string; publicKey?: string };

/** Switchable misbehaviour, read on every request (change it between runs). */
export type SftpFaults = {
  /** Every login is refused, whatever the credentials. */
  refuseLogin?: boolean;
  /** The TCP connection is cut (no SSH goodbye) once this many file bytes were served on it. */
  dropAfterBytes?: number;
  /** Names whose reported size grows on every look (a file still being uploaded). */
  growing?: string[];
  /** Directory listings come back empty. */
  emptyDirectory?: boolean;
  /** Reads of file data are never answered (a hung server). */
  stallReads?: boolean;
};

export type SftpStats = { connections: number; logins: number; refusedLogins: number; bytesServed: number; opened: string[]; drops: number };

export type SftpSimulator = {
  host: string;
  port: number;
  /** The folder served as `/`. */
  root: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it (SHA256:…). */
  hostKeySha256: string;
  faults: SftpFaults;
  stats: SftpStats;
  close(): Promise<void>;
};

type Handle = { kind: 'file'; fd: number; path: string } | { kind: 'dir'; real: string; done: boolean };

/**
 * A real SSH/SFTP server (ssh2's `Server`) in this process, serving a local folder read-only as
 * `/`: password and public-key logins, OPEN/READ/CLOSE/STAT/LSTAT/FSTAT/OPENDIR/READDIR/REALPATH
 * (anything else is refused or unsupported), with switchable faults.
 */
export async function startSftpSimulator(opts: { root: string; users: Record<string, SftpUser>; hostKey?: string }): Promise<SftpSimulator> {
  const hostKey = opts.hostKey ?? generateSshKey().privateKey;
  const parsedHost = ssh2.utils.parseKey(hostKey);
  if (parsedHost instanceof Error) throw parsedHost;
  const root = path.resolve(opts.root);
  const faults: SftpFaults = {};
  const stats: SftpStats = { connections: 0, logins: 0, refusedLogins: 0, bytesServed: 0, opened: [], drops: 0 };
  const growth = new Map<string, number>();
  const sockets = new Map<number, net.Socket>();

  const ssh = new ssh2.Server({ hostKeys: [hostKey] }, (client: Connection, info) => {
    stats.connections++;
    const socket = sockets.get(info.port);
    client.on('error', () => {});
    client.on('authentication', (ctx) => authenticate(ctx));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serve(acceptSftp(), socket));
      });
    });
  });

  function authenticate(ctx: AuthContext): void {
    const methods: AuthenticationType[] = ['password', 'publickey'];
    if (ctx.method === 'none') return ctx.reject(methods);
    const user = opts.users[ctx.username];
    const refuse = () => {
      stats.refusedLogins++;
      ctx.reject(methods);
    };
    if (faults.refuseLogin || !user) return refuse();
    if (ctx.method === 'password') {
      if (user.password !== undefined && ctx.password === user.password) {
        stats.logins++;
        return ctx.accept();
      }
      return refuse();
    }
    if (ctx.method === 'publickey' && user.publicKey) {
      const allowed = ssh2.utils.parseKey(user.publicKey);
      if (allowed instanceof Error || !ctx.key.data.equals(allowed.getPublicSSH())) return refuse();
      if (!ctx.signature) return ctx.accept(); // "this key would do": the client signs next
      if (allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return refuse();
      stats.logins++;
      return ctx.accept();
    }
    return ctx.reject(methods);
  }

  /** `/a/../b` → the real path under root (never outside it). */
  const resolve = (p: string) => {
    const virtual = path.posix.resolve('/', p);
    return { virtual, real: path.join(root, ...virtual.split('/').filter(Boolean)) };
  };

  const attrsOf = (st: fs.Stats, name: string) => {
    let size = st.size;
    if (faults.growing?.includes(name)) {
      const n = (growth.get(name) ?? 0) + 1;
      growth.set(name, n);
      size += n * 4096;
    }
    return { mode: st.mode, uid: 1000, gid: 1000, size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
  };

  const longname = (name: string, st: fs.Stats, size: number) => {
    const d = new Date(st.mtimeMs);
    const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
    const time = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    return `${st.isDirectory() ? 'd' : '-'}r--r--r-- 1 rollcall rollcall ${String(size).padStart(10)} ${month} ${String(d.getUTCDate()).padStart(2)} ${time} ${name}`;
  };

  const failWith = (sftp: SFTPWrapper, reqid: number, err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    if (code === 'EACCES' || code === 'EPERM') return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    return sftp.status(reqid, STATUS_CODE.FAILURE, String((err as Error).message));
  };

  function serve(sftp: SFTPWrapper, socket: net.Socket | undefined): void {
    const handles = new Map<number, Handle>();
    let next = 1;
    let served = 0;
    const handleFor = (h: Handle) => {
      const id = next++;
      handles.set(id, h);
      const b = Buffer.alloc(4);
      b.writeUInt32BE(id);
      return b;
    };
    const lookup = (b: Buffer) => (b.length === 4 ? handles.get(b.readUInt32BE(0)) : undefined);
    const closeAll = () => {
      for (const h of handles.values()) if (h.kind === 'file') fs.closeSync(h.fd);
      handles.clear();
    };
    sftp.on('end', closeAll).on('close', closeAll).on('error', () => {});

    sftp.on('REALPATH', (reqid, p) => {
      const { virtual } = resolve(p);
      sftp.name(reqid, [{ filename: virtual, longname: virtual, attrs: {} as never }]);
    });
    const stat = (reqid: number, p: string, follow: boolean) => {
      const { real, virtual } = resolve(p);
      try {
        const st = follow ? fs.statSync(real) : fs.lstatSync(real);
        sftp.attrs(reqid, attrsOf(st, path.posix.basename(virtual)));
      } catch (err) {
        failWith(sftp, reqid, err);
      }
    };
    sftp.on('STAT', (reqid, p) => stat(reqid, p, true));
    sftp.on('LSTAT', (reqid, p) => stat(reqid, p, false));
    sftp.on('OPEN', (reqid, p, flags) => {
      if (flags & (OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.TRUNC | OPEN_MODE.APPEND | OPEN_MODE.EXCL)) {
        return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'read-only server');
      }
      const { real, virtual } = resolve(p);
      try {
        if (fs.statSync(real).isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE, 'is a directory');
        const fd = fs.openSync(real, 'r');
        stats.opened.push(virtual);
        sftp.handle(reqid, handleFor({ kind: 'file', fd, path: virtual }));
      } catch (err) {
        failWith(sftp, reqid, err);
      }
    });
    sftp.on('FSTAT', (reqid, handle) => {
      const h = lookup(handle);
      if (!h || h.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      sftp.attrs(reqid, attrsOf(fs.fstatSync(h.fd), path.posix.basename(h.path)));
    });
    sftp.on('READ', (reqid, handle, offset, length) => {
      const h = lookup(handle);
      if (!h || h.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      if (faults.stallReads) return; // never answered
      const buf = Buffer.alloc(length);
      const n = fs.readSync(h.fd, buf, 0, length, offset);
      if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      if (faults.dropAfterBytes !== undefined && served + n > faults.dropAfterBytes) {
        stats.drops++;
        socket?.destroy(); // the network goes away: no SSH disconnect, no SFTP status
        return;
      }
      served += n;
      stats.bytesServed += n;
      sftp.data(reqid, buf.subarray(0, n));
    });
    sftp.on('CLOSE', (reqid, handle) => {
      const h = lookup(handle);
      if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      if (h.kind === 'file') fs.closeSync(h.fd);
      handles.delete(handle.readUInt32BE(0));
      sftp.status(reqid, STATUS_CODE.OK);
    });
    sftp.on('OPENDIR', (reqid, p) => {
      const { real } = resolve(p);
      try {
        if (!fs.statSync(real).isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a directory');
        sftp.handle(reqid, handleFor({ kind: 'dir', real, done: false }));
      } catch (err) {
        failWith(sftp, reqid, err);
      }
    });
    sftp.on('READDIR', (reqid, handle) => {
      const h = lookup(handle);
      if (!h || h.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      if (h.done) return sftp.status(reqid, STATUS_CODE.EOF);
      h.done = true;
      const names = [];
      for (const name of faults.emptyDirectory ? [] : fs.readdirSync(h.real)) {
        let st: fs.Stats;
        try {
          st = fs.statSync(path.join(h.real, name));
        } catch {
          continue;
        }
        const attrs = attrsOf(st, name);
        names.push({ filename: name, longname: longname(name, st, attrs.size), attrs });
      }
      if (!names.length) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.name(reqid, names);
    });
    for (const op of ['WRITE', 'REMOVE', 'RENAME', 'MKDIR', 'RMDIR', 'SETSTAT', 'FSETSTAT', 'SYMLINK'] as const) {
      sftp.on(op as 'WRITE', (reqid: number) => sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'read-only server'));
    }
  }

  const tcp = net.createServer((socket) => {
    const port = socket.remotePort!;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
    socket.on('error', () => {});
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const port = (tcp.address() as net.AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    root,
    hostKeySha256: fingerprintOf(parsedHost.getPublicSSH()),
    faults,
    stats,
    close: async () => {
      for (const s of sockets.values()) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
