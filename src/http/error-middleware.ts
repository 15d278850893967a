import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/** Renders every error as { code, message, details }; unknown errors become a plain 500. */
export function errorMiddleware(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof AppError) {
      res.status(error.status).json({ code: error.code, message: error.message, details: error.details ?? null });
      return;
    }
    // express.json() reports malformed bodies with a status and type; keep them 400, not 500.
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (error as { type?: string }).type;
      res.status(status).json({
        code: type === 'entity.too.large' ? 'payload_too_large' : 'bad_request',
        message: type === 'entity.parse.failed' ? 'The request body is not valid JSON.' : 'The request could not be read.',
        details: null,
      });
      return;
    }
    logger.error({ err: error, path: req.path, method: req.method }, 'unhandled error in request');
    res.status(500).json({ code: 'internal_error', message: 'Something went wrong on our side; it has been logged.', details: null });
  };
}
