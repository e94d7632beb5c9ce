import { Stack, Title } from '@mantine/core';
import { TaskList } from './TaskList';

export default function TasksPage() {
  return (
    <Stack>
      <Title order={2}>Tasks</Title>
      <TaskList />
    </Stack>
  );
}
