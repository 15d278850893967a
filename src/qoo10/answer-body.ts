// How an answer's body is read (http-qoo10-client.ts asks axios for a stream) and turned into a success or
// a typed error. Most answers are collected
// whole, as before. A list answer whose rows are wanted in batches is cut into rows while it arrives
// (answer-stream.ts) and handed over as StreamedRows, so a day of a big shop's orders (tens of MB) is
// never held whole; the body is read at the pace its rows are stored (ADR 0024).
import type { Readable } from 'node:stream';
import { AnswerRows, splitAnswer } from './answer-rows';
import { AnswerStream, type MayRelease } from './answer-stream';
import { readEnvelope, type EnvelopeContext, type Qoo10Success } from './envelope';
import { Qoo10MalformedResponseError } from './errors';

/**
 * One attempt's time limit. It counts the time spent waiting for Qoo10 only: while the caller maps and
 * stores the rows of an answer that is still arriving, it is held.
 */
export class AnswerClock {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private remainingMs: number;
  private startedAt = 0;
  private stopped = false;

  constructor(limitMs: number) {
    this.remainingMs = limitMs;
    this.run();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  run(): void {
    if (this.stopped || this.expired || this.timer !== undefined) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => this.controller.abort(), Math.max(0, this.remainingMs));
    this.timer.unref();
  }

  hold(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= Date.now() - this.startedAt;
  }

  stop(): void {
    this.hold();
    this.stopped = true;
  }
}

/** The whole body; a transport failure while reading it becomes `fail(error)`. */
export async function collectBody(source: AsyncIterator<Buffer>, fail: (error: unknown) => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (;;) {
    const next = await nextChunk(source, fail);
    if (next === undefined) return Buffer.concat(chunks);
    chunks.push(next);
  }
}

async function nextChunk(source: AsyncIterator<Buffer>, fail: (error: unknown) => Error): Promise<Buffer | undefined> {
  try {
    const next = await source.next();
    return next.done ? undefined : next.value;
  } catch (error) {
    throw fail(error);
  }
}

export interface StreamedAnswerOptions {
  minBytes: number;
  mayRelease: MayRelease;
  malformed: (what: string) => Error;
  fail: (error: unknown) => Error;
  /** Reads the whole envelope (without its rows) once the body has ended; throws the error it stands for. */
  finish: (envelope: string) => void;
  clock: AnswerClock;
  /** Ends the exchange (destroys the response stream if it is still open). */
  close: () => void;
}

/**
 * Reads the body until its rows can be handed out: StreamedRows then, or the whole body when the answer is
 * short, ends first or is not the plain shape (the caller reads it as before).
 */
export async function readStreamed(source: AsyncIterator<Buffer>, options: StreamedAnswerOptions): Promise<StreamedRows | Buffer> {
  const answer = new AnswerStream(options.minBytes, options.mayRelease, options.malformed);
  for (;;) {
    const next = await nextChunk(source, options.fail);
    if (next === undefined) {
      // Rows were never handed out, so the answer was held whole.
      const end = answer.end();
      if ('body' in end) return end.body;
      throw new Error('an answer that hands out rows ends in StreamedRows');
    }
    const rows = answer.push(next);
    if (answer.releasing) {
      options.clock.hold();
      return new StreamedRows(source, answer, rows, options);
    }
  }
}

/**
 * The rows of an answer that is still arriving, each parsed when reached; the iteration ends once the
 * body has ended and its whole envelope reads as success (otherwise it throws that envelope's error).
 * The body is read as the rows are taken: while the caller stores a batch, the answer waits.
 */
export class StreamedRows implements AsyncIterable<unknown> {
  private first: string[] | null;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly answer: AnswerStream,
    first: string[],
    private readonly options: StreamedAnswerOptions,
  ) {
    this.first = first;
  }

  /** The envelope's members before the rows, as `{...}` text. */
  get envelopeBefore(): string {
    return this.answer.envelopeBefore;
  }

  close(): void {
    this.options.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    if (this.first === null) throw new Error('StreamedRows can be read once');
    let rows = this.first;
    this.first = null;
    let index = 0;
    try {
      for (;;) {
        for (const text of rows) {
          let row: unknown;
          try {
            row = JSON.parse(text);
          } catch {
            throw this.options.malformed(`ResultObject[${index}] is not valid JSON`);
          }
          index += 1;
          yield row;
        }
        // The clock runs only while Qoo10 is awaited, not while the caller maps and stores rows.
        this.options.clock.run();
        const next = await nextChunk(this.source, this.options.fail);
        this.options.clock.hold();
        if (next === undefined) break;
        rows = this.answer.push(next);
      }
      const end = this.answer.end();
      if ('envelope' in end) this.options.finish(end.envelope);
    } finally {
      this.close();
    }
  }
}

export interface ReadAnswerOptions {
  context: EnvelopeContext;
  /** A list whose rows are taken in batches: a large one is handed over as StreamedRows while it arrives. */
  streamRows: boolean;
  /** Answers at least this long are read row by row (answer-rows.ts / answer-stream.ts). */
  rowByRowBytes: number;
  /** A transport failure while the body is read, as the client's typed error. */
  fail: (error: unknown) => Error;
  clock: AnswerClock;
}

/**
 * The answer of one HTTP exchange: its body read from the response stream and turned into a success or a
 * typed error (envelope.ts). A stream given up on is destroyed; one read to its end is left alone.
 */
export async function readAnswer(stream: Readable, status: number, options: ReadAnswerOptions): Promise<Qoo10Success> {
  const { context, clock, fail } = options;
  const { method } = context;
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const close = () => {
    clock.stop();
    if (!stream.readableEnded) stream.destroy();
  };
  const malformed = (what: string) => new Qoo10MalformedResponseError(`${method}: ${what}`, { method });
  let streaming = false;
  try {
    const read =
      options.streamRows && status >= 200 && status < 300
        ? await readStreamed(source, {
            minBytes: options.rowByRowBytes,
            mayRelease: (envelope) => succeeds(() => readEnvelope(status, envelope, context)),
            malformed,
            fail,
            finish: (envelope) => void readEnvelope(status, envelope, context),
            clock,
            close,
          })
        : await collectBody(source, fail);
    if (read instanceof StreamedRows) {
      streaming = true;
      return { ...readEnvelope(status, read.envelopeBefore, context), resultObject: read };
    }
    const split = read.length >= options.rowByRowBytes ? splitAnswer(read) : null;
    if (split) {
      const success = readEnvelope(status, split.envelope, context);
      return { ...success, resultObject: new AnswerRows(read, split.rows, malformed) };
    }
    // As axios decoded text: UTF-8 without a byte order mark.
    return readEnvelope(status, read.toString('utf8').replace(/^\uFEFF/, ''), context);
  } finally {
    if (!streaming) close();
  }
}

function succeeds(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}
