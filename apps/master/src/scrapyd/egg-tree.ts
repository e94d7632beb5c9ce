/**
 * What an egg built by scrapyd-deploy tells Crawlnest: Scrapyd finds a project's settings
 * module in EGG-INFO/entry_points.txt (`[scrapy]` / `settings = shop.settings`); Crawlnest runs
 * `scrapy` in the unpacked tree, which finds it through a scrapy.cfg written next to it.
 */
export function settingsModuleOf(entryPoints: string): string | null {
  let section = '';
  for (const raw of entryPoints.split(/\r?\n/)) {
    const line = raw.trim();
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1].trim();
      continue;
    }
    const kv = /^settings\s*=\s*([A-Za-z_][\w.]*)/.exec(line);
    if (section === 'scrapy' && kv) return kv[1];
  }
  return null;
}

export function scrapyCfg(settingsModule: string): string {
  return `# Written by Crawlnest from the egg's EGG-INFO/entry_points.txt\n[settings]\ndefault = ${settingsModule}\n`;
}

/**
 * The fallback when `scrapy list` cannot run in time: the `name = "…"` class attributes of
 * the Python modules under the project's spiders package. It misses names computed at run
 * time, which is why the real listing is tried first.
 */
export function spiderNamesInSource(sources: string[]): string[] {
  const names = new Set<string>();
  for (const src of sources) {
    let inClass = false;
    for (const line of src.split(/\r?\n/)) {
      if (/^class\s+\w+/.test(line)) inClass = true;
      else if (/^\S/.test(line) && !/^#/.test(line)) inClass = false;
      const m = /^(?: {2,4}|\t)name\s*=\s*(['"])([^'"]+)\1\s*(#.*)?$/.exec(line);
      if (inClass && m) names.add(m[2]);
    }
  }
  return [...names].sort();
}

/** Spider names in `scrapy list`'s output: one per line (worker notes and env lines start with '['). */
export function spiderNamesInListing(lines: string[]): string[] {
  return lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('[') && /^[\w.-]+$/.test(l));
}
