import { Stack, Title } from '@mantine/core';
import { ScheduleList } from './ScheduleList';

export default function SchedulesPage() {
  return (
    <Stack>
      <Title order={2}>Schedules</Title>
      <ScheduleList />
    </Stack>
  );
}
