import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/api-error';
import { saveToken } from './token-store';

/** Checks the token against an authenticated route before keeping it. */
async function tokenWorks(token: string): Promise<void> {
  const res = await fetch('/api/stats', { headers: { authorization: `Bearer ${token}` } });
  if (res.ok) return;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  throw new ApiError(res.status, res.status === 401 ? 'That token was refused (401): check CRAWLNEST_API_TOKEN' : (body.message ?? res.statusText));
}

export function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await tokenWorks(token.trim());
      saveToken(token.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={420} component="main">
        <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
          <Stack>
            <Title order={2}>Sign in to Crawlnest</Title>
            <Text size="sm" c="dimmed">
              Paste the API token (CRAWLNEST_API_TOKEN; the master prints it at start). It stays in this tab only.
            </Text>
            <PasswordInput label="API token" value={token} onChange={(e) => setToken(e.currentTarget.value)} required autoFocus />
            {error && (
              <Alert color="red" role="alert" title="Sign-in failed">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
