import { parentPort } from 'node:worker_threads';
import { CSV_FILES } from './files/index.js';
import { openCsvPackage, type CsvPackage } from './package-source.js';
import type { ParseCommand, ParseReply, ParseRequest } from './parse-thread.js';
import { ProblemLog } from './problems.js';
import { CsvFormatError } from './read-csv.js';
import { readInto } from './read-file.js';

// The worker side of ParseThread: reads the files it is asked for, one at a time in the order
// asked, and posts each one's encoded batches back, waiting once IN_FLIGHT batches are not yet
// spooled by the main thread.

const IN_FLIGHT = 4;
const port = parentPort!;
const stop = new AbortController();
const queue: ParseRequest[] = [];
/** The file being read and how many of its batches the main thread has spooled. */
let current = 0;
let acked = 0;
let wake: (() => void) | undefined;
/** The import's package, opened at the first file asked for. */
let pkg: CsvPackage | undefined;

const send = (r: ParseReply) => port.postMessage(r);
const utf8 = new TextEncoder();
const nudge = () => {
  const w = wake;
  wake = undefined;
  w?.();
};

port.on('message', (c: ParseCommand) => {
  if (c.t === 'read') queue.push(c);
  else if (c.t === 'ack') acked += c.id === current ? 1 : 0;
  else stop.abort(new Error('the import stopped'));
  nudge();
});

async function read(req: ParseRequest): Promise<void> {
  const spec = CSV_FILES.find((s) => s.file === req.file)!;
  pkg ??= await openCsvPackage(req.location);
  let sent = 0;
  current = req.id;
  acked = 0;
  const sink = {
    append: async (text: string) => {
      // Encoded here and moved, not copied: the main thread, which also parses, neither decodes a
      // copy of the text nor encodes it again. TextEncoder gives each batch a buffer of its own.
      const bytes = utf8.encode(text);
      port.postMessage({ t: 'batch', id: req.id, bytes } satisfies ParseReply, [bytes.buffer]);
      sent++;
      while (sent - acked >= IN_FLIGHT) {
        stop.signal.throwIfAborted();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  const ctx = { version: req.version, orgTypes: new Map(), rolesByUser: new Map(), profilesByUser: new Map() };
  const job = { format: req.format, pkg, ctx, log: new ProblemLog(req.cap), onProgress: (_file: string, rows: number) => send({ t: 'progress', id: req.id, rows }) };
  try {
    const r = await readInto(job, spec, req.entity, sink, stop.signal);
    const { cap, kept, notShown, errors } = r.problems;
    send({ t: 'done', id: req.id, rows: r.rows, unstaged: r.unstaged, problems: { cap, kept, notShown, errors }, index: r.columns?.index, gathered: r.gathered });
  } catch (e) {
    const csv = e instanceof CsvFormatError;
    send({ t: 'failed', id: req.id, message: (e as Error).message, csv, line: csv ? e.line : undefined, column: csv ? e.column : undefined });
  }
}

while (!stop.signal.aborted) {
  const next = queue.shift();
  if (next) await read(next);
  else await new Promise<void>((resolve) => (wake = resolve));
}
pkg?.close();
port.close();
