import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/api-error';
import { api } from '../api/client';
import { markCookieSession, saveToken } from './token-store';

/** Checks the token against an authenticated route before keeping it. */
async function tokenWorks(token: string): Promise<void> {
  const res = await fetch('/api/stats', { headers: { authorization: `Bearer ${token}` } });
  if (res.ok) return;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  throw new ApiError(res.status, res.status === 401 ? 'That token was refused (401): check CRAWLNEST_API_TOKEN' : (body.message ?? res.statusText));
}

function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

/** Username and password (a session cookie, httpOnly), or a token pasted (kept in this tab only). */
export function SignInPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const withPassword = useSubmit(async () => {
    await api.login(username.trim(), password);
    markCookieSession();
  });
  const withToken = useSubmit(async () => {
    await tokenWorks(token.trim());
    saveToken(token.trim());
  });
  return (
    <Center h="100vh">
      <Paper withBorder p="xl" w={420} component="main">
        <Stack>
          <Title order={2}>Sign in to Crawlnest</Title>
          <form onSubmit={(e) => void withPassword.submit(e)} aria-label="Sign in with password">
            <Stack>
              <TextInput label="Username" value={username} onChange={(e) => setUsername(e.currentTarget.value)} required autoFocus autoComplete="username" />
              <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="current-password" />
              {withPassword.error && (
                <Alert color="red" role="alert" title="Log-in failed">
                  {withPassword.error}
                </Alert>
              )}
              <Button type="submit" loading={withPassword.busy}>
                Log in with password
              </Button>
            </Stack>
          </form>
          <Divider label="or with a token" labelPosition="center" />
          <form onSubmit={(e) => void withToken.submit(e)} aria-label="Sign in">
            <Stack>
              <Text size="sm" c="dimmed">
                Paste a personal access token or the API token (CRAWLNEST_API_TOKEN; the master prints it at start). It stays in this tab only.
              </Text>
              <PasswordInput label="API token" value={token} onChange={(e) => setToken(e.currentTarget.value)} required />
              {withToken.error && (
                <Alert color="red" role="alert" title="Sign-in failed">
                  {withToken.error}
                </Alert>
              )}
              <Button type="submit" variant="default" loading={withToken.busy}>
                Sign in
              </Button>
            </Stack>
          </form>
        </Stack>
      </Paper>
    </Center>
  );
}
