/**
 * The service's error family: a stable snake_case code, an HTTP status, and details safe to show.
 * The HTTP error middleware renders these as { code, message, details }; anything else is a plain 500.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', 400, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor() {
    super('unauthorized', 401, 'Send the admin token as "Authorization: Bearer <token>".');
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', 404, `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 409, message, details);
  }
}
