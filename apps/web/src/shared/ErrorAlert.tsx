import { Alert } from '@mantine/core';
import { ApiError } from '../api/api-error';

/** Shows the API's own message (field and reason); a 404 from a route not there yet says so. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError ? error.status : null;
  return (
    <Alert color="red" role="alert" title={title ?? (status ? `Error ${status}` : 'Error')}>
      {message}
    </Alert>
  );
}

/** True when a route answers 404 because this master does not have it (older or partial build). */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
