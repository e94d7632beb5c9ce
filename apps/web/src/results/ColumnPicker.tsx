import { Button, Checkbox, Popover, Stack, Text } from '@mantine/core';
import { SYSTEM_FIELDS } from './result-columns';

/** A checkbox per field; system fields (`_id`, `_tid`, `_sid`, `_ts`) start unchecked. */
export function ColumnPicker({ fields, visible, onToggle }: { fields: string[]; visible: string[]; onToggle: (field: string, on: boolean) => void }) {
  return (
    <Popover position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <Button variant="default">Columns ({visible.length}/{fields.length})</Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={6} mah={360} style={{ overflowY: 'auto' }} aria-label="Columns shown">
          {fields.map((f) => (
            <Checkbox key={f} label={f} checked={visible.includes(f)} onChange={(e) => onToggle(f, e.currentTarget.checked)} />
          ))}
          <Text size="xs" c="dimmed">{SYSTEM_FIELDS.join(', ')}: id, task, spider, stored at</Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
