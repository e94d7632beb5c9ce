import { settingsModuleOf, spiderNamesInListing, spiderNamesInSource } from './egg-tree';

describe('egg trees', () => {
  it('finds the settings module in entry_points.txt', () => {
    expect(settingsModuleOf('[scrapy]\nsettings = shop.settings\n')).toBe('shop.settings');
    expect(settingsModuleOf('[console_scripts]\nsettings = no.this\n\n[scrapy]\r\nsettings=a.b_c\r\n')).toBe('a.b_c');
    expect(settingsModuleOf('[console_scripts]\nx = y\n')).toBeNull();
  });

  it('reads spider names from class attributes only', () => {
    const src = [
      'import scrapy\nname = "module-level"\n\nclass A(scrapy.Spider):\n    name = "alpha"\n    other = 1\n',
      "class B(scrapy.Spider):\n    name = 'beta'  # comment\n    def parse(self, r):\n        name = 'local'\n",
    ];
    expect(spiderNamesInSource(src)).toEqual(['alpha', 'beta']);
  });

  it('reads spider names from scrapy list output, skipping worker lines', () => {
    expect(spiderNamesInListing(['[env] ready in 3 ms', 'alpha', '', 'beta.two', '[crawlnest] results: 0 items read'])).toEqual(['alpha', 'beta.two']);
  });
});
