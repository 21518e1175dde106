/**
 * The sandbox child inside OS namespaces, with bubblewrap: new user (uid/gid 65534, no
 * capabilities), PID, network, IPC, UTS, cgroup and mount namespaces; a fresh /proc (its own
 * processes only) and a minimal /dev; read-only binds of only the Node binary, the shared
 * libraries it is running with, the runtime folder and the bundle folder, each at its own path;
 * nothing else of the host. `--die-with-parent` and the PID namespace end every process of the
 * sandbox when the grader kills it or dies; `--new-session` keeps it off the grader's terminal.
 * Node's permission model stays inside as a second wall (spawn-node.ts).
 */
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** The files Node needs to start: its binary, its program interpreter, its shared libraries. */
export interface NodeFiles {
  files: string[];
  /** The folders of the shared libraries (LD_LIBRARY_PATH inside, where there is no ld.so.cache). */
  libraryDirs: string[];
}

let nodeFiles: NodeFiles | undefined;

/**
 * The files the running Node was loaded from, read from /proc/self/maps (this very process runs
 * the same binary the child will, so its mapped libraries are exactly the ones needed; costs
 * well under a millisecond, unlike `ldd`), plus the ELF interpreter it names. Once per process.
 */
export function nodeRuntimeFiles(): NodeFiles {
  if (nodeFiles) return nodeFiles;
  const exe = realpathSync(process.execPath);
  const files = new Set<string>([exe]);
  const libraryDirs = new Set<string>();
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const at = line.indexOf('/');
    if (at < 0) continue;
    const path = line.slice(at);
    if (!/\.so(\.|$)/.test(path) || path.endsWith(' (deleted)') || files.has(path)) continue;
    files.add(path);
    for (const name of sonameLinks(path)) files.add(name);
    libraryDirs.add(dirname(path));
  }
  const interpreter = elfInterpreter(exe);
  if (interpreter) files.add(interpreter);
  nodeFiles = { files: [...files], libraryDirs: [...libraryDirs] };
  return nodeFiles;
}

/**
 * The names the loader looks a mapped library up by: /proc/self/maps shows the real file
 * (libstdc++.so.6.0.30), a binary asks for its soname (libstdc++.so.6), a link beside it. The
 * version suffixes are stripped one by one and every link that leads to the same file is kept.
 */
function sonameLinks(path: string): string[] {
  const links: string[] = [];
  let name = path;
  for (let m = /\.\d+$/.exec(name); m; m = /\.\d+$/.exec(name)) {
    name = name.slice(0, m.index);
    try {
      if (realpathSync(name) === path) links.push(name);
    } catch {
      // no such link
    }
  }
  return links;
}

/** The PT_INTERP path of an ELF binary (e.g. /lib64/ld-linux-x86-64.so.2), or undefined. */
export function elfInterpreter(binary: string): string | undefined {
  const fd = openSync(binary, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < 64 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (o: number) => (le ? head.readUInt16LE(o) : head.readUInt16BE(o));
    const u32 = (o: number) => (le ? head.readUInt32LE(o) : head.readUInt32BE(o));
    const word = (o: number) => (is64 ? Number(le ? head.readBigUInt64LE(o) : head.readBigUInt64BE(o)) : u32(o));
    const phoff = word(is64 ? 0x20 : 0x1c);
    const phentsize = u16(is64 ? 0x36 : 0x2a);
    const phnum = u16(is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      if (ph + phentsize > n) return undefined;
      if (u32(ph) !== 3 /* PT_INTERP */) continue;
      const offset = word(ph + (is64 ? 0x08 : 0x04));
      const size = word(ph + (is64 ? 0x20 : 0x10));
      if (offset + size > n) return undefined;
      return head.toString('latin1', offset, offset + size).replace(/\0+$/, '');
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** What a bwrap'd command may see besides Node itself. */
export interface BwrapSpec {
  /** Host folders bound read-only at the same path (absolute, real). */
  readOnly: string[];
  /** Working directory inside (one of readOnly). */
  cwd: string;
}

/**
 * bwrap's arguments to run `command` (absolute program path first) in the sandbox's namespaces.
 * The environment passes through bwrap: spawn bwrap with the child's environment.
 */
export function bwrapArgs(command: string[], spec: BwrapSpec): string[] {
  const { files } = nodeRuntimeFiles();
  const binds: string[] = [];
  for (const path of [...files, ...spec.readOnly]) binds.push('--ro-bind', path, path);
  return [
    '--unshare-all',
    // Also when the grader runs as root: the child is never root, not even in its own namespace.
    '--unshare-user',
    '--uid', '65534',
    '--gid', '65534',
    '--cap-drop', 'ALL',
    '--die-with-parent',
    '--new-session',
    '--hostname', 'sandbox',
    '--proc', '/proc',
    '--dev', '/dev',
    ...binds,
    '--chdir', spec.cwd,
    ...command,
  ];
}

/** The child's environment inside bwrap: only where its libraries are (no ld.so.cache in there). */
export function bwrapEnv(): NodeJS.ProcessEnv {
  return { LD_LIBRARY_PATH: nodeRuntimeFiles().libraryDirs.join(':') };
}
