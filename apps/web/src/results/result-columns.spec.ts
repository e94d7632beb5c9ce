import { exportFileName, resolveTaskRef, toggleColumn, visibleColumns } from './result-columns';

describe('result columns', () => {
  const fields = ['_id', 'title', '_tid', 'price', '_ts'];

  it('hides system fields by default and shows new item fields', () => {
    expect(visibleColumns(fields, { hidden: [], shown: [] })).toEqual(['title', 'price']);
  });

  it('toggles a system field on and an item field off', () => {
    const c = toggleColumn(toggleColumn({ hidden: [], shown: [] }, '_ts', true), 'price', false);
    expect(visibleColumns(fields, c)).toEqual(['title', '_ts']);
    expect(visibleColumns(fields, toggleColumn(c, 'price', true))).toEqual(['title', 'price', '_ts']);
  });
});

describe('resolveTaskRef', () => {
  const ids = ['aaaaaaaaaaaaaaaadb799cf4', 'bbbbbbbbbbbbbbbb11111111', 'bbbbbbbbbbbbbbbb21111111'];
  it.each([
    ['', {}],
    ['  ', {}],
    ['0123456789abcdef01234567', { taskId: '0123456789abcdef01234567' }],
    ['db799cf4', { taskId: ids[0] }],
    ['DB799CF4', { taskId: ids[0] }],
    ['11111111', { taskId: ids[1] }],
    ['99999999', { error: 'no recent task of this spider matches "99999999"' }],
    ['1111111', { error: '2 recent tasks match "1111111": type more characters' }],
    ['zz', { error: 'expected a task id or its last 8 characters' }],
  ])('%p', (input, expected) => {
    expect(resolveTaskRef(input, ids)).toEqual(expected);
  });
});

describe('exportFileName', () => {
  const day = new Date('2026-12-06T10:00:00Z');
  it('names the spider, the task short id and the date', () => {
    expect(exportFileName('quotes', 'aaaaaaaaaaaaaaaadb799cf4', 'csv', day)).toBe('quotes-db799cf4-2026-12-06.csv');
    expect(exportFileName('my spider/x', undefined, 'json', day)).toBe('my_spider_x-all-2026-12-06.json');
  });
});
