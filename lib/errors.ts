/**
 * Errors the service means to return. Each carries a stable `code` (SPEC §3) and becomes an
 * RFC 9457 problem document at the HTTP edge; anything else is an unexpected 500 whose details
 * stay in the logs.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldError[];
  /** Extra members added to the problem document (e.g. `freeMb`, `nearestMb`). */
  extensions?: Record<string, unknown>;
  /** Response headers the problem calls for (`Allow` on a 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, options: ProblemOptions = {}) {
    super(options.detail ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.detail = options.detail ?? TITLES[status] ?? code;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get title(): string {
    return TITLES[this.status] ?? 'Error';
  }
}

export const validationFailed = (errors: FieldError[], detail = 'The request is not valid.') =>
  new AppError(400, 'VALIDATION_FAILED', { detail, errors });

export const notFound = (what: string) =>
  new AppError(404, 'NOT_FOUND', { detail: `${what} not found.` });

export const unauthorized = (detail = 'A valid bearer token is required.') =>
  new AppError(401, 'UNAUTHORIZED', { detail });

export const forbidden = (detail: string) => new AppError(403, 'FORBIDDEN', { detail });
export type ErrorCode = string;
