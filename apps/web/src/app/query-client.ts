import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/api-error';

/** Live data by polling; a 4xx is an answer, not a reason to retry. */
export const LIVE_MS = 2000;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        refetchInterval: LIVE_MS,
        refetchOnWindowFocus: true,
        staleTime: 1000,
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
