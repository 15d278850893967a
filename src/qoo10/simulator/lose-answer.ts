// How the simulator loses or garbles the answer of a write hit by a lost-answer fault (write-faults.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedCall } from './start-simulator';
import type { LostAnswerFault, WriteAttempt } from './write-faults';

export function loseAnswer(req: IncomingMessage, res: ServerResponse, record: RecordedCall, attempts: WriteAttempt[], fault: LostAnswerFault): void {
  record.lostAnswer = fault.kind;
  for (const attempt of attempts) attempt.answer = fault.kind;
  switch (fault.kind) {
    case 'http5xx': {
      const status = fault.httpStatus ?? 503;
      record.httpStatus = status;
      const body = 'Service Temporarily Unavailable';
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    case 'drop':
      // No status line, no body: the caller sees the connection reset.
      record.httpStatus = 0;
      req.socket.destroy();
      return;
    case 'scalar_success': {
      const body = JSON.stringify({ ResultCode: 0, ResultMsg: 'SUCCESS', ResultObject: fault.resultObject ?? 0 });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
  }
}
